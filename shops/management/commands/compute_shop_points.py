import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shops import points


class Command(BaseCommand):
    help = "Compute the shops' monthly points and cards (门前三包) for a month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "month", nargs="?", help="YYYY-MM (default: this month so far)", default=""
        )

    def handle(self, *args: Any, **options: Any) -> None:
        value = options["month"]
        try:
            month = datetime.date.fromisoformat(f"{value}-01") if value else timezone.localdate()
        except ValueError:
            raise CommandError("Give the month as YYYY-MM, e.g. 2026-11.") from None
        count = points.compute_month(month=month)
        self.stdout.write(f"{month:%Y-%m}: {count} shops scored.")
