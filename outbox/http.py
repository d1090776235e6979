"""Posting a signed JSON message to an outside system over HTTP, for the channels that speak it
(webhooks, the 12345 hotline's write-backs).

Signatures follow Standard Webhooks (https://www.standardwebhooks.com/), made with the
``standardwebhooks`` package: headers ``webhook-id`` (the outbox message's id, the same on every
attempt, so the receiver can drop a repeat), ``webhook-timestamp`` and ``webhook-signature``.
A 2xx answer is delivery; 408, 409, 425, 429 and 5xx, timeouts and refused connections are worth
another attempt; any other answer is :class:`~outbox.channels.Permanent`.
"""

import datetime
import json
import urllib.error
import urllib.request
from typing import Any

from standardwebhooks.webhooks import Webhook

from outbox.channels import Permanent

TIMEOUT = 10.0  # seconds, connect and read
RETRYABLE = {408, 409, 425, 429}
USER_AGENT = "citymgmt-outbox/1"


class HttpError(Exception):
    """An answer worth another attempt; ``response_code`` is kept on the message."""

    def __init__(self, message: str, response_code: int | str = "") -> None:
        super().__init__(message)
        self.response_code = response_code


class HttpRefused(Permanent):
    def __init__(self, message: str, response_code: int | str = "") -> None:
        super().__init__(message)
        self.response_code = response_code


def body_of(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(
    secret: str, message_id: str, body: bytes, now: datetime.datetime | None = None
) -> dict[str, str]:
    now = now or datetime.datetime.now(datetime.UTC)
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=now, data=body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def post_signed(
    url: str, secret: str, message_id: str, payload: Any, *, timeout: float = TIMEOUT
) -> int:
    """POST ``payload`` as JSON, signed; the status code of a 2xx answer, else raises."""
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        **signed_headers(secret, message_id, body),
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        reason = exc.read(500).decode("utf-8", "replace")
        text = f"HTTP {exc.code}: {reason}".strip()
        if exc.code in RETRYABLE or exc.code >= 500:
            raise HttpError(text, exc.code) from None
        raise HttpRefused(text, exc.code) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise HttpError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None
