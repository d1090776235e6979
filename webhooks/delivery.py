"""The outbox's ``webhook`` channel: POST the message to its endpoint, signed with the
endpoint's secret. An endpoint that keeps failing for ``CITYMGMT_WEBHOOK_DISABLE_AFTER_HOURS`` is
switched off and the admins are told; its remaining messages are cancelled (visible in the
outbox, and sent again from there once the endpoint is back)."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox import channels
from outbox.delivery import message_id
from outbox.http import HttpError, post_signed
from outbox.models import Message
from webhooks.models import Endpoint

logger = logging.getLogger(__name__)

CHANNEL = "webhook"


def send(message: Message) -> str:
    endpoint = Endpoint.objects.filter(pk=int(message.target)).first()
    if endpoint is None:
        raise channels.Skip(_("The endpoint was deleted."))
    if not endpoint.active:
        raise channels.Skip(_("The endpoint is disabled."))
    try:
        status = post_signed(endpoint.url, endpoint.secret, message_id(message), message.payload)
    except channels.Permanent:
        _failed(endpoint)
        raise
    except HttpError:
        _failed(endpoint)
        raise
    if endpoint.failing_since is not None:
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    return str(status)


def _failed(endpoint: Endpoint, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        return
    limit = datetime.timedelta(hours=settings.CITYMGMT_WEBHOOK_DISABLE_AFTER_HOURS)
    if now - endpoint.failing_since >= limit:
        disable(endpoint, now)


def disable(endpoint: Endpoint, now: datetime.datetime) -> bool:
    """Switch a failing endpoint off and tell the admins, once."""
    from accounts.models import User
    from notifications.models import NoticeKind, Notification

    with transaction.atomic():
        switched = Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
            active=False,
            disabled_at=now,
            disabled_reason=_("Failing since %(since)s.")
            % {"since": f"{timezone.localtime(endpoint.failing_since):%Y-%m-%d %H:%M}"},
        )
        if not switched:
            return False
        link = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
        Notification.objects.bulk_create(
            Notification(
                recipient=admin,
                kind=NoticeKind.WEBHOOK_DISABLED,
                message=_("Webhook “%(name)s” was switched off: it has failed since %(since)s.")
                % {
                    "name": endpoint.name,
                    "since": f"{timezone.localtime(endpoint.failing_since):%m-%d %H:%M}",
                },
                link=link,
                created_at=now,
            )
            for admin in User.objects.filter(is_superuser=True, is_active=True)
        )
    logger.error("Webhook endpoint %s (%s) disabled after failing", endpoint.pk, endpoint.url)
    return True
