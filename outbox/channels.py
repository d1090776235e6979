"""Where each channel's messages go. An app that owns a channel registers its sender in its
``AppConfig.ready``::

    channels.register("sms", sms.send_message)

A sender takes a :class:`~outbox.models.Message` and either returns a short answer to keep (a
provider's message id, an HTTP status), raises :class:`Permanent` when trying again cannot help
(a refused number, a 4xx), or raises anything else for a failure worth retrying.
"""

from collections.abc import Callable
from dataclasses import dataclass

from outbox.models import Message


class Permanent(Exception):
    """A failure that another attempt cannot cure: the message is marked failed at once."""


class Skip(Exception):
    """Nothing to send any more (the recipient opted out, the channel was turned off): the
    message is cancelled, not failed."""


Sender = Callable[[Message], str]


@dataclass(frozen=True)
class Channel:
    name: str
    send: Sender
    max_attempts: int | None = None  # None: CITYMGMT_OUTBOX_MAX_ATTEMPTS
    retry_seconds: int | None = None  # None: CITYMGMT_OUTBOX_RETRY_SECONDS


_channels: dict[str, Channel] = {}


def register(
    name: str, send: Sender, *, max_attempts: int | None = None, retry_seconds: int | None = None
) -> None:
    _channels[name] = Channel(name, send, max_attempts, retry_seconds)


def get(name: str) -> Channel | None:
    return _channels.get(name)


def unregister(name: str) -> None:
    """Tests only."""
    _channels.pop(name, None)
