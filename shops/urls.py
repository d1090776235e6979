"""Routes of the shops app (门前三包 pledges, points and cards): wired now, filled by its issue."""

from django.urls import URLPattern

app_name = "shops"
urlpatterns: list[URLPattern] = []
