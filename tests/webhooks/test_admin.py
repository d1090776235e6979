"""Endpoints are kept by admins: the secret is made for them, the events chosen from a list,
the recent deliveries shown with their answers; nobody else opens the page."""

import pytest
from django.urls import reverse

from outbox.models import Message
from webhooks.models import Endpoint, EventType

pytestmark = pytest.mark.django_db


def test_an_admin_adds_an_endpoint_and_gets_a_signing_secret(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "name": "区级大屏",
            "url": "https://screen.example.cn/hook",
            "events": [EventType.TICKET_CREATED, EventType.TICKET_CLOSED],
            "active": "on",
        },
    )

    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.events == ["ticket.created", "ticket.closed"]
    assert not endpoint.trusted


def test_a_non_http_address_is_refused_with_the_input_kept(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"name": "本地文件", "url": "file:///etc/passwd", "events": [], "active": "on"},
    )

    assert response.status_code == 200
    assert "本地文件" in response.text
    assert not Endpoint.objects.exists()


def test_the_endpoint_page_shows_its_deliveries(admin_client):
    endpoint = Endpoint.objects.create(name="BI", url="https://bi.example.cn/", events=[])
    Message.objects.create(
        channel="webhook", target=str(endpoint.pk), kind="ping", response_code="503"
    )

    page = admin_client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))

    assert page.status_code == 200
    assert "503" in page.text and endpoint.secret in page.text


def test_send_a_test_event_queues_a_ping(admin_client):
    endpoint = Endpoint.objects.create(name="BI", url="https://bi.example.cn/", events=[])

    admin_client.post(
        reverse("admin:webhooks_endpoint_changelist"),
        {"action": "send_test", "_selected_action": [endpoint.pk]},
    )

    assert Message.objects.get().kind == "ping"


@pytest.mark.parametrize("who", ["assessor", "supervisor_gulou", "officer_gulou", "resident"])
def test_only_admins_open_the_endpoints(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("admin:webhooks_endpoint_changelist"))

    assert response.status_code in (302, 403)
