"""The governance panel on the ticket page (registered with ``cases.hooks`` from
``CommandConfig.ready``): on a governance task, the recurring tickets it answers for; on one of
those, the task that took it on. One query either way."""

from typing import Any

from django.forms import BaseForm
from django.http import HttpRequest

from cases import hooks
from cases.models import Source, Ticket
from cases.selectors import tickets_visible_to
from command.models import GovernanceTask


def governance_panel(
    request: HttpRequest, ticket: Ticket, bound: BaseForm | None
) -> dict[str, Any] | None:
    """Shown to whoever may see the ticket; the linked tickets listed are those they may see."""
    if ticket.source == Source.GOVERNANCE:
        linked = list(
            tickets_visible_to(request.user)
            .filter(governance_tasks__ticket=ticket)
            .select_related("category")
            .order_by("reported_at", "id")
        )
        return {"linked": linked} if linked else None
    tasks = list(
        GovernanceTask.objects.filter(recurring=ticket)
        .select_related("ticket")
        .order_by("-opened_at")
    )
    return {"tasks": tasks} if tasks else None


GOVERNANCE = hooks.Panel(
    name="governance",
    template="command/_governance_panel.html",
    context=governance_panel,
)
