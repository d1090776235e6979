"""The check (核查) of a resolved ticket done on site instead of at the desk: a supervisor sends
it to an officer on duty in the ticket's unit grid, who goes there and passes it (the ticket
closes) or fails it (rework, as a failed check at the desk), with a photo taken there and the
point where they stood. The check's event says who checked and where."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Action, PhotoKind, Ticket
from cases.photos import store_photos
from cases.selectors import access_ticket_by_id, distance_m, field_checkers
from cases.services.steps import Step, _apply, _new_clock
from citymgmt.images import ProcessedImage


@transaction.atomic
def send_for_field_check(
    *,
    actor: User,
    ticket_id: int,
    officer_id: int,
    note: str = "",
    expected_state: str | None = None,
) -> Ticket:
    """Supervisor (of the ticket's brigade): send the check of a resolved ticket to an officer
    on duty today in its unit grid (``selectors.field_checkers``), who checks it on site. Sent
    again, it goes to the newly chosen officer instead."""
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    officer = field_checkers(ticket).select_related("user").filter(pk=officer_id).first()
    if officer is None:
        raise ValidationError(
            {"officer": _("Choose an officer on duty today in this ticket's unit grid.")}
        )
    step = Step(
        transition="send_for_field_check",
        action=Action.FIELD_CHECK,
        kwargs={"officer": officer, "at": timezone.now()},
        internal_note=note.strip(),
        data={"officer": officer.badge_number, "officer_name": str(officer.user)},
    )
    _apply(ticket, actor, step, expected_state=expected_state)
    return ticket


@transaction.atomic
def check_on_site(
    *,
    actor: User,
    ticket_id: int,
    passed: bool,
    note: str,
    lat: float,
    lng: float,
    photos: Sequence[ProcessedImage],
    expected_state: str | None = None,
) -> Ticket:
    """The officer the check was sent to, on site: pass closes the ticket; fail sends it back
    for rework to the same officer or unit with a fresh deadline, and needs the reason. Either
    way with at least one photo taken there and the point where the officer stood, recorded on
    the check's event (``data``: the point, its distance from the ticket's, the officer)."""
    if not photos:
        raise ValidationError({"photos": _("Add a photo taken on site.")})
    if not passed and not note.strip():
        raise ValidationError({"note": _("Say what still needs doing.")})
    ticket = access_ticket_by_id(actor, ticket_id, for_update=True)
    checker = ticket.field_checker
    data: dict = {"on_site": True, "lat": lat, "lng": lng}
    if checker is not None:
        data.update(officer=checker.badge_number, officer_name=str(checker.user))
    if ticket.lat is not None and ticket.lng is not None:
        data["distance_m"] = round(distance_m(lat, lng, ticket.lat, ticket.lng))
    now = timezone.now()
    if passed:
        step = Step(
            transition="field_check_pass",
            action=Action.VERIFY_PASS,
            kwargs={"at": now},
            public_note=note.strip(),
            data=data,
        )
    else:
        step = Step(
            transition="field_check_fail",
            action=Action.VERIFY_FAIL,
            kwargs={"at": now, "clock": _new_clock(ticket, now)},
            public_note=note.strip(),
            data=data,
        )
    event = _apply(ticket, actor, step, expected_state=expected_state)
    store_photos(ticket=ticket, photos=photos, kind=PhotoKind.CHECK, uploaded_by=actor, event=event)
    return ticket
