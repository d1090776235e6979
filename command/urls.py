from django.urls import path

from command import views

app_name = "command"

urlpatterns = [
    path("map/", views.city_map, name="map"),
    path("map/data.json", views.map_data, name="map_data"),
    path("screen/", views.big_screen, name="screen"),
    path("screen/data.json", views.screen_data, name="screen_data"),
    path("hotspots/", views.hotspot_list, name="hotspots"),
    path("hotspots/open/", views.open_task, name="open_task"),
]
