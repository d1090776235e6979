from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict:
    """The bell's unread count, queried only when a page shows it."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
