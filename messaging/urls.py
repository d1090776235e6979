from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("t/<str:code>/", views.short_link, name="short_link"),
    path("track/<str:code>/updates/", views.set_updates, name="set_updates"),
]
