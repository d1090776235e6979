"""An order's attachments (photos the caller sent): each is a URL the platform serves or the
file itself in base64, and each passes the same checks as any uploaded photo
(``cases.photos``: type by content, size, pixels, EXIF stripped). One that fails is left out
and named in the answer and on the ticket's first event; the order is filed all the same."""

import base64
import binascii
import urllib.error
import urllib.request
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from cases.photos import check_photo
from citymgmt.images import MAX_BYTES, ProcessedImage

MAX_ATTACHMENTS = 6
FETCH_TIMEOUT = 10  # seconds


def _fetch(url: str) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise ValidationError(_("Only http:// and https:// links are fetched."))
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:  # the platform's
            content = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ValidationError(_("Could not fetch it: %(error)s") % {"error": error}) from None
    return content


def _content(item: dict[str, Any]) -> tuple[str, bytes]:
    name = str(item.get("name") or "attachment")[:100]
    if item.get("url"):
        return name, _fetch(str(item["url"]))
    if item.get("content"):
        try:
            return name, base64.b64decode(str(item["content"]), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(_("The content is not base64.")) from None
    raise ValidationError(_("Give a url or the content in base64."))


def read_attachments(items: list[dict[str, Any]]) -> tuple[list[ProcessedImage], list[dict]]:
    """The photos that passed, and ``{"index", "detail"}`` for each that did not."""
    photos: list[ProcessedImage] = []
    refused: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if index >= MAX_ATTACHMENTS:
            refused.append(
                {"index": index, "detail": _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}}
            )
            continue
        try:
            name, content = _content(item)
            photos.append(check_photo(SimpleUploadedFile(name, content)))
        except ValidationError as error:
            refused.append({"index": index, "detail": " ".join(error.messages)})
    return photos, refused
