"""The after photos of a completed order, as links the platform can fetch without an account:
each link carries the photo's id signed (``django.core.signing``) for this purpose only, and
lapses after ``LINK_DAYS``. Only photos of hotline tickets are served this way."""

import datetime

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse

from cases.models import Photo, Source
from cases.photos import served_file
from citymgmt.images import image_response

SALT = "hotline.photo"
LINK_DAYS = 90


def photo_links(photos: list[Photo]) -> list[str]:
    signer = signing.TimestampSigner(salt=SALT)
    return [
        settings.SITE_URL + reverse("hotline:photo", args=[signer.sign(str(photo.pk))])
        for photo in photos
    ]


def photo(request: HttpRequest, token: str) -> FileResponse:
    """A photo named by a link sent to the platform; 404 for any other token."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=datetime.timedelta(days=LINK_DAYS)
        )
    except signing.BadSignature:
        raise Http404 from None
    item = Photo.objects.filter(pk=pk, ticket__source=Source.HOTLINE).first()
    if item is None:
        raise Http404
    return image_response(served_file(item, "full"), item.content_type)
