"""EMAIL_URL: one variable configures notification e-mail; unset means in-app only."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from citymgmt.env import env_email

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_unset_means_no_email(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert env_email("EMAIL_URL") == {}


def test_starttls_with_a_password_that_needs_escaping(monkeypatch):
    monkeypatch.setenv(
        "EMAIL_URL", "smtp+tls://cm%40xz.gov.cn:p%2Fss@mail.xz.gov.cn?from=cm@xz.gov.cn"
    )
    config = env_email("EMAIL_URL")
    assert config == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_TIMEOUT": 10,
        "EMAIL_HOST": "mail.xz.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "cm@xz.gov.cn",
        "EMAIL_HOST_PASSWORD": "p/ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "DEFAULT_FROM_EMAIL": "cm@xz.gov.cn",
    }


@pytest.mark.parametrize(
    ("url", "port", "ssl"),
    [("smtp+ssl://mail.example.org", 465, True), ("smtp://127.0.0.1:2525", 2525, False)],
)
def test_ports_and_implicit_tls(monkeypatch, url, port, ssl):
    monkeypatch.setenv("EMAIL_URL", url)
    config = env_email("EMAIL_URL")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"]) == (port, ssl)


def test_console_and_file_backends(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "console://")
    assert env_email("EMAIL_URL")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    monkeypatch.setenv("EMAIL_URL", "file:///var/mail/citymgmt")
    assert env_email("EMAIL_URL")["EMAIL_FILE_PATH"] == "/var/mail/citymgmt"


@pytest.mark.parametrize("url", ["smtps://h", "mail.example.org", "smtp://", "smtp://h:port"])
def test_a_bad_url_stops_the_process_with_the_variables_name(monkeypatch, url):
    monkeypatch.setenv("EMAIL_URL", url)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        env_email("EMAIL_URL")


def test_email_without_a_site_url_is_warned_about(settings):
    from django.core import checks

    settings.EMAIL_ENABLED = True
    settings.SITE_URL = ""
    assert "citymgmt.W001" in [m.id for m in checks.run_checks()]
    settings.SITE_URL = "https://cg.example.cn"
    assert "citymgmt.W001" not in [m.id for m in checks.run_checks()]
