"""Writes for Open311: issuing and revoking client keys, and filing a service request.

A service request becomes a ticket through ``cases.services.create_ticket`` (source ``api``,
state ``reported``), and from then on follows the same workflow as any other.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Category, CategoryKind, Priority, Source, Ticket
from cases.services import create_ticket
from citymgmt.text import ascii_digits
from grids.models import Community
from grids.services import locate
from open311.attributes import attributes_for
from open311.models import PREFIX_LENGTH, ApiClient


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _store_key(client: ApiClient, key: str) -> None:
    client.prefix = key[:PREFIX_LENGTH]
    client.key_hash = hash_key(key)


@transaction.atomic
def issue_api_client(
    *,
    name: str,
    created_by: User | None,
    rate_limit: str = "60/m",
    contact: str = "",
    key: str | None = None,
) -> tuple[ApiClient, str]:
    """Admins: register a client and return it with its key, which is shown this once and never
    stored in clear. ``key`` is for the demo seed only (a fixed, known key)."""
    key = key or secrets.token_urlsafe(32)
    client = ApiClient(name=name, contact=contact, rate_limit=rate_limit, created_by=created_by)
    _store_key(client, key)
    client.save()
    return client, key


@transaction.atomic
def revoke_api_client(*, client_id: int) -> ApiClient:
    """Admins: revoke a client's key for good; its next request gets a 403."""
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    if client.is_active:
        client.is_active = False
        client.revoked_at = timezone.now()
        client.save(update_fields=["is_active", "revoked_at"])
    return client


def authenticate_key(key: str) -> ApiClient:
    """The active client holding ``key``; PermissionDenied for an unknown or revoked key."""
    client = ApiClient.objects.filter(prefix=key[:PREFIX_LENGTH], is_active=True).first()
    if client is None or not hmac.compare_digest(client.key_hash, hash_key(key)):
        raise PermissionDenied(_("Invalid or revoked api_key."))
    # Stamp at most once a minute: a busy client should not write a row per request.
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def category_for_service_code(service_code: str) -> Category | None:
    """The active minor category behind an Open311 service code (C0101, E0102), or None."""
    kinds = {"C": CategoryKind.COMPONENT, "E": CategoryKind.EVENT}
    code = service_code[1:]
    if service_code[:1] not in kinds or len(code) != 4 or not ascii_digits(code):
        return None
    return Category.objects.filter(kind=kinds[service_code[:1]], code=code, is_active=True).first()


def community_named_in(address: str) -> Community | None:
    """The one community whose name the address contains (the longest name wins: 黄楼社区 over
    楼社区); None when no name, or two communities of the same name, match."""
    matches = list(
        Community.objects.annotate(
            given_address=Value(address, output_field=CharField()), name_length=Length("name")
        )
        .filter(given_address__contains=F("name"))
        .order_by("-name_length", "code")[:2]
    )
    if not matches:
        return None
    if len(matches) == 2 and matches[0].name == matches[1].name:
        return None
    return matches[0]


@dataclass
class ServiceRequest:
    service_code: str
    description: str
    lat: float | None = None
    lng: float | None = None
    address_string: str = ""
    media_url: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    attributes: dict[str, str] | None = None


@transaction.atomic
def submit_service_request(*, client: ApiClient, request: ServiceRequest) -> Ticket:
    """An Open311 client files a service request: a ticket with source ``api`` in state
    ``reported``. The place comes from lat/long (it must fall on a unit grid), else, without a
    point, from a community named in ``address_string``. ``media_url`` is kept as a link on the
    creation event (never fetched). ValidationError says what is wrong."""
    category = category_for_service_code(request.service_code)
    if category is None or category.is_major:
        raise ValidationError({"service_code": _("Unknown service_code.")})
    community = community_named_in(request.address_string) if request.address_string else None
    if request.lat is not None and request.lng is not None:
        # A point is where the problem is: on no unit grid it is outside the city (or wrong),
        # whatever the address says. The address is the fallback for requests without a point.
        if locate(request.lat, request.lng) is None:
            raise ValidationError({"lat": _("This location is outside the city's unit grids.")})
    elif community is None:
        raise ValidationError(
            {"address_string": _("The address names no community of the city: give lat and long.")}
        )
    given = request.attributes or {}
    # Answers to questions the category does not ask are ignored, as GeoReport v2 allows.
    kept = {
        attribute.code: attribute.clean(given[attribute.code])
        for attribute in attributes_for(category)
        if given.get(attribute.code, "").strip()
    }
    priority = Priority.URGENT if kept.get("urgent") == "yes" else Priority.NORMAL
    name = " ".join(part for part in (request.last_name, request.first_name) if part)
    data: dict = {"api_client": client.name}
    if request.media_url:
        data["media_url"] = request.media_url
    if kept:
        data["attributes"] = kept
    return create_ticket(
        actor=None,
        source=Source.API,
        category=category,
        description=request.description,
        lat=request.lat,
        lng=request.lng,
        address=request.address_string[:200],
        community=community,
        priority=priority,
        reporter_name=name[:50],
        reporter_phone=request.phone[:20],
        event_data=data,
    )
