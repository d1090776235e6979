"""The queue as a spreadsheet: the tickets of the page the export was asked from (its scope, its
filters, its tab and order, ``cases.filters.queue_filter``), every one of them, with the
reporter's name and phone masked as the pages mask them (``cases.contacts``).

Memory stays constant whatever the size: the rows are read as plain values in chunks from one
statement (every column joined in it), the CSV is written to the client as it is read, and the
workbook (openpyxl's write-only mode) is written to a temporary file that is then streamed back.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import User
from cases.contacts import can_see_contact_of
from cases.models import CLOCK_STATES, Priority, Source, State, Ticket
from citymgmt.masking import mask_name, mask_phone
from citymgmt.spreadsheets import BOM, CSV, XLSX, attachment, csv_cell, xlsx_row

# Rows fetched from the database at a time (a server-side cursor on PostgreSQL).
CHUNK_SIZE = 2000
# CSV rows written to the client at a time.
CSV_FLUSH_ROWS = 500

# What one row reads, in this order: one statement with its joins.
FIELDS = (
    "number",
    "state",
    "source",
    "priority",
    "category__code",
    "category__name",
    "district__name",
    "street__name",
    "community__name",
    "grid_cell__code",
    "address",
    "lat",
    "lng",
    "description",
    "reporter_name",
    "reporter_phone",
    "brigade__name",
    "assignee__user__display_name",
    "assignee__user__first_name",
    "assignee__user__last_name",
    "assignee__user__username",
    "assignee__badge_number",
    "responsible_unit__name",
    "responsible_person",
    "reported_at",
    "registered_at",
    "dispatched_at",
    "referred_at",
    "deadline",
    "resolved_at",
    "closed_at",
    "overdue",
    "rework_count",
    "on_site",
    "satisfaction",
    "brigade_id",
    "assignee_id",
)
TIMES = ("reported_at", "registered_at", "dispatched_at", "referred_at", "deadline")
FINISHED_TIMES = ("resolved_at", "closed_at")


def _label(field: str) -> str:
    return capfirst(str(Ticket._meta.get_field(field).verbose_name))


def header() -> list[str]:
    """The column headings, in the active language."""
    return [
        _label("number"),
        _label("state"),
        _label("source"),
        _label("priority"),
        _("Category code"),
        _label("category"),
        capfirst(_("District")),
        capfirst(_("Street")),
        _label("community"),
        _label("grid_cell"),
        _label("address"),
        _label("lat"),
        _label("lng"),
        _label("description"),
        _label("reporter_name"),
        _label("reporter_phone"),
        _label("brigade"),
        _label("assignee"),
        _("Badge number"),
        _label("responsible_unit"),
        _label("responsible_person"),
        *(_label(name) for name in TIMES),
        *(_label(name) for name in FINISHED_TIMES),
        _label("overdue"),
        _label("rework_count"),
        _label("on_site"),
        _label("satisfaction"),
    ]


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """Local wall-clock time without its zone (spreadsheets have none), to the second."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def rows(user: User, tickets: QuerySet[Ticket]) -> Iterator[list[Any]]:
    """Each ticket of ``tickets`` (already scoped, filtered and ordered) as a row under
    ``header()``: reporters' contacts masked unless ``user`` may call them back. One
    statement, read a chunk at a time."""
    states = {value: str(label) for value, label in State.choices}
    sources = {value: str(label) for value, label in Source.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    yes, no = _("Yes"), _("No")
    now = timezone.now()
    values = tickets.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for (
        number,
        state,
        source,
        priority,
        category_code,
        category_name,
        district,
        street,
        community,
        grid,
        address,
        lat,
        lng,
        description,
        reporter_name,
        reporter_phone,
        brigade,
        display_name,
        first_name,
        last_name,
        username,
        badge,
        unit,
        person,
        *times,
        overdue,
        rework_count,
        on_site,
        satisfaction,
        brigade_id,
        assignee_id,
    ) in values:
        if not can_see_contact_of(user, brigade_id=brigade_id, assignee_id=assignee_id):
            reporter_name, reporter_phone = mask_name(reporter_name), mask_phone(reporter_phone)
        # As the queue says it (``TicketFilter.filter_overdue``): flagged, or a running clock
        # past its deadline.
        deadline = times[TIMES.index("deadline")]
        late = overdue or (state in CLOCK_STATES and deadline is not None and deadline < now)
        officer = ""
        if badge is not None:
            officer = display_name or f"{first_name} {last_name}".strip() or username
        yield [
            number,
            states.get(state, state),
            sources.get(source, source),
            priorities.get(priority, priority),
            category_code,
            category_name,
            district,
            street,
            community,
            grid,
            address,
            lat,
            lng,
            description,
            reporter_name,
            reporter_phone,
            brigade,
            officer,
            badge,
            unit,
            person,
            *(_local(value) for value in times),
            yes if late else no,
            rework_count,
            yes if on_site else no,
            satisfaction,
        ]


def _filename(extension: str) -> str:
    return _("Ticket queue %(day)s.%(extension)s") % {
        "day": timezone.localdate().isoformat(),
        "extension": extension,
    }


def _csv_chunks(lines: Iterable[list[Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header())
    for count, line in enumerate(lines, start=1):
        writer.writerow([csv_cell(value) for value in line])
        if count % CSV_FLUSH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_response(user: User, tickets: QuerySet[Ticket]) -> StreamingHttpResponse:
    """``tickets`` as CSV (UTF-8 with a BOM, so Excel reads the Chinese), written to the client
    as the rows are read."""
    response = StreamingHttpResponse(_csv_chunks(rows(user, tickets)), content_type=CSV)
    response["Content-Disposition"] = attachment(_filename("csv"))
    return response


def xlsx_response(user: User, tickets: QuerySet[Ticket]) -> FileResponse:
    """``tickets`` as an .xlsx workbook, made in openpyxl's write-only mode into a temporary
    file (removed when the answer is closed) and streamed back from it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ticket queue"))
    sheet.freeze_panes = "A2"
    sheet.append(header())
    for line in rows(user, tickets):
        sheet.append(xlsx_row(sheet, line))
    file = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, which removes it)
    book.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX)


def refusal_text(errors: dict[str, list[str]], labels: dict[str, str]) -> str:
    """Why an export's query string was refused, one filter a line, in the page's words."""
    lines = [_("The filters are not valid; correct them on the queue page and export again:")]
    for name, messages in errors.items():
        lines += [f"{labels.get(name, name)}: {message}" for message in messages]
    return "\n".join(lines)
