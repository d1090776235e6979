"""Removing reporters' contact details: after the retention period, and on request.

The retention job (``anonymise_expired_contacts``) works in batches of tickets, each batch in
its own transaction: lock up to ``batch_size`` due tickets, blank their reporter name and phone
with one UPDATE, delete their original photos from storage (thumbnails, already EXIF-free, stay
for the case file), and record one ``ErasedContact`` per ticket. A ticket is due while it has
no ``ErasedContact`` with its originals removed, so a run that is killed midway leaves every
batch either done or not started, and the next run carries on; re-running a finished job
changes nothing. Deleting a file that is already gone is a no-op, so a batch rolled back after
some deletions is completed by the next run.
"""

import datetime
import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import Photo, State, Ticket
from cases.public import normalize_code
from messaging.services import erase_reporter_contacts
from privacy.models import ErasedContact, ErasureReason, RetentionRun

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def retention_cutoff(now: datetime.datetime, months: int) -> datetime.datetime:
    """Tickets closed or rejected before this moment are past the retention period."""
    return now - relativedelta(months=months)


def due_for_retention(cutoff: datetime.datetime) -> QuerySet[Ticket]:
    """Closed or rejected before ``cutoff``, and not yet fully anonymised (a request erasure
    blanked the name and phone only: its originals are still to go)."""
    done = ErasedContact.objects.filter(ticket=OuterRef("pk"), originals_removed_at__isnull=False)
    ended = Q(state=State.CLOSED, closed_at__lt=cutoff) | Q(
        state=State.REJECTED, rejected_at__lt=cutoff
    )
    return Ticket.objects.filter(ended).filter(~Exists(done))


def anonymise_expired_contacts(
    *,
    now: datetime.datetime | None = None,
    months: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> RetentionRun:
    """The retention job (Celery beat, daily; ``manage.py anonymise_contacts``). Called by the
    system, never by a user. Blanks the reporter's name and phone of every ticket closed or
    rejected more than ``months`` (default ``CITYMGMT_CONTACT_RETENTION_MONTHS``) ago and removes
    its original photos, keeping the thumbnails; logs the run as a ``RetentionRun``.

    Not one transaction on purpose: each batch commits on its own (see the module docstring)."""
    now = now or timezone.now()
    months = months or settings.CITYMGMT_CONTACT_RETENTION_MONTHS
    run = RetentionRun.objects.create(
        started_at=now, retention_months=months, cutoff=retention_cutoff(now, months)
    )
    while True:
        tickets, originals = _anonymise_batch(run=run, now=now, batch_size=batch_size)
        if not tickets:
            break
        run.batches += 1
        run.tickets_anonymised += tickets
        run.originals_removed += originals
        run.save(update_fields=["batches", "tickets_anonymised", "originals_removed"])
        if tickets < batch_size:
            break
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    logger.info(
        "Retention run %s: %s tickets anonymised, %s original photos removed (closed before %s).",
        run.pk,
        run.tickets_anonymised,
        run.originals_removed,
        run.cutoff.isoformat(),
    )
    return run


@transaction.atomic
def _anonymise_batch(
    *, run: RetentionRun, now: datetime.datetime, batch_size: int
) -> tuple[int, int]:
    # skip_locked: a second runner (two beats, a manual run) takes other tickets, never waits.
    ids = list(
        due_for_retention(run.cutoff)
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return 0, 0
    Ticket.objects.filter(pk__in=ids).update(reporter_name="", reporter_phone="")
    erase_reporter_contacts(ids)
    originals = list(
        Photo.objects.filter(ticket_id__in=ids).exclude(image="").values_list("pk", "image")
    )
    for _pk, name in originals:
        default_storage.delete(name)
    Photo.objects.filter(pk__in=[pk for pk, _name in originals]).update(image="")
    requested = set(
        ErasedContact.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True)
    )
    ErasedContact.objects.filter(ticket_id__in=requested).update(originals_removed_at=now, run=run)
    ErasedContact.objects.bulk_create(
        ErasedContact(
            ticket_id=pk,
            erased_at=now,
            reason=ErasureReason.RETENTION,
            originals_removed_at=now,
            run=run,
        )
        for pk in ids
        if pk not in requested
    )
    return len(ids), len(originals)


def count_due(*, now: datetime.datetime | None = None, months: int | None = None) -> dict:
    """What a run would do now (the command's ``--dry-run``): tickets and original photos."""
    now = now or timezone.now()
    months = months or settings.CITYMGMT_CONTACT_RETENTION_MONTHS
    due = due_for_retention(retention_cutoff(now, months))
    return {
        "tickets": due.count(),
        "originals": Photo.objects.filter(ticket__in=due).exclude(image="").count(),
    }


def _digits(phone: str) -> str:
    """The number without spaces, dashes or the country code: +86 138-1234-5678 → 13812345678."""
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


@transaction.atomic
def erase_contact_on_request(*, code: str, phone: str) -> bool:
    """A reporter asks for their name and phone to be removed now (public page, no account).
    Blanks them if ``code`` is the ticket's tracking code and ``phone`` the number given with
    the report, and records ``ErasedContact(reason=request)``; the ticket and its photos stay.
    Returns whether anything was erased: the caller must not tell the user (no enumeration)."""
    if not _digits(phone):
        return False
    ticket = (
        Ticket.objects.select_for_update()
        .filter(tracking_code=normalize_code(code))
        .exclude(reporter_phone="")
        .only("pk", "reporter_name", "reporter_phone")
        .first()
    )
    # Compared on digits: Open311 clients store numbers as they were given (+86 138-…).
    if ticket is None or _digits(ticket.reporter_phone) != _digits(phone):
        return False
    ticket.reporter_name = ""
    ticket.reporter_phone = ""
    ticket.save(update_fields=["reporter_name", "reporter_phone"])
    erase_reporter_contacts([ticket.pk])
    ErasedContact.objects.get_or_create(
        ticket=ticket, defaults={"reason": ErasureReason.REQUEST, "erased_at": timezone.now()}
    )
    logger.info("Reporter's contact details of ticket %s erased on request.", ticket.pk)
    return True
