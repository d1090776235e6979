"""The retention job: reporters' names and phones, and original photos, go 24 months (by
default) after a ticket is closed or rejected; thumbnails stay and are served instead."""

import datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from cases.models import Photo, State, Ticket
from privacy import services
from privacy.models import ErasedContact, ErasureReason, RetentionRun
from privacy.tasks import anonymise_expired_contacts
from tests.privacy.conftest import NOW

LONG_AGO = NOW - datetime.timedelta(days=800)  # about 26 months
RECENTLY = NOW - datetime.timedelta(days=600)  # about 20 months


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def anonymised(ticket: Ticket) -> bool:
    ticket.refresh_from_db()
    return ticket.reporter_name == "" and ticket.reporter_phone == ""


def test_a_ticket_closed_longer_ago_than_the_period_is_anonymised(ticket_at, now):
    old = ticket_at(LONG_AGO)
    photo = old.photos.get()
    original, thumbnail = photo.image.name, photo.thumbnail.name

    run = services.anonymise_expired_contacts()

    assert anonymised(old)
    assert old.state == State.CLOSED and old.description  # the case file itself stays
    erasure = ErasedContact.objects.get(ticket=old)
    assert (erasure.reason, erasure.erased_at, erasure.run) == (ErasureReason.RETENTION, NOW, run)
    assert erasure.originals_removed_at == NOW
    photo.refresh_from_db()
    assert not photo.image and photo.thumbnail.name == thumbnail
    assert not default_storage.exists(original) and default_storage.exists(thumbnail)
    assert (run.tickets_anonymised, run.originals_removed, run.batches) == (1, 1, 1)
    assert run.finished_at is not None and run.retention_months == 24
    assert run.cutoff == datetime.datetime(2024, 11, 20, 10, 0, tzinfo=NOW.tzinfo)


def test_a_younger_closed_ticket_and_an_old_open_one_are_left_alone(ticket_at, now):
    younger = ticket_at(RECENTLY)
    still_open = ticket_at(LONG_AGO, State.IN_PROGRESS)
    run = services.anonymise_expired_contacts()
    for ticket in (younger, still_open):
        ticket.refresh_from_db()
        assert (ticket.reporter_name, ticket.reporter_phone) == ("刘女士", "13812345678")
        assert all(p.image for p in ticket.photos.all())
    assert not ErasedContact.objects.exists()
    assert (run.tickets_anonymised, run.originals_removed) == (0, 0)


def test_a_rejected_report_is_anonymised_after_the_period_too(ticket_at, now):
    rejected = ticket_at(LONG_AGO, State.REJECTED)
    services.anonymise_expired_contacts()
    assert anonymised(rejected)


def test_the_period_is_a_setting(ticket_at, now, settings):
    younger = ticket_at(RECENTLY)
    settings.CITYMGMT_CONTACT_RETENTION_MONTHS = 12
    run = services.anonymise_expired_contacts()
    assert anonymised(younger) and run.retention_months == 12


def test_running_again_changes_nothing(ticket_at, now):
    old = ticket_at(LONG_AGO)
    services.anonymise_expired_contacts()
    erased = ErasedContact.objects.values().get()
    photos = list(Photo.objects.values())

    again = services.anonymise_expired_contacts()

    assert (again.tickets_anonymised, again.originals_removed, again.batches) == (0, 0, 0)
    assert ErasedContact.objects.values().get() == erased
    assert list(Photo.objects.values()) == photos
    assert anonymised(old)
    assert RetentionRun.objects.count() == 2  # every run is logged


def test_the_job_works_in_bounded_batches_until_done(ticket_at, now):
    tickets = [ticket_at(LONG_AGO - datetime.timedelta(days=i)) for i in range(5)]
    run = services.anonymise_expired_contacts(batch_size=2)
    assert (run.batches, run.tickets_anonymised, run.originals_removed) == (3, 5, 5)
    assert all(anonymised(t) for t in tickets)


def test_a_batch_asks_the_same_queries_for_one_ticket_or_many(
    ticket_at, now, django_assert_max_num_queries
):
    """Updates are set-wise: a batch of 5 costs the queries of a batch of 1 (file deletions on
    storage aside)."""
    ticket_at(LONG_AGO)
    with django_assert_max_num_queries(20) as one:
        services.anonymise_expired_contacts(batch_size=10)
    for i in range(5):
        ticket_at(LONG_AGO - datetime.timedelta(days=i + 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        run = services.anonymise_expired_contacts(batch_size=10)
    assert run.tickets_anonymised == 5


def test_a_run_killed_midway_is_completed_by_the_next_one(ticket_at, now):
    """What a run stopped inside a batch leaves: an unfinished run row, and an original deleted
    from storage whose batch never committed. The next run finishes the job without error."""
    done, interrupted = ticket_at(LONG_AGO), ticket_at(LONG_AGO - datetime.timedelta(days=1))
    services.anonymise_expired_contacts(batch_size=1)  # takes both, one batch at a time
    # Put the second ticket back as if its batch had rolled back after deleting the file.
    ErasedContact.objects.filter(ticket=interrupted).delete()
    Ticket.objects.filter(pk=interrupted.pk).update(
        reporter_name="刘女士", reporter_phone="13812345678"
    )
    photo = interrupted.photos.get()
    Photo.objects.filter(pk=photo.pk).update(image="tickets/2024/09/deleted-already.jpg")
    RetentionRun.objects.create(retention_months=24, cutoff=NOW)  # never finished

    run = services.anonymise_expired_contacts()

    assert run.tickets_anonymised == 1 and anonymised(interrupted) and anonymised(done)
    photo.refresh_from_db()
    assert not photo.image and photo.thumbnail
    assert ErasedContact.objects.count() == 2


def test_a_ticket_erased_on_request_loses_its_originals_when_its_time_comes(ticket_at, now):
    old = ticket_at(LONG_AGO)
    with time_machine.travel(LONG_AGO + datetime.timedelta(days=1), tick=False):
        assert services.erase_contact_on_request(code=old.tracking_code, phone="13812345678")
    assert old.photos.get().image  # a request removes the name and phone only

    services.anonymise_expired_contacts()

    erasure = ErasedContact.objects.get(ticket=old)
    assert erasure.reason == ErasureReason.REQUEST  # why the contact went stays on record
    assert erasure.originals_removed_at == NOW
    assert not old.photos.get().image


# --- the photo views fall back to the thumbnail -------------------------------------------------


def test_the_staff_photo_view_serves_the_thumbnail_once_the_original_is_gone(
    ticket_at, now, supervisor_gulou
):
    old = ticket_at(LONG_AGO)
    photo = old.photos.get()
    thumbnail = photo.thumbnail.read()
    services.anonymise_expired_contacts()
    client = Client()
    client.force_login(supervisor_gulou)
    for url in (f"/cases/photos/{photo.pk}/", f"/api/v1/photos/{photo.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == thumbnail


def test_the_tracking_page_photo_serves_the_thumbnail_once_the_original_is_gone(ticket_at, now):
    old = ticket_at(LONG_AGO)
    photo = old.photos.get()
    thumbnail = photo.thumbnail.read()
    services.anonymise_expired_contacts()
    response = Client().get(f"/track/{old.tracking_code}/photos/{photo.pk}/full/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == thumbnail


def test_the_photo_view_still_refuses_someone_out_of_scope(ticket_at, now, supervisor_quanshan):
    old = ticket_at(LONG_AGO)
    services.anonymise_expired_contacts()
    client = Client()
    client.force_login(supervisor_quanshan)
    assert client.get(f"/cases/photos/{old.photos.get().pk}/").status_code == 404


def test_the_ticket_page_says_the_contact_was_removed(ticket_at, now, supervisor_gulou):
    old = ticket_at(LONG_AGO)
    services.anonymise_expired_contacts()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(supervisor_gulou)
    html = client.get(old.get_absolute_url()).content.decode()
    assert "the retention period was over" in html
    assert "13812345678" not in html


# --- the command and the task -------------------------------------------------------------------


def test_the_dry_run_counts_and_changes_nothing(ticket_at, now, capsys):
    old = ticket_at(LONG_AGO)
    call_command("anonymise_contacts", "--dry-run")
    assert "1 tickets" in capsys.readouterr().out
    assert not anonymised(old)
    assert not RetentionRun.objects.exists() and not ErasedContact.objects.exists()


def test_the_command_runs_the_job(ticket_at, now, capsys):
    old = ticket_at(LONG_AGO)
    call_command("anonymise_contacts", "--batch-size", "5")
    assert "1 tickets anonymised" in capsys.readouterr().out
    assert anonymised(old)


def test_the_celery_task_runs_the_job_and_returns_the_run(ticket_at, now):
    old = ticket_at(LONG_AGO)
    run_id = anonymise_expired_contacts.apply().get()
    assert RetentionRun.objects.get(pk=run_id).tickets_anonymised == 1
    assert anonymised(old)
    assert anonymise_expired_contacts.name == "privacy.anonymise_expired_contacts"


def test_the_e_mail_and_the_numbers_messages_went_to_are_removed_too(ticket_at, now):
    from messaging.models import ReporterContact
    from outbox.models import Message, Status

    old = ticket_at(LONG_AGO)
    ReporterContact.objects.create(ticket=old, email="liu@example.org")
    sent = Message.objects.create(
        channel="sms",
        target="13812345678",
        kind="ticket_closed",
        ref=f"ticket:{old.pk}",
        status=Status.SENT,
    )

    services.anonymise_expired_contacts()

    assert ReporterContact.objects.get(ticket=old).email == ""
    sent.refresh_from_db()
    assert (sent.target, sent.status) == ("", Status.SENT)
