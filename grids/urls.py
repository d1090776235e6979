from django.urls import path, register_converter

from grids import views


class PlainTextConverter:
    """A code or badge number as typed in a URL, minus control characters: PostgreSQL refuses
    NUL in text, so ``%00`` must be a 404 before any query, not a 500."""

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PlainTextConverter, "text")

app_name = "grids"
urlpatterns = [
    path("communities/", views.board_index, name="board_index"),
    path("communities/<text:code>/", views.community_board, name="community_board"),
    path("communities/<text:code>/qr.png", views.community_qr_png, name="community_qr"),
    path("officers/<text:badge_number>/card/", views.contact_card, name="contact_card"),
    path("officers/<text:badge_number>/photo/", views.officer_photo, name="officer_photo"),
]
