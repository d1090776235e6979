"""The officer's field app (issue 22): the web app manifest that makes the staff pages
installable, the service worker that keeps them working without signal, and the page it shows
for what was never saved on the phone.

The service worker is a template (``templates/offline/sw.js``) so it names the static files by
their hashed URLs; it is served from the site's root, so its scope covers every staff page, and
it routes only the officer's pages (``OFFLINE_PAGES`` there), leaving everything else to the
network.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Bootstrap's primary blue, as the navigation bar.
THEME_COLOUR = "#0d6efd"


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker: always fetched fresh (a new release is installed at the next visit),
    allowed the whole site as its scope."""
    response = render(
        request,
        "offline/sw.js",
        {"offline_url": reverse("web:offline")},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the field app opens on the officer's home, full screen."""
    body = {
        "name": _("City Management field app"),
        "short_name": _("Field app"),
        "description": _("Patrols, tasks and findings for urban-management officers."),
        "lang": get_language(),
        "start_url": reverse("web:officer_home"),
        "scope": "/",
        "id": reverse("web:officer_home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": static(f"img/app/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it never saved, when there is no network."""
    return render(request, "offline/offline.html")
