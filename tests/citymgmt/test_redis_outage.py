"""Redis down (stopped, or a bad REDIS_URL): the cache answers misses instead of raising, Celery
publishing is logged and then paused instead of failing each request, and the public complaint
form still files reports. A closed local port stands in for the stopped Redis, so these run
without one; the live-Redis twin runs when REDIS_URL is set (CI). The workers' side of the
outage (what is sent once Redis is back) is in tests/celery/."""

import logging
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client

from cases.models import Category, Source, Ticket
from citymgmt import queue
from citymgmt.celery import app
from grids.geometry import offset
from notifications.tasks import send_deadline_reminders
from tests.celery.conftest import redis_unreachable
from tests.factories import ORIGIN


@pytest.fixture
def redis_down():
    with redis_unreachable():
        yield caches["default"]


def test_an_unreachable_cache_reads_as_misses_and_drops_writes(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="citymgmt.cache"):
        redis_down.set("answer", 42)
        assert redis_down.get("answer", "missing") == "missing"
        assert redis_down.add("answer", 42) is False
        assert redis_down.get_many(["answer"]) == {}
        assert not redis_down.has_key("answer")
        assert redis_down.get_or_set("answer", 7) == 7
        with pytest.raises(ValueError):
            redis_down.incr("answer")
        redis_down.delete("answer")
        redis_down.clear()
    assert "Cache unreachable, get skipped" in caplog.text
    assert "Cache unreachable, incr skipped" in caplog.text


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs a live Redis (REDIS_URL)")
def test_a_reachable_cache_keeps_what_it_is_given():
    cache = caches["default"]
    cache.set("answer", 42)
    assert cache.get("answer") == 42
    assert cache.add("answer", 1) is False
    assert cache.incr("answer") == 43
    cache.delete("answer")
    assert cache.get("answer", "missing") == "missing"


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs a live Redis (REDIS_URL)")
def test_incrementing_a_count_is_one_redis_command_and_a_missing_one_stays_missing(monkeypatch):
    # Every per-IP limit counting a known address increments: one round trip, not EXISTS then
    # INCRBY; a key that is not there is refused (django-ratelimit then adds it) and not made.
    cache = caches["default"]
    cache.set("answer", 42, timeout=60)
    sent = []
    execute = redis.Redis.execute_command

    def counted(self, *args, **kwargs):
        sent.append(args[0])
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    assert cache.incr("answer", 2) == 44
    assert len(sent) == 1
    cache.delete("answer")
    with pytest.raises(ValueError):
        cache.incr("answer")
    assert cache.get("answer", "missing") == "missing"


def test_after_a_failed_publish_the_next_ones_skip_the_broker_for_a_while(
    redis_down, monkeypatch, caplog
):
    monkeypatch.setattr(queue, "PAUSE_AFTER_FAILURE", 1.0)
    with caplog.at_level(logging.WARNING, logger="citymgmt.queue"):
        assert queue.publish(send_deadline_reminders) is False
        started = time.monotonic()
        assert queue.publish(send_deadline_reminders) is False
        assert queue.publish(send_deadline_reminders) is False
        assert time.monotonic() - started < 0.1  # no connection attempted
        assert caplog.text.count("failed moments ago") == 2
        time.sleep(1.1)
        caplog.clear()
        assert queue.publish(send_deadline_reminders) is False
        assert "Connection refused" in caplog.text  # tried the broker again


def test_a_publish_that_the_broker_takes_does_not_pause_the_next(caplog):
    # The embedded filesystem broker, or the live Redis on CI; celery.accumulate only echoes
    # its arguments, whichever worker runs it later.
    echo = app.tasks["celery.accumulate"]
    queue.resume()
    with caplog.at_level(logging.WARNING, logger="citymgmt.queue"):
        assert queue.publish(echo, 1) is True
        assert queue.publish(echo, 2) is True
    assert not [record for record in caplog.records if record.name == "citymgmt.queue"]


@pytest.mark.django_db
def test_a_resident_files_a_complaint_while_redis_is_down(redis_down, gulou_community, caplog):
    category = Category.objects.get(kind="event", code="0102")
    lng, lat = offset(*ORIGIN, 50, 50)  # inside 黄楼社区's grid 001
    client = Client()
    form = client.get("/report/")
    assert form.status_code == 200
    with caplog.at_level(logging.WARNING, logger="citymgmt.cache"):
        response = client.post(
            "/report/",
            {
                "category": str(category.pk),
                "description": "楼下垃圾堆了三天，味道很大",
                "lat": f"{lat:.6f}",
                "lng": f"{lng:.6f}",
                "address": "黄楼街道菜场西口",
                "consent": "on",
                "website": "",
                "follows": "",
            },
        )
    ticket = Ticket.objects.get(source=Source.RESIDENT)
    assert response.status_code == 302
    assert response["Location"] == f"/track/{ticket.tracking_code}/filed/"
    assert "Cache unreachable" in caplog.text  # the per-IP limit could not count: it let it by
