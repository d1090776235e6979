"""Messages to residents: the casework fixtures of tests/cases/conftest.py, a file SMS outbox
and the default message templates (seeded by a migration, emptied by transactional tests)."""

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps

from messaging import sms
from tests.cases.conftest import (  # noqa: F401  the casework cast and make_ticket, shared
    category,
    enforceable_category,
    fast_password_hashing,
    handler_municipal,
    make_ticket,
    media,
    supervisor_quanshan,
)

# The data migrations that write the default templates, in order (0004 rewords one of 0003's),
# with the function each runs forward.
TEMPLATE_MIGRATIONS = (
    ("messaging.migrations.0002_default_templates", "seed"),
    ("messaging.migrations.0003_alert_templates", "seed"),
    ("messaging.migrations.0004_alert_confirm_subject", "forward"),
)


def seed_templates() -> None:
    """The migrations' templates and SMS policy (a transactional test's flush removes them)."""
    for module, forward in TEMPLATE_MIGRATIONS:
        getattr(importlib.import_module(module), forward)(apps, None)


@pytest.fixture
def message_templates(db) -> None:
    seed_templates()


@pytest.fixture
def sms_outbox(settings, tmp_path, message_templates) -> Path:
    """SMS on, each message a JSON file in the returned folder."""
    folder = tmp_path / "sms"
    settings.SMS_URL = f"file://{folder}"
    sms.backend_for.cache_clear()
    return folder


def sms_files(folder: Path) -> list[dict]:
    """The SMS written to a file outbox, oldest first."""
    if not folder.exists():
        return []
    return [json.loads(path.read_text()) for path in sorted(folder.glob("sms-*.json"))]
