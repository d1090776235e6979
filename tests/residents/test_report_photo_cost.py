"""Photos on the complaint form cost nothing until the rest of the form is valid: their headers
are read (size, pixel count) while cleaning, and their pixels decoded only when the report can be
filed. Three crafted one-colour 6400×6250 PNGs (a few kilobytes, 40 Mpx each) used to take seconds
and hundreds of MiB of a worker before the form was refused."""

import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.models import Photo, Ticket
from citymgmt import images
from tests.residents.test_report import IN_HUANGLOU, REPORT

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def png(size: tuple[int, int], name: str = "crafted.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def phone_jpeg(size: tuple[int, int] = (1600, 1200)) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (34.0, 15.0, 36.0), 3: "E", 4: (117.0, 10.0, 48.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def form_data(category, gulou_community):
    lat, lng = IN_HUANGLOU
    return {
        "category": str(category.pk),
        "description": "楼下垃圾堆了三天，味道很大",
        "lat": f"{lat:.6f}",
        "lng": f"{lng:.6f}",
        "address": "黄楼街道菜场西口",
        "consent": "on",
    }


@pytest.fixture
def decoded():
    """Every call of the decoder (it still decodes)."""
    with mock.patch.object(images, "decode_image", wraps=images.decode_image) as spy:
        yield spy


def test_crafted_40_megapixel_pngs_with_nothing_else_are_refused_without_decoding(
    english, media, decoded
):
    crafted = [png((6400, 6250), f"crafted{i}.png") for i in range(3)]
    assert sum(upload.size for upload in crafted) < 400 * 1024  # tiny on the wire

    response = english.post(REPORT, {"photos": crafted})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "description" in errors and "consent" in errors
    assert "40 million pixels; at most 16 million" in " ".join(errors["photos"])
    decoded.assert_not_called()
    assert not Ticket.objects.exists()


def test_acceptable_photos_are_not_decoded_when_the_rest_of_the_form_is_refused(
    english, form_data, media, decoded
):
    photos = [png((2048, 1536), f"p{i}.png") for i in range(3)]
    response = english.post(REPORT, {**form_data, "description": "", "photos": photos})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["description"]
    decoded.assert_not_called()


def test_an_image_with_too_many_pixels_is_a_clear_error_with_the_input_kept(
    english, form_data, media
):
    response = english.post(REPORT, {**form_data, "photos": [png((5000, 4000), "big.png")]})

    assert response.status_code == 400
    assert not Ticket.objects.exists()
    message = " ".join(response.context["form"].errors["photos"])
    assert "big.png" in message and "20 million pixels; at most 16 million" in message
    page = response.content.decode()
    assert "楼下垃圾堆了三天，味道很大" in page and "黄楼街道菜场西口" in page


def test_the_pixel_limit_is_a_setting(english, form_data, media, settings):
    settings.CITYMGMT_IMAGE_MAX_PIXELS = 1_000_000
    response = english.post(REPORT, {**form_data, "photos": [phone_jpeg((1200, 900))]})
    assert "at most 1 million" in " ".join(response.context["form"].errors["photos"])


def test_a_photo_damaged_past_its_header_is_an_error_once_the_form_is_valid(
    english, form_data, media
):
    whole = phone_jpeg().read()
    broken = SimpleUploadedFile("broken.jpg", whole[: len(whole) // 3], content_type="image/jpeg")
    response = english.post(REPORT, {**form_data, "photos": [broken]})

    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert "broken.jpg: The image is damaged" in " ".join(response.context["form"].errors["photos"])
    assert "楼下垃圾堆了三天，味道很大" in response.content.decode()


def test_the_photos_of_a_valid_report_are_decoded_once_each_and_lose_their_gps(
    english, form_data, media, decoded
):
    response = english.post(REPORT, {**form_data, "photos": [phone_jpeg(), phone_jpeg()]})

    assert response.status_code == 302
    assert decoded.call_count == 2
    for photo in Photo.objects.all():
        with photo.image.open("rb") as handle:
            stored = Image.open(io.BytesIO(handle.read()))
        assert not stored.getexif() and (stored.width, stored.height) == (1600, 1200)
