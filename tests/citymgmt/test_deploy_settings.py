"""Production settings pass Django's deployment checklist, with the security headers we promise.

The settings are read from the environment once, at start: each case starts a fresh process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "k3Yq9-" + "x7R!pL2@vB8#nM4$zW6%tH1^cJ5&fD0*" * 2,
    "ALLOWED_HOSTS": "cg.example.cn",
    "CITYMGMT_VAR_DIR": "",
}
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
         "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
         "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "SECURE_REDIRECT_EXEMPT",
         "PASSWORD_HASHERS"]
values = {name: getattr(settings, name) for name in names}
values["CSP"] = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
print(json.dumps(values))
"""


def _run(args: list[str], tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess:
    # Not the test run's own switches (the browser tests allow async-unsafe ORM calls, which
    # check --deploy rightly refuses in production).
    skip = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(PRODUCTION, CITYMGMT_VAR_DIR=str(tmp_path), **overrides)
    env["DJANGO_SETTINGS_MODULE"] = "citymgmt.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(tmp_path: Path, **overrides: str) -> dict:
    result = _run(["-c", PRINT_SETTINGS], tmp_path, **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_finds_nothing_under_production_settings(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_does_complain_when_debug_is_left_on(tmp_path):
    """The twin: the check is really run, and a development setting fails it."""
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, DJANGO_DEBUG="1"
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_production_turns_on_https_hsts_and_strict_cookies(tmp_path):
    values = _settings(tmp_path)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def test_the_operator_can_switch_hsts_preload_and_the_redirect(tmp_path):
    values = _settings(
        tmp_path, SECURE_HSTS_PRELOAD="1", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="600"
    )
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600


def test_development_mode_neither_redirects_nor_pins_https(tmp_path):
    values = _settings(tmp_path, DJANGO_DEBUG="1", SECRET_KEY="")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_a_tile_server_is_allowed_for_images_and_nothing_else(tmp_path):
    values = _settings(
        tmp_path, MAP_TILE_URL="https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    )
    assert "https://*.is.autonavi.com" in values["CSP"]["img-src"]
    assert values["CSP"]["script-src"] == ["'self'"]
    assert values["CSP"]["connect-src"] == ["'self'"]


def test_the_tianditu_preset_allows_its_tile_hosts_for_images(tmp_path):
    values = _settings(tmp_path, MAP_TILES="tianditu", TIANDITU_KEY="0123456789abcdef")
    assert "https://*.tianditu.gov.cn" in values["CSP"]["img-src"]
    assert values["CSP"]["connect-src"] == ["'self'"]


def test_the_tianditu_preset_without_its_key_stops_the_process(tmp_path):
    result = _run(["-c", PRINT_SETTINGS], tmp_path, MAP_TILES="tianditu")
    assert result.returncode != 0
    assert "TIANDITU_KEY" in result.stderr


def test_a_relative_tile_url_stops_the_process(tmp_path):
    result = _run(["-c", PRINT_SETTINGS], tmp_path, MAP_TILE_URL="tiles/{z}/{x}/{y}.png")
    assert result.returncode != 0
    assert "MAP_TILE_URL must be an absolute URL" in result.stderr


# In-process: the SSL redirect and the plain-HTTP health checks inside the container.


@pytest.fixture
def https_only(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    return settings


@pytest.mark.django_db
def test_plain_http_is_sent_to_https(client, https_only):
    response = client.get("/communities/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_requests_the_proxy_marks_as_https_are_served_with_hsts(client, https_only):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_paths_are_never_redirected_to_https(client, https_only, path):
    assert client.get(path).status_code != 301


@pytest.mark.django_db
def test_the_containers_healthcheck_gets_an_answer_over_plain_http(client, https_only):
    """docker-compose.yml's healthcheck speaks plain HTTP to gunicorn: whatever it asks must be
    answered (any status) and not raise; a redirect to https is an answer too."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    path = probe.split("c.request('GET', '")[1].split("'")[0]
    assert client.get(path).status_code < 500
