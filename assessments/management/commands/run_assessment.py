"""``manage.py run_assessment [YYYY-MM]``: compute a month's assessment now, in this process.

The same as the assessor's button or the 1st-of-the-month schedule, without a worker: for an
operator re-running a month after a correction, or timing it. The run is left unpublished (an
assessor publishes it on the month's page); a month whose runs are all published gets a new run.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments import services
from assessments.models import RunStatus
from citymgmt.months import parse_month, previous_month


class Command(BaseCommand):
    help = "Compute a month's assessment now (default: last month); the run stays unpublished."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("month", nargs="?", help="YYYY-MM (default: last month)")

    def handle(self, *args: Any, month: str | None = None, **options: Any) -> None:
        day = parse_month(month) if month else previous_month(timezone.localdate())
        if day is None:
            raise CommandError(f"Not a month: {month!r} (expected YYYY-MM).")
        try:
            run = services.start_run(month=day, actor=None, queue=False)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        started = timezone.now()
        run = services.execute_run(run.pk)
        if run is None or run.status != RunStatus.DONE:
            raise CommandError(f"Run {run.pk if run else '?'} did not finish: {run and run.error}")
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"{day:%Y-%m}: run {run.pk}, {run.scores.count()} scores in {seconds:.1f} s "
            "(unpublished: publish it on the month's page)."
        )
