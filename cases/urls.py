from django.urls import path

import citymgmt.converters  # noqa: F401  (registers <ticket:…>)
from cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.queue, name="queue"),
    path("cases/bulk/", views.bulk, name="bulk"),
    path("cases/export.csv", views.export_csv, name="export_csv"),
    path("cases/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("cases/new/", views.intake, name="intake"),
    path("cases/locate/", views.locate_preview, name="locate"),
    path("cases/communities/<int:pk>/cells/", views.community_cells, name="community_cells"),
    path("cases/mine/", views.my_tasks, name="my_tasks"),
    path("cases/on-site/", views.on_site, name="on_site"),
    path("cases/unit/", views.unit_queue, name="unit_queue"),
    path("cases/photos/<int:pk>/", views.photo, name="photo"),
    path("cases/photos/<int:pk>/<str:size>/", views.photo, name="photo_size"),
    path("cases/<ticket:number>/", views.detail, name="detail"),
    path("cases/<ticket:number>/<slug:action>/", views.act, name="act"),
]
