"""Writes about a person's own account: the authenticator app of the second factor.

Wrong codes count against the device (django-otp throttles it), and that count must be kept:
so a refused code is reported by raising *outside* any atomic block of ours, and the request's
transaction (ATOMIC_REQUESTS) commits it with the re-rendered form.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import may_enrol, pending_device

log = logging.getLogger("citymgmt.security")

DEVICE_NAME = "authenticator"


def _check_code(device: TOTPDevice, token: str) -> None:
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(
            _("Too many wrong codes. Wait a moment, then enter the newest code."),
            code="throttled",
        )
    if not device.verify_token(token.strip().replace(" ", "")):
        raise ValidationError(
            _("That code is not right. Enter the six digits your app shows now."),
            code="wrong",
        )


@transaction.atomic
def two_factor_begin(*, user: User) -> TOTPDevice:
    """A supervisor or assessor starts adding an authenticator app: a new secret, unconfirmed.

    Replaces an earlier unconfirmed one; changes nothing about logging in until confirmed.
    """
    if not may_enrol(user):
        raise PermissionDenied
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Two-step login is already on."), code="already_on")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    log.info("two-factor enrolment started", extra={"user_id": user.pk})
    return device


def two_factor_confirm(*, user: User, token: str) -> TOTPDevice:
    """The enrolling user proves the app works with one code; from then on logins need a code.

    Raises ValidationError for a wrong code (the device stays unconfirmed).
    """
    if not may_enrol(user):
        raise PermissionDenied
    device = pending_device(user)
    if device is None:
        raise ValidationError(_("Start again: scan a new code."), code="no_device")
    _check_code(device, token)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    log.info("two-factor turned on", extra={"user_id": user.pk})
    return device


def two_factor_check(*, user: User, token: str) -> TOTPDevice:
    """At login, after the password: the device whose code matches, or ValidationError."""
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        raise ValidationError(_("Two-step login is not on for this account."), code="no_device")
    error = None
    for device in devices:
        try:
            _check_code(device, token)
        except ValidationError as exc:
            error = exc
            continue
        return device
    log.warning("two-factor code refused", extra={"user_id": user.pk})
    raise error


def two_factor_disable(*, user: User, token: str) -> None:
    """The user turns their own second factor off, proving it with a current code.

    (An administrator who must do it for someone who lost the phone deletes the device in the
    admin: OTP › TOTP devices.)
    """
    two_factor_check(user=user, token=token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
    log.info("two-factor turned off", extra={"user_id": user.pk})
