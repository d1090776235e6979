from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="grids:board_index"), name="landing"),
    path("", include("accounts.urls")),
    path("", include("grids.urls")),
    path("", include("cases.urls")),
    path("patrols/", include("patrols.urls")),
    path("assessments/", include("assessments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
