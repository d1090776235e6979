"""manage.py casework_archive export --month 2026-09 --out 2026-09.json
manage.py casework_archive import 2026-09.json"""

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from ops.archive import ArchiveError, export_month, import_archive


class Command(BaseCommand):
    help = (
        "Export one month's casework (tickets reported in it, with their events, photo records, "
        "extension and reopen requests) as JSON, or import such a file. Photos are archived as "
        "records only; back up MEDIA_ROOT for the image files (docs/backup.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write a month's casework as JSON.")
        export.add_argument("--month", required=True, help="YYYY-MM, in the site's time zone.")
        export.add_argument("--out", help="File to write (default: standard output).")
        load = actions.add_parser(
            "import", help="Load an archive; tickets whose number exists are skipped."
        )
        load.add_argument("file", help="An archive written by export ('-' for standard input).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "export":
                self._export(options["month"], options.get("out"))
            else:
                self._import(options["file"])
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None

    def _export(self, month: str, out: str | None) -> None:
        archive = export_month(month)
        text = json.dumps(archive, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        if not out or out == "-":
            self.stdout.write(text)
            return
        target = Path(out)
        # Written beside the target and renamed: an interrupted export leaves no half file.
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, delete=False, suffix=".part"
        ) as part:
            part.write(text)
        os.replace(part.name, target)
        self.stderr.write(
            f"{len(archive['tickets'])} tickets reported in {archive['month']} written to {target}."
        )

    def _import(self, file: str) -> None:
        try:
            if file == "-":
                data = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as handle:
                    data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        report = import_archive(data)
        self.stdout.write(f"Created {len(report.created)} tickets.")
        if report.skipped:
            self.stdout.write(
                f"Skipped {len(report.skipped)} tickets already in the database: "
                + ", ".join(report.skipped)
            )
        if report.unlinked_duplicates:
            self.stdout.write(
                "Duplicates whose original is in neither the archive nor the database "
                "(left unlinked): " + ", ".join(report.unlinked_duplicates)
            )
