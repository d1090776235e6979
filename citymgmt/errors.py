"""Errors the infrastructure knows how to answer, which the domain subclasses."""


class StaleWrite(Exception):
    """Someone else changed the thing since the user looked at it: a 409 in the API, a refreshed
    page with ``message`` on the web. ``cases.services.TicketConflict`` is one."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
