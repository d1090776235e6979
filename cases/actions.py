"""The actions on the ticket page: for each, the transition that gates the button
(``has_transition_perm``), the form it shows, and the service its data goes to.

A service is always called with ``actor``, ``ticket_id`` and ``expected_state`` (the state the
user saw); ``args`` turns the form's cleaned data into the service's other arguments.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_fsm import has_transition_perm

from accounts.models import User
from cases import forms, selectors, services
from cases.models import Ticket


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: Any
    transition: str
    form_class: type
    service: Callable[..., Any]
    args: Callable[[dict], dict]
    style: str = "primary"
    multipart: bool = False

    def perform(self, ticket: Ticket, user: User, data: dict) -> Any:
        return self.service(
            actor=user,
            ticket_id=ticket.pk,
            expected_state=data["expected_state"],
            **self.args(data),
        )


def _note(data: dict) -> dict:
    return {"note": data["note"]}


def _reason(data: dict) -> dict:
    return {"reason": data["reason"]}


def _officer(data: dict) -> dict:
    return {"officer_id": data["officer"].pk, "note": data["note"]}


def _note_and_photos(data: dict) -> dict:
    return {"note": data["note"], "photos": data["photos"]}


ACTIONS: list[ActionSpec] = [
    ActionSpec(
        "register", _("Register"), "register", forms.RegisterForm, services.register_ticket,
        lambda d: {"note": d["note"], "category": d["category"], "priority": d["priority"]},
    ),
    ActionSpec(
        "dispatch", _("Dispatch to an officer"), "dispatch", forms.OfficerChoiceForm,
        services.dispatch_ticket, _officer,
    ),
    ActionSpec(
        "refer", _("Refer to the responsible unit"), "refer", forms.ReferForm,
        services.refer_ticket,
        lambda d: {
            "unit_id": d["unit"].pk,
            "person": d["person"],
            "deadline": d["deadline"],
            "note": d["note"],
        },
        style="outline-primary",
    ),
    ActionSpec(
        "enforce", _("Open an enforcement case"), "enforce", forms.OfficerChoiceForm,
        services.enforce_ticket, _officer, style="outline-danger",
    ),
    ActionSpec("accept", _("Accept"), "accept", forms.NoteForm, services.accept_ticket, _note),
    ActionSpec("start", _("Start work"), "start", forms.NoteForm, services.start_ticket, _note),
    ActionSpec(
        "resolve", _("Report fixed"), "resolve", forms.ResolveForm, services.resolve_ticket,
        _note_and_photos, style="success", multipart=True,
    ),
    ActionSpec(
        "conclude", _("Conclude enforcement"), "conclude", forms.ConcludeForm,
        services.conclude_enforcement, _note_and_photos, style="success", multipart=True,
    ),
    ActionSpec(
        "verify", _("Verify the fix"), "verify_pass", forms.VerifyForm, services.verify_ticket,
        lambda d: {"passed": d["result"] == "pass", "note": d["note"]},
        style="success",
    ),
    ActionSpec(
        "field_check_send", _("Send the check on site"), "send_for_field_check",
        forms.FieldCheckerForm, services.send_for_field_check, _officer,
        style="outline-success",
    ),
    ActionSpec(
        "field_check", _("Check on site"), "field_check_pass", forms.OnSiteCheckForm,
        services.check_on_site,
        lambda d: {
            "passed": d["result"] == "pass",
            "note": d["note"],
            "lat": d["lat"],
            "lng": d["lng"],
            "photos": d["photos"],
        },
        style="success", multipart=True,
    ),
    ActionSpec(
        "extend", _("Ask for more time"), "request_extension", forms.ExtensionRequestForm,
        services.request_extension,
        lambda d: {"extra_hours": d["extra_hours"], "reason": d["reason"]},
        style="outline-secondary",
    ),
    ActionSpec(
        "decide_extension", _("Decide the extension request"), "decide_extension",
        forms.ExtensionDecisionForm, services.decide_extension,
        lambda d: {"approve": d["decision"] == "approve", "note": d["note"]},
        style="warning",
    ),
    ActionSpec(
        "return", _("Return (not ours)"), "send_back", forms.ReasonForm, services.return_ticket,
        _reason, style="outline-secondary",
    ),
    ActionSpec(
        "reject", _("Reject"), "reject", forms.RejectForm, services.reject_ticket,
        lambda d: {
            "reason": d["reason"],
            "note": d["note"],
            "duplicate_of_number": d["duplicate_of"],
        },
        style="outline-danger",
    ),
    ActionSpec(
        "reopen", _("Reopen"), "reopen", forms.ReasonForm, services.reopen_ticket, _reason,
        style="outline-warning",
    ),
]  # fmt: skip
ACTIONS_BY_NAME = {spec.name: spec for spec in ACTIONS}


def form_kwargs(spec: ActionSpec, ticket: Ticket) -> dict:
    """The choice lists an action's form needs, scoped to the ticket."""
    if spec.form_class is forms.FieldCheckerForm:
        return {"officers": selectors.field_checkers(ticket)}
    if spec.form_class is forms.OfficerChoiceForm:
        return {"officers": selectors.suggested_officers(ticket)}
    if spec.form_class is forms.ReferForm:
        return {"units": selectors.referral_units()}
    return {}


def initial(spec: ActionSpec, ticket: Ticket) -> dict:
    """What an action's form starts with: the state seen, and sensible defaults."""
    values: dict[str, Any] = {"expected_state": ticket.state}
    if spec.name == "register":
        values.update(category=ticket.category_id, priority=ticket.priority)
    elif spec.name == "refer":
        unit = selectors.suggested_unit(ticket)
        values["unit"] = unit.pk if unit else None
    elif spec.name == "field_check_send" and ticket.field_checker_id:
        values["officer"] = ticket.field_checker_id
    elif spec.name in ("dispatch", "enforce") and ticket.assignee_id:
        values["officer"] = ticket.assignee_id
    return values


def available_actions(ticket: Ticket, user: User) -> list[ActionSpec]:
    """The actions this user may take on the ticket now."""
    return [spec for spec in ACTIONS if has_transition_perm(getattr(ticket, spec.transition), user)]
