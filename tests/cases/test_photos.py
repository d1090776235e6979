"""Ticket photos, through ``check_photo`` and through the officer's "report fixed" form: only
real JPEG/PNG/WebP photos of sane size get in, and what is stored is upright, resized, stripped
of EXIF and named at random. Photos are served only to people who may see the ticket."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from cases.models import Action, Category, Photo, PhotoKind, Source, State, Ticket, TicketEvent
from cases.photos import check_photo
from grids.models import GridCell

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112
STORED_NAME = re.compile(r"^tickets/\d{4}/\d{2}/[0-9a-f]{32}(-thumb)?\.(jpg|png|webp)$")


# --- files to upload ------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def phone_jpeg(size=(1200, 900), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: camera make, orientation and the GPS position in EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (34.0, 15.0, 36.0), 3: "E", 4: (117.0, 10.0, 48.0)}
    return encode(image, "JPEG", exif=exif.tobytes())


def left_red_right_blue_jpeg(orientation: int) -> bytes:
    """1200×900, left half red, right half blue, with an EXIF orientation."""
    image = Image.new("RGB", (1200, 900), (220, 0, 0))
    image.paste((0, 0, 220), (600, 0, 1200, 900))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return encode(image, "JPEG", exif=exif.tobytes())


def fifty_megapixel_png() -> bytes:
    return encode(Image.new("1", (8000, 6250)), "PNG")  # ~6 kB on disk, 50 Mpx when opened


def eleven_megabyte_jpeg() -> bytes:
    """A valid small JPEG followed by 11 MB of padding after its end marker."""
    return phone_jpeg((64, 48)) + b"\0" * (11 * 1024 * 1024)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def read_image(field) -> Image.Image:
    with field.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


# --- check_photo ----------------------------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("make", "name", "code", "words"),
    [
        (lambda: b"Dear officer, the bins are full.\n" * 20, "notes.jpg", "not_an_image", "JPEG"),
        (fifty_megapixel_png, "huge.png", "too_many_pixels", "50 million pixels"),
        (eleven_megabyte_jpeg, "big.jpg", "too_large", "10.0"),
        (lambda: encode(Image.new("RGB", (40, 30)), "GIF"), "a.gif", "bad_format", "GIF"),
        (lambda: encode(Image.new("RGB", (40, 30)), "BMP"), "a.bmp", "bad_format", "BMP"),
        (lambda: phone_jpeg()[:1500], "cut.jpg", "damaged", "choose it again"),
    ],
    ids=["text", "50-megapixels", "11-megabytes", "gif", "bmp", "truncated"],
)
def test_check_photo_refuses_what_is_not_a_sane_photo(make, name, code, words):
    with pytest.raises(ValidationError) as error:
        check_photo(upload(make(), name=name))
    assert error.value.code == code
    assert words in error.value.messages[0]


@pytest.mark.parametrize(
    ("fmt", "content_type", "ext"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_check_photo_accepts_jpeg_png_and_webp_whatever_the_file_is_called(fmt, content_type, ext):
    data = encode(Image.new("RGB", (300, 200), (10, 120, 10)), fmt)
    processed = check_photo(upload(data, name="IMG_0001.HEIC", content_type="image/heic"))
    assert processed.content_type == content_type
    assert processed.image.name.endswith(f".{ext}")
    assert (processed.width, processed.height) == (300, 200)


def test_check_photo_strips_gps_and_names_the_file_at_random():
    data = phone_jpeg()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the source has GPS
    first = check_photo(upload(data, name="my-balcony.jpg"))
    second = check_photo(upload(data, name="my-balcony.jpg"))
    stored = Image.open(io.BytesIO(first.image.read()))
    assert not stored.getexif()
    assert "balcony" not in first.image.name
    assert first.image.name != second.image.name


# --- through the officer's "report fixed" form ----------------------------------------------------


@pytest.fixture
def ticket(gulou_community, officer_gulou):
    """In progress, with 王建国 (officer_gulou) working on it."""
    cell = GridCell.objects.get(code=gulou_community.code + "001")
    return Ticket.objects.create(
        number="XZ20260301-0001",
        state=State.IN_PROGRESS,
        source=Source.HOTLINE,
        category=Category.objects.get(kind="event", code="0102"),
        description="小区门口垃圾堆积",
        lat=cell.centroid_lat,
        lng=cell.centroid_lng,
        grid_cell=cell,
        community=gulou_community,
        street_id=gulou_community.street_id,
        district_id=gulou_community.street.district_id,
        brigade_id=gulou_community.brigade_id,
        assignee=officer_gulou.officer,
    )


@pytest.fixture
def as_officer(client, officer_gulou):
    client.force_login(officer_gulou)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def resolve(client, ticket: Ticket, *files, note: str = "垃圾已清运，地面已冲洗"):
    return client.post(
        f"/cases/{ticket.number}/resolve/",
        {
            "resolve-note": note,
            "resolve-expected_state": State.IN_PROGRESS,
            "resolve-photos": list(files),
        },
    )


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def assert_refused(response, ticket: Ticket, media, message: str) -> None:
    """The form comes back (400) with the message and the typed note; nothing has changed."""
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "垃圾已清运，地面已冲洗" in html
    assert 'id="act-resolve" class="accordion-collapse collapse show"' in html
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS
    assert ticket.resolved_at is None
    assert not Photo.objects.exists()
    assert not TicketEvent.objects.filter(action=Action.RESOLVE).exists()
    assert stored_files(media) == []


def test_a_text_file_renamed_jpg_is_refused_with_a_clear_message(as_officer, ticket, media):
    text = upload(b"not a photo at all\n" * 50, name="notes.jpg")
    response = resolve(as_officer, ticket, text)
    assert_refused(response, ticket, media, "notes.jpg: This file is not an image we can read")


def test_a_50_megapixel_image_is_refused(as_officer, ticket, media):
    response = resolve(
        as_officer, ticket, upload(fifty_megapixel_png(), "huge.png", content_type="image/png")
    )
    assert_refused(response, ticket, media, "The image has 50 million pixels")


def test_an_11_megabyte_file_is_refused(as_officer, ticket, media):
    response = resolve(as_officer, ticket, upload(eleven_megabyte_jpeg(), "big.jpg"))
    assert_refused(response, ticket, media, "images may be at most 10.0")


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_a_gif_or_bmp_is_refused(as_officer, ticket, media, fmt):
    data = encode(Image.new("RGB", (120, 90), (0, 90, 0)), fmt)
    response = resolve(as_officer, ticket, upload(data, f"a.{fmt.lower()}", f"image/{fmt}"))
    assert_refused(response, ticket, media, f"{fmt} images are not accepted")


def test_more_than_three_photos_are_refused(as_officer, ticket, media):
    photos = [upload(phone_jpeg((160, 120)), f"p{i}.jpg") for i in range(4)]
    response = resolve(as_officer, ticket, *photos)
    assert_refused(response, ticket, media, "At most 3 photos")


def test_one_bad_photo_among_good_ones_stores_none_of_them(as_officer, ticket, media):
    good = upload(phone_jpeg((160, 120)), "good.jpg")
    bad = upload(b"GIF89a but not really", "bad.jpg")
    response = resolve(as_officer, ticket, good, bad)
    assert_refused(response, ticket, media, "bad.jpg: This file is not an image we can read")


def test_resolving_needs_a_photo(as_officer, ticket, media):
    response = resolve(as_officer, ticket)
    assert_refused(response, ticket, media, "This field is required")


def test_a_photo_with_gps_is_stored_without_any_exif(as_officer, ticket, media, officer_gulou):
    data = phone_jpeg()
    source_exif = Image.open(io.BytesIO(data)).getexif()
    assert source_exif.get_ifd(GPS_IFD)[2] == (34.0, 15.0, 36.0)  # the upload really has GPS
    response = resolve(as_officer, ticket, upload(data, "IMG_20260301_0930.jpg"))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    photo = Photo.objects.get()
    assert photo.kind == PhotoKind.AFTER
    assert photo.uploaded_by == officer_gulou
    assert photo.event == TicketEvent.objects.get(ticket=ticket, action=Action.RESOLVE)
    for field in (photo.image, photo.thumbnail):
        stored = read_image(field)
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert "exif" not in stored.info
        with field.open("rb") as handle:
            raw = handle.read()
        assert b"Exif" not in raw and b"PhoneMaker" not in raw


def test_a_sideways_photo_is_stored_upright(as_officer, ticket, media):
    response = resolve(as_officer, ticket, upload(left_red_right_blue_jpeg(orientation=6)))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (900, 1200)
    stored = read_image(photo.image).convert("RGB")
    assert stored.size == (900, 1200)
    # Orientation 6: the picture's left edge is its top. Red above, blue below, once upright.
    top, bottom = stored.getpixel((450, 150)), stored.getpixel((450, 1050))
    assert top[0] > 150 and top[2] < 80
    assert bottom[2] > 150 and bottom[0] < 80
    assert ORIENTATION not in stored.getexif()


def test_a_large_photo_is_stored_at_2048_pixels_with_a_320_pixel_thumbnail(
    as_officer, ticket, media
):
    big = encode(Image.new("RGB", (4400, 3300), (30, 30, 200)), "JPEG")
    response = resolve(as_officer, ticket, upload(big, "big.jpg"))
    assert response.status_code == 302
    photo = Photo.objects.get()
    image, thumb = read_image(photo.image), read_image(photo.thumbnail)
    assert image.size == (photo.width, photo.height) == (2048, 1536)
    assert max(thumb.size) <= 320
    assert thumb.size == (320, 240)


def test_stored_file_names_are_random_not_the_uploaded_names(as_officer, ticket, media):
    files = [upload(phone_jpeg((160, 120)), "张三家门口.jpg") for _ in range(2)]
    png = upload(encode(Image.new("RGB", (160, 120)), "PNG"), "张三家门口.png", "image/png")
    response = resolve(as_officer, ticket, *files, png)
    assert response.status_code == 302
    photos = list(Photo.objects.order_by("id"))
    assert len(photos) == 3
    names = [p.image.name for p in photos] + [p.thumbnail.name for p in photos]
    assert len(set(names)) == 6
    for name in names:
        assert STORED_NAME.match(name), name
        assert "张三" not in name
    assert photos[2].content_type == "image/png" and photos[2].image.name.endswith(".png")
    on_disk = {str(p.relative_to(media)) for p in stored_files(media)}
    assert on_disk == set(names)


# --- serving photos -------------------------------------------------------------------------------


@pytest.fixture
def stored_photo(as_officer, ticket, media) -> Photo:
    resolve(as_officer, ticket, upload(phone_jpeg((640, 480))))
    return Photo.objects.get()


def test_the_photo_and_its_thumbnail_are_served_to_someone_who_sees_the_ticket(
    client, supervisor_gulou, stored_photo
):
    client.force_login(supervisor_gulou)
    full = client.get(f"/cases/photos/{stored_photo.pk}/")
    assert full.status_code == 200
    assert full["Content-Type"] == "image/jpeg"
    assert full["X-Content-Type-Options"] == "nosniff"
    assert "private" in full["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(full.streaming_content))).size == (640, 480)
    thumb = client.get(f"/cases/photos/{stored_photo.pk}/thumb/")
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size == (320, 240)


def test_a_photo_is_not_served_to_another_brigade(client, officer_quanshan, stored_photo):
    client.force_login(officer_quanshan)
    assert client.get(f"/cases/photos/{stored_photo.pk}/").status_code == 404
    assert client.get(f"/cases/photos/{stored_photo.pk}/thumb/").status_code == 404


def test_a_photo_is_not_served_to_an_anonymous_visitor(client, stored_photo):
    client.logout()
    response = client.get(f"/cases/photos/{stored_photo.pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_photo_whose_file_is_gone_is_a_404_not_a_500(client, supervisor_gulou, stored_photo):
    stored_photo.image.storage.delete(stored_photo.image.name)
    client.force_login(supervisor_gulou)
    assert client.get(f"/cases/photos/{stored_photo.pk}/").status_code == 404


# --- every form with photos decodes them last ---------------------------------------------------


def _forms_with_photos():
    from cases.api import TicketCreateForm
    from cases.forms import ConcludeForm, IntakeForm, OnSiteForm, ResolveForm
    from patrols.forms import FindingForm
    from residents.forms import ComplaintForm
    from shops.forms import OffenceForm, PledgeForm

    return [
        (IntakeForm, "photos"),
        (OnSiteForm, "before"),
        (ResolveForm, "photos"),
        (ConcludeForm, "photos"),
        (TicketCreateForm, "photos"),
        (FindingForm, "before"),
        (ComplaintForm, "photos"),
        (PledgeForm, "scan"),
        (OffenceForm, "promise_photo"),
    ]


@pytest.mark.parametrize("form_class, field", _forms_with_photos())
def test_no_form_decodes_a_photo_while_the_rest_of_it_is_refused(form_class, field):
    from unittest import mock

    from citymgmt import images

    files = {field: upload(phone_jpeg((2048, 1536)))}
    with mock.patch.object(images, "decode_image") as decode:
        try:
            form = form_class({}, files)
        except TypeError:  # forms that are given their choices
            form = form_class({}, files, **_choices_for(form_class))
        assert not form.is_valid()
    decode.assert_not_called()
    assert field not in form.errors  # the photo itself was fine: only its header was read


def _choices_for(form_class) -> dict:
    from grids.models import Community

    if form_class.__name__ == "OffenceForm":
        return {"allowed": ["persuade"], "suggested": "persuade"}
    return {"communities": Community.objects.all()}
