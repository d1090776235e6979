"""The app's own 404 and 500 pages, also under DEBUG as ``make run`` runs it: a ticket outside
one's scope or an unknown address never shows Django's technical 404 (English, every URL of the
site listed), a crash never its traceback page. ``CITYMGMT_DEBUG_ERROR_PAGES=1`` brings Django's
pages back for debugging."""

import os
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from cases.models import State

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
TECHNICAL_404 = "Using the URLconf"


@pytest.fixture
def as_make_run(settings):
    """Settings as ``make run`` has them: DEBUG on, nothing else set."""
    settings.DEBUG = True
    settings.CITYMGMT_DEBUG_ERROR_PAGES = False
    return settings


@pytest.mark.parametrize("debug", [True, False])
def test_a_ticket_outside_ones_scope_is_the_apps_own_404(
    settings, client, make_ticket, supervisor_quanshan, debug
):
    settings.DEBUG = debug
    ticket = make_ticket(State.REGISTERED)  # 鼓楼's ticket; 泉山's supervisor may not see it
    client.force_login(supervisor_quanshan)
    response = client.get(f"/cases/{ticket.number}/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert TECHNICAL_404 not in response.content.decode()


def test_an_unknown_address_is_the_apps_own_404_without_the_url_list(as_make_run, client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "404.html" in [t.name for t in response.templates]
    assert TECHNICAL_404 not in page and "admin/" not in page


def test_a_crash_is_the_apps_own_500_page_and_is_logged(as_make_run, db, caplog):
    visitor = Client(raise_request_exception=False)
    with mock.patch.object(connection, "ensure_connection", side_effect=RuntimeError("bug")):
        response = visitor.get("/communities/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务暂时不可用" in page and "Traceback" not in page
    assert "Internal Server Error: /communities/" in caplog.text


def test_a_developer_may_ask_for_djangos_technical_pages(settings, client):
    settings.DEBUG = True
    settings.CITYMGMT_DEBUG_ERROR_PAGES = True
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert TECHNICAL_404 in response.content.decode()


def test_make_run_starts_the_app_configured_for_its_own_error_pages():
    procfile = (ROOT / "Procfile.dev").read_text(encoding="utf-8")
    (web,) = [line for line in procfile.splitlines() if line.startswith("web:")]
    assert "runserver" in web
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = re.search(r"^run:.*?(?=^\S)", makefile, re.S | re.M)[0]
    for text in (web, run):
        assert "CITYMGMT_DEBUG_ERROR_PAGES" not in text
    # The default (nothing in the environment, as make run leaves it) is our own pages.
    if "CITYMGMT_DEBUG_ERROR_PAGES" not in os.environ:
        assert django_settings.CITYMGMT_DEBUG_ERROR_PAGES is False
    assert "web.middleware.OwnErrorPages" in django_settings.MIDDLEWARE
