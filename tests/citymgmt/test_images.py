"""Uploads are checked by content, size and pixel count, and stored without EXIF."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from citymgmt.images import MAX_BYTES, check_image, process_image

# Messages are asserted in English; the Chinese catalog has its own test.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (1200, 900), orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (34.0, 15.0, 36.0), 3: "E", 4: (117.0, 10.0, 48.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_photo_is_stored_without_its_gps_position_or_camera_data():
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo really carries GPS

    processed = process_image(upload(jpeg_with_gps()))
    stored = Image.open(io.BytesIO(processed.image.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert processed.image.name.endswith(".jpg") and "photo" not in processed.image.name


def test_a_sideways_photo_is_turned_upright():
    processed = process_image(upload(jpeg_with_gps(size=(1200, 900), orientation=6)))
    assert (processed.width, processed.height) == (900, 1200)


def test_a_large_photo_is_resized_and_gets_a_thumbnail():
    processed = process_image(upload(jpeg_with_gps(size=(4000, 3000))))
    # Decoded at half scale (the JPEG decoder's own reduction): 2000 px, within 95% of 2048.
    assert (processed.width, processed.height) == (2000, 1500)
    thumb = Image.open(io.BytesIO(processed.thumbnail.read()))
    assert max(thumb.size) == 320


def test_a_text_file_renamed_jpg_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as error:
        process_image(upload(b"just some text, not a photo\n" * 10, name="photo.jpg"))
    assert error.value.code == "not_an_image"
    assert "JPEG, PNG or WebP" in error.value.messages[0]


def test_a_50_megapixel_image_is_refused():
    image = Image.new("L", (10_000, 5_000))
    out = io.BytesIO()
    image.save(out, "PNG")
    with pytest.raises(ValidationError) as error:
        process_image(upload(out.getvalue(), name="big.png", content_type="image/png"))
    assert error.value.code == "too_many_pixels"
    assert "50" in error.value.messages[0]


def test_a_decompression_bomb_is_refused():
    image = Image.new("1", (20_000, 20_000))  # 400 Mpx: past Pillow's bomb limit
    out = io.BytesIO()
    image.save(out, "PNG")
    with pytest.raises(ValidationError) as error:
        process_image(upload(out.getvalue(), name="bomb.png", content_type="image/png"))
    assert error.value.code == "too_many_pixels"


def test_an_11_mb_file_is_refused_before_it_is_read():
    data = jpeg_with_gps() + b"\0" * (11 * 1024 * 1024)
    assert len(data) > MAX_BYTES
    with pytest.raises(ValidationError) as error:
        process_image(upload(data))
    assert error.value.code == "too_large"
    assert "10.0" in error.value.messages[0]


def test_a_gif_is_refused_even_though_it_is_an_image():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError) as error:
        process_image(upload(out.getvalue(), name="a.gif", content_type="image/gif"))
    assert error.value.code == "bad_format"


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(ValidationError) as error:
        process_image(upload(jpeg_with_gps()[:2000]))
    assert error.value.code in {"damaged", "not_an_image"}


def test_the_header_is_checked_without_decoding_a_pixel(monkeypatch):
    def no_decoding(self):
        raise AssertionError("decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    out = io.BytesIO()
    Image.new("RGB", (6400, 6250), (255, 255, 255)).save(out, "PNG")  # 40 Mpx, ~110 kB
    with pytest.raises(ValidationError) as error:
        check_image(upload(out.getvalue(), name="crafted.png", content_type="image/png"))
    assert error.value.code == "too_many_pixels"
    checked = check_image(upload(jpeg_with_gps(size=(4000, 3000))))
    assert (checked.format, checked.width, checked.height) == ("JPEG", 4000, 3000)


def test_more_than_16_megapixels_are_refused_by_default():
    with pytest.raises(ValidationError) as error:
        check_image(upload(jpeg_with_gps(size=(5000, 3400))))
    assert "17 million pixels; at most 16 million" in error.value.messages[0]


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    sizes = []
    resize = Image.Image.resize

    def spy(self, size, *args, **kwargs):
        sizes.append(self.size)
        return resize(self, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", spy)
    processed = process_image(upload(jpeg_with_gps(size=(4800, 3200))))
    assert (processed.width, processed.height) == (2048, 1365)
    assert max(sizes[0]) == 2400  # the decoder gave half the pixels a side, not all 15 Mpx


@pytest.mark.parametrize("mode", ["P", "1", "I;16", "LA", "RGBA"])
def test_a_large_png_of_any_mode_is_shrunk(mode):
    out = io.BytesIO()
    Image.new(mode, (4400, 3300)).save(out, "PNG")
    processed = process_image(upload(out.getvalue(), name="scan.png", content_type="image/png"))
    assert (processed.width, processed.height) == (2048, 1536)
    assert processed.content_type == "image/png"
