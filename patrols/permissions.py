"""Who may move a daily log: predicates ``(log, user) -> bool`` named by the log's transitions,
so ``has_transition_perm`` shows only the buttons a user may press. Role *and* scope, like
``cases.permissions``."""

from typing import TYPE_CHECKING, Any

from accounts.scope import scope_of

if TYPE_CHECKING:
    from patrols.models import DailyLog


def writes_log(log: "DailyLog", user: Any) -> bool:
    """The officer whose log it is."""
    return scope_of(user).is_the_officer(log.officer_id)


def reviews_log(log: "DailyLog", user: Any) -> bool:
    """A supervisor of the officer's brigade, or the command centre."""
    return scope_of(user).supervises(log.brigade_id)
