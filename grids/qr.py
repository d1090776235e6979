"""QR codes for notice boards and contact cards (segno; SVG for pages, PNG for print/download)."""

import io

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode


def public_url(request: HttpRequest, path: str) -> str:
    """An absolute URL for a printed code: SITE_URL when configured, else the request's host."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def report_url_for(request: HttpRequest, community_code: str) -> str:
    """The complaint form, pre-set to a community: what a resident's phone opens from the board."""
    return public_url(
        request, reverse("residents:report") + "?" + urlencode({"community": community_code})
    )


def qr_svg(data: str, *, scale: int = 4) -> str:
    """An inline SVG (no XML declaration) with medium error correction for printed boards."""
    code = segno.make(data, error="m", micro=False)
    return code.svg_inline(scale=scale, dark="#000", light="#fff", border=2, omitsize=True)


def qr_png(data: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
