"""The graduated-enforcement panel on the ticket page (registered with ``cases.hooks`` from
``ShopsConfig.ready``): the party's record and the form to record the step taken."""

from typing import Any

from django.forms import BaseForm
from django.http import HttpRequest

from cases import hooks
from cases.models import Ticket
from shops import forms, selectors
from shops.permissions import records_step_on, sees_enforcement


def enforcement_panel(
    request: HttpRequest, ticket: Ticket, bound: BaseForm | None
) -> dict[str, Any] | None:
    """Street-order tickets and 城管 staff only (see ``shops.permissions``): the party named,
    its ladder in the window, the suggested next step (the waiver offered only for a first
    offence) and the form to record what was done; ``bound``, that form as it was posted,
    when it came back with errors."""
    user = request.user
    # Handlers (and residents) see no panel: a party's enforcement record is 城管's business.
    if not ticket.category.enforceable or not sees_enforcement(user):
        return None
    recorded = selectors.recorded_step(ticket)
    if recorded is not None:
        offence, standing = recorded
        return {"offence": offence, "ladder": standing}
    if not records_step_on(ticket, user):
        return {"can_record": False}
    chosen = bound.data.get("party", "") if bound is not None else ""
    if not chosen:
        chosen = request.GET.get("party", "")[:20]
    party = selectors.named_party(ticket, chosen)
    panel: dict[str, Any] = {
        "can_record": True,
        "picker": forms.PartyForm(
            initial={"party": chosen},
            merchants=list(party.merchants),
            vendors=list(party.vendors),
        ),
    }
    if not party.kind:
        return panel
    form = bound or forms.OffenceForm(
        initial={"party": chosen},
        allowed=party.ladder.allowed,
        suggested=party.ladder.suggested,
    )
    panel.update(
        party=party.merchant or party.vendor,
        new_vendor=party.kind == selectors.NEW_VENDOR,
        ladder=party.ladder,
        form=form,
    )
    return panel


ENFORCEMENT = hooks.Panel(
    name="enforcement",
    template="shops/_enforcement_panel.html",
    context=enforcement_panel,
)
