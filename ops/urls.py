from django.urls import path

from ops import operations, views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("operations/", operations.operations, name="operations"),
]
