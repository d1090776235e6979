"""Both directions are signed the Standard Webhooks way (the ``standardwebhooks`` package, so
any platform can sign with a published algorithm): ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` headers, an HMAC-SHA256 of ``id.timestamp.body`` with the shared secret
``HOTLINE_SECRET``. A timestamp more than five minutes off is refused (a replayed capture)."""

import datetime

from django.conf import settings
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["WebhookVerificationError", "enabled", "sign_headers", "verify"]


def enabled() -> bool:
    """Whether the connector is on: both the platform's address and the secret are set."""
    return bool(settings.HOTLINE_URL and settings.HOTLINE_SECRET)


def verify(body: bytes, headers: dict[str, str]) -> None:
    """Raise WebhookVerificationError unless the request is signed with the shared secret and
    was signed within five minutes."""
    Webhook(settings.HOTLINE_SECRET).verify(body, headers, json_parse=False)


def sign_headers(message_id: str, body: bytes, at: datetime.datetime) -> dict[str, str]:
    """The headers that sign ``body`` as message ``message_id`` sent at ``at``."""
    signature = Webhook(settings.HOTLINE_SECRET).sign(message_id, at, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
