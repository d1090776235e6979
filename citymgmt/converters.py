"""URL converters: a part of a URL that cannot name anything is a 404 before any query."""

from django.urls import register_converter


class _Converter:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TicketNumberConverter(_Converter):
    """XZ20261121-0042: anything else is not a ticket."""

    regex = r"XZ\d{8}-\d{4,6}"


class PlainTextConverter(_Converter):
    """A code or badge number as typed, minus control characters: PostgreSQL refuses NUL in
    text, so ``%00`` must be a 404, not a 500."""

    regex = r"[^/\x00-\x1f\x7f]+"


register_converter(TicketNumberConverter, "ticket")
register_converter(PlainTextConverter, "text")
