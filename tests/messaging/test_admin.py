"""The admin keeps the message templates (the providers' codes) and the SMS policy's daily cap;
nobody else reaches them."""

import pytest
from django.urls import reverse

from messaging.models import MessageTemplate, SmsPolicy

pytestmark = pytest.mark.django_db


def test_the_seeded_templates_are_listed_and_a_code_can_be_set(admin_client, message_templates):
    listed = admin_client.get(reverse("admin:messaging_messagetemplate_changelist"))
    assert listed.status_code == 200
    for kind in ("ticket_registered", "ticket_closed", "verify_code"):
        assert kind in listed.text

    template = MessageTemplate.objects.get(kind="ticket_closed")
    response = admin_client.post(
        reverse("admin:messaging_messagetemplate_change", args=[template.pk]),
        {
            "kind": template.kind,
            "template_code": "SMS_465930012",
            "text": template.text,
            "email_subject": template.email_subject,
        },
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.get(pk=template.pk).template_code == "SMS_465930012"


def test_the_daily_cap_is_seeded_and_edited_in_the_admin(admin_client, message_templates):
    policy = SmsPolicy.objects.get()  # the migration's row
    assert policy.daily_cap_per_number == 10
    page = admin_client.get(reverse("admin:messaging_smspolicy_change", args=[policy.pk]))
    assert 'name="daily_cap_per_number"' in page.text

    response = admin_client.post(
        reverse("admin:messaging_smspolicy_change", args=[policy.pk]),
        {"daily_cap_per_number": "3"},
    )
    assert response.status_code == 302
    assert SmsPolicy.current().daily_cap_per_number == 3
    # One row in force: no second one to add.
    assert admin_client.get(reverse("admin:messaging_smspolicy_add")).status_code == 403


def test_a_cap_of_zero_is_refused(admin_client, message_templates):
    policy = SmsPolicy.objects.get()
    response = admin_client.post(
        reverse("admin:messaging_smspolicy_change", args=[policy.pk]),
        {"daily_cap_per_number": "0"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert SmsPolicy.current().daily_cap_per_number == 10


def test_a_supervisor_cannot_open_the_templates_or_the_policy(client, supervisor_gulou):
    client.force_login(supervisor_gulou)
    for name in (
        "admin:messaging_messagetemplate_changelist",
        "admin:messaging_smspolicy_changelist",
    ):
        assert client.get(reverse(name)).status_code in (302, 403)
