"""A ticket's story as planned, and how it is cut at ``now``.

What had not happened by ``now`` did not happen. A few recent stories are held up at one open
state (the backlog a queue shows), which is also how some clocks run out.
"""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cases.models import CLOCK_STATES, OPEN_STATES, Action, State, Ticket

# Recent tickets may be held up at some step, the backlog a queue shows: a share of today's,
# falling to none of those BACKLOG_DAYS old.
BACKLOG_DAYS = 14
BACKLOG_SHARE = 0.7
# Every open state is guaranteed at least this many tickets, whatever the hour of seeding.
MIN_PER_OPEN_STATE = 4


@dataclass
class Step:
    """One event of a story, with the ticket fields it sets."""

    action: str
    from_state: str
    to_state: str
    at: dt.datetime
    actor_id: int | None
    public_note: str = ""
    internal_note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    """A ticket as planned: its fixed fields and everything that would happen to it."""

    fields: dict[str, Any]
    steps: list[Step]
    duplicate_of: "Story | None" = None
    rating: tuple[int, str, dt.datetime] | None = None
    hold: str | None = None  # held up once it reaches this state
    kept: list[Step] = field(default_factory=list)
    ticket: Ticket | None = None

    @property
    def reported_at(self) -> dt.datetime:
        return self.fields["reported_at"]

    @property
    def state(self) -> str:
        return self.kept[-1].to_state


def _cut(story: Story, now: dt.datetime, hold: str | None) -> list[Step]:
    """The steps that have happened by ``now``, stopping once the ticket reaches ``hold``."""
    kept = []
    for step in story.steps:
        if step.at > now:
            break
        kept.append(step)
        if hold is not None and step.to_state == hold and step.from_state != hold:
            break
    return kept


def hold_backlog(stories: list[Story], now: dt.datetime, rng: random.Random) -> None:
    """Cut every story at ``now``; hold some recent ones up at an open state (more of the
    newest), then hold more if needed so that every open state shows, whatever the hour."""
    for story in stories:
        story.kept = _cut(story, now, None)
        age = now - story.reported_at
        if rng.random() >= BACKLOG_SHARE * (1 - age / dt.timedelta(days=BACKLOG_DAYS)):
            continue
        if states := _holdable(story, age):
            story.hold = rng.choice(states)
            story.kept = _cut(story, now, story.hold)

    present = Counter(story.state for story in stories)
    recent_first = sorted(stories, key=lambda s: s.reported_at, reverse=True)
    for state in OPEN_STATES:
        for story in recent_first:
            if present[state] >= MIN_PER_OPEN_STATE:
                break
            if (
                story.hold is None
                and story.state != state
                and state in _holdable(story, now - story.reported_at)
            ):
                present[story.state] -= 1
                story.hold = state
                story.kept = _cut(story, now, state)
                present[story.state] += 1


def _holdable(story: Story, age: dt.timedelta) -> list[str]:
    """Open states the story passes through by now that a ticket of its age may be stuck in."""
    if any(step.action == Action.ON_SITE for step in story.steps):
        return []  # fixed within minutes of being found
    passed = [
        s.to_state
        for s in story.kept[1:]
        if s.to_state in OPEN_STATES and s.to_state != s.from_state
    ]
    states = [State.REPORTED, *passed] if age < dt.timedelta(days=3) else passed
    if age >= dt.timedelta(days=5):
        states = [s for s in states if s != State.REGISTERED]
    if age >= dt.timedelta(days=4):
        # Most deadlines are hours: a ticket stuck with a running clock for days would make the
        # demo queue mostly overdue, where a real one is mostly on time.
        states = [s for s in states if s not in CLOCK_STATES]
    return list(dict.fromkeys(states))
