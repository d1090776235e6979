"""The resident's writes: filing a complaint from the public form (possibly as a follow-up of an
open report nearby), rating the result, and the supervisors' answer to a dissatisfied rating.

Residents have no account: the tracking code is their key, so a service acting for one takes the
code and finds the ticket itself, under a row lock, as the staff services do with their scope.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.audit import record_event
from cases.models import (
    Action,
    Category,
    RejectReason,
    ReopenRequest,
    Source,
    State,
    Ticket,
)
from cases.permissions import supervises
from cases.public import normalize_code
from cases.selectors import access_ticket_by_id, tickets_visible_to
from cases.services import create_ticket, reopen_ticket
from cases.transitions import saved_fields
from citymgmt.images import ProcessedImage
from messaging.services import save_reporter_email
from residents.tracking import open_reports_near

SATISFIED_FROM = 3  # 1–2 is dissatisfied: within the reopen window it asks for a reopen


@transaction.atomic
def file_complaint(
    *,
    category: Category,
    description: str,
    lat: float,
    lng: float,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    photos: Sequence[ProcessedImage] = (),
    follows: str = "",
) -> Ticket:
    """Anyone, from the public form: file a resident's report (state ``reported``). With
    ``follows`` (the number of an open report nearby that the resident says is the same problem)
    the new ticket is filed already closed as its duplicate (``rejected``, reason ``duplicate``,
    ``duplicate_of``): it is no work for the supervisors, who handle the original. Both
    timelines say so; the resident keeps a tracking code of their own, follows the original
    there, and may rate it once it is closed (``rate_ticket``). A point on no unit grid is
    refused. With ``reporter_email`` the ticket's updates are e-mailed there too
    (``messaging.updates``)."""
    original = None
    if follows:
        nearby = {
            report.number
            for report in open_reports_near(
                category_id=category.pk,
                radius_m=category.duplicate_radius_m,
                lat=lat,
                lng=lng,
                at=timezone.now(),
            )
        }
        # Only a report the form could have offered: a number typed by hand links nothing.
        original = Ticket.objects.filter(number=follows).first() if follows in nearby else None
        if original is None:
            raise ValidationError(
                {
                    "follows": _(
                        "That report nearby is no longer open. Untick it to file yours on its own."
                    )
                }
            )
    ticket = create_ticket(
        actor=None,
        source=Source.RESIDENT,
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        photos=photos,
    )
    save_reporter_email(ticket=ticket, email=reporter_email)
    if original is not None:
        # The resident's own word that it is the same problem stands in for a supervisor's
        # duplicate check (the transition's permission is the supervisor's, so no check here).
        ticket.reject(reason=RejectReason.DUPLICATE, at=ticket.reported_at, duplicate_of=original)
        ticket.save(update_fields=saved_fields("reject"))
        # One row records both the link and the state change (reported → rejected).
        record_event(
            ticket,
            None,
            Action.DUPLICATE_LINKED,
            from_state=State.REPORTED,
            data={
                "duplicate_of": original.number,
                "by": "reporter",
                "reason": RejectReason.DUPLICATE,
            },
        )
        record_event(
            original,
            None,
            Action.DUPLICATE_LINKED,
            data={"duplicate": ticket.number, "by": "reporter"},
        )
    return ticket


@transaction.atomic
def rate_ticket(*, code: str, satisfaction: int, comment: str = "") -> Ticket:
    """The reporter, by tracking code: rate the result, once (回访), when the case is closed. A
    report that follows another one (``duplicate_of``) is rated when that original is closed;
    the rating is the follower's own (stored on their ticket). A rating of 1–2 within the reopen
    window of the closed ticket also asks its brigade's supervisors to reopen it: for a
    follower, the original, where the work was done."""
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("Choose from 1 to 5 stars.")})
    ticket = get_object_or_404(
        Ticket.objects.select_for_update(of=("self",)), tracking_code=normalize_code(code)
    )
    handled = ticket
    if ticket.duplicate_of_id is not None:
        handled = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.duplicate_of_id)
    if handled.state != State.CLOSED:
        raise ValidationError(_("You can rate the result once the case is closed."))
    if ticket.satisfaction is not None:
        raise ValidationError(_("This case has already been rated. Thank you."))
    now = timezone.now()
    comment = comment.strip()
    ticket.satisfaction = satisfaction
    ticket.satisfaction_comment = comment
    ticket.rated_at = now
    ticket.save(update_fields=["satisfaction", "satisfaction_comment", "rated_at", "updated_at"])
    reopen = None
    if satisfaction < SATISFIED_FROM and handled.can_reopen_at(now):
        # Two residents unhappy with one fix make one pending request, not two.
        reopen = ReopenRequest.objects.filter(ticket=handled, decided_at__isnull=True).first()
        if reopen is None:
            reopen = ReopenRequest.objects.create(
                ticket=handled, satisfaction=satisfaction, comment=comment, requested_at=now
            )
    data = {"satisfaction": satisfaction, "comment": comment}
    if reopen is not None and handled is not ticket:
        # Where the follower's tracking page finds the answer (the request is the original's).
        data["reopen_request"] = reopen.pk
    record_event(ticket, None, Action.RATE, data=data, at=now)
    if reopen is not None:
        # The comment goes to the supervisors' notification, not to the public timeline.
        record_event(
            handled,
            None,
            Action.REOPEN_REQUEST,
            internal_note=comment or _("Rated %(n)s of 5.") % {"n": satisfaction},
            data={"satisfaction": satisfaction},
            at=now,
        )
    return ticket


def reopen_request_for(ticket: Ticket) -> ReopenRequest | None:
    """The reopen request a rated ticket's reporter is waiting on, if any: their own ticket's,
    or, for a follower, the original's request their rating made or joined."""
    if ticket.satisfaction is None:
        return None
    if ticket.duplicate_of_id is None:
        return ReopenRequest.objects.filter(ticket=ticket).order_by("-id").first()
    rating = ticket.events.filter(action=Action.RATE).order_by("-id").values("data").first()
    request_id = (rating or {}).get("data", {}).get("reopen_request")
    if request_id is None:
        return None
    return ReopenRequest.objects.filter(pk=request_id, ticket_id=ticket.duplicate_of_id).first()


@transaction.atomic
def decide_reopen_request(
    *, actor: User, request_id: int, reopen: bool, note: str
) -> ReopenRequest:
    """A supervisor of the ticket's brigade (or the command centre): answer a dissatisfied
    reporter. Reopening sends the ticket back to registered (``reopen_ticket``, which also closes
    the request); declining keeps it closed and tells the reporter why on their timeline."""
    if not note.strip():
        raise ValidationError({"note": _("Say why: the reporter reads it on their tracking page.")})
    pending = get_object_or_404(
        ReopenRequest.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(ticket__in=tickets_visible_to(actor)),
        pk=request_id,
    )
    if pending.decided_at is not None:
        raise ValidationError(_("This request has already been answered."))
    if not supervises(pending.ticket, actor):
        raise PermissionDenied(_("Only the brigade's supervisors answer reopen requests."))
    if reopen:
        reopen_ticket(
            actor=actor,
            ticket_id=pending.ticket_id,
            reason=note,
            expected_state=State.CLOSED,
        )
        pending.refresh_from_db()
        return pending
    ticket = access_ticket_by_id(actor, pending.ticket_id, for_update=True)
    record_event(ticket, actor, Action.REOPEN_DECLINE, public_note=note.strip())
    _close_request(pending, actor=actor, at=timezone.now(), reopened=False, note=note.strip())
    return pending


def _close_request(
    pending: ReopenRequest,
    *,
    actor: User,
    at: datetime.datetime,
    reopened: bool,
    note: str,
) -> None:
    pending.decided_by = actor
    pending.decided_at = at
    pending.reopened = reopened
    pending.decision_note = note
    pending.save(update_fields=["decided_by", "decided_at", "reopened", "decision_note"])
