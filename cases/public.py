"""What of a ticket the public may know: its tracking code, and which steps and photos a
reporter (or someone following their report) may read. The residents' pages, Open311 and the
erasure page all answer by these lists."""

import re

from cases.models import Action, PhotoKind

CODE_LENGTH = 16  # the column's width; a longer input is cut, never rejected early


_NOT_CODE = re.compile(r"[^0-9A-Za-z]")


# The steps a resident sees. Returns, extension requests, comments and the graduated
# enforcement steps against a named party are staff business.
PUBLIC_ACTIONS = (
    Action.CREATE,
    Action.ON_SITE,
    Action.REGISTER,
    Action.REJECT,
    Action.DISPATCH,
    Action.REFER,
    Action.ENFORCE,
    Action.ACCEPT,
    Action.START,
    Action.RESOLVE,
    Action.CONCLUDE,
    Action.VERIFY_PASS,
    Action.VERIFY_FAIL,
    Action.REOPEN,
    Action.DUPLICATE_LINKED,
    Action.RATE,
    Action.REOPEN_REQUEST,
    Action.REOPEN_DECLINE,
)


# Someone following another person's report sees how it is handled, not what that person said.
FOLLOWER_HIDDEN_ACTIONS = (Action.RATE, Action.REOPEN_REQUEST, Action.REOPEN_DECLINE)


# What anyone may read about a ticket that is not theirs: a follower's tracking page and the
# Open311 answers (their ``status_notes``) show these steps' public notes and nothing else.
SHARED_ACTIONS = tuple(a for a in PUBLIC_ACTIONS if a not in FOLLOWER_HIDDEN_ACTIONS)


# Photos: the reporter's own, and the officers' before/after. Enforcement evidence is not public.
OWN_PHOTO_KINDS = (PhotoKind.REPORT, PhotoKind.BEFORE, PhotoKind.AFTER)


FOLLOWER_PHOTO_KINDS = (PhotoKind.BEFORE, PhotoKind.AFTER)


def normalize_code(raw: str) -> str:
    """Codes are read out by phone and typed by hand: case, spaces and dashes do not matter
    (nor anything else that cannot be part of a code, so any input is a valid URL part)."""
    return _NOT_CODE.sub("", raw).upper()[:CODE_LENGTH]
