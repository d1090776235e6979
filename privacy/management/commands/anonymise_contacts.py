"""``manage.py anonymise_contacts [--dry-run]``: the retention job, by hand."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from privacy import services


class Command(BaseCommand):
    help = (
        "Blank the reporter's name and phone, and remove the original photos (thumbnails are "
        "kept), of tickets closed or rejected longer ago than CITYMGMT_CONTACT_RETENTION_MONTHS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=services.BATCH_SIZE, help="Tickets per transaction."
        )

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        months = settings.CITYMGMT_CONTACT_RETENTION_MONTHS
        if dry_run:
            due = services.count_due()
            self.stdout.write(
                f"Dry run: {due['tickets']} tickets closed more than {months} months ago would be "
                f"anonymised and {due['originals']} original photos removed."
            )
            return
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            return
        run = services.anonymise_expired_contacts(batch_size=batch_size)
        self.stdout.write(
            self.style.SUCCESS(
                f"Retention run {run.pk}: {run.tickets_anonymised} tickets anonymised, "
                f"{run.originals_removed} original photos removed (closed or rejected before "
                f"{run.cutoff:%Y-%m-%d %H:%M})."
            )
        )
