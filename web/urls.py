from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from web import field_app, homes

# Each role's home page (web:home sends a person to theirs).
home_patterns = (
    [
        path("home/", homes.home, name="home"),
        path("officer/", homes.officer_home, name="officer_home"),
        path("supervisor/", homes.supervisor_home, name="supervisor_home"),
        path("handler/", homes.handler_home, name="handler_home"),
        path("assessor/", homes.assessor_home, name="assessor_home"),
        # The officer's field app: the service worker at the root, so its scope is the site.
        path("sw.js", field_app.service_worker, name="service_worker"),
        path("manifest.webmanifest", field_app.manifest, name="manifest"),
        path("offline/", field_app.offline, name="offline"),
    ],
    "web",
)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="grids:board_index"), name="landing"),
    path("", include("accounts.urls")),
    path("", include(home_patterns)),
    path("", include("grids.urls")),
    path("", include("privacy.urls")),  # before cases: track/erase/ is not a code
    path("", include("residents.urls")),
    path("", include("messaging.urls")),  # /t/<code>/, the messages' short tracking link
    path("", include("cases.urls")),
    path("", include("hotline.urls")),
    path("", include("notifications.urls")),
    path("patrols/", include("patrols.urls")),
    path("", include("assessments.survey_urls")),  # /assessments/surveys/, /survey/<token>/
    path("assessments/", include("assessments.urls")),
    path("shops/", include("shops.urls")),
    path("command/", include("command.urls")),
    path("api/", include("web.api_urls")),
    path("open311/v2/", include("open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login would skip the second factor: it sends people to ours (same
    # throttle, same code step), keeping ?next=.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("ops.urls")),  # /healthz, /readyz (answered first by ops.middleware)
]
# No MEDIA_URL route, not even in development: uploads (ticket photos, officer portraits) are
# served only by views that check who is asking (cases:photo, grids:officer_photo).

# A crash is templates/500.html, a database outage a 503 (web/errors.py); a missing page is
# Django's default handler404 with templates/404.html.
handler500 = "web.errors.server_error"
