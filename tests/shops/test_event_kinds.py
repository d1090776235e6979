"""The steps of graduated enforcement are event kinds shops registers with ``cases.hooks``:
stored under the codes existing rows carry, valid for ``TicketEvent.action``, labelled (in
Chinese) on the ticket's timeline, and counted as enforcement in the officers' daily figures."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.models import TicketEvent
from patrols.selectors import enforcement_actions
from shops.models import EnforcementEvent, Step

pytestmark = pytest.mark.django_db


def test_the_steps_keep_the_codes_existing_events_are_stored_under():
    assert set(EnforcementEvent.values) == {"persuade", "waive", "educate", "seize", "penalty_case"}


def test_a_registered_kind_is_a_valid_action_and_an_unknown_one_is_not():
    field = TicketEvent._meta.get_field("action")
    assert field.clean("penalty_case", None) == "penalty_case"
    with pytest.raises(ValidationError):
        field.clean("shout", None)


def test_the_steps_count_as_enforcement_with_the_routes_conclusion():
    assert set(enforcement_actions()) == {"conclude", *EnforcementEvent.values}


def test_a_step_shows_its_chinese_label_on_the_ticket_timeline(
    client, officer_gulou, shop, record_step
):
    offence = record_step(Step.PERSUADE, merchant=shop)
    client.force_login(officer_gulou)
    page = client.get(offence.ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<span class="fw-semibold timeline-action">规劝</span>' in page.content.decode()
    with translation.override("en"):
        assert offence.event.get_action_display() == "Persuaded"
