"""The REST API under /api/: each app's ``api.py`` views, collected here, with the OpenAPI
schema and its two readers (Swagger UI and ReDoc, served from the sidecar, no CDN).

A new resource is one line in ``v1`` (assessments: when their app lands).
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

import cases.urls  # noqa: F401  (registers the <ticket:…> path converter)
from accounts import api as accounts_api
from assessments import api as assessments_api
from cases import api as cases_api
from cases.actions import ACTIONS
from grids import api as grids_api
from hotline.urls import api_urls as hotline_api_urls
from notifications import api as notifications_api
from patrols import api as patrols_api

v1 = [
    path("me/", accounts_api.Me.as_view(), name="me"),
    path("tickets/", cases_api.TicketList.as_view(), name="tickets"),
    path("tickets/export.csv", cases_api.TicketExportCsv.as_view(), name="tickets_export_csv"),
    path("tickets/export.xlsx", cases_api.TicketExportXlsx.as_view(), name="tickets_export_xlsx"),
    path("tickets/<ticket:number>/", cases_api.TicketDetail.as_view(), name="ticket"),
    path("tickets/<ticket:number>/events/", cases_api.TicketEvents.as_view(), name="events"),
    path("tickets/<ticket:number>/photos/", cases_api.TicketPhotos.as_view(), name="photos"),
    path(
        "tickets/<ticket:number>/officers/",
        cases_api.TicketDispatchOfficers.as_view(),
        name="dispatch_officers",
    ),
    *[
        path(
            f"tickets/<ticket:number>/{spec.name}/",
            cases_api.action_view(spec).as_view(),
            name=f"ticket_{spec.name}",
        )
        for spec in ACTIONS
    ],
    path("photos/<int:photo_id>/", cases_api.PhotoFile.as_view(), name="photo"),
    path("categories/", cases_api.CategoryList.as_view(), name="categories"),
    *hotline_api_urls,
    path("notifications/", notifications_api.NotificationList.as_view(), name="notifications"),
    path("notifications/read/", notifications_api.MarkRead.as_view(), name="notifications_read"),
    path("districts/", grids_api.DistrictList.as_view(), name="districts"),
    path("streets/", grids_api.StreetList.as_view(), name="streets"),
    path("communities/", grids_api.CommunityList.as_view(), name="communities"),
    path("grids/", grids_api.GridList.as_view(), name="grids"),
    path("officers/", accounts_api.OfficerList.as_view(), name="officers"),
    path("assignments/", grids_api.AssignmentList.as_view(), name="assignments"),
    path("patrols/", patrols_api.PatrolSessionList.as_view(), name="patrols"),
    path("patrols/<int:session_id>/", patrols_api.PatrolSessionDetail.as_view(), name="patrol"),
    path(
        "patrols/<int:session_id>/points/",
        patrols_api.PatrolPoints.as_view(),
        name="patrol_points",
    ),
    path("patrols/<int:session_id>/end/", patrols_api.PatrolEnd.as_view(), name="patrol_end"),
    path("outreach/", patrols_api.OutreachTap.as_view(), name="outreach"),
    path("findings/", patrols_api.FindingCreate.as_view(), name="findings"),
    path("uploads/", cases_api.UploadList.as_view(), name="uploads"),
    path("uploads/<uuid:upload_id>/", cases_api.UploadDetail.as_view(), name="upload"),
    path(
        "uploads/<uuid:upload_id>/complete/",
        cases_api.UploadComplete.as_view(),
        name="upload_complete",
    ),
    path("logs/", patrols_api.DailyLogList.as_view(), name="logs"),
    path("logs/submit/", patrols_api.DailyLogSubmit.as_view(), name="log_submit"),
    path("logs/save/", patrols_api.DailyLogSave.as_view(), name="log_save"),
    path("logs/<int:log_id>/", patrols_api.DailyLogDetail.as_view(), name="log"),
    path("assessments/runs/", assessments_api.RunList.as_view(), name="assessment_runs"),
    path(
        "assessments/runs/<int:run_id>/scores/",
        assessments_api.ScoreList.as_view(),
        name="assessment_scores",
    ),
]

# The schema readers, and only they, get a wider Content-Security-Policy: both style themselves
# with inline <style> (ReDoc through styled-components) and ReDoc runs its search in a blob:
# worker. Their scripts stay 'self': Swagger UI's start-up script is served as a file (the "split"
# view) instead of inline.
READER_CSP = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_update(READER_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        csp_update(READER_CSP)(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
]
