"""What the officer's phone needs to send its queued writes safely (issue 22): each write applied
once however often it arrives, and photos sent in parts that survive a dropped connection.

- ``applied_once`` wraps an API write: with an ``Idempotency-Key`` header (a UUID the phone made
  when the officer pressed the button) the first request is applied and its answer stored in the
  same transaction (``ClientWrite``); a repeat of the key gets that answer again and changes
  nothing. A refused write (400, 403, 404, 409) stores nothing: sent again it is judged again.
- Photo uploads: ``create_upload`` → ``add_part`` at the offset the server has → ``complete``
  (the whole image checked by ``citymgmt.images`` and re-encoded without metadata), then a
  finding or a step names the upload (``photos_upload=<id>``) and ``upload_files`` hands the
  form the file as if it had come in the request.

It lives in ``cases`` because both the ticket steps (here) and the patrol writes (``patrols``,
above) use it.
"""

import datetime
import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from cases.models import ClientWrite, PhotoUpload, PhotoUploadPart
from citymgmt import images
from citymgmt.rest import Conflict, TooLarge

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# Sent by the field app with a write made from the form on the officer's screen
# (static/js/outbox.js): the page reloads next and shows the message the form's post would.
PAGE_HEADER = "X-Field-App-Page"
# A part is at most this many bytes (the phone sends 128 KiB); a photo at most images.MAX_BYTES.
MAX_PART = 512 * 1024
UPLOAD_SUFFIX = "_upload"


def client_id_of(request: Request) -> uuid.UUID | None:
    """The request's ``Idempotency-Key`` as a UUID, None without one; a 400 if it is no UUID."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise exceptions.ValidationError(
            {HEADER: [_("Give a UUID made on the device for this write.")]}
        ) from None


def _replay(write: ClientWrite, request: Request) -> Response:
    if (write.method, write.path) != (request.method, request.path):
        raise exceptions.ValidationError(
            {HEADER: [_("This id was already used for another request.")]}
        )
    return Response(write.body, status=write.status, headers={REPLAYED: "true"})


def applied_once(method: Callable[..., Response]) -> Callable[..., Response]:
    """Wrap an APIView's write so a repeat of its ``Idempotency-Key`` is answered, not applied.

    The key's row is inserted before the write runs, in the same transaction: a second copy
    arriving while the first is being applied waits on the unique index and is then answered
    with the first one's response; a write that fails rolls the row back with it."""

    @functools.wraps(method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        client_id = client_id_of(request)
        user = request.user
        if client_id is None or not user.is_authenticated:
            return method(view, request, *args, **kwargs)
        done = ClientWrite.objects.filter(user=user, client_id=client_id).first()
        if done is not None:
            return _replay(done, request)
        try:
            with transaction.atomic():
                write = ClientWrite.objects.create(
                    user=user,
                    client_id=client_id,
                    method=request.method,
                    path=request.path[:300],
                )
                response = method(view, request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    transaction.set_rollback(True)
                    return response
                write.status = response.status_code
                write.body = json.loads(JSONRenderer().render(response.data) or b"null")
                write.save(update_fields=["status", "body"])
        except IntegrityError:
            # The same write arrived twice at once and the other copy was applied first.
            return _replay(ClientWrite.objects.get(user=user, client_id=client_id), request)
        return response

    return wrapper


def tell_page(request: Request, message: str) -> None:
    """Keep ``message`` (what the form's own post says on success) for the officer's next page,
    when the write came from the form on their screen; a write sent later from the phone's
    outbox leaves no message (the field app says itself what was sent)."""
    if request.headers.get(PAGE_HEADER):
        messages.success(request._request, message)


# --- photos in parts --------------------------------------------------------------------------


def own_upload(user: User, upload_id: uuid.UUID) -> PhotoUpload:
    """The user's upload; anyone else's (or none) is a 404."""
    upload = PhotoUpload.objects.filter(pk=upload_id, user=user).first()
    if upload is None:
        raise exceptions.NotFound(_("No such upload."))
    return upload


def create_upload(*, user: User, upload_id: uuid.UUID, size: int) -> tuple[PhotoUpload, bool]:
    """Open an upload of ``size`` bytes under the id the phone made; the same id again is the
    same upload (created False), and with another size a 409. An id another user holds is a
    404, as if unknown."""
    if not 0 < size <= images.MAX_BYTES:
        raise ValidationError(
            {"size": [_("A photo may be at most %(mb)s MB.") % {"mb": images.MAX_BYTES >> 20}]}
        )
    try:
        with transaction.atomic():
            return PhotoUpload.objects.create(id=upload_id, user=user, size=size), True
    except IntegrityError:
        upload = own_upload(user, upload_id)
        if upload.size != size:
            raise Conflict(_("This upload was opened with another size.")) from None
        return upload, False


def add_part(*, user: User, upload_id: uuid.UUID, offset: int, data: bytes) -> PhotoUpload:
    """Store the bytes at ``offset``. A part the server already has (or an empty one) is
    acknowledged without being stored again; a part beyond what it has (a gap), or past the
    photo's size, is a 409 naming the offset to resume at; a part over ``MAX_PART`` a 413."""
    with transaction.atomic():
        upload = PhotoUpload.objects.select_for_update().filter(pk=upload_id, user=user).first()
        if upload is None:
            raise exceptions.NotFound(_("No such upload."))
        if len(data) > MAX_PART:
            raise TooLarge(_("A part may hold at most %(n)s bytes.") % {"n": MAX_PART})
        if upload.completed_at is not None or offset + len(data) <= upload.received:
            return upload  # sent again after the answer was lost
        if offset != upload.received or offset + len(data) > upload.size:
            raise Conflict(
                _("Send the bytes from offset %(offset)s (of %(size)s).")
                % {"offset": upload.received, "size": upload.size}
            )
        PhotoUploadPart.objects.create(upload=upload, offset=offset, data=data)
        upload.received = offset + len(data)
        upload.save(update_fields=["received"])
    return upload


def complete(*, user: User, upload_id: uuid.UUID) -> PhotoUpload:
    """Put the parts together and check the photo as any upload is checked (format, bytes,
    pixels, a readable image), re-encoded without EXIF; the parts are dropped. Repeating it is
    harmless. ValidationError if parts are missing or it is no photo we take."""
    with transaction.atomic():
        upload = PhotoUpload.objects.select_for_update().filter(pk=upload_id, user=user).first()
        if upload is None:
            raise exceptions.NotFound(_("No such upload."))
        if upload.completed_at is not None:
            return upload
        if upload.received != upload.size:
            raise Conflict(
                _("%(missing)s bytes are still missing from offset %(offset)s.")
                % {"missing": upload.size - upload.received, "offset": upload.received}
            )
        whole = b"".join(bytes(part.data) for part in upload.parts.order_by("offset"))
        checked = images.check_image(SimpleUploadedFile("photo", whole))
        clean = images.decode_image(checked)
        upload.file.save(clean.image.name, clean.image, save=False)
        upload.content_type = clean.content_type
        upload.completed_at = timezone.now()
        upload.save(update_fields=["file", "content_type", "completed_at"])
        upload.parts.all().delete()
    return upload


def upload_files(user: User, data: Any, files: MultiValueDict) -> MultiValueDict:
    """The request's files plus the completed uploads it names: ``photos_upload=<id>`` (one or
    more) becomes ``photos``, as if the photo had been sent with the request. An upload that is
    not the user's, or not complete, is a 400 on that field."""
    merged = MultiValueDict({key: files.getlist(key) for key in files})
    for key in list(data.keys()):
        if not key.endswith(UPLOAD_SUFFIX):
            continue
        try:
            ids = [uuid.UUID(value) for value in data.getlist(key)]
        except ValueError:
            raise exceptions.ValidationError({key: [_("Not an upload id.")]}) from None
        found = {
            upload.pk: upload
            for upload in PhotoUpload.objects.filter(
                pk__in=ids, user=user, completed_at__isnull=False
            )
        }
        if len(found) != len(set(ids)):
            raise exceptions.ValidationError(
                {key: [_("A photo has not been received in full; send it again.")]}
            )
        field = key[: -len(UPLOAD_SUFFIX)]
        for upload_id in ids:
            upload = found[upload_id]
            with upload.file.open("rb") as handle:
                content = handle.read()
            merged.appendlist(
                field, SimpleUploadedFile(upload.file.name, content, upload.content_type)
            )
    return merged


def used_uploads(user: User, data: Any) -> None:
    """Drop the uploads a write used (call inside its transaction): their photos now belong to
    the ticket, and the files go once the write is committed."""
    ids = []
    for key in data:
        if key.endswith(UPLOAD_SUFFIX):
            ids.extend(data.getlist(key))
    if not ids:
        return
    uploads = list(PhotoUpload.objects.filter(pk__in=ids, user=user))
    names = [upload.file.name for upload in uploads if upload.file]
    PhotoUpload.objects.filter(pk__in=[u.pk for u in uploads]).delete()
    storage = PhotoUpload._meta.get_field("file").storage

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


# --- what the phones leave behind -------------------------------------------------------------

# A phone sends a write again within hours (at most when the officer is next on shift): after
# this its id is forgotten.
KEEP_CLIENT_WRITES = datetime.timedelta(days=7)
# An upload not completed within a day was abandoned (the phone starts a new one with a new id);
# a completed one a write never named within a week was too (the item was dismissed or lost).
KEEP_UNFINISHED_UPLOADS = datetime.timedelta(days=1)
KEEP_UNUSED_UPLOADS = datetime.timedelta(days=7)


def clean_leftovers(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the ``ClientWrite`` rows older than ``KEEP_CLIENT_WRITES`` and the abandoned
    photo uploads (with their parts, and their files once committed). Safe to run twice or in
    two workers at once. Returns how many of each went."""
    now = now or timezone.now()
    writes, _by_model = ClientWrite.objects.filter(created_at__lt=now - KEEP_CLIENT_WRITES).delete()
    with transaction.atomic():
        abandoned = list(
            PhotoUpload.objects.filter(
                completed_at__isnull=True, created_at__lt=now - KEEP_UNFINISHED_UPLOADS
            ).values_list("pk", "file")
        ) + list(
            PhotoUpload.objects.filter(completed_at__lt=now - KEEP_UNUSED_UPLOADS).values_list(
                "pk", "file"
            )
        )
        parts = PhotoUploadPart.objects.filter(upload__in=[pk for pk, _name in abandoned]).count()
        PhotoUpload.objects.filter(pk__in=[pk for pk, _name in abandoned]).delete()
        names = [name for _pk, name in abandoned if name]
        storage = PhotoUpload._meta.get_field("file").storage

        def remove() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(remove)
    return {"client_writes": writes, "uploads": len(abandoned), "parts": parts}


IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    {"type": "string", "format": "uuid"},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A UUID the client made for this write. Sent again (the answer was lost, the phone "
        "queued it twice) the write is not applied again: the first answer is repeated, with "
        f"the header `{REPLAYED}: true`."
    ),
)
