"""Routes of the assessments app: wired now (under /assessments/), filled by its issue."""

from django.urls import URLPattern

app_name = "assessments"
urlpatterns: list[URLPattern] = []
