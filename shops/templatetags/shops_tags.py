"""The enforcement panel on the ticket page, and the card badge the shop pages share."""

from typing import Any

from django import template
from django.utils.html import format_html

from accounts.models import User
from cases.models import Ticket
from shops import forms, selectors
from shops.models import CardColour, Offence
from shops.permissions import enforces_on, sees_enforcement
from shops.services import NAMING_STATES

register = template.Library()

CARD_STYLES = {
    CardColour.GREEN: "success",
    CardColour.YELLOW: "warning",
    CardColour.RED: "danger",
}
# The bound form of a failed POST travels on the request to the re-rendered ticket page.
BOUND_FORM_ATTR = "shops_offence_form"


@register.filter
def card_style(colour: str | None) -> str:
    return CARD_STYLES.get(colour or CardColour.GREEN, "secondary")


@register.simple_tag
def card_badge(colour: str | None, points: int | None = None) -> str:
    colour = colour or CardColour.GREEN
    label = CardColour(colour).label
    text = f"{label} · {points}" if points is not None else str(label)
    return format_html(
        '<span class="badge text-bg-{} card-colour" data-colour="{}">{}</span>',
        card_style(colour),
        colour,
        text,
    )


@register.inclusion_tag("shops/_enforcement_panel.html", takes_context=True)
def enforcement_panel(context: dict, ticket: Ticket, user: User) -> dict[str, Any]:
    """Street-order tickets and 城管 staff only (see ``shops.permissions``): the party named,
    its ladder in the window, the suggested next step (the waiver offered only for a first
    offence) and the form to record what was done."""
    panel: dict[str, Any] = {
        "show": False,
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
    }
    # Handlers (and residents) see no panel: a party's enforcement record is 城管's business.
    if not ticket.category.enforceable or not sees_enforcement(user):
        return panel
    panel["show"] = True
    offence: Offence | None = selectors.offence_of(ticket)
    if offence is not None:
        party_ladder = selectors.ladder(
            merchant=offence.merchant,
            vendor=offence.vendor,
            at=offence.recorded_at,
            exclude_ticket_id=ticket.pk,
        )
        panel.update(offence=offence, ladder=party_ladder)
        return panel
    can_record = ticket.state in NAMING_STATES and enforces_on(ticket, user)
    panel["can_record"] = can_record
    if not can_record:
        return panel
    request = context.get("request")
    bound = getattr(request, BOUND_FORM_ATTR, None) if request is not None else None
    merchants, vendors = selectors.party_choices(ticket)
    chosen = bound.data.get("party", "") if bound is not None else ""
    if not chosen and request is not None:
        chosen = request.GET.get("party", "")[:20]
    picker = forms.PartyForm(
        initial={"party": chosen}, merchants=list(merchants), vendors=list(vendors)
    )
    panel["picker"] = picker
    kind, pk = forms.parse_party(chosen)
    merchant = merchants.filter(pk=pk).first() if kind == "merchant" else None
    vendor = vendors.filter(pk=pk).first() if kind == "vendor" else None
    if kind in ("merchant", "vendor") and merchant is None and vendor is None:
        kind = ""
    if not kind:
        return panel
    party_ladder = selectors.ladder(merchant=merchant, vendor=vendor, exclude_ticket_id=ticket.pk)
    form = bound or forms.OffenceForm(
        initial={"party": chosen},
        allowed=party_ladder.allowed,
        suggested=party_ladder.suggested,
    )
    panel.update(
        party=merchant or vendor,
        new_vendor=kind == forms.NEW_VENDOR,
        ladder=party_ladder,
        form=form,
    )
    return panel
