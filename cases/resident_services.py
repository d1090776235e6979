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
from cases.models import Action, Category, ReopenRequest, Source, State, Ticket
from cases.permissions import supervises
from cases.selectors import tickets_visible_to
from cases.services import _record, create_ticket, lock_ticket, reopen_ticket
from cases.tracking import normalize_code, open_reports_near
from citymgmt.images import ProcessedImage

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
    photos: Sequence[ProcessedImage] = (),
    follows: str = "",
) -> Ticket:
    """Anyone, from the public form: file a resident's report (state ``reported``). With
    ``follows`` (the number of an open report nearby that the resident says is the same problem)
    the new ticket is linked to it from the start (``duplicate_of``) and both timelines say so;
    the resident still gets a tracking code of their own. A point on no unit grid is refused."""
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
    if original is not None:
        ticket.duplicate_of = original
        ticket.save(update_fields=["duplicate_of", "updated_at"])
        _record(
            ticket,
            None,
            Action.DUPLICATE_LINKED,
            from_state=ticket.state,
            data={"duplicate_of": original.number, "by": "reporter"},
        )
        _record(
            original,
            None,
            Action.DUPLICATE_LINKED,
            from_state=original.state,
            data={"duplicate": ticket.number, "by": "reporter"},
        )
    return ticket


@transaction.atomic
def rate_ticket(*, code: str, satisfaction: int, comment: str = "") -> Ticket:
    """The reporter, by tracking code: rate the result of a closed ticket, once (回访). A rating
    of 1–2 within the reopen window also asks the brigade's supervisors to reopen it."""
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("Choose from 1 to 5 stars.")})
    ticket = get_object_or_404(
        Ticket.objects.select_for_update(of=("self",)), tracking_code=normalize_code(code)
    )
    if ticket.state != State.CLOSED:
        raise ValidationError(_("You can rate the result once the case is closed."))
    if ticket.satisfaction is not None:
        raise ValidationError(_("This case has already been rated. Thank you."))
    now = timezone.now()
    comment = comment.strip()
    ticket.satisfaction = satisfaction
    ticket.satisfaction_comment = comment
    ticket.rated_at = now
    ticket.save(update_fields=["satisfaction", "satisfaction_comment", "rated_at", "updated_at"])
    _record(
        ticket,
        None,
        Action.RATE,
        from_state=ticket.state,
        data={"satisfaction": satisfaction, "comment": comment},
        at=now,
    )
    if satisfaction < SATISFIED_FROM and ticket.can_reopen_at(now):
        ReopenRequest.objects.create(
            ticket=ticket, satisfaction=satisfaction, comment=comment, requested_at=now
        )
        # The comment goes to the supervisors' notification, not to the public timeline.
        _record(
            ticket,
            None,
            Action.REOPEN_REQUEST,
            from_state=ticket.state,
            internal_note=comment or _("Rated %(n)s of 5.") % {"n": satisfaction},
            data={"satisfaction": satisfaction},
            at=now,
        )
    return ticket


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
    ticket = lock_ticket(actor, pending.ticket_id)
    _record(ticket, actor, Action.REOPEN_DECLINE, from_state=ticket.state, public_note=note.strip())
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
