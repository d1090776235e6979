"""Demo casework: about 2,000 tickets over the last 90 days of the demo city, with their trail.

Each ticket's story is planned in memory from one seeded generator (planner), drawing on the
seeded city (city) and the texts in data/demo_texts.json (texts): who found or reported it,
where, what it was, and how it went, each step a plausible time after the one before. The story
is then cut at ``now`` (story): what had not happened yet did not happen, so old tickets are
closed or rejected and recent ones stand somewhere along the way; a few recent ones are held up
at one step (a backlog), which is also how some clocks run out. Then everything is bulk-created
at once, here.

Demo history is written into an empty casebook only: once any ticket exists (demo or live),
the step creates nothing, so running it twice adds nothing and never clashes with live numbers.
"""

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases.categories import link_default_units
from cases.models import CLOCK_STATES, Action, DailySequence, State, Ticket, TicketEvent
from cases.numbers import PREFIX
from demo.cases.city import City
from demo.cases.planner import Planner
from demo.cases.story import Step, Story, hold_backlog
from demo.grids import Writer

__all__ = ["seed_tickets", "ticket_counts"]

BATCH = 500


def ticket_counts() -> dict[str, int]:
    return {"tickets": Ticket.objects.count(), "ticket_events": TicketEvent.objects.count()}


def seed_tickets(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Create the demo casework if the casebook is empty (else nothing), in one transaction.

    Returns ``{"counts": totals in the database, "created": rows created by this run}``.
    """

    def say(msg: str) -> None:
        if stdout is not None:
            stdout.write(msg + "\n")

    created = {"tickets": 0, "ticket_events": 0}
    with transaction.atomic():
        link_default_units()
        if Ticket.objects.exists():
            say("  tickets: the casebook is not empty, nothing created")
            return {"counts": ticket_counts(), "created": created}
        city = City()
        if not city.cells or not city.postings or not city.categories:
            say("  tickets: no city, postings or categories to file tickets against")
            return {"counts": ticket_counts(), "created": created}
        now = timezone.now()
        planner = Planner(city, now)
        stories = planner.plan()
        hold_backlog(stories, now, planner.rng)
        stories = [s for s in stories if s.kept]
        stories.sort(key=lambda s: s.reported_at)

        per_day: Counter[dt.date] = Counter()
        tickets = []
        for story in stories:
            day = timezone.localdate(story.reported_at)
            per_day[day] += 1
            story.ticket = _ticket(story, f"{PREFIX}{day:%Y%m%d}-{per_day[day]:04d}", now)
            tickets.append(story.ticket)
        Ticket.objects.bulk_create(tickets, batch_size=BATCH)

        duplicates = [s for s in stories if s.duplicate_of and s.state == State.REJECTED]
        for story in duplicates:
            _link_duplicate(story)
        Ticket.objects.bulk_update(
            [s.ticket for s in duplicates], ["duplicate_of"], batch_size=BATCH
        )

        # A seeded history is inserted in bulk, not through ``cases.audit.record_event``: these
        # events happened before the demo began, nobody is to be notified of them.
        events = [event for story in stories for event in _events(story)]
        TicketEvent.objects.bulk_create(events, batch_size=BATCH)
        _write_sequences(per_day)
        created = {"tickets": len(tickets), "ticket_events": len(events)}
        say(f"  tickets: {len(tickets)} tickets, {len(events)} events created")
    return {"counts": ticket_counts(), "created": created}


def _ticket(story: Story, number: str, now: dt.datetime) -> Ticket:
    values = dict(story.fields)
    for step in story.kept:
        values.update(step.sets)
    state = story.state
    # As the services and the reminder scan keep it: set by a late fix or a clock run out while
    # open, kept through rework and closure, cleared only when the ticket is handed back.
    overdue = False
    for step in story.kept:
        overdue = (overdue and step.action != Action.RETURN) or step.data.get("late", False)
    deadline = values.get("deadline")
    values["overdue"] = overdue or (
        state in CLOCK_STATES and deadline is not None and deadline < now
    )
    if story.rating is not None and state == State.CLOSED and story.rating[2] <= now:
        values["satisfaction"], values["satisfaction_comment"], values["rated_at"] = story.rating
    return Ticket(number=number, state=state, **values)


def _link_duplicate(story: Story) -> None:
    """Point a rejected duplicate at its original, and note it on the original's timeline."""
    original = story.duplicate_of
    rejected = story.kept[-1]
    story.ticket.duplicate_of = original.ticket
    rejected.data["duplicate_of"] = original.ticket.number
    before = [step for step in original.kept if step.at <= rejected.at]
    state = before[-1].to_state
    linked = Step(
        Action.DUPLICATE_LINKED,
        state,
        state,
        rejected.at,
        rejected.actor_id,
        data={"duplicate": story.ticket.number},
    )
    original.kept.insert(len(before), linked)


def _events(story: Story) -> list[TicketEvent]:
    return [
        TicketEvent(
            ticket_id=story.ticket.pk,
            actor_id=step.actor_id,
            action=step.action,
            from_state=step.from_state,
            to_state=step.to_state,
            public_note=step.public_note,
            internal_note=step.internal_note,
            data=step.data,
            created_at=step.at,
        )
        for step in story.kept
    ]


def _write_sequences(per_day: Counter[dt.date]) -> None:
    """Record each day's last number, so numbers issued live later that day continue from it."""
    existing = dict(DailySequence.objects.filter(day__in=list(per_day)).values_list("day", "last"))
    raise_to = [
        DailySequence(day=day, last=last)
        for day, last in per_day.items()
        if day in existing and existing[day] < last
    ]
    DailySequence.objects.bulk_update(raise_to, ["last"], batch_size=BATCH)
    DailySequence.objects.bulk_create(
        [DailySequence(day=day, last=last) for day, last in per_day.items() if day not in existing],
        batch_size=BATCH,
    )
