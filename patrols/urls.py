"""Routes of the patrols app: wired now (under /patrols/), filled by its issue."""

from django.urls import URLPattern

app_name = "patrols"
urlpatterns: list[URLPattern] = []
