"""``manage.py run_assessment``: an operator computes a month without a worker."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from assessments.models import Run, RunStatus

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 11, 3, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_it_computes_last_month_by_default_and_leaves_it_unpublished():
    out = StringIO()
    call_command("run_assessment", stdout=out)
    run = Run.objects.get()
    assert run.month == datetime.date(2026, 10, 1)
    assert run.status == RunStatus.DONE and not run.published
    assert "2026-10" in out.getvalue()


@time_machine.travel(datetime.datetime(2026, 11, 3, 9, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize("month", ["2026-13", "soon", "2026-11", "2027-01"])
def test_it_refuses_a_garbage_or_unfinished_month_with_a_message(month):
    with pytest.raises(CommandError):
        call_command("run_assessment", month, stdout=StringIO())
    assert not Run.objects.exists()
