"""Uploaded images: checked by content, re-encoded without metadata, resized, with a thumbnail.

Everything a user uploads (ticket photos, officer portraits) passes through ``process_image``
before it is stored, so no file keeps its EXIF (GPS position, device serial) and no decompression
bomb reaches the disk.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
THUMBNAIL_SIDE = 320
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    content_type: str


def _check_header(upload: UploadedFile, max_bytes: int, max_pixels: int) -> str:
    """The image's format, read from its content; ValidationError with a clear message if not."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; images may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
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
            % {"limit": max_pixels // 1_000_000},
            code="too_many_pixels",
        ) from None
    if fmt not in FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Please upload a JPEG, PNG or WebP photo.")
            % {"format": fmt},
            code="bad_format",
        )
    if width * height > max_pixels:
        raise ValidationError(
            _("The image has %(pixels)s million pixels; at most %(limit)s million are accepted.")
            % {"pixels": f"{width * height / 1_000_000:.0f}", "limit": max_pixels // 1_000_000},
            code="too_many_pixels",
        )
    return fmt


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def process_image(
    upload: UploadedFile,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int = MAX_SIDE,
    thumbnail_side: int = THUMBNAIL_SIDE,
) -> ProcessedImage:
    """Validate an upload and return it re-encoded: upright, no metadata, at most ``max_side``
    pixels a side, under a random file name, with a thumbnail. Raises ValidationError."""
    fmt = _check_header(upload, max_bytes, max_pixels)
    upload.seek(0)
    try:
        with Image.open(upload) as original:
            original.load()
            image = ImageOps.exif_transpose(original)
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The image is damaged and cannot be read. Please take or choose it again."),
            code="damaged",
        ) from None
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    # A new image carries no EXIF, XMP or ICC text chunks: nothing is copied but the pixels.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
    ext, content_type = FORMATS[fmt]
    name = uuid.uuid4().hex
    return ProcessedImage(
        image=ContentFile(_encode(clean, fmt), name=f"{name}.{ext}"),
        thumbnail=ContentFile(_encode(thumb, fmt), name=f"{name}-thumb.{ext}"),
        width=clean.width,
        height=clean.height,
        content_type=content_type,
    )


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
