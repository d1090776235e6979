import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Officer
from tests.citymgmt.test_images import GPS_IFD, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def change_officer(client, officer: Officer, photo) -> object:
    return client.post(
        f"/admin/accounts/officer/{officer.pk}/change/",
        {
            "user": officer.user_id,
            "brigade": officer.brigade_id,
            "badge_number": officer.badge_number,
            "title": officer.title,
            "public_phone": officer.public_phone,
            "duties": officer.duties,
            "is_active": "on",
            "photo": photo,
        },
    )


def test_an_uploaded_portrait_is_stored_without_exif_and_shown_on_the_board(
    client, assessor, officer_quanshan, media
):
    officer = officer_quanshan.officer
    client.force_login(assessor)
    response = change_officer(client, officer, SimpleUploadedFile("me.jpg", jpeg_with_gps()))
    assert response.status_code == 302
    officer.refresh_from_db()
    stored = Image.open(officer.photo.path)
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert max(stored.size) <= 800

    client.logout()
    html = client.get("/communities/320311010001/").content.decode()
    assert f'src="/officers/{officer.badge_number}/photo/"' in html
    photo = client.get(f"/officers/{officer.badge_number}/photo/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(photo.streaming_content))).format == "JPEG"


def test_a_text_file_as_portrait_is_refused_and_the_form_keeps_its_input(
    client, assessor, officer_quanshan, media
):
    officer = officer_quanshan.officer
    client.force_login(assessor)
    response = change_officer(
        client, officer, SimpleUploadedFile("me.jpg", b"not an image at all" * 50)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    assert officer.public_phone in html
    officer.refresh_from_db()
    assert not officer.photo


def test_the_portrait_of_an_officer_without_a_posting_is_not_public(
    client, supervisor_gulou, gulou_brigade
):
    from tests.factories import OfficerFactory

    leader = OfficerFactory(user=supervisor_gulou, brigade=gulou_brigade, badge_number="GL1-000")
    leader.photo = "officers/leader.jpg"
    leader.save(update_fields=["photo"])
    assert client.get("/officers/GL1-000/photo/").status_code == 404
