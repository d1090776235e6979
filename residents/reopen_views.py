"""The supervisors' side of a dissatisfied rating: the list of reopen requests and the answer
(reopen the ticket, or decline with a reason the reporter reads)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from cases import selectors
from residents import services as resident_services
from residents.forms import ReopenDecisionForm


@role_required(Role.SUPERVISOR)
def reopen_requests(request: HttpRequest) -> HttpResponse:
    pending = list(selectors.pending_reopen_requests(request.user)[:100])
    rows = [(item, ReopenDecisionForm(prefix=f"r{item.pk}")) for item in pending]
    return render(request, "cases/reopen_requests.html", {"rows": rows})


@role_required(Role.SUPERVISOR)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReopenDecisionForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("residents:reopen_requests")
    reopen = form.cleaned_data["decision"] == "reopen"
    try:
        answered = resident_services.decide_reopen_request(
            actor=request.user, request_id=pk, reopen=reopen, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("residents:reopen_requests")
    number = answered.ticket.number
    if reopen:
        messages.success(request, _("Ticket %(number)s reopened.") % {"number": number})
        return redirect(answered.ticket)
    messages.success(request, _("Reopen request for %(number)s declined.") % {"number": number})
    return redirect("residents:reopen_requests")
