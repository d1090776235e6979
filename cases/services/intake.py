"""New tickets: a report filed (by a resident, the hotline, the API, an officer on patrol), and an
officer's on-the-spot fix, born closed. Each writes the ticket, its creation event through
``cases.audit.record_event`` and its photos, in one transaction."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from accounts.scope import scope_of
from cases import step_clocks
from cases.audit import record_event
from cases.models import Action, Category, PhotoKind, Priority, Source, State, Ticket
from cases.numbers import next_number
from cases.permissions import files_on_patrol
from cases.photos import store_photos
from cases.selectors import referral_units
from cases.services.steps import _check_category, _check_deadline, _new_clock
from cases.transitions import saved_fields
from citymgmt.images import ProcessedImage
from grids.models import Community
from grids.services import locate_places


def _place(
    ticket: Ticket, *, lat: float | None, lng: float | None, community: Community | None
) -> None:
    """Grid from the locator; community from the grid, else as chosen by hand; street, district
    and brigade copied down so the queues filter on the ticket table alone. A located point
    costs one narrow read of ids (``locate_places``): the ticket is written with ids, and its
    ``grid_cell`` and ``community`` load only if a caller reads them."""
    places = locate_places(lat, lng) if lat is not None and lng is not None else None
    if places is not None:
        ticket.grid_cell_id = places.cell_id
        ticket.community_id = places.community_id
        ticket.street_id = places.street_id
        ticket.district_id = places.district_id
        ticket.brigade_id = places.brigade_id
        return
    if community is None:
        # Nobody but the command centre would ever see it: ask where it is instead.
        raise ValidationError(
            {"community": _("This point is on no unit grid: choose the community.")}
        )
    community = Community.objects.select_related("street").get(pk=community.pk)
    ticket.grid_cell = None
    ticket.community = community
    ticket.street_id = community.street_id
    ticket.district_id = community.street.district_id
    ticket.brigade_id = community.brigade_id


def create_ticket(
    *,
    actor: User | None,
    source: str,
    category: Category,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    community: Community | None = None,
    priority: str = Priority.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[ProcessedImage] = (),
    internal_note: str = "",
    event_data: dict[str, Any] | None = None,
) -> Ticket:
    """File a new report (state ``reported``) for a supervisor to register or reject.

    Callers gate who may file: the public form (anyone), the hotline intake (supervisors),
    patrol findings (officers), the API. A point on no grid still makes a ticket: the
    community chosen by hand then decides who sees it. ``event_data`` adds to the creation
    event's details (the API: which client filed it, a linked media URL). A ValidationError
    (category, place) is raised before anything is written.
    """
    _check_category(category)
    now = timezone.now()
    register_clock = step_clocks.start(category, step_clocks.Step.REGISTER, now)
    ticket = Ticket(
        register_warn_at=register_clock.warn_at,
        register_due_at=register_clock.deadline,
        source=source,
        category=category,
        priority=priority,
        description=description,
        address=address,
        lat=lat,
        lng=lng,
        reporter=actor,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reported_at=now,
    )
    _place(ticket, lat=lat, lng=lng, community=community)
    # No savepoint: what can fail from here on (the database, the photo storage) is no answer
    # a caller gives the user (they catch ValidationError only), so it fails the caller's whole
    # transaction anyway; a savepoint would protect nothing and cost two round trips on every
    # report. The number is taken last, once the ticket is sure to be filed.
    with transaction.atomic(savepoint=False):
        ticket.number = next_number(timezone.localdate(now))
        ticket.save()
        event = record_event(
            ticket,
            actor,
            Action.CREATE,
            from_state="",
            internal_note=internal_note,
            data={**(event_data or {}), "source": source},
            at=now,
        )
        store_photos(
            ticket=ticket, photos=photos, kind=PhotoKind.REPORT, uploaded_by=actor, event=event
        )
    return ticket


@transaction.atomic
def create_on_site_ticket(
    *,
    actor: User,
    category: Category,
    description: str,
    before: Sequence[ProcessedImage],
    after: Sequence[ProcessedImage],
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    community: Community | None = None,
    note: str = "",
) -> Ticket:
    """An officer fixed a problem on the spot (现场整改): the ticket is born closed, with before
    and after photos, ``on_site=True``. Officers only, and only in their own brigade's area
    (``permissions.files_on_patrol``): elsewhere it is a ValidationError on ``community``."""
    officer = getattr(actor, "officer", None) if has_role(actor, Role.OFFICER) else None
    if officer is None:
        raise PermissionDenied(_("Only officers record on-site fixes."))
    if not before or not after:
        raise ValidationError(_("An on-site fix needs a photo from before and one from after."))
    _check_category(category)
    now = timezone.now()
    ticket = Ticket(
        number=next_number(timezone.localdate(now)),
        state=State.CLOSED,
        source=Source.PATROL,
        category=category,
        description=description,
        address=address,
        lat=lat,
        lng=lng,
        reporter=actor,
        assignee=officer,
        on_site=True,
        reported_at=now,
        registered_at=now,
        dispatched_at=now,
        started_at=now,
        resolved_at=now,
        closed_at=now,
    )
    _place(ticket, lat=lat, lng=lng, community=community)
    # The same rule as a patrol finding (``files_on_patrol``): an officer closes cases only in
    # their own brigade's area; elsewhere it is that brigade's to register and check.
    if not files_on_patrol(ticket, actor):
        raise ValidationError(
            {
                "community": _(
                    "This place is another brigade's area: you cannot close it on site. "
                    "Report it for dispatch instead."
                )
            }
        )
    ticket.save()
    event = record_event(ticket, actor, Action.ON_SITE, from_state="", public_note=note, at=now)
    store_photos(
        ticket=ticket, photos=before, kind=PhotoKind.BEFORE, uploaded_by=actor, event=event
    )
    store_photos(ticket=ticket, photos=after, kind=PhotoKind.AFTER, uploaded_by=actor, event=event)
    return ticket


@transaction.atomic
def file_patrol_finding(
    *,
    actor: User,
    category: Category,
    description: str,
    photos: Sequence[ProcessedImage] = (),
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    community: Community | None = None,
    unit_id: int | None = None,
    person: str = "",
    deadline: datetime.datetime | None = None,
    note: str = "",
) -> Ticket:
    """An officer on patrol files what they found and could not fix on the spot. Officers only.

    In their own brigade's area the report is pre-checked by the officer who saw it, so it is
    registered at once (立案) for the supervisor to dispatch; with ``unit_id`` it is also pushed
    to that responsible unit with the clock started (推送责任单位). Found in another brigade's area,
    it stays a report for that brigade's supervisor. Each step is the state machine's transition
    with its own audit row; the officer's right to take it is ``permissions.files_on_patrol``
    (the transitions' own predicate is the supervisor's).
    """
    if not scope_of(actor).is_officer:
        raise PermissionDenied(_("Only officers file patrol findings."))
    unit = None
    if unit_id is not None:
        unit = referral_units().filter(pk=unit_id).first()
        if unit is None:
            raise ValidationError({"unit": _("Choose a department or street office.")})
        if not person.strip():
            raise ValidationError({"person": _("Name the person responsible at the unit.")})
        _check_deadline(deadline, timezone.now())
    ticket = create_ticket(
        actor=actor,
        source=Source.PATROL,
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        community=community,
        photos=photos,
    )
    if not files_on_patrol(ticket, actor):
        if unit is not None:
            raise ValidationError(
                _("This place is another brigade's: report it for dispatch instead.")
            )
        return ticket
    now = timezone.now()
    ticket.register(
        at=now, dispatch_clock=step_clocks.start(category, step_clocks.Step.DISPATCH, now)
    )
    ticket.save(update_fields=saved_fields("register"))
    record_event(ticket, actor, Action.REGISTER, from_state=State.REPORTED, data={"by": "patrol"})
    if unit is not None:
        clock = _new_clock(ticket, now, deadline=deadline)
        ticket.refer(unit=unit, person=person.strip(), at=now, clock=clock)
        ticket.save(update_fields=saved_fields("refer"))
        record_event(
            ticket,
            actor,
            Action.REFER,
            from_state=State.REGISTERED,
            public_note=note,
            data={"unit": unit.name, "person": person.strip(), "by": "patrol"},
        )
    return ticket
