"""Open311 GeoReport v2 endpoints under /open311/v2/; every resource in .json and .xml."""

from django.urls import re_path

from open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[A-Za-z0-9_-]{1,20})" + FMT,
        views.service_definition,
        name="service",
    ),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[A-Za-z0-9_-]{1,30})" + FMT,
        views.request_detail,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_-]{1,40})" + FMT, views.token, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
