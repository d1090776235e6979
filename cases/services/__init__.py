"""Every write that matters to a ticket, one function per thing a person does to it, gathered
here so callers say ``services.dispatch_ticket`` whichever file it lives in:

- ``steps``: the transitions of a ticket that exists (register … reopen), the row lock, the
  conflict, and the machinery they share;
- ``intake``: new tickets (a report, a patrol finding, an on-site fix);
- ``bulk``: several tickets at once from the queue;
- ``field_check``: the check of a resolved ticket sent to an officer who does it on site.

The audit row every one of them writes is ``cases.audit.record_event``'s.
"""

from cases.services.bulk import BulkResult, bulk_dispatch, bulk_refer, bulk_register
from cases.services.field_check import check_on_site, send_for_field_check
from cases.services.intake import create_on_site_ticket, create_ticket, file_patrol_finding
from cases.services.steps import (
    TicketConflict,
    accept_ticket,
    conclude_enforcement,
    decide_extension,
    dispatch_ticket,
    enforce_ticket,
    may_attempt,
    refer_ticket,
    register_ticket,
    reject_ticket,
    reopen_ticket,
    request_extension,
    resolve_ticket,
    return_ticket,
    start_ticket,
    verify_ticket,
)

__all__ = [
    "BulkResult",
    "TicketConflict",
    "accept_ticket",
    "bulk_dispatch",
    "bulk_refer",
    "bulk_register",
    "check_on_site",
    "conclude_enforcement",
    "create_on_site_ticket",
    "create_ticket",
    "decide_extension",
    "dispatch_ticket",
    "enforce_ticket",
    "file_patrol_finding",
    "may_attempt",
    "refer_ticket",
    "register_ticket",
    "reject_ticket",
    "reopen_ticket",
    "request_extension",
    "resolve_ticket",
    "return_ticket",
    "send_for_field_check",
    "start_ticket",
    "verify_ticket",
]
