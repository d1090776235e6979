"""Errors the infrastructure knows how to answer, which the domain subclasses."""


class StaleWrite(Exception):
    """Someone else changed the thing since the user looked at it: a 409 in the API, a refreshed
    page with ``message`` on the web. ``cases.services.TicketConflict`` is one. The API answers
    ``api_message`` (the web's message speaks of a refreshed page), ``message`` if none is given."""

    def __init__(self, message: str, api_message: str | None = None) -> None:
        self.message = message
        self.api_message = api_message or message
        super().__init__(message)
