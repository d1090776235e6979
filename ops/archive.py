"""One month's casework as a JSON archive, and back (``manage.py casework_archive``).

A month is the tickets *reported* in it (local time), each with its events, photo records,
extension requests and reopen requests; the resident's rating is on the ticket itself. Rows are
linked by natural keys (ticket number, category kind+code, place codes, unit code, username,
badge number), never by database ids, so an archive loads into any database holding the same
reference data: places, units, people and categories.

Photos are archived as records (file names, sizes, kind, who, when), not as image bytes: the
files live under MEDIA_ROOT and are backed up with it (docs/backup.md).
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Prefetch
from django.db.models.functions import Greatest

from accounts.models import Officer, Unit
from cases.models import (
    Category,
    DailySequence,
    ExtensionRequest,
    Photo,
    ReopenRequest,
    Ticket,
    TicketEvent,
)
from grids.models import Community, District, GridCell, Street

FORMAT = "citymgmt.casework-archive"
VERSION = 1
MONTH = re.compile(r"(\d{4})-(\d{2})")
NUMBER = re.compile(r"[A-Z]+(\d{8})-(\d+)")

# How each referenced model is named in the archive.
NATURAL_KEYS: dict[type[models.Model], tuple[str, ...]] = {
    Category: ("kind", "code"),
    District: ("code",),
    Street: ("code",),
    Community: ("code",),
    GridCell: ("code",),
    Unit: ("code",),
    Officer: ("badge_number",),
    get_user_model(): ("username",),
}
# Child rows of a ticket, by the name of their list in the archive.
CHILDREN: dict[str, type[models.Model]] = {
    "events": TicketEvent,
    "photos": Photo,
    "extension_requests": ExtensionRequest,
    "reopen_requests": ReopenRequest,
}


class ArchiveError(Exception):
    """The archive cannot be read or loaded; the message says why, and nothing was written."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # numbers already in the database
    unlinked_duplicates: list[str] = field(default_factory=list)  # duplicate_of not found


def month_range(month: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``YYYY-MM`` and of the month after, in the site's time zone."""
    match = MONTH.fullmatch(month.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ArchiveError(f"A month looks like 2026-09, not {month!r}.")
    year, number = int(match[1]), int(match[2])
    if not 2000 <= year <= 2100:
        raise ArchiveError(f"A month looks like 2026-09, not {month!r}.")
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime(year, number, 1, tzinfo=zone)
    following = (year + number // 12, number % 12 + 1)
    return start, datetime.datetime(*following, 1, tzinfo=zone)


# --- export ---


def _copied_fields(model: type[models.Model]) -> list[models.Field]:
    """Every stored column but the row's own id and its ticket (the nesting says which)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "ticket"]


def _natural_key(model: type[models.Model], obj: models.Model) -> Any:
    names = NATURAL_KEYS[model]
    values = [getattr(obj, name) for name in names]
    return values if len(values) > 1 else values[0]


def _row(obj: models.Model, *, event_index: dict[int, int] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in _copied_fields(type(obj)):
        if f.is_relation:
            related_id = getattr(obj, f.attname)
            if related_id is None:
                row[f.name] = None
            elif f.related_model is Ticket:  # duplicate_of
                row[f.name] = getattr(obj, f.name).number
            elif f.related_model is TicketEvent:  # a photo's event: its place in the list
                row[f.name] = (event_index or {}).get(related_id)
            else:
                row[f.name] = _natural_key(f.related_model, getattr(obj, f.name))
        else:
            value = f.value_from_object(obj)
            if isinstance(value, datetime.datetime | datetime.date | datetime.time):
                value = value.isoformat()
            elif isinstance(value, models.fields.files.FieldFile):
                value = value.name
            row[f.name] = value
    return row


def _tickets_reported_in(start: datetime.datetime, end: datetime.datetime) -> models.QuerySet:
    related = [f.name for f in Ticket._meta.concrete_fields if f.is_relation]
    return (
        Ticket.objects.filter(reported_at__gte=start, reported_at__lt=end)
        .select_related(*related)
        .prefetch_related(
            Prefetch("events", TicketEvent.objects.select_related("actor").order_by("pk")),
            Prefetch("photos", Photo.objects.select_related("uploaded_by").order_by("pk")),
            Prefetch(
                "extension_requests",
                ExtensionRequest.objects.select_related("requested_by", "decided_by").order_by(
                    "pk"
                ),
            ),
            Prefetch(
                "reopen_requests",
                ReopenRequest.objects.select_related("decided_by").order_by("pk"),
            ),
        )
        .order_by("reported_at", "pk")
    )


def export_month(month: str) -> dict[str, Any]:
    """The archive of the tickets reported in ``month`` (``YYYY-MM``), as JSON-ready data."""
    start, end = month_range(month)
    tickets = []
    for ticket in _tickets_reported_in(start, end).iterator(chunk_size=500):
        entry = _row(ticket)
        events = list(ticket.events.all())
        event_index = {event.pk: i for i, event in enumerate(events)}
        entry["events"] = [_row(event) for event in events]
        entry["photos"] = [_row(p, event_index=event_index) for p in ticket.photos.all()]
        entry["extension_requests"] = [_row(r) for r in ticket.extension_requests.all()]
        entry["reopen_requests"] = [_row(r) for r in ticket.reopen_requests.all()]
        tickets.append(entry)
    return {
        "format": FORMAT,
        "version": VERSION,
        "month": f"{start:%Y-%m}",
        "time_zone": settings.TIME_ZONE,
        "photo_files_included": False,
        "tickets": tickets,
    }


# --- import ---


class _References:
    """Looks up natural keys, one query per model, and remembers what is missing."""

    def __init__(self) -> None:
        self.found: dict[type[models.Model], dict[Any, int]] = {}
        self.missing: set[str] = set()

    def load(self, wanted: dict[type[models.Model], set[Any]]) -> None:
        for model, keys in wanted.items():
            names = NATURAL_KEYS[model]
            rows = model._default_manager.values_list("pk", *names)
            if len(names) == 1:
                rows = rows.filter(**{f"{names[0]}__in": keys})
            found = {
                (tuple(rest) if len(rest) > 1 else rest[0]): pk for pk, *rest in rows.iterator()
            }
            self.found[model] = found
            for key in keys:
                if key not in found:
                    self.missing.add(f"{model._meta.label} {key!r}")

    def pk(self, model: type[models.Model], key: Any) -> int:
        return self.found[model][_hashable(key)]


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _wanted_references(entries: Iterable[dict]) -> dict[type[models.Model], set[Any]]:
    wanted: dict[type[models.Model], set[Any]] = {model: set() for model in NATURAL_KEYS}
    for entry in entries:
        rows = [(Ticket, entry)] + [
            (model, row) for name, model in CHILDREN.items() for row in entry.get(name, [])
        ]
        for model, row in rows:
            for f in _copied_fields(model):
                if f.is_relation and f.related_model in NATURAL_KEYS and row.get(f.name):
                    wanted[f.related_model].add(_hashable(row[f.name]))
    return {model: keys for model, keys in wanted.items() if keys}


def _instance(model: type[models.Model], row: dict, refs: _References, **extra: Any) -> Any:
    values: dict[str, Any] = {}
    for f in _copied_fields(model):
        if f.name not in row or f.related_model in (Ticket, TicketEvent):
            continue
        value = row[f.name]
        if f.is_relation:
            values[f.attname] = None if value is None else refs.pk(f.related_model, value)
        elif isinstance(f, models.FileField):
            values[f.name] = value or ""
        else:
            values[f.name] = f.to_python(value)
    return model(**values, **extra)


def _check_format(data: Any) -> list[dict]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveError("This is not a casework archive.")
    if data.get("version") != VERSION:
        raise ArchiveError(f"Archive version {data.get('version')!r}; this code reads {VERSION}.")
    tickets = data.get("tickets")
    if not isinstance(tickets, list) or not all(
        isinstance(t, dict) and isinstance(t.get("number"), str) for t in tickets
    ):
        raise ArchiveError("The archive's ticket list is malformed.")
    return tickets


@transaction.atomic
def import_archive(data: Any) -> ImportReport:
    """Load an archive made by ``export_month``: all or nothing, and idempotent.

    A ticket whose number is already in the database is skipped and reported, never merged;
    the rest are created with their child rows. Every referenced place, unit, person and
    category must exist (the same reference data), or nothing is written. Afterwards each day's
    number sequence is at least the highest number loaded, so new tickets never collide.
    """
    entries = _check_format(data)
    report = ImportReport()
    numbers = [entry["number"] for entry in entries]
    existing = set(Ticket.objects.filter(number__in=numbers).values_list("number", flat=True))
    report.skipped = [number for number in numbers if number in existing]
    new_entries = [entry for entry in entries if entry["number"] not in existing]

    refs = _References()
    refs.load(_wanted_references(new_entries))
    if refs.missing:
        shown = ", ".join(sorted(refs.missing)[:20])
        more = len(refs.missing) - 20
        raise ArchiveError(
            f"The database lacks reference data the archive needs: {shown}"
            + (f" and {more} more" if more > 0 else "")
        )

    try:
        for entry in new_entries:
            _create_ticket(entry, refs)
            report.created.append(entry["number"])
    except (ValueError, TypeError, KeyError, ValidationError, IntegrityError) as exc:
        raise ArchiveError(f"Ticket {entry['number']}: {type(exc).__name__}: {exc}") from None
    report.unlinked_duplicates = _link_duplicates(new_entries)
    _advance_sequences(report.created)
    return report


def _create_ticket(entry: dict, refs: _References) -> Ticket:
    ticket = _instance(Ticket, entry, refs)
    ticket.save(force_insert=True)
    if entry.get("updated_at"):
        # auto_now stamped "now" on insert; the archive's time is the true one.
        Ticket.objects.filter(pk=ticket.pk).update(
            updated_at=Ticket._meta.get_field("updated_at").to_python(entry["updated_at"])
        )
    # Restored rows, not new events: the archive is the audit trail itself, so it is put back
    # as it was, without ``cases.audit.record_event`` (which would notify and re-stamp them).
    events = TicketEvent.objects.bulk_create(
        _instance(TicketEvent, row, refs, ticket=ticket) for row in entry.get("events", [])
    )
    photos = []
    for row in entry.get("photos", []):
        photo = _instance(Photo, row, refs, ticket=ticket)
        index = row.get("event")
        photo.event = events[index] if isinstance(index, int) and 0 <= index < len(events) else None
        photos.append(photo)
    Photo.objects.bulk_create(photos)
    for name in ("extension_requests", "reopen_requests"):
        model = CHILDREN[name]
        model.objects.bulk_create(
            _instance(model, row, refs, ticket=ticket) for row in entry.get(name, [])
        )
    return ticket


def _link_duplicates(entries: list[dict]) -> list[str]:
    """Second pass: a duplicate may point at a ticket loaded after it, or already here."""
    wanted = {e["number"]: e["duplicate_of"] for e in entries if e.get("duplicate_of")}
    originals = dict(
        Ticket.objects.filter(number__in=set(wanted.values())).values_list("number", "pk")
    )
    unlinked = []
    for number, original in wanted.items():
        if original in originals:
            Ticket.objects.filter(number=number).update(duplicate_of_id=originals[original])
        else:
            unlinked.append(number)
    return unlinked


def _advance_sequences(numbers: list[str]) -> None:
    highest: dict[datetime.date, int] = {}
    for number in numbers:
        match = NUMBER.fullmatch(number)
        if match:
            day = datetime.datetime.strptime(match[1], "%Y%m%d").date()  # noqa: DTZ007 a date
            highest[day] = max(highest.get(day, 0), int(match[2]))
    for day, last in highest.items():
        DailySequence.objects.get_or_create(day=day, defaults={"last": last})
        DailySequence.objects.filter(day=day).update(last=Greatest(F("last"), last))
