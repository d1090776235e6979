"""A resident's mobile number, proved by a one-time code sent by SMS (only when ``SMS_URL`` is set).

- ``send_code``: a 6-digit code for the number, written to the outbox (channel ``sms``, kind
  ``verify_code``, payload ``{"code", "minutes"}``) in the same transaction as its row; the row
  keeps only a keyed hash. At most ``CITYMGMT_PHONE_CODES_PER_HOUR`` codes a number an hour,
  counted in the database (a cache outage does not lift it); the per-address limits are the
  views' (``citymgmt.ratelimits``).
- ``check_code``: the number's latest code, unused and unexpired, with fewer than
  ``CITYMGMT_PHONE_CODE_ATTEMPTS`` wrong tries; a right code is used up.
- A verified number lives in the browser as a signed cookie for
  ``CITYMGMT_PHONE_VERIFIED_SECONDS`` (``remember``/``verified_phone``/``forget``): it files a
  report as verified, lists the resident's own reports, subscribes by SMS.
"""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from outbox.services import enqueue
from residents.models import PhoneCode

CODE_DIGITS = 6
COOKIE = "resident_phone"
_SALT = "residents.phone"


class TooManyCodes(Exception):
    """This number had its codes for the hour."""


def verification_mode() -> str:
    """``required``, ``optional`` or ``off``: off whenever SMS is not configured."""
    if not settings.SMS_URL:
        return "off"
    return settings.CITYMGMT_PHONE_VERIFICATION


def code_hash(phone: str, code: str) -> str:
    return salted_hmac(f"{_SALT}.code", f"{phone}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def send_code(phone: str, *, now: datetime.datetime | None = None) -> PhoneCode:
    """A new code for ``phone``, queued for SMS; raises ``TooManyCodes`` past the hour's cap."""
    now = now or timezone.now()
    recent = PhoneCode.objects.filter(
        phone=phone, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent >= settings.CITYMGMT_PHONE_CODES_PER_HOUR:
        raise TooManyCodes
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    lifetime = settings.CITYMGMT_PHONE_CODE_SECONDS
    row = PhoneCode.objects.create(
        phone=phone,
        code_hash=code_hash(phone, code),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=lifetime),
    )
    enqueue(
        "sms",
        phone,
        "verify_code",
        {"code": code, "minutes": max(1, lifetime // 60)},
        ref=f"phone-code:{row.pk}",
    )
    return row


@transaction.atomic
def check_code(phone: str, code: str, *, now: datetime.datetime | None = None) -> bool:
    """Whether ``code`` is the number's current code; a wrong one counts against it."""
    now = now or timezone.now()
    row = (
        PhoneCode.objects.select_for_update()
        .filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None or row.attempts >= settings.CITYMGMT_PHONE_CODE_ATTEMPTS:
        return False
    if constant_time_compare(row.code_hash, code_hash(phone, code.strip())):
        row.used_at = now
        row.save(update_fields=["used_at"])
        return True
    row.attempts += 1
    row.save(update_fields=["attempts"])
    return False


def remember(response: HttpResponse, phone: str) -> None:
    """Mark the browser as holding ``phone``, verified, for a short while."""
    response.set_signed_cookie(
        COOKIE,
        phone,
        salt=_SALT,
        max_age=settings.CITYMGMT_PHONE_VERIFIED_SECONDS,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def verified_phone(request: HttpRequest) -> str | None:
    """The number this browser verified lately, or None (absent, altered, expired, SMS off)."""
    if not settings.SMS_URL:
        return None
    return request.get_signed_cookie(
        COOKIE, default=None, salt=_SALT, max_age=settings.CITYMGMT_PHONE_VERIFIED_SECONDS
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")
