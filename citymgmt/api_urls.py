"""The REST API under /api/: each app's ``api.py`` views, collected here (the API issue)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
