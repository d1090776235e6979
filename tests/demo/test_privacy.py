"""The demo's privacy data: one reporter who asked for her contact details to be removed, and
the retention job's first run; a second seeding adds nothing."""

import pytest

from cases.models import Source, State
from demo.privacy import seed_privacy
from privacy.models import ErasedContact, ErasureReason, RetentionRun

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_erasure_on_request_and_a_logged_run_and_seeds_once(demo_city):
    erasure = ErasedContact.objects.select_related("ticket").get()
    assert erasure.reason == ErasureReason.REQUEST
    ticket = erasure.ticket
    assert (ticket.source, ticket.state) == (Source.RESIDENT, State.CLOSED)
    assert (ticket.reporter_name, ticket.reporter_phone) == ("", "")
    run = RetentionRun.objects.get()
    assert run.finished_at is not None and run.tickets_anonymised == 0  # 90 days of demo

    result = seed_privacy()

    assert result["created"] == {}
    assert ErasedContact.objects.count() == 1 and RetentionRun.objects.count() == 1
