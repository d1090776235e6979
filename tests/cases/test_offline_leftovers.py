"""The daily sweep of what the field app's phones leave on the server (``offline-leftovers``):
write ids older than a week, uploads never completed within a day, completed uploads no write
named within a week, with their parts and files; everything younger (or in use) stays."""

import datetime
import uuid

import pytest
from django.core.files.base import ContentFile

from cases import offline
from cases.models import ClientWrite, PhotoUpload, PhotoUploadPart
from cases.tasks import clean_offline_leftovers
from citymgmt.schedules import SCHEDULES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 7, 4, 0, tzinfo=datetime.UTC)


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


def write(user, created_at: datetime.datetime) -> ClientWrite:
    return ClientWrite.objects.create(
        user=user,
        client_id=uuid.uuid4(),
        method="POST",
        path="/api/v1/findings/",
        status=201,
        created_at=created_at,
    )


def upload(user, created_at, *, completed_at=None, part: bool = False) -> PhotoUpload:
    made = PhotoUpload.objects.create(id=uuid.uuid4(), user=user, size=10, created_at=created_at)
    if part:
        PhotoUploadPart.objects.create(upload=made, offset=0, data=b"01234")
        made.received = 5
    if completed_at:
        made.file.save("done.jpg", ContentFile(b"jpeg"), save=False)
        made.completed_at = completed_at
    made.save()
    return made


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_write_ids_older_than_a_week_are_forgotten_younger_ones_kept():
    user = UserFactory()
    old = write(user, ago(days=7, minutes=1))
    young = write(user, ago(days=6, hours=23))

    assert offline.clean_leftovers(NOW)["client_writes"] == 1

    assert list(ClientWrite.objects.all()) == [young]
    assert not ClientWrite.objects.filter(pk=old.pk).exists()


def test_an_upload_not_completed_within_a_day_goes_with_its_parts():
    user = UserFactory()
    stale = upload(user, ago(days=1, minutes=1), part=True)
    going = upload(user, ago(hours=23), part=True)  # the phone may still resume it

    counts = offline.clean_leftovers(NOW)

    assert (counts["uploads"], counts["parts"]) == (1, 1)
    assert list(PhotoUpload.objects.all()) == [going]
    assert list(PhotoUploadPart.objects.values_list("upload", flat=True)) == [going.pk]
    assert not PhotoUpload.objects.filter(pk=stale.pk).exists()


def test_a_completed_upload_no_write_named_within_a_week_goes_with_its_file(
    media, django_capture_on_commit_callbacks
):
    user = UserFactory()
    unused = upload(user, ago(days=9), completed_at=ago(days=7, minutes=1))
    waiting = upload(user, ago(days=8), completed_at=ago(days=6))  # its write may still come
    path = media / unused.file.name
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert offline.clean_leftovers(NOW)["uploads"] == 1

    assert list(PhotoUpload.objects.all()) == [waiting]
    assert not path.exists()
    assert (media / waiting.file.name).exists()


def test_the_sweep_twice_is_harmless_and_the_task_is_scheduled_daily():
    user = UserFactory()
    write(user, ago(days=30))
    upload(user, ago(days=3))

    assert clean_offline_leftovers() == {"client_writes": 1, "uploads": 1, "parts": 0}
    assert clean_offline_leftovers() == {"client_writes": 0, "uploads": 0, "parts": 0}
    [schedule] = [s for s in SCHEDULES if s.name == "offline-leftovers"]
    assert schedule.task == clean_offline_leftovers.name
