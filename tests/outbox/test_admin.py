"""The delivery log in the admin: staff with the admin see every message and can send a failed
one again; nobody else reaches it."""

import pytest
from django.urls import reverse

from outbox import services
from outbox.models import Message, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed():
    message = services.enqueue("test", "13800000000", "hello", ref="ticket:1")
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error="refused")
    return message


def test_the_delivery_log_lists_messages_with_why_they_failed(admin_client, failed):
    response = admin_client.get(reverse("admin:outbox_message_changelist"))

    assert response.status_code == 200
    assert "13800000000" in response.text
    page = admin_client.get(reverse("admin:outbox_message_change", args=[failed.pk]))
    assert "refused" in page.text


def test_send_again_from_the_admin_queues_the_message(admin_client, failed):
    response = admin_client.post(
        reverse("admin:outbox_message_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk]},
    )

    assert response.status_code == 302
    assert Message.objects.get(pk=failed.pk).status == Status.PENDING


def test_a_supervisor_cannot_open_the_delivery_log(client, supervisor_gulou, failed):
    client.force_login(supervisor_gulou)

    response = client.get(reverse("admin:outbox_message_changelist"))

    assert response.status_code == 302
    assert "/login/" in response["Location"] or "/admin/login/" in response["Location"]
