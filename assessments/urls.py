"""Routes of the monthly assessment under /assessments/. Months are ``YYYY-MM``; anything else
in their place is a 404 (``views._month``)."""

from django.urls import path

import citymgmt.converters  # noqa: F401  (registers <text:…>)
from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("runs/<int:run_id>/progress/", views.progress, name="progress"),
    path("<text:month>/", views.overview, name="month"),
    path("<text:month>/run/", views.start, name="start"),
    path("<text:month>/publish/", views.publish, name="publish"),
    path("<text:month>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<text:month>/export.csv", views.export_csv, name="export_csv"),
    path("<text:month>/brigades/<text:code>/", views.brigade, name="brigade"),
    path("<text:month>/officers/<text:badge>/", views.officer, name="officer"),
    path(
        "<text:month>/officers/<text:badge>/<slug:code>/<slug:part>/",
        views.officer_tickets,
        name="officer_tickets",
    ),
    path("<text:month>/<slug:kind>/", views.ranking, name="ranking"),
]
