"""The platform's calls, applied to tickets. Each runs in one transaction and is idempotent:
an order on its order id, a later call (urge, callback, cancel) on its ``webhook-id``; a
repeated call finds what the first one made and is answered the same, changing nothing.

The platform is not a user: the ticket's events name no actor and say ``"by": "hotline"``;
the caller (``hotline.api``) has checked the platform's signature, which stands in for the
supervisor's permission where a call moves a ticket (a dissatisfied callback reopens it, a
cancel withdraws it), through the same transitions as the supervisors' pages.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.audit import record_event
from cases.models import Category, Priority, Source, Ticket
from cases.services import create_ticket, reopen_for_caller, withdraw_ticket
from citymgmt.images import ProcessedImage
from grids.models import Community
from grids.services import locate_places
from hotline.models import CALLBACK_EVENT, URGE_EVENT, Call, CallKind, CategoryMapping, HotlineOrder

# The mapping row whose category an order of an unmapped code is filed under until placed.
FALLBACK_CODE = "*"


def _category_for(code: str) -> Category | None:
    mapping = CategoryMapping.objects.filter(code=code).select_related("category").first()
    if mapping is None or not mapping.category.is_active or mapping.category.is_major:
        return None
    return mapping.category


def _fallback_category() -> Category:
    """What an order of an unmapped code is filed under until the command centre places it:
    the ``*`` mapping's category, else the first active minor class."""
    mapped = _category_for(FALLBACK_CODE)
    if mapped is not None:
        return mapped
    return Category.objects.filter(is_active=True, parent__isnull=False).order_by("kind", "code")[0]


def find_order(order_id: str) -> HotlineOrder | None:
    return HotlineOrder.objects.filter(order_id=order_id).select_related("ticket").first()


def order_answer(order: HotlineOrder, refused: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "ticket": order.ticket.number,
        "state": order.ticket.state,
        "to_be_placed": order.to_be_placed,
        "attachments_refused": list(refused),
    }


def receive_order(
    *,
    order_id: str,
    content: str,
    category_code: str,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    community_code: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    deadline: datetime.datetime | None = None,
    urgent: bool = False,
    photos: Sequence[ProcessedImage] = (),
    refused: Sequence[dict[str, Any]] = (),
) -> tuple[HotlineOrder, bool]:
    """The platform pushes a work order (派单): a ticket (source ``hotline_12345``, state
    ``reported``) with the order id on it, or, when the order came before, that ticket again.
    Returns the order and whether it is new. A point on no unit grid without a community we
    know, or a category code nobody mapped, files it for the command centre to place."""
    existing = find_order(order_id)
    if existing is not None:
        return existing, False
    category = _category_for(category_code)
    community = Community.objects.filter(code=community_code).first() if community_code else None
    on_grid = lat is not None and lng is not None and locate_places(lat, lng) is not None
    to_be_placed = category is None or (not on_grid and community is None)
    notes = []
    if category is None:
        notes.append(_("12345 category %(code)s is not mapped.") % {"code": category_code})
    if not on_grid and community is None:
        notes.append(_("The order's place is on no unit grid and names no known community."))
    for item in refused:
        notes.append(
            _("Attachment %(n)s refused: %(why)s") % {"n": item["index"], "why": item["detail"]}
        )
    try:
        with transaction.atomic():
            ticket = create_ticket(
                actor=None,
                source=Source.HOTLINE,
                category=category or _fallback_category(),
                description=content,
                lat=lat,
                lng=lng,
                address=address,
                community=community,
                priority=Priority.URGENT if urgent else Priority.NORMAL,
                reporter_name=caller_name,
                reporter_phone=caller_phone,
                photos=photos,
                internal_note="\n".join(notes),
                event_data={
                    "by": "hotline",
                    "order_id": order_id,
                    "platform_category": category_code,
                },
                external_id=order_id,
                external_deadline=deadline,
                to_be_placed=to_be_placed,
            )
            order = HotlineOrder.objects.create(
                order_id=order_id,
                ticket=ticket,
                platform_category=category_code,
                to_be_placed=to_be_placed,
            )
            order.answer = order_answer(order, refused)
            order.save(update_fields=["answer"])
    except IntegrityError:
        # The same order pushed twice at once: the other push made it.
        existing = find_order(order_id)
        if existing is None:
            raise
        return existing, False
    return order, True


def _locked_ticket(order: HotlineOrder) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).get(pk=order.ticket_id)


def receive_call(
    *,
    order: HotlineOrder,
    kind: str,
    message_id: str,
    text: str = "",
    satisfied: bool | None = None,
) -> tuple[Call, bool]:
    """An urge (督办: the ticket's holders and its brigade are told), a callback (回访: the
    caller satisfied or not; not satisfied reopens the closed ticket) or a cancel (撤单: the
    ticket is withdrawn). Returns the call and whether it is new; a call seen before (same
    ``message_id``) changes nothing. A callback on a ticket that is not closed, or a cancel of
    a finished one, is a TicketConflict (nothing written)."""
    existing = Call.objects.filter(message_id=message_id).first()
    if existing is not None:
        return existing, False
    text = text.strip()
    data = {"by": "hotline", "order_id": order.order_id}
    try:
        with transaction.atomic():
            ticket = _locked_ticket(order)
            if kind == CallKind.URGE:
                record_event(
                    ticket,
                    None,
                    URGE_EVENT,
                    internal_note=text or _("The 12345 hotline urges this order."),
                    data=data,
                )
            elif kind == CallKind.CALLBACK:
                record_event(
                    ticket,
                    None,
                    CALLBACK_EVENT,
                    internal_note=text,
                    data={**data, "satisfied": satisfied},
                )
                if not satisfied:
                    ticket = reopen_for_caller(
                        ticket_id=ticket.pk,
                        reason=text or _("The caller is not satisfied (12345 callback)."),
                        data=data,
                    )
            else:
                ticket = withdraw_ticket(
                    ticket_id=ticket.pk,
                    note=text or _("Withdrawn by the 12345 hotline."),
                    data=data,
                )
            call = Call.objects.create(
                order=order,
                kind=kind,
                message_id=message_id,
                satisfied=satisfied,
                text=text,
                answer={
                    "order_id": order.order_id,
                    "ticket": ticket.number,
                    "state": ticket.state,
                    "call": kind,
                },
            )
    except IntegrityError:
        existing = Call.objects.filter(message_id=message_id).first()
        if existing is None:
            raise
        return existing, False
    return call, True
