"""The API's JSON parser: DRF's, refusing text no database can store."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

NON_FIELD = "non_field_errors"


def has_lone_surrogate(value: Any) -> bool:
    """Whether a string (or any string in a JSON value) holds a lone UTF-16 surrogate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing text no database can store: a lone UTF-16 surrogate
    (``"\\ud800"`` is valid JSON but not Unicode text) is a 400 on the field that carries it."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        message = _("Contains a character that is not valid text (a lone surrogate).")
        if isinstance(data, dict):
            bad = {
                (str(key).encode("utf-8", "replace").decode() or NON_FIELD): [message]
                for key, value in data.items()
                if has_lone_surrogate(key) or has_lone_surrogate(value)
            }
            if bad:
                raise exceptions.ValidationError(bad)
        elif has_lone_surrogate(data):
            raise exceptions.ValidationError({NON_FIELD: [message]})
        return data
