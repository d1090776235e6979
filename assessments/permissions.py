"""Who may do what with the monthly assessment."""

from typing import Any

from accounts.roles import Role, has_role


def can_run_assessments(user: Any) -> bool:
    """Assessors start, re-run and publish runs, keep schemes and surveys, and export."""
    return bool(getattr(user, "is_authenticated", False)) and has_role(user, Role.ASSESSOR)
