"""A deadline chosen by hand is refused when it is more than a year ahead: working time is counted
day by day, so a year-9999 date would take minutes and then overflow (a 500)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services
from cases.models import State

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def refer(supervisor, ticket, unit_id, deadline):
    return services.refer_ticket(
        actor=supervisor, ticket_id=ticket.pk, unit_id=unit_id, person="陈科长", deadline=deadline
    )


def test_a_referral_deadline_in_year_9999_is_refused_on_the_deadline_field(
    make_ticket, supervisor_gulou, handler_sanitation
):
    far = datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC)
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.REGISTERED)
        with pytest.raises(ValidationError) as refused:
            refer(supervisor_gulou, ticket, handler_sanitation.unit_id, far)

    assert list(refused.value.message_dict) == ["deadline"]
    ticket.refresh_from_db()
    assert ticket.state == State.REGISTERED and ticket.responsible_unit_id is None


def test_a_referral_deadline_within_a_year_is_kept(
    make_ticket, supervisor_gulou, handler_sanitation
):
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = make_ticket(State.REGISTERED)
        deadline = MONDAY_9 + datetime.timedelta(days=300)
        refer(supervisor_gulou, ticket, handler_sanitation.unit_id, deadline)

    ticket.refresh_from_db()
    assert ticket.state == State.REFERRED and ticket.deadline == deadline
