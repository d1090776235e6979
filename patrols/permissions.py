"""Who may move a daily log: predicates ``(log, user) -> bool`` named by the log's transitions,
so ``has_transition_perm`` shows only the buttons a user may press. Role *and* scope, like
``cases.permissions``."""

from typing import TYPE_CHECKING, Any

from cases.permissions import officer_id_of, supervised_brigade_id

if TYPE_CHECKING:
    from patrols.models import DailyLog


def writes_log(log: "DailyLog", user: Any) -> bool:
    """The officer whose log it is."""
    officer_id = officer_id_of(user)
    return officer_id is not None and officer_id == log.officer_id


def reviews_log(log: "DailyLog", user: Any) -> bool:
    """A supervisor of the officer's brigade, or the command centre."""
    scope = supervised_brigade_id(user)
    return scope is True or (scope is not None and scope == log.brigade_id)
