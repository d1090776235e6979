"""What a resident may read about a ticket, by its tracking code: the ticket, its status in plain
words, the public timeline and the photos it may show.

The code is the only key. A wrong, guessed or malformed code takes the same path as a right one
(normalised, one query on the unique index, then 404), so the response says nothing about which
codes exist. The public timeline is an allow-list of actions and fields: no internal notes, no
staff names but the officer's public name and badge, no other reporter's data.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cases.models import CLOCK_STATES, Photo, State, Ticket, TicketEvent
from cases.public import (
    FOLLOWER_PHOTO_KINDS,
    OWN_PHOTO_KINDS,
    PUBLIC_ACTIONS,
    SHARED_ACTIONS,
    normalize_code,
    public_tickets,
)
from cases.selectors import duplicates_near

# What each state means to the person who reported the problem.
PLAIN_STATUS = {
    State.REPORTED: _("Received: a supervisor will check it soon."),
    State.REGISTERED: _("Accepted as a case: it is being assigned."),
    State.DISPATCHED: _("An officer has been sent to deal with it."),
    State.IN_PROGRESS: _("The officer is dealing with it."),
    State.REFERRED: _("Passed to the department responsible, which is dealing with it."),
    State.ENFORCEMENT: _("Being dealt with by law enforcement."),
    State.RESOLVED: _("Reported fixed: a supervisor is checking the result."),
    State.CLOSED: _("Done: the fix has been checked and the case is closed."),
    State.REJECTED: _("Not taken up as a case."),
}


def ticket_by_code(code: str) -> Ticket:
    """The ticket with this tracking code, with what its public page shows; Http404 otherwise."""
    ticket = (
        Ticket.objects.select_related(
            "category__parent",
            "community__street__district",
            "assignee__user",
            "responsible_unit",
            "duplicate_of__category",
            "duplicate_of__community",
            "duplicate_of__assignee__user",
            "duplicate_of__responsible_unit",
        )
        .filter(tracking_code=normalize_code(code))
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_id_by_code(code: str) -> int:
    """Only the id (for photos and the rating POST): the same single indexed query, then 404."""
    ticket_id = (
        Ticket.objects.filter(tracking_code=normalize_code(code)).values_list("pk", flat=True)
    ).first()
    if ticket_id is None:
        raise Http404
    return ticket_id


def public_timeline(ticket: Ticket, *, own: bool) -> QuerySet[TicketEvent]:
    """The ticket's public steps, oldest first, each with the photos the reader may see; no
    actor is loaded (staff names are not shown) and the notes are read from ``public_note``
    only. ``own`` is False for someone following this ticket from their own report."""
    kinds = OWN_PHOTO_KINDS if own else FOLLOWER_PHOTO_KINDS
    actions = PUBLIC_ACTIONS if own else SHARED_ACTIONS
    events = ticket.events.filter(action__in=actions).defer("internal_note")
    photos = Photo.objects.filter(kind__in=kinds).only(
        "id", "kind", "event_id", "ticket_id", "width", "height"
    )
    return events.prefetch_related(Prefetch("photos", queryset=photos)).order_by("created_at", "id")


def public_photo(*, code: str, photo_id: int) -> Photo:
    """A photo of the code's ticket (or of the ticket it follows) that its page may show."""
    ticket = (
        Ticket.objects.filter(tracking_code=normalize_code(code))
        .values("pk", "duplicate_of_id")
        .first()
    )
    if ticket is None:
        raise Http404
    photo = (
        Photo.objects.filter(pk=photo_id, ticket_id__in=[ticket["pk"], ticket["duplicate_of_id"]])
        .only("id", "kind", "ticket_id", "image", "thumbnail", "content_type")
        .first()
    )
    if photo is None:
        raise Http404
    kinds = OWN_PHOTO_KINDS if photo.ticket_id == ticket["pk"] else FOLLOWER_PHOTO_KINDS
    if photo.kind not in kinds:
        raise Http404
    return photo


def expected_completion(ticket: Ticket) -> datetime.datetime | None:
    """When the fix is due, once an officer or unit has it (the clock runs); else None."""
    if ticket.state in CLOCK_STATES and ticket.clock_paused_at is None:
        return ticket.deadline
    return None


@dataclass(frozen=True)
class NearbyReport:
    """An open report near a new one, as the public form may show it: only reports the public
    filed (``cases.public.public_tickets``), with no reporter data, no description (another
    person's words) and no address (it may name someone's door): what, how far and when."""

    number: str
    category: str
    status: str
    reported_at: datetime.datetime
    distance_m: float


def open_reports_near(
    *, category_id: int, radius_m: int, lat: float, lng: float, at: datetime.datetime
) -> list[NearbyReport]:
    """Open originals (not themselves follow-ups) the public filed, of the category near the
    point, nearest first, as ``NearbyReport`` rows a resident may choose to follow. Hotline,
    patrol and enforcement tickets are never offered (as Open311 never shows them)."""
    near = duplicates_near(
        category_id=category_id,
        radius_m=radius_m,
        lat=lat,
        lng=lng,
        at=at,
        among=public_tickets().filter(duplicate_of__isnull=True),
    )
    return [
        NearbyReport(
            number=t.number,
            category=t.category.public_name or t.category.name,
            status=str(PLAIN_STATUS[t.state]),
            reported_at=t.reported_at,
            distance_m=t.distance_m,
        )
        for t in near
    ]
