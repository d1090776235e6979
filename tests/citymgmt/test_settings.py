"""Bad configuration stops the process at start, naming the variable to fix."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from citymgmt import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("helper", "name", "value", "default"),
    [
        (env.env_bool, "DJANGO_DEBUG", "maybe", False),
        (env.env_int, "CELERY_TASK_TIME_LIMIT", "ten", 10),
        (env.env_time_zone, "TIME_ZONE", "Mars/Olympus", "Asia/Shanghai"),
        (env.env_database, "DATABASE_URL", "nosuchdb://x", "sqlite:///x"),
        (env.env_rate, "CITYMGMT_RATE_REPORT", "5 per 10 minutes", "5/10m"),
        (env.env_rate, "CITYMGMT_RATE_REPORT", "0/m", "5/10m"),
        (env.env_rate, "CITYMGMT_RATE_OPEN311", "120/minute", "120/m"),
    ],
)
def test_a_bad_value_is_refused_with_the_variables_name(monkeypatch, helper, name, value, default):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        helper(name, default)


def test_a_redis_url_must_look_like_one(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "localhost:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.env_redis_url("REDIS_URL")


def test_good_values_are_read(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "off")
    monkeypatch.setenv("ALLOWED_HOSTS", "cg.example.cn, localhost")
    assert env.env_bool("DJANGO_DEBUG", True) is False
    assert env.env_list("ALLOWED_HOSTS", []) == ["cg.example.cn", "localhost"]
    assert env.env_database("NOT_SET_AT_ALL", "sqlite:///tmp/x.db")["ENGINE"].endswith("sqlite3")


def test_rate_limits_are_read_from_the_environment_with_their_defaults(monkeypatch):
    monkeypatch.setenv("CITYMGMT_RATE_REPORT", " 3/5m ")
    monkeypatch.delenv("CITYMGMT_RATE_ERASURE", raising=False)
    assert env.env_rate("CITYMGMT_RATE_REPORT", "5/10m") == "3/5m"
    assert env.env_rate("CITYMGMT_RATE_ERASURE", "10/h") == "10/h"


def _start_django(**environ: str) -> subprocess.CompletedProcess:
    child_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    child_env.update(environ)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_process_refuses_to_start_with_a_bad_time_zone():
    result = _start_django(TIME_ZONE="Asia/Xuzhou")
    assert result.returncode != 0
    assert "TIME_ZONE is not a known time zone: 'Asia/Xuzhou'" in result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _start_django(DJANGO_DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_postgresql_url_gets_a_short_connect_timeout(monkeypatch):
    # An unreachable database fails requests and /readyz in seconds, not a TCP timeout.
    from citymgmt.env import env_database

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/cm")
    assert env_database("DATABASE_URL", "")["OPTIONS"]["connect_timeout"] == 5
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/cm?connect_timeout=2")
    assert env_database("DATABASE_URL", "")["OPTIONS"]["connect_timeout"] == 2


def test_a_postgresql_url_turns_jit_off_unless_it_says_otherwise(monkeypatch):
    # JIT compiles by plan cost: a month's counts over a million tickets spent longer compiling
    # than running (bench/RESULTS.md).
    from citymgmt.env import env_database

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/cm")
    assert env_database("DATABASE_URL", "")["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/cm?options=-c%20jit%3Don")
    assert env_database("DATABASE_URL", "")["OPTIONS"]["options"] == "-c jit=on"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_the_app_connects_to_postgresql_with_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
