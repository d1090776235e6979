"""Uploaded images: checked by content, re-encoded without metadata, resized, with a thumbnail.

Everything a user uploads (ticket photos, officer portraits) passes through ``process_image``
before it is stored, so no file keeps its EXIF (GPS position, device serial) and no decompression
bomb reaches the disk.

It is done in two steps, because decoding is what costs (a one-colour PNG of a few kilobytes can
claim 40 million pixels): ``check_image`` reads the header only (size, format, pixel count;
microseconds, no pixel decoded), and ``decode_image`` decodes what passed it. Forms run the first
while cleaning and the second only when everything else on the form is valid
(``citymgmt.forms.StyledForm``), so a post refused anyway decodes nothing. Decoding takes one
image at a time, a JPEG at the smallest scale its decoder offers (``draft``) and the pixels
shrunk in place: a request holds at most one full-size image, of at most
``settings.CITYMGMT_IMAGE_MAX_PIXELS``.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2048
THUMBNAIL_SIDE = 320
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


@dataclass(frozen=True)
class CheckedImage:
    """An upload whose header was read and accepted; not decoded yet."""

    upload: UploadedFile
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    content_type: str


def _too_many_pixels(pixels: int, limit: int) -> ValidationError:
    return ValidationError(
        _("The image has %(pixels)s million pixels; at most %(limit)s million are accepted.")
        % {"pixels": f"{pixels / 1_000_000:.0f}", "limit": f"{limit / 1_000_000:g}"},
        code="too_many_pixels",
    )


def check_image(
    upload: UploadedFile, *, max_bytes: int = MAX_BYTES, max_pixels: int | None = None
) -> CheckedImage:
    """The upload's format and size, read from its header without decoding a pixel;
    ValidationError with a clear message if it is no image we take, or too big."""
    limit = max_pixels if max_pixels is not None else settings.CITYMGMT_IMAGE_MAX_PIXELS
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; images may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check (at its far higher limit) as an error, not a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:  # lazy: reads the header only
                fmt = probe.format
                width, height = probe.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Please upload a JPEG, PNG or WebP photo."),
            code="not_an_image",
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image is too large (more than %(limit)s million pixels).")
            % {"limit": f"{limit / 1_000_000:g}"},
            code="too_many_pixels",
        ) from None
    if fmt not in FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Please upload a JPEG, PNG or WebP photo.")
            % {"format": fmt},
            code="bad_format",
        )
    if width * height > limit:
        raise _too_many_pixels(width * height, limit)
    return CheckedImage(upload=upload, format=fmt, width=width, height=height)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        # No ``optimize``: an extra pass over every upload, for a few percent of bytes.
        image.convert("RGB").save(out, "JPEG", quality=85)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """``size`` shrunk (never grown) to fit a square of ``side``, keeping its proportions."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def decode_image(
    checked: CheckedImage, *, max_side: int = MAX_SIDE, thumbnail_side: int = THUMBNAIL_SIDE
) -> ProcessedImage:
    """A checked upload decoded and re-encoded: upright, no metadata, at most ``max_side``
    pixels a side (a large JPEG: 95–100% of it), under a random file name, with a thumbnail.
    Raises ValidationError."""
    upload = checked.upload
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if (image.format, image.size) != (checked.format, (checked.width, checked.height)):
                raise ValueError("the file changed since it was checked")
            # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale when that still leaves 95% of
            # ``max_side``: a 12 Mpx phone photo becomes 2000×1500 at a quarter of the cost.
            # Other formats decode whole, then shrink by the same whole factor (``reduce``, a
            # cheap box average) before any finer resizing.
            enough = _fit(image.size, max_side * 95 // 100)
            image.draft(None, enough)
            if image.mode not in {"RGB", "RGBA", "L", "LA"}:
                # Palette and 16-bit images cannot be reduced, and would be resized pixel by
                # pixel (nearest): converted first.
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            factor = min(image.width // enough[0], image.height // enough[1])
            if factor >= 2:
                image = image.reduce(factor)
            # In place: the full-size pixels are dropped as soon as the small ones exist.
            # Bicubic (antialiased, as Pillow resizes) looks the same here as Lanczos and
            # costs a third less on the largest images.
            image.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)
            image = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("The image is damaged and cannot be read. Please take or choose it again."),
            code="damaged",
        ) from None
    # A new image carries no EXIF, XMP or ICC text chunks: nothing is copied but the pixels.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    thumb = clean.copy()
    thumb.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
    ext, content_type = FORMATS[checked.format]
    name = uuid.uuid4().hex
    return ProcessedImage(
        image=ContentFile(_encode(clean, checked.format), name=f"{name}.{ext}"),
        thumbnail=ContentFile(_encode(thumb, checked.format), name=f"{name}-thumb.{ext}"),
        width=clean.width,
        height=clean.height,
        content_type=content_type,
    )


def process_image(
    upload: UploadedFile,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int | None = None,
    max_side: int = MAX_SIDE,
    thumbnail_side: int = THUMBNAIL_SIDE,
) -> ProcessedImage:
    """``check_image`` then ``decode_image`` in one go (the admin's portraits)."""
    checked = check_image(upload, max_bytes=max_bytes, max_pixels=max_pixels)
    return decode_image(checked, max_side=max_side, thumbnail_side=thumbnail_side)


def image_response(field: FieldFile, content_type: str, *, public: bool = False) -> FileResponse:
    """A stored image as the answer of a view that has already decided who may see it (nothing
    is served from a public media URL). A missing file is a 404, not a 500."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
