"""Free text from the outside world (the public form, the REST API, Open311 clients).

C0 control characters other than tab, line feed and carriage return are never part of what a
person means to write, and XML 1.0 cannot carry them at all: one such character in a
description would break every XML answer that lists the ticket. They are refused on input
(``no_control_characters``) and, for rows stored before that, dropped on XML output
(``xml_safe``).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls except \t \n \r (NUL is refused by Django's CharField already; kept for models).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Everything XML 1.0 does not allow in a document (its "Char" production, inverted).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@deconstructible
class NoControlCharacters:
    message = _("Remove the control characters (invisible characters that cannot be stored).")
    code = "control_characters"

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)


no_control_characters = NoControlCharacters()


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML 1.0 document cannot contain."""
    return _NOT_XML.sub("", text)


_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(value: object) -> bool:
    """Whether ``value`` is a string of ASCII digits 0-9 only. ``str.isdigit()`` also accepts
    "²" and other digits ``int()`` refuses (and ``int()`` accepts digits of other scripts)."""
    return isinstance(value, str) and _ASCII_DIGITS.fullmatch(value) is not None


def as_id(value: object) -> int | None:
    """A database id typed or posted by someone: the int for 1 to 18 ASCII digits (within a
    bigint column's range), else None."""
    if ascii_digits(value) and len(value) <= 18:  # type: ignore[arg-type]
        return int(value)  # type: ignore[arg-type]
    return None
