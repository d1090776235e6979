from django.urls import path, register_converter

from cases import views


class TicketNumberConverter:
    """XZ20261121-0042: anything else is not a ticket (a 404 before any query)."""

    regex = r"XZ\d{8}-\d{4,6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TicketNumberConverter, "ticket")

app_name = "cases"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("track/<str:code>/", views.report, name="track"),  # stub until the residents' issue merges
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
    path("notifications/<int:pk>/", views.open_notification, name="open_notification"),
]
