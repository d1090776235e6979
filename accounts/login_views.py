"""The login's protections: the lockout page (django-axes), the code step and the page where
supervisors and assessors turn two-step login on or off (django-otp TOTP)."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import CodeForm, LoginForm
from accounts.permissions import role_required
from accounts.roles import Role
from accounts.two_factor import CODE_REQUIRED, code_required, has_authenticator, pending_device


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        # A user with an authenticator gives its code before going on (accounts/login_views.py).
        if code_required(self.request):
            return resolve_url("accounts:verify") + "?" + urlencode({"next": url})
        return url


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): our login page's look, a 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("web:home")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The login's second step for users with an authenticator: one code, then on their way."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not code_required(request):
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_check(
                user=request.user, token=form.cleaned_data["otp_token"]
            )
        except ValidationError as exc:
            form.add_error("otp_token", exc)
        else:
            otp_login(request, device)
            return redirect(_safe_next(request))
    return render(request, "registration/verify.html", {"form": form, "next": _safe_next(request)})


def _qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@role_required(Role.SUPERVISOR, Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
@never_cache  # a pending enrolment shows the secret and its QR code
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn the second factor on (scan, then confirm a code) or off (with a code)."""
    user = request.user
    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and action == "begin":
        try:
            services.two_factor_begin(user=user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("accounts:two_factor")
    if request.method == "POST" and action in {"confirm", "disable"} and form.is_valid():
        token = form.cleaned_data["otp_token"]
        try:
            if action == "confirm":
                device = services.two_factor_confirm(user=user, token=token)
            else:
                services.two_factor_disable(user=user, token=token)
        except ValidationError as exc:
            form.add_error("otp_token", exc)
        else:
            if action == "confirm":
                # This session has just proved the code: keep it verified.
                otp_login(request, device)
                request.session[CODE_REQUIRED] = True
                messages.success(request, _("Two-step login is on."))
            else:
                request.session.pop(CODE_REQUIRED, None)
                messages.success(request, _("Two-step login is off."))
            return redirect("accounts:two_factor")
    enabled = has_authenticator(user)
    pending = None if enabled else pending_device(user)
    context = {"form": form, "enabled": enabled, "pending": pending}
    if pending is not None:
        context["qr"] = _qr_data_uri(pending)
        secret = b32encode(pending.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/two_factor.html", context)
