from django.urls import path

import citymgmt.converters  # noqa: F401  (registers <ticket:…>)
from cases import operations, reopen_views, resident_views, views

app_name = "cases"
urlpatterns = [
    # The residents' pages (no account).
    path("report/", resident_views.report, name="report"),
    path("report/where/", resident_views.report_where, name="report_where"),
    path("report/nearby/", resident_views.report_nearby, name="report_nearby"),
    path("report/communities/<int:pk>/cells/", resident_views.report_cells, name="report_cells"),
    path("track/", resident_views.find_code, name="find_code"),
    path("track/<str:code>/", resident_views.track, name="track"),
    path("track/<str:code>/filed/", resident_views.report_filed, name="report_filed"),
    path("track/<str:code>/rate/", resident_views.rate, name="rate"),
    path(
        "track/<str:code>/photos/<int:pk>/<str:size>/",
        resident_views.track_photo,
        name="track_photo",
    ),
    path("cases/reopen-requests/", reopen_views.reopen_requests, name="reopen_requests"),
    path("cases/reopen-requests/<int:pk>/", reopen_views.decide, name="decide_reopen_request"),
    path("cases/", views.queue, name="queue"),
    path("cases/bulk/", views.bulk, name="bulk"),
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
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.mark_read, name="mark_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("operations/", operations.operations, name="operations"),
    path("notifications/<int:pk>/", views.open_notification, name="open_notification"),
]
