"""Two people acting on one ticket at the same instant, each in their own connection and
transaction: exactly one wins, the other gets a ``TicketConflict`` whose message names the
ticket, and the audit trail holds one event for the step (DESIGN §10).

These run on PostgreSQL only: SQLite serialises writers (and its in-memory test database is not
shared between threads), so there is no race to lose there.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from cases import services
from cases.categories import load_categories
from cases.models import Action, Category, State, Ticket, TicketEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent transactions with row locks (SQLite serialises "
        "writers and does not share its in-memory test database between threads)",
    ),
]


@pytest.fixture
def categories(db) -> None:
    """The categories the data migration loads. A transactional test that ran before this one
    flushed them away, so load them again (the flush after this test empties the table again)."""
    load_categories()


@pytest.fixture
def category(categories) -> Category:
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def enforceable_category(categories) -> Category:
    return Category.objects.get(kind="event", code="0504")


def race(*steps: Callable[[], object]) -> list[object]:
    """Run the steps at once, one thread and database connection each; return what each returned
    or raised, in order."""
    start = threading.Barrier(len(steps))
    outcomes: list[object] = [None] * len(steps)

    def run(index: int, step: Callable[[], object]) -> None:
        try:
            start.wait()
            outcomes[index] = step()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a transition never finished"
    return outcomes


def one_winner(outcomes: list[object], ticket: Ticket) -> int:
    """The index of the step that won; the others lost with a conflict that names the ticket."""
    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, Ticket)]
    losers = [o for o in outcomes if isinstance(o, services.TicketConflict)]
    assert len(winners) == 1, outcomes
    assert len(losers) == len(outcomes) - 1, outcomes
    for conflict in losers:
        assert ticket.number in conflict.message
    return winners[0]


@pytest.mark.parametrize("same_officer", [False, True], ids=["two_officers", "one_officer"])
def test_two_supervisors_dispatching_at_once_one_wins_and_the_other_is_told(
    make_ticket,
    supervisor_gulou,
    command_supervisor,
    officer_gulou,
    officer_gulou_colleague,
    same_officer,
):
    ticket = make_ticket(State.REGISTERED)
    officers = [officer_gulou, officer_gulou if same_officer else officer_gulou_colleague]
    supervisors = [supervisor_gulou, command_supervisor]

    def dispatcher(index: int) -> Callable[[], Ticket]:
        return lambda: services.dispatch_ticket(
            actor=supervisors[index],
            ticket_id=ticket.pk,
            officer_id=officers[index].officer.pk,
            note=f"派遣 {index}",
            expected_state=State.REGISTERED,
        )

    winner = one_winner(race(dispatcher(0), dispatcher(1)), ticket)

    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED
    assert ticket.assignee == officers[winner].officer
    (event,) = TicketEvent.objects.filter(ticket=ticket, action=Action.DISPATCH)
    assert (event.actor, event.public_note) == (supervisors[winner], f"派遣 {winner}")
    assert (event.from_state, event.to_state) == (State.REGISTERED, State.DISPATCHED)


def test_two_supervisors_verifying_at_once_one_pass_one_fail_one_wins(
    make_ticket, supervisor_gulou, command_supervisor, officer_gulou
):
    ticket = make_ticket(State.RESOLVED)

    def passes() -> Ticket:
        return services.verify_ticket(
            actor=supervisor_gulou,
            ticket_id=ticket.pk,
            passed=True,
            expected_state=State.RESOLVED,
        )

    def fails() -> Ticket:
        return services.verify_ticket(
            actor=command_supervisor,
            ticket_id=ticket.pk,
            passed=False,
            note="墙角仍有垃圾",
            expected_state=State.RESOLVED,
        )

    winner = one_winner(race(passes, fails), ticket)

    ticket.refresh_from_db()
    verifications = TicketEvent.objects.filter(
        ticket=ticket, action__in=[Action.VERIFY_PASS, Action.VERIFY_FAIL]
    )
    (event,) = verifications
    if winner == 0:
        assert (ticket.state, ticket.rework_count) == (State.CLOSED, 0)
        assert (event.action, event.actor) == (Action.VERIFY_PASS, supervisor_gulou)
    else:
        assert (ticket.state, ticket.rework_count) == (State.DISPATCHED, 1)
        assert ticket.assignee == officer_gulou.officer
        assert (event.action, event.actor) == (Action.VERIFY_FAIL, command_supervisor)
