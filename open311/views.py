"""GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the city's casework.

Each view parses its parameters with a form, calls one selector or service and answers in the
format the URL names (.json or .xml); errors are ``[{"code", "description"}]`` with 400, 403,
404 (and 429 when a client exceeds its rate). Reading needs no key, but a key that is given
must be valid; filing needs one.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from cases.public import public_tickets
from citymgmt.client_ip import ratelimit_key
from open311 import selectors, services
from open311.attributes import attributes_for
from open311.formats import error, respond
from open311.forms import RequestQueryForm, ServiceRequestForm, error_text
from open311.models import ApiClient

CHANGESET = "2026-11-22T00:00:00+08:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Allow ``methods`` (HEAD with GET; any other is a 405 error list); check a given api_key
    (403 if unknown or revoked) and the rate (per client, else per address); hand the view
    ``client`` (None without a key).

    No CSRF check: clients authenticate with api_key, never with a session cookie, and a
    method an endpoint does not take is refused here, in the Open311 error format, before
    anything is read or written."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                refused = error(fmt, 405, _("Method not allowed."))
                refused["Allow"] = ", ".join(allowed)
                return refused
            # A published client sends api_key in the query string even when it POSTs.
            key = request.POST.get("api_key", "") if request.method == "POST" else ""
            key = key or request.GET.get("api_key", "")
            client: ApiClient | None = None
            refusal = ""
            if key:
                try:
                    client = services.authenticate_key(key)
                except PermissionDenied as denied:
                    refusal = str(denied)
            # Counted before a bad key is refused, so guessing keys is throttled too.
            limited = is_ratelimited(
                request,
                group="open311",
                # Without a key, per client address as our proxies saw it, not per proxy.
                key=(lambda _g, _r: f"client:{client.prefix}") if client else ratelimit_key,
                rate=client.rate_limit if client else settings.CITYMGMT_RATE_OPEN311,
                increment=True,
            )
            if limited:
                return error(fmt, 429, _("Too many requests: slow down."))
            if refusal:
                return error(fmt, 403, refusal)
            return view(request, *args, fmt=fmt, client=client, **kwargs)

        return wrapper

    return decorate


def _absolute(request: HttpRequest, path: str) -> str:
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str, client: ApiClient | None) -> HttpResponse:
    base = reverse("open311:discovery", kwargs={"fmt": fmt}).rsplit("/", 1)[0]
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": getattr(settings, "OPEN311_CONTACT", ""),
            "key_service": _("Ask the city's urban management bureau for an api_key."),
            "service_notice": _(
                "Requests lists only the reports filed by the public (the city's complaint "
                "form and Open311 clients), never hotline, patrol or enforcement cases."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": _absolute(request, base),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str, client: ApiClient | None) -> HttpResponse:
    return respond(fmt, "services", selectors.services())


@endpoint("GET")
def service_definition(
    request: HttpRequest, service_code: str, fmt: str, client: ApiClient | None
) -> HttpResponse:
    category = services.category_for_service_code(service_code)
    if category is None or category.is_major:
        return error(fmt, 404, _("service_code %(code)s was not found.") % {"code": service_code})
    attributes = [a.as_open311(order) for order, a in enumerate(attributes_for(category), 1)]
    return respond(
        fmt,
        "service_definition",
        {"service_code": category.service_code, "attributes": attributes},
    )


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str, client: ApiClient | None) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt, client)
    form = RequestQueryForm(request.GET)
    if not form.is_valid():
        return error(fmt, 400, error_text(form))
    query = form.cleaned_data
    tickets = selectors.service_requests()
    if query["service_request_id"]:
        # GeoReport v2: ids override every other parameter.
        tickets = tickets.filter(number__in=query["service_request_id"])
    else:
        tickets = tickets.filter(
            reported_at__gte=query["start_date"], reported_at__lte=query["end_date"]
        )
        if query["service_code"]:
            tickets = tickets.filter(_codes(query["service_code"]))
        if query["status"] == ["open"]:
            tickets = tickets.exclude(state__in=selectors.CLOSED_STATES)
        elif query["status"] == ["closed"]:
            tickets = tickets.filter(state__in=selectors.CLOSED_STATES)
    rows = [selectors.as_open311(t) for t in tickets[: selectors.MAX_REQUESTS]]
    return respond(fmt, "service_requests", rows)


def _codes(service_codes: list[str]) -> Q:
    kinds = {"C": "component", "E": "event"}
    condition = Q(pk__in=[])
    for code in service_codes:
        if code[:1] in kinds:
            condition |= Q(category__kind=kinds[code[:1]], category__code=code[1:])
    return condition


def _submit(request: HttpRequest, fmt: str, client: ApiClient | None) -> HttpResponse:
    if client is None:
        return error(fmt, 403, _("api_key is required to file a service request."))
    form = ServiceRequestForm(request.POST)
    if not form.is_valid():
        return error(fmt, 400, error_text(form))
    data = form.cleaned_data
    attributes = {
        key[len("attribute[") : -1]: value
        for key, value in request.POST.items()
        if key.startswith("attribute[") and key.endswith("]")
    }
    category = services.category_for_service_code(data["service_code"])
    if category is None or category.is_major:
        # GeoReport v2: a service_code that is not one of ours is a 404.
        code = data["service_code"]
        return error(fmt, 404, _("service_code %(code)s was not found.") % {"code": code})
    description = data["description"] or category.public_name or category.name
    try:
        ticket = services.submit_service_request(
            client=client,
            request=services.ServiceRequest(
                service_code=data["service_code"],
                description=description,
                lat=data["lat"],
                lng=data["long"],
                address_string=data["address_string"],
                media_url=data["media_url"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                attributes=attributes,
            ),
        )
    except ValidationError as invalid:
        return error(fmt, 400, *invalid.messages)
    tracking_url = _absolute(
        request, reverse("residents:track", kwargs={"code": ticket.tracking_code})
    )
    notice = _("Keep the token: with it you can follow the request at %(url)s") % {
        "url": tracking_url
    }
    body = [
        {
            "service_request_id": ticket.number,
            "token": ticket.tracking_code,
            "service_notice": notice,
            "account_id": None,
            "tracking_url": tracking_url,
        }
    ]
    return respond(fmt, "service_requests", body, status=201)


@endpoint("GET")
def request_detail(
    request: HttpRequest, service_request_id: str, fmt: str, client: ApiClient | None
) -> HttpResponse:
    ticket = selectors.service_requests().filter(number=service_request_id).first()
    if ticket is None:
        return error(
            fmt, 404, _("Service request %(id)s was not found.") % {"id": service_request_id}
        )
    return respond(fmt, "service_requests", [selectors.as_open311(ticket)])


@endpoint("GET")
def token(request: HttpRequest, token: str, fmt: str, client: ApiClient | None) -> HttpResponse:
    number = public_tickets().filter(tracking_code=token).values_list("number", flat=True).first()
    if number is None:
        return error(fmt, 404, _("Token %(token)s was not found.") % {"token": token})
    return respond(fmt, "service_requests", [{"service_request_id": number, "token": token}])


@csrf_exempt  # any method: the answer is the same error list
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    fmt = "xml" if rest.endswith(".xml") else "json"
    return error(fmt, 404, _("No such Open311 resource."))
