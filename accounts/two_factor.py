"""Second factor at login (django-otp TOTP): who may enrol, and the session's pending state.

A supervisor or assessor may add an authenticator app. From then on their password alone opens a
session that reaches only the code step: ``user_logged_in`` marks the session, and
``SecondFactorMiddleware`` sends it to the code step until django-otp records the verification.
The mark is set by every way of logging in (our login page, the admin's, which redirects to ours,
and any later one), so none of them skips the code.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role, has_role

# Session key: this session's user has a confirmed authenticator and must give a code.
CODE_REQUIRED = "citymgmt_second_factor"


def may_enrol(user: Any) -> bool:
    """Supervisors and assessors (and superusers) may turn the second factor on."""
    return bool(user.is_superuser or has_role(user, Role.SUPERVISOR, Role.ASSESSOR))


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: Any) -> TOTPDevice | None:
    """The authenticator being added, not yet confirmed with a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def code_required(request: HttpRequest) -> bool:
    """True while a session that owes a code has not given one."""
    # otp_device is set by OTPMiddleware (None until a code is given); a user object fresh from
    # login() has no such attribute yet, and is not verified either.
    return bool(request.session.get(CODE_REQUIRED)) and (
        getattr(request.user, "otp_device", None) is None
    )


@receiver(user_logged_in, dispatch_uid="accounts.two_factor.mark_session")
def mark_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # One query at login, instead of one per request to ask whether the user has a device.
    if request is not None and user_has_device(user, confirmed=True):
        request.session[CODE_REQUIRED] = True
