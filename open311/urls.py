"""Open311 GeoReport v2 endpoints under /open311/v2/: wired now, filled by the API issue."""

from django.urls import URLPattern

app_name = "open311"
urlpatterns: list[URLPattern] = []
