from django.urls import path

from hotline import api, photos

app_name = "hotline"
urlpatterns = [
    path("hotline/photos/<str:token>/", photos.photo, name="photo"),
]

api_urls = [
    path("hotline/orders/", api.Orders.as_view(), name="hotline_orders"),
    path("hotline/orders/<str:order_id>/urge/", api.Urge.as_view(), name="hotline_urge"),
    path(
        "hotline/orders/<str:order_id>/callback/", api.Callback.as_view(), name="hotline_callback"
    ),
    path("hotline/orders/<str:order_id>/cancel/", api.Cancel.as_view(), name="hotline_cancel"),
]
