"""Each ticket-count indicator of DESIGN §8 defined once, as a ticket filter of the month.

A definition says which tickets make its denominator (``den``), which of those also make its
numerator (``num``), and which ticket field names the subject it belongs to (``group``). The
engine (``assessments.engine``) counts them in SQL for every subject at once, grouping by that
field; the pages list "the tickets behind" a number with ``tickets_behind``, which applies the
very same filters to one subject. Indicators that are not ticket counts (daily logs, surveys)
have no definition here.

Decisions the bureau argued over, written down once:

- **Valid reports (有效上报率)**, as DESIGN §8 says: a ticket the officer found on patrol is
  valid unless it was rejected as invalid or as a duplicate. One rejected as out of scope
  *is* valid: the officer reported a real problem, it just was not urban management's.
  Reports still waiting to be registered count as valid: nobody has said otherwise yet. The
  state is the one at run time.
- **On time (按期处置率)**: due in the month = the deadline falls in the month; on time =
  ``resolved_at`` at or before the deadline. A ticket sent back for rework has no
  ``resolved_at`` until it is resolved again, so rework that misses the deadline is late.
- **Closed on time (按期结案率, regions)**: due in the month as above; counted when the ticket
  is closed (verified) at run time *and* its disposal was done by the deadline
  (``resolved_at`` ≤ deadline). The deadline is the disposal deadline, so the verification may
  come after it; a ticket resolved in time but still awaiting verification is not counted.
- **The desk steps (按时立案率, 按时派遣率, 按时核查率, GB/T 30428.4)**: the clocks of
  ``cases.step_clocks``. Due in the month = the step's due time falls in the month; on time =
  the step was taken (``<step>_done_at``: registered or rejected; dispatched, referred, put to
  enforcement or rejected; verified, passed or failed) at or before it. A step still waiting
  past its due time is late. A step run again (a return, a reopening, a second check after
  rework) counts its latest clock, as the disposal deadline does. They belong to the ticket's
  brigade (whose supervisors take the steps) and, city-wide, to the command centre
  (``Run.totals``).
- **Grids (漏报率, 热线投诉数)**: a ticket is in an officer's grids when its unit grid was one of
  the grids of an ``Assignment`` of theirs valid on the ticket's reported day (local time):
  a posting that ended mid-month counts for its days only.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.models import RejectReason, Route, Source, State, Ticket
from cases.step_clocks import Step, done_field, due_field
from citymgmt.months import month_bounds

if TYPE_CHECKING:
    from assessments.models import Score

RESIDENT_SOURCES = (Source.RESIDENT, Source.HOTLINE)
GOOD_RATINGS = (4, 5)

# The subject's field on Ticket, per way of belonging to a subject.
FOUND_BY = "reporter__officer"
ASSIGNED_TO = "assignee"
IN_GRIDS_OF = "grid_cell__assignments__officer"
REFERRED_TO = "responsible_unit"
OF_BRIGADE = "brigade"
REGION_FIELD = {"community": "community", "street": "street", "district": "district"}


@dataclass(frozen=True)
class Window:
    """The month as aware local datetimes [start, end) and as dates [first, last]."""

    month: datetime.date
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def of(cls, month: datetime.date) -> "Window":
        start, end = month_bounds(month)
        return cls(month=start.date(), start=start, end=end)

    @property
    def first(self) -> datetime.date:
        return self.start.date()

    @property
    def last(self) -> datetime.date:
        return self.end.date() - datetime.timedelta(days=1)

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def assignment_valid_on_reported_day() -> Q:
    """The grid's posting was in force on the ticket's reported day (history, DESIGN §4)."""
    day = TruncDate("reported_at", tzinfo=timezone.get_current_timezone())
    return Q(grid_cell__assignments__valid_from__lte=day) & (
        Q(grid_cell__assignments__valid_to__isnull=True)
        | Q(grid_cell__assignments__valid_to__gte=day)
    )


@dataclass(frozen=True)
class TicketIndicator:
    """``den(window)``: the tickets counted below the line; ``num(window)``: the condition that
    puts one of them above the line too. ``group``: the Ticket field naming the subject."""

    code: str
    group: str
    den: Callable[[Window], Q]
    num: Callable[[Window], Q]
    # Extra condition tying the ticket to the subject through history (grids).
    link: Callable[[], Q] | None = None

    def den_q(self, window: Window) -> Q:
        return self.den(window)

    def num_q(self, window: Window) -> Q:
        return self.den(window) & self.num(window)


def _found(w: Window) -> Q:
    return Q(source=Source.PATROL) & w.within("reported_at")


def _due(w: Window) -> Q:
    return w.within("deadline")


def _by_deadline(w: Window) -> Q:
    return Q(resolved_at__isnull=False, resolved_at__lte=F("deadline"))


def _closed_by_deadline(w: Window) -> Q:
    return Q(state=State.CLOSED) & _by_deadline(w)


def _valid(w: Window) -> Q:
    # Out of scope is still a real problem found: only invalid and duplicate reports are not.
    return ~Q(state=State.REJECTED) | Q(reject_reason=RejectReason.OUT_OF_SCOPE)


def _resolved(w: Window) -> Q:
    return w.within("resolved_at")


def _rated(w: Window) -> Q:
    return w.within("rated_at")


def _registered(w: Window) -> Q:
    return w.within("registered_at")


def _hotline(w: Window) -> Q:
    return Q(source=Source.HOTLINE) & w.within("reported_at")


def _always(w: Window) -> Q:
    return Q()


OFFICER_INDICATORS: dict[str, TicketIndicator] = {
    i.code: i
    for i in (
        TicketIndicator("valid_reports", FOUND_BY, _found, _valid),
        TicketIndicator("on_site", FOUND_BY, _found, lambda w: Q(on_site=True)),
        TicketIndicator("on_time", ASSIGNED_TO, _due, _by_deadline),
        TicketIndicator("rework", ASSIGNED_TO, _resolved, lambda w: Q(rework_count__gt=0)),
        TicketIndicator(
            "satisfaction", ASSIGNED_TO, _rated, lambda w: Q(satisfaction__in=GOOD_RATINGS)
        ),
        TicketIndicator(
            "missed",
            IN_GRIDS_OF,
            _registered,
            lambda w: Q(source__in=RESIDENT_SOURCES),
            link=assignment_valid_on_reported_day,
        ),
        # Scored from the count by the scheme's table: both parts are the complaints.
        TicketIndicator(
            "hotline", IN_GRIDS_OF, _hotline, _always, link=assignment_valid_on_reported_day
        ),
    )
}

DEPARTMENT_INDICATORS: dict[str, TicketIndicator] = {
    i.code: i
    for i in (
        TicketIndicator(
            "closure",
            REFERRED_TO,
            lambda w: w.within("referred_at"),
            lambda w: Q(state=State.CLOSED),
        ),
        TicketIndicator("on_time", REFERRED_TO, _due, _by_deadline),
        TicketIndicator("rework", REFERRED_TO, _resolved, lambda w: Q(rework_count__gt=0)),
    )
}


def _step_due(step: str) -> Callable[[Window], Q]:
    return lambda w: w.within(due_field(step))


def _step_in_time(step: str) -> Callable[[Window], Q]:
    done, due = done_field(step), due_field(step)
    return lambda w: Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)})


# 按时立案率, 按时派遣率, 按时核查率: a brigade's (and, in the totals, the command centre's).
STEP_CODES = {
    Step.REGISTER: "on_time_register",
    Step.DISPATCH: "on_time_dispatch",
    Step.VERIFY: "on_time_verify",
}
STEP_INDICATORS: dict[str, TicketIndicator] = {
    code: TicketIndicator(code, OF_BRIGADE, _step_due(step), _step_in_time(step))
    for step, code in STEP_CODES.items()
}


def region_indicators(kind: str) -> dict[str, TicketIndicator]:
    """Cases per grid (its numerator; the grids are not tickets), 结案率 and 按期结案率 of a
    community, street or district."""
    field = REGION_FIELD[kind]
    return {
        "cases_per_grid": TicketIndicator("cases_per_grid", field, _registered, _always),
        "closure": TicketIndicator("closure", field, _registered, lambda w: Q(state=State.CLOSED)),
        "on_time_closure": TicketIndicator("on_time_closure", field, _due, _closed_by_deadline),
    }


def totals_filters(w: Window) -> dict[str, Q]:
    """The city totals of the month's overview (``Run.totals``), as ticket filters."""
    found = _found(w)
    resident = Q(source__in=RESIDENT_SOURCES) & w.within("reported_at")
    registered = _registered(w)
    return {
        "found": found,
        "fixed_on_site": found & Q(on_site=True),
        "resident_reports": resident,
        "resident_resolved": resident & Q(resolved_at__isnull=False),
        "rated": _rated(w),
        "rated_good": _rated(w) & Q(satisfaction__in=GOOD_RATINGS),
        "registered": registered,
        "closed": registered & Q(state=State.CLOSED),
        "due": _due(w),
        "due_on_time": _due(w) & _by_deadline(w),
        "split_on_site": registered & Q(on_site=True),
        "split_managed": registered & Q(route=Route.REFER),
        "split_enforced": registered & Q(route=Route.ENFORCE),
        # 源头治理: governance tasks opened from hotspots this month, and those cured at the
        # source (closed after verification) this month, whenever they were opened.
        "governance_opened": Q(source=Source.GOVERNANCE) & w.within("reported_at"),
        "governance_cured": Q(source=Source.GOVERNANCE, state=State.CLOSED) & w.within("closed_at"),
        **{
            name: condition
            for step in STEP_CODES
            for name, condition in (
                (f"{step}_due", _step_due(step)(w)),
                (f"{step}_due_in_time", _step_due(step)(w) & _step_in_time(step)(w)),
            )
        },
    }


def definitions_for(kind: str) -> dict[str, TicketIndicator]:
    if kind == "officer":
        return OFFICER_INDICATORS
    if kind == "brigade":
        return {**OFFICER_INDICATORS, **STEP_INDICATORS}
    if kind == "department":
        return DEPARTMENT_INDICATORS
    if kind in REGION_FIELD:
        return region_indicators(kind)
    return {}


def tickets_behind(score: "Score", code: str, part: str) -> QuerySet[Ticket] | None:
    """The tickets counted in ``score``'s indicator ``code``, numerator (``part="num"``) or
    denominator (``"den"``), by the same filters the engine aggregated.

    None when the indicator is not a count of tickets (daily logs, survey, the grids of cases
    per grid) or ``part``/``code`` is unknown. Not scoped to a viewer: the caller intersects it
    with what the viewer may see. Ticket states are today's, so a ticket rejected after the run
    moves out of a numerator; the run's stored figures do not change.
    """
    if part not in ("num", "den"):
        return None
    definition = definitions_for(score.kind).get(code)
    if definition is None or (code == "cases_per_grid" and part == "den"):
        return None
    window = Window.of(score.run.month)
    condition = definition.num_q(window) if part == "num" else definition.den_q(window)

    subject: Q
    if score.kind == "officer":
        subject = _subject_q(definition, [score.officer_id])
    elif score.kind == "brigade" and definition.group == OF_BRIGADE:
        subject = Q(brigade_id=score.unit_id)
    elif score.kind == "brigade":
        from assessments.models import Score as ScoreModel

        officers = ScoreModel.objects.filter(
            run_id=score.run_id, kind="officer", brigade_id=score.unit_id
        ).values("officer_id")
        subject = _subject_q(definition, officers)
    elif score.kind == "department":
        subject = Q(responsible_unit_id=score.unit_id)
    else:
        subject = Q(**{f"{REGION_FIELD[score.kind]}_id": getattr(score, f"{score.kind}_id")})
    if definition.link is not None:
        # One filter() call, so the grid's posting that names the officer is the one checked.
        subject &= definition.link()
    return (
        Ticket.objects.filter(subject)
        .filter(condition)
        .distinct()
        .select_related("category", "community", "assignee__user")
        .order_by("reported_at", "pk")
    )


def _subject_q(definition: TicketIndicator, officers: Iterable[int] | QuerySet) -> Q:
    return Q(**{f"{definition.group}__in": officers})
