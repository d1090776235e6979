"""What of a ticket the public may know: its tracking code, and which steps and photos a
reporter (or someone following their report) may read. The residents' pages, Open311 and the
erasure page all answer by these lists."""

import re

from django.db.models import QuerySet

from cases.models import Action, PhotoKind, Source, Ticket

CODE_LENGTH = 16  # the column's width; a longer input is cut, never rejected early


_NOT_CODE = re.compile(r"[^0-9A-Za-z]")


# Tickets filed by the public: the complaint form and Open311 clients. Only these may be shown to
# anyone (Open311, the form's "same problem nearby?" offer): hotline and other staff intakes can
# carry a caller's details, and patrol and enforcement tickets are the bureau's own work. Staff
# filing through the REST API give the intake's real source, never ``api``.
PUBLIC_SOURCES = (Source.RESIDENT, Source.API)


def public_tickets() -> QuerySet[Ticket]:
    """The tickets the public may be told about: those the public filed."""
    return Ticket.objects.filter(source__in=PUBLIC_SOURCES)


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
