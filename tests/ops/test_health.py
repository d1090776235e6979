"""/healthz says the process serves; /readyz says whether it can do its work: database, cache,
Celery broker, and a beat that has run lately. Both are public and say nothing personal."""

import datetime
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from ops import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker_folder(settings, tmp_path):
    """The embedded default's filesystem broker, in a folder of its own."""
    folder = tmp_path / "broker"
    folder.mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
    }
    return folder


def beat_ran(minutes_ago: float, *, enabled: bool = True, name: str = "扫描到期案件") -> None:
    every_5_min, _created = IntervalSchedule.objects.get_or_create(
        every=5, period=IntervalSchedule.MINUTES
    )
    PeriodicTask.objects.create(
        name=name,
        task="cases.tasks.send_deadline_reminders",
        interval=every_5_min,
        enabled=enabled,
        last_run_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_ok_without_touching_the_database(client):
    # No django_db mark: any query (or a per-request transaction) would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_healthz_answers_a_host_not_in_allowed_hosts_and_plain_http(client, settings):
    # The container healthcheck calls 127.0.0.1:8000 over HTTP, whatever the public host is.
    settings.ALLOWED_HOSTS = ["cg.example.cn"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # the rest still checks


def test_healthz_refuses_a_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_ready_when_database_cache_broker_and_a_recent_beat_answer(client, broker_folder):
    beat_ran(minutes_ago=3)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "beat"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["broker"]["transport"] == "filesystem"
    assert 170 <= body["checks"]["beat"]["age_s"] <= 190
    assert not response.cookies


@pytest.mark.django_db
def test_not_ready_when_the_beat_is_stale(client, broker_folder):
    beat_ran(minutes_ago=20)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["beat"] == {
        "ok": False,
        "ms": body["checks"]["beat"]["ms"],
        "detail": "last beat run too old",
        "age_s": 1200,
        "max_age_s": 900,
    }
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


@pytest.mark.django_db
def test_a_disabled_task_does_not_count_as_a_beat_run(client, broker_folder):
    beat_ran(minutes_ago=1, enabled=False, name="停用的任务")
    beat_ran(minutes_ago=30)
    assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_not_ready_before_beat_has_run_anything(client, broker_folder):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"]["detail"] == "no periodic task has run"


@pytest.mark.django_db
def test_the_beat_age_limit_is_configurable(client, broker_folder, settings):
    beat_ran(minutes_ago=20)
    settings.HEALTH_BEAT_MAX_AGE = datetime.timedelta(minutes=30)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_not_ready_when_redis_is_stopped(client, broker_folder):
    beat_ran(minutes_ago=1)
    url = f"redis://:s3cret-password@127.0.0.1:{closed_port()}/0"
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    redis_cache["default"]["LOCATION"] = url
    with override_settings(CELERY_BROKER_URL=url, CACHES=redis_cache):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["detail"].startswith("unreachable (")
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    # The URL (and its password) never leaves the server, nor does a traceback.
    assert "s3cret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_not_ready_when_the_filesystem_broker_folder_is_gone(client, broker_folder):
    beat_ran(minutes_ago=1)
    broker_folder.rmdir()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "ms": response.json()["checks"]["broker"]["ms"],
        "detail": "broker folder missing",
        "transport": "filesystem",
    }


@pytest.mark.django_db
def test_the_database_check_passes_on_a_live_connection():
    assert health.run_check("database", health.check_database).ok


@pytest.mark.django_db
def test_the_database_check_fails_when_the_database_does_not_answer(monkeypatch):
    # Stopping the database under the test run is not practical: break the cursor instead.
    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse)
    result = health.run_check("database", health.check_database)
    assert not result.ok
    assert result.detail == "unreachable (OperationalError)"


@pytest.mark.django_db
def test_readyz_reports_a_failing_check_without_raising(client, broker_folder, monkeypatch):
    beat_ran(minutes_ago=1)

    def broken() -> health.Check:
        raise RuntimeError("secret detail 13812345678")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["detail"] == "unreachable (RuntimeError)"
    assert "13812345678" not in response.content.decode()


@pytest.mark.django_db
def test_the_report_is_cached_for_a_few_seconds(client, broker_folder, settings):
    settings.HEALTH_CACHE_SECONDS = 60
    beat_ran(minutes_ago=30)
    assert client.get("/readyz").status_code == 503
    PeriodicTask.objects.update(last_run_at=timezone.now())
    assert client.get("/readyz").status_code == 503  # the cached answer
    health.forget_readiness()
    assert client.get("/readyz").status_code == 200


def compose_web_healthcheck() -> str:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    return test[3]


def test_the_web_containers_healthcheck_passes_against_a_running_server(live_server, settings):
    # The production host is not among ALLOWED_HOSTS of the check's 127.0.0.1 request.
    settings.ALLOWED_HOSTS = ["cg.example.cn"]
    port = live_server.url.rsplit(":", 1)[1]
    code = compose_web_healthcheck()
    assert "'/healthz'" in code
    result = subprocess.run(
        [sys.executable, "-c", code.replace("8000", port)], capture_output=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


def test_the_web_containers_healthcheck_fails_when_nothing_answers():
    code = compose_web_healthcheck().replace("8000", str(closed_port()))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
    assert result.returncode != 0
