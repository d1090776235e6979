"""The residents' pages (no account) and the supervisors' answers to their ratings."""

from django.urls import path

import citymgmt.converters  # noqa: F401  (registers <text:…>)
from residents import alert_views, community_month, phone_views, reopen_views, views

app_name = "residents"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/where/", views.report_where, name="report_where"),
    path("report/nearby/", views.report_nearby, name="report_nearby"),
    path("report/communities/<int:pk>/cells/", views.report_cells, name="report_cells"),
    path("track/", views.find_code, name="find_code"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/filed/", views.report_filed, name="report_filed"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path(
        "track/<str:code>/photos/<int:pk>/<str:size>/",
        views.track_photo,
        name="track_photo",
    ),
    path(
        "communities/<text:code>/month/",
        community_month.community_month,
        name="community_month",
    ),
    path("phone/", phone_views.verify_phone, name="verify_phone"),
    path("phone/forget/", phone_views.forget_phone, name="forget_phone"),
    path("my-reports/", phone_views.my_reports, name="my_reports"),
    path("alerts/new/", alert_views.new_alert, name="alert_new"),
    path("alerts/confirm/<str:token>/", alert_views.confirm_alert, name="alert_confirm"),
    path("alerts/stop/<str:token>/", alert_views.stop_alert, name="alert_stop"),
    path("cases/reopen-requests/", reopen_views.reopen_requests, name="reopen_requests"),
    path("cases/reopen-requests/<int:pk>/", reopen_views.decide, name="decide_reopen_request"),
]
