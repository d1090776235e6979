"""The clocks on the steps around the disposal (GB/T 30428's time limits on every step):

- **受理/立案** (``register``): from the report to its registration or rejection;
- **派遣** (``dispatch``): from registration (or a return, or a reopening) to the dispatch, the
  referral, the enforcement case or a rejection;
- **核查** (``verify``): from the report of the fix to the verification, passed or failed.

Each counts working time only (``citymgmt.workcalendar``: the official calendar, holidays off,
make-up days on), urgent tickets too: these are the command centre's desk steps, not work in the
street. The limit is the category's (``Category.register_minutes`` …, minutes of working time),
by default ``DEFAULT_MINUTES``: one working hour to register and one to dispatch (the usual
rule of city 数字城管 regulations, e.g. Fuzhou's "核实确认、立案派遣 ≤ 1 个工作小时"), two to
verify (the check may need a walk to the site).

The transition that starts a step stores its clock on the ticket (``<step>_warn_at`` at 80% of
the time, ``<step>_due_at``) and the one that ends it stores when (``<step>_done_at``); a step
run again (a return, a reopening, a second fix after rework) gets a fresh clock, as the disposal
deadline does. The reminder scan (``notifications.reminders``), the queue's colours and the
assessment's 按时立案率/按时派遣率/按时核查率 read these fields.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import deadlines
from cases.states import State

if TYPE_CHECKING:
    from cases.models import Category, Ticket


class Step(models.TextChoices):
    REGISTER = "register", _("Registration")
    DISPATCH = "dispatch", _("Dispatch")
    VERIFY = "verify", _("Verification")


# Minutes of working time a category allows each step unless an assessor set its own.
DEFAULT_MINUTES: dict[str, int] = {Step.REGISTER: 60, Step.DISPATCH: 60, Step.VERIFY: 120}

# The state a ticket waits in while the step's clock runs.
STEP_STATE: dict[str, str] = {
    Step.REGISTER: State.REPORTED,
    Step.DISPATCH: State.REGISTERED,
    Step.VERIFY: State.RESOLVED,
}
STATE_STEP: dict[str, str] = {state: step for step, state in STEP_STATE.items()}


def warn_field(step: str) -> str:
    return f"{step}_warn_at"


def due_field(step: str) -> str:
    return f"{step}_due_at"


def done_field(step: str) -> str:
    return f"{step}_done_at"


def step_fields(step: str) -> tuple[str, str, str]:
    """The ticket's fields of one step: when it turns yellow, when it is due, when it ended."""
    return warn_field(step), due_field(step), done_field(step)


def limit_minutes(category: "Category", step: str) -> int:
    """The category's limit for the step, in minutes of working time."""
    return getattr(category, f"{step}_minutes", None) or DEFAULT_MINUTES[step]


def start(category: "Category", step: str, at: datetime.datetime) -> deadlines.Clock:
    """The step's clock started at ``at`` under the category's limit (working time)."""
    return deadlines.start_clock(at, limit_minutes(category, step), natural=False)


@dataclass(frozen=True)
class RunningClock:
    """The clock of the step a ticket waits in now."""

    step: str
    warn_at: datetime.datetime | None
    due_at: datetime.datetime

    @property
    def label(self) -> str:
        return str(Step(self.step).label)


def current(ticket: "Ticket") -> RunningClock | None:
    """The running step clock of a ticket waiting to be registered, dispatched or verified;
    None in any other state or when the step was started without a clock (older tickets)."""
    step = STATE_STEP.get(ticket.state)
    if step is None:
        return None
    due_at = getattr(ticket, due_field(step))
    if due_at is None:
        return None
    return RunningClock(step=step, warn_at=getattr(ticket, warn_field(step)), due_at=due_at)


@dataclass(frozen=True)
class StepRecord:
    """One step of a ticket as its page shows it: when due, when done, and whether in time."""

    step: str
    label: str
    due_at: datetime.datetime
    done_at: datetime.datetime | None

    @property
    def late(self) -> bool | None:
        return None if self.done_at is None else self.done_at > self.due_at


def records(ticket: "Ticket") -> list[StepRecord]:
    """The ticket's step clocks that were ever started, in workflow order."""
    out = []
    for step in Step:
        _warn, due, done = step_fields(step)
        due_at = getattr(ticket, due)
        if due_at is not None:
            out.append(StepRecord(step, str(step.label), due_at, getattr(ticket, done)))
    return out
