"""The 12345 connector's cast: the platform's secret and address, a signed call as the platform
makes it, and the category mapping an assessor keeps.

Places are tests/conftest.py's: an order at ``GULOU_POINT`` lies on 黄楼社区's grid 001
(鼓楼一大队); ``OFF_GRID`` lies on no grid.
"""

import base64
import datetime
import json
import socket
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from standardwebhooks.webhooks import Webhook

from cases.models import Category
from grids.geometry import offset
from hotline.models import CategoryMapping
from outbox.models import Message, Status
from outbox.tasks import deliver
from tests.factories import ORIGIN, jpeg_bytes

SECRET = "whsec_" + base64.b64encode(b"the-12345-shared-secret-bytes!!").decode()
GULOU_POINT = tuple(reversed(offset(*ORIGIN, 50, 50)))
OFF_GRID = tuple(reversed(offset(*ORIGIN, 5000, 5000)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def platform_port() -> int:
    return free_port()


@pytest.fixture
def connector(settings, platform_port):
    """The connector on: write-backs go to the reference platform's port (running or not)."""
    settings.HOTLINE_URL = f"http://127.0.0.1:{platform_port}/writeback"
    settings.HOTLINE_SECRET = SECRET
    settings.SITE_URL = "http://testserver"
    return settings


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def garbage(db) -> Category:
    """事件 0102 暴露垃圾, what the platform's code 0301 (环境卫生) maps to."""
    category = Category.objects.get(kind="event", code="0102")
    CategoryMapping.objects.create(code="0301", name="环境卫生", category=category)
    return category


def signed_headers(body: bytes, *, message_id: str | None = None, at=None, secret=SECRET) -> dict:
    at = at or datetime.datetime.now(datetime.UTC)
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    return {
        "HTTP_WEBHOOK_ID": message_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(at.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": Webhook(secret).sign(message_id, at, body),
    }


Call = Callable[..., Any]


@pytest.fixture
def platform_call(client: Client) -> Call:
    """POST ``body`` to ``path`` signed as the platform signs (``message_id`` to repeat one)."""

    def call(path: str, body: dict, **signing: Any):
        raw = json.dumps(body, ensure_ascii=False).encode()
        return client.post(
            path, raw, content_type="application/json", **signed_headers(raw, **signing)
        )

    return call


def order_body(**overrides: Any) -> dict[str, Any]:
    lat, lng = GULOU_POINT
    return {
        "order_id": "GD20261207001",
        "content": "市民来电：小区门口垃圾堆积多日。",
        "category_code": "0301",
        "address": "黄楼社区东门",
        "lat": lat,
        "lng": lng,
        "caller_name": "刘女士",
        "caller_phone": "13800001234",
        **overrides,
    }


def photo_attachment() -> dict[str, str]:
    return {"name": "scene.jpg", "content": base64.b64encode(jpeg_bytes()).decode()}


ORDERS = "/api/v1/hotline/orders/"


def drain(now: datetime.datetime | None = None) -> list[str]:
    """Deliver every due hotline message as the workers would, one order's messages in turn;
    returns the outcomes."""
    from outbox import delivery

    outcomes = []
    for _round in range(20):
        due = list(
            Message.objects.filter(channel="hotline", status=Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not due:
            break
        for pk in due:
            outcomes.append(str(delivery.send(pk, now=now)) if now else deliver(pk))
        if now is None and all(o != "sent" for o in outcomes[-len(due) :]):
            break
        if now is not None and all(o not in ("sent",) for o in outcomes[-len(due) :]):
            break
    return outcomes
