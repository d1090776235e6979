"""The residents' pages, no account needed: the complaint form (with its map helpers), the
confirmation with the tracking code, the tracking page and its rating, and finding a lost code.

Abuse: CSRF on every POST, a honeypot field, and per-IP limits (django-ratelimit, in the default
cache: Redis in production; the rates are settings, ``CITYMGMT_RATE_*``) on filing and on the
code lookup. A limited request gets a 429 page
that keeps what was typed.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage, is_ratelimited

from cases.models import Category, State, Ticket
from cases.photos import served_file
from citymgmt.client_ip import ratelimit_key
from citymgmt.forms import add_service_errors
from citymgmt.images import image_response
from citymgmt.ratelimits import RETRY_AFTER_SECONDS, Attempt, count_attempt
from citymgmt.text import as_id, ascii_digits
from grids.locator import locate_id
from grids.maps import pick_map
from grids.models import Community, GridCell
from grids.qr import public_url
from grids.selectors import community_cells_geojson
from messaging import services as messaging_services
from residents import phone as phones
from residents import services as resident_services
from residents import tracking
from residents.forms import ComplaintForm, FindCodeForm, RatingForm

logger = logging.getLogger(__name__)


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against the limit; True once it goes over."""
    return is_ratelimited(
        request, group=group, key=ratelimit_key, rate=rate, method="POST", increment=True
    )


def _used_up(request: HttpRequest, group: str, rate: str) -> bool:
    """Whether the limit is reached already, without counting this request."""
    usage = get_usage(
        request, group=group, key=ratelimit_key, rate=rate, method="POST", increment=False
    )
    return usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"])


def _pick_map(form: ComplaintForm) -> dict:
    """The form's map: the chosen (or QR-preset) community's grids, the point if any. Other
    communities' grids are fetched when the resident picks one (``report_cells``)."""
    community_id = as_id(str(form["community"].value()))
    chosen = Community.objects.none()
    if community_id is not None:
        chosen = Community.objects.filter(pk=community_id)
    return pick_map(form, chosen, cells_url=reverse("residents:report_cells", args=[0]))


def _preset_community(request: HttpRequest) -> Community | None:
    """The community of the notice-board QR code (``?community=<12 digits>``), if it is one."""
    code = request.GET.get("community", "")
    if not (ascii_digits(code) and len(code) == 12):
        return None
    return Community.objects.select_related("street__district").filter(code=code).first()


def _complaint_form(request: HttpRequest, *args, **kwargs) -> ComplaintForm:
    """The complaint form with this browser's verified number and the verification setting."""
    return ComplaintForm(
        *args,
        phone_check=phones.verification_mode(),
        verified_phone=phones.verified_phone(request),
        **kwargs,
    )


def _render_form(request: HttpRequest, form: ComplaintForm, *, status: int = 200, **extra):
    back = urlencode({"next": request.get_full_path()})
    verify_url = f"{reverse('residents:verify_phone')}?{back}"
    context = {"form": form, "map_data": _pick_map(form), "verify_url": verify_url, **extra}
    return render(request, "cases/public/report.html", context, status=status)


@transaction.non_atomic_requests
def report(request: HttpRequest) -> HttpResponse:
    """The public complaint form (where the notice boards' QR codes lead).

    Not wrapped in a request transaction: the one write is ``file_complaint``, itself atomic,
    which then opens the transaction instead of a savepoint inside the request's; the rest
    (limits, form, map) reads."""
    if request.method != "POST":
        community = _preset_community(request)
        initial = {"community": community.pk} if community else {}
        form = _complaint_form(request, initial=initial)
        return _render_form(request, form, community=community)

    if _limited(request, "report-posts", settings.CITYMGMT_RATE_REPORT_POSTS) or _used_up(
        request, "report-filed", settings.CITYMGMT_RATE_REPORT
    ):
        # The form comes back as typed; photos are neither processed nor kept.
        typed = _complaint_form(request, request.POST)
        return _render_form(request, typed, status=429, limited=True)
    form = _complaint_form(request, request.POST, request.FILES)
    if form.is_spam:
        logger.info("Honeypot filled on the complaint form; dropped.")
        return redirect("residents:report")
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = resident_services.file_complaint(
                category=data["category"],
                description=data["description"],
                lat=data["lat"],
                lng=data["lng"],
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                reporter_email=data.get("reporter_email", ""),
                photos=data["photos"],
                follows=data["follows"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Count the report filed.
            _limited(request, "report-filed", settings.CITYMGMT_RATE_REPORT)
            return redirect("residents:report_filed", code=ticket.tracking_code)
    return _render_form(request, form, status=400)


@require_GET
def report_where(request: HttpRequest) -> HttpResponse:
    """Which community and unit grid a tapped point is in, or that it is outside the city (an
    htmx snippet under the map)."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return HttpResponse(_("Tap the map where the problem is."))
    cell_id = locate_id(lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 else None
    cell = (
        GridCell.objects.select_related("community__street").get(pk=cell_id)
        if cell_id is not None
        else None
    )
    return render(request, "cases/public/_where.html", {"cell": cell})


@require_GET
def report_nearby(request: HttpRequest) -> HttpResponse:
    """Open reports of the same kind near the point ("is it one of these?"), an htmx snippet:
    only reports the public filed, limited per address (``CITYMGMT_RATE_NEARBY``)."""
    if is_ratelimited(
        request,
        group="report-nearby",
        key=ratelimit_key,
        rate=settings.CITYMGMT_RATE_NEARBY,
        method="GET",
        increment=True,
    ):
        # htmx leaves the form as it is on an error status: the resident files on their own.
        return HttpResponse(_("Too many look-ups from your network: try again later."), status=429)
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
        category_id = as_id(request.GET["category"])
        category = Category.objects.filter(pk=category_id).first() if category_id else None
    except (KeyError, ValueError):
        category = None
    reports = []
    if category is not None and -90 <= lat <= 90 and -180 <= lng <= 180:
        reports = tracking.open_reports_near(
            category_id=category.pk,
            radius_m=category.duplicate_radius_m,
            lat=lat,
            lng=lng,
            at=timezone.now(),
        )
    chosen = request.GET.get("follows", "")
    return render(request, "cases/public/_nearby.html", {"reports": reports, "chosen": chosen})


@require_GET
def report_cells(request: HttpRequest, pk: int) -> JsonResponse:
    """One community's unit grids as GeoJSON: public facts, on its notice board too."""
    return JsonResponse(community_cells_geojson(get_object_or_404(Community, pk=pk)))


@never_cache
def report_filed(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation: ticket number and tracking code, to bookmark or write down."""
    ticket = tracking.ticket_by_code(code)
    track_url = public_url(
        request, reverse("residents:track", kwargs={"code": ticket.tracking_code})
    )
    return render(request, "cases/public/filed.html", {"ticket": ticket, "track_url": track_url})


@never_cache
def track(request: HttpRequest, code: str, rating_form: RatingForm | None = None) -> HttpResponse:
    """The resident's view of their ticket: plain status, public timeline, photos, the expected
    completion, and after closure the rating. A report merged into another one shows how that
    one is handled."""
    ticket = tracking.ticket_by_code(code)
    followed = ticket.duplicate_of
    shown = followed or ticket
    # A follower rates the original's result: theirs is closed when that one is.
    can_rate = shown.state == State.CLOSED and ticket.satisfaction is None
    context = {
        "ticket": ticket,
        "code": ticket.tracking_code,
        "shown": shown,
        "followed": followed,
        "status_text": tracking.PLAIN_STATUS[shown.state],
        "events": tracking.public_timeline(ticket, own=True),
        "followed_events": tracking.public_timeline(followed, own=False) if followed else [],
        "expected": tracking.expected_completion(shown),
        "officer": shown.assignee if shown.state != State.REPORTED else None,
        "rating_form": rating_form or (RatingForm() if can_rate else None),
        "reopen_request": resident_services.reopen_request_for(ticket),
        "updates": messaging_services.updates_control(ticket),
    }
    return render(request, "cases/public/track.html", context, status=400 if rating_form else 200)


@require_POST
@never_cache
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter rates the result of their closed ticket, once."""
    tracking.ticket_id_by_code(code)  # a wrong code is a 404 before anything else
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            resident_services.rate_ticket(
                code=code,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("residents:track", code=tracking.normalize_code(code))
    return track(request, code, rating_form=form)


@require_GET
def track_photo(request: HttpRequest, code: str, pk: int, size: str = "full") -> FileResponse:
    """A photo shown on the tracking page, only through that page's code."""
    item = tracking.public_photo(code=code, photo_id=pk)
    return image_response(served_file(item, size), item.content_type)


@never_cache
def find_code(request: HttpRequest) -> HttpResponse:
    """Lost the code? The ticket number and the last 4 digits of the phone given lead back to
    the tracking page. The answer never tells whether the number exists or has a phone."""
    typed = tracking.normalize_code(request.GET.get("code", ""))
    if typed:
        # The tracking page itself answers, with the same 404 for any code that is not one.
        return redirect("residents:track", code=typed)
    form = FindCodeForm(request.POST or None)
    page = {"sms_on": bool(settings.SMS_URL)}  # then the number and an SMS code find them too
    status = 200
    if request.method == "POST":
        attempt = count_attempt(request, group="find-code", rate=settings.CITYMGMT_RATE_CODE_LOOKUP)
        if attempt is Attempt.UNCOUNTED:
            # Without a count the lookup is a 10,000-try hunt for the phone's digits: refuse.
            response = render(
                request,
                "cases/public/find.html",
                {**page, "form": form, "unavailable": True},
                status=503,
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if attempt is Attempt.LIMITED:
            return render(
                request,
                "cases/public/find.html",
                {**page, "form": form, "limited": True},
                status=429,
            )
        if form.is_valid():
            code = (
                Ticket.objects.filter(
                    number=form.cleaned_data["number"],
                    reporter_phone__endswith=form.cleaned_data["phone_last4"],
                )
                .exclude(reporter_phone="")
                .values_list("tracking_code", flat=True)
                .first()
            )
            if code is not None:
                return redirect("residents:track", code=code)
            form.add_error(
                None,
                _(
                    "No report matches this number and these digits. Check both, or call 12345 "
                    "and give the ticket number."
                ),
            )
        status = 400
    return render(request, "cases/public/find.html", {**page, "form": form}, status=status)
