from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.two_factor import code_required

# What a session that still owes its code may reach: the code step, logging out, the language.
OPEN_WHILE_PENDING = {"accounts:verify", "accounts:logout", "set_language"}


class SecondFactorMiddleware:
    """Hold a password-only session of a user with an authenticator at the code step.

    After django-otp's OTPMiddleware (which knows whether the session is verified); every page,
    the admin and the session-authenticated API are behind it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name in OPEN_WHILE_PENDING:
            return None
        if not code_required(request):
            return None
        target = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': target})}" if target else ""
        return redirect(reverse("accounts:verify") + query)
