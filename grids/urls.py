from django.urls import path

from grids import views

app_name = "grids"
urlpatterns = [
    path("communities/", views.board_index, name="board_index"),
    path("communities/<str:code>/", views.community_board, name="community_board"),
    path("communities/<str:code>/qr.png", views.community_qr_png, name="community_qr"),
    path("officers/<str:badge_number>/card/", views.contact_card, name="contact_card"),
    path("officers/<str:badge_number>/photo/", views.officer_photo, name="officer_photo"),
]
