"""Reads of a person's own notifications."""

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("ticket")
