from django.http import HttpRequest

from accounts.roles import roles_of


def roles(request: HttpRequest) -> dict:
    """Expose the user's roles so the navigation shows each role only its own pages."""
    names = roles_of(request.user)
    return {"user_roles": names}
