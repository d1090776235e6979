"""The privacy side of the demo: one resident who asked for her contact details to be removed,
and the retention job's first run (the demo's tickets are 90 days old at most, so it finds
nothing due, but the admin shows the log). Adds only what is missing: running it twice adds
nothing."""

from typing import Any

from cases.models import Source, State, Ticket
from demo.grids import Writer
from privacy import services
from privacy.models import ErasedContact, ErasureReason, RetentionRun


def seed_privacy(*, stdout: Writer | None = None) -> dict[str, Any]:
    erased = 0
    if not ErasedContact.objects.filter(reason=ErasureReason.REQUEST).exists():
        # The oldest closed resident report with a phone: long settled, the reporter asked.
        ticket = (
            Ticket.objects.filter(source=Source.RESIDENT, state=State.CLOSED)
            .exclude(reporter_phone="")
            .order_by("reported_at", "number")
            .only("tracking_code", "reporter_phone")
            .first()
        )
        if ticket is not None:
            erased = int(
                services.erase_contact_on_request(
                    code=ticket.tracking_code, phone=ticket.reporter_phone
                )
            )
    runs = 0
    if not RetentionRun.objects.exists():
        services.anonymise_expired_contacts()
        runs = 1
    if stdout is not None:
        stdout.write(f"  privacy: {erased} contact erased on request, {runs} retention run\n")
    return {
        "counts": {"erased_contacts": ErasedContact.objects.count()},
        "created": {
            name: n
            for name, n in (("contacts erased on request", erased), ("retention runs", runs))
            if n
        },
    }
