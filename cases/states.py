"""The ticket's states (django-fsm-2 enumerations shared by the model, the queues and the
services)."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")
    REGISTERED = "registered", _("Registered")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    REFERRED = "referred", _("Referred")
    ENFORCEMENT = "enforcement", _("Enforcement")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATES = (
    State.REPORTED,
    State.REGISTERED,
    State.DISPATCHED,
    State.IN_PROGRESS,
    State.REFERRED,
    State.ENFORCEMENT,
    State.RESOLVED,
)
# States in which a deadline clock runs (set at dispatch, referral or enforcement).
CLOCK_STATES = (State.DISPATCHED, State.IN_PROGRESS, State.REFERRED, State.ENFORCEMENT)
# Finished work: nearly all of a city's casebook, and a ticket rarely enters or leaves it.
FINISHED_STATES = (State.CLOSED, State.REJECTED)


class RejectReason(models.TextChoices):
    INVALID = "invalid", _("Not a valid problem")
    DUPLICATE = "duplicate", _("Duplicate of another ticket")
    OUT_OF_SCOPE = "out_of_scope", _("Not urban management's business")
    WITHDRAWN = "withdrawn", _("Withdrawn by the platform that sent it")


class Route(models.TextChoices):
    """Which path a registered ticket took; rework after a failed check goes back the same way."""

    DISPATCH = "dispatch", _("Dispatched to an officer")
    REFER = "refer", _("Referred to a unit")
    ENFORCE = "enforce", _("Enforcement")


REOPEN_DAYS = 30
REOPEN_WINDOW = datetime.timedelta(days=REOPEN_DAYS)
