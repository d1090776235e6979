"""Ticket photos: every upload is checked by content (JPEG/PNG/WebP, ≤ 10 MB, at most
``settings.CITYMGMT_IMAGE_MAX_PIXELS``, no decompression bombs), turned upright, stripped of EXIF
(a resident's GPS position, a phone's serial), resized to ≤ 2048 px with a thumbnail, and stored
under a random name.

Forms read each photo's header (``read_photo``) while cleaning and decode it (``decode_photo``)
only when the rest of the form is valid (``citymgmt.forms.CostlyField``), so a bad file is a form
error and a refused post decodes nothing; services call ``store_photos`` inside their transaction
with what the form returned.
"""

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile

from accounts.models import User
from cases.models import Photo, Ticket, TicketEvent
from citymgmt import images
from citymgmt.images import CheckedImage, ProcessedImage

MAX_PHOTOS_PER_STEP = 3


def read_photo(upload: UploadedFile) -> CheckedImage:
    """The upload's header checked (type, bytes, pixels), no pixel decoded; ValidationError
    with a clear message if it is no photo we take."""
    return images.check_image(upload)


def decode_photo(checked: CheckedImage) -> ProcessedImage:
    """A checked upload re-encoded and ready to store; ValidationError if it is damaged."""
    return images.decode_image(checked)


def check_photo(upload: UploadedFile) -> ProcessedImage:
    """The upload re-encoded and ready to store; ValidationError with a clear message if not."""
    return decode_photo(read_photo(upload))


def store_photos(
    *,
    ticket: Ticket,
    photos: Iterable[ProcessedImage],
    kind: str,
    uploaded_by: User | None,
    event: TicketEvent | None = None,
) -> list[Photo]:
    stored = []
    for processed in photos:
        photo = Photo(
            ticket=ticket,
            event=event,
            kind=kind,
            width=processed.width,
            height=processed.height,
            content_type=processed.content_type,
            uploaded_by=uploaded_by,
        )
        photo.image.save(processed.image.name, processed.image, save=False)
        photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
        photo.save()
        stored.append(photo)
    return stored


def served_file(photo: Photo, size: str) -> FieldFile:
    """The file a photo view sends: the thumbnail when asked, or when the original is gone
    (the retention job removes originals after the retention period and keeps thumbnails)."""
    if size == "thumb" or not photo.image:
        return photo.thumbnail
    return photo.image
