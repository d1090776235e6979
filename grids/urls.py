from django.urls import path

import citymgmt.converters  # noqa: F401  (registers <text:…>)
from grids import views

app_name = "grids"
urlpatterns = [
    path("communities/", views.board_index, name="board_index"),
    path("communities/<text:code>/", views.community_board, name="community_board"),
    path("communities/<text:code>/qr.png", views.community_qr_png, name="community_qr"),
    path("officers/<text:badge_number>/card/", views.contact_card, name="contact_card"),
    path("officers/<text:badge_number>/photo/", views.officer_photo, name="officer_photo"),
]
