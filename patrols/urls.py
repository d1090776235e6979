"""Routes of the patrols app (under /patrols/)."""

from django.urls import path

from patrols import views

app_name = "patrols"
urlpatterns = [
    path("", views.patrol, name="patrol"),
    path("start/", views.start, name="start"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/points/", views.point, name="point"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("outreach/", views.outreach, name="outreach"),
    path("finding/", views.finding, name="finding"),
    path("log/", views.log_today, name="log_today"),
    path("log/<str:day>/", views.log_day, name="log_day"),
    path("today/", views.today, name="today"),
    path("logs/", views.review_queue, name="review_queue"),
    path("logs/<int:pk>/", views.log_detail, name="log_detail"),
    path("officers/<int:officer_pk>/week/", views.week, name="week"),
    path("leadership/", views.leadership_list, name="leadership_list"),
    path("leadership/<int:pk>/", views.leadership_detail, name="leadership_detail"),
    path("leadership/<int:pk>/print/", views.leadership_print, name="leadership_print"),
]
