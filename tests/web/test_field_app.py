"""The officer's field app is installable from the officer's pages: a manifest in the page's
language opening on the officer's home, a service worker served from the root (its scope the
whole site, never cached by the browser), the page it falls back to offline; the outbox and the
worker load on officers' pages only."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_manifest_opens_the_officers_home_standalone_in_chinese(client):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert body["name"] == "城管通"
    assert (body["start_url"], body["display"], body["scope"]) == ("/officer/", "standalone", "/")
    assert [icon["sizes"] for icon in body["icons"]] == ["192x192", "512x512"]
    for icon in body["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL))


def test_the_service_worker_is_served_from_the_root_fresh_every_time(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    script = response.content.decode()
    assert "workbox-routing.prod.js" in script and "js/outbox.js" in script
    assert '"/offline/"' in script and '"/cases/mine/"' in script


def test_the_offline_page_says_what_needs_the_network(client):
    response = client.get("/offline/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "此页面需要连接服务器" in response.content.decode()


def test_officers_pages_link_the_manifest_and_load_the_outbox(officer_gulou):
    page = signed_in(officer_gulou).get("/officer/").content.decode()
    assert 'rel="manifest"' in page
    assert "js/outbox.js" in page and "js/offline.js" in page
    assert 'id="install-app"' in page
    assert 'name="citymgmt-copy" content="live"' in page


@pytest.mark.parametrize("who", ["supervisor_gulou", "handler_sanitation"])
def test_other_staff_pages_do_not(request, who):
    user = request.getfixturevalue(who)
    page = signed_in(user).get("/home/", follow=True).content.decode()
    assert 'rel="manifest"' not in page and "js/outbox.js" not in page


def test_an_officers_queued_steps_name_the_api_and_the_assignee_seen(officer_gulou, make_ticket):
    from cases.models import State

    ticket = make_ticket(State.IN_PROGRESS)
    page = signed_in(officer_gulou).get(ticket.get_absolute_url()).content.decode()
    assert f'data-outbox="/api/v1/tickets/{ticket.number}/resolve/"' in page
    assert f'name="expected_assignee" value="{ticket.assignee_id}"' in page
