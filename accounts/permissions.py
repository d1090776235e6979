"""Page-level gates by role. Object scope is the selectors' job, not these decorators'."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.roles import Role, has_role


def role_required(*roles: Role) -> Callable:
    """Anonymous users go to the login page; a logged-in user of another role gets a 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_superuser or has_role(request.user, *roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
