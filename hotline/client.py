"""The outbox's sender for the ``hotline`` channel: one signed POST of the message's payload to
the platform. The ``webhook-id`` is the outbox message's own id, the same on every attempt, so
the platform discards a repeat (the one case where a message may go twice: a worker killed
while sending). A 2xx is delivered; 408, 429 and 5xx and a network failure are tried again; any
other 4xx is the platform refusing the message and will not change (failed at once)."""

import json
import urllib.error
import urllib.request

from django.utils import timezone

from hotline import signing
from outbox import channels, delivery
from outbox.models import Message

TIMEOUT = 10  # seconds
RETRY_STATUSES = {408, 425, 429}


class Refused(channels.Permanent):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.response_code = status


class Unavailable(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.response_code = status


def send(message: Message) -> str:
    if not signing.enabled():
        raise channels.Skip("HOTLINE_URL or HOTLINE_SECRET is not set: the connector is off.")
    body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "citymgmt-hotline/1",
        **signing.sign_headers(delivery.message_id(message), body, timezone.now()),
    }
    request = urllib.request.Request(message.target, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return str(response.status)
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", "replace")
        if 400 <= error.code < 500 and error.code not in RETRY_STATUSES:
            raise Refused(error.code, text) from None
        raise Unavailable(error.code, text) from None
