"""SMS_URL: one URL says how SMS go out, and a mistyped one stops the process at start."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from citymgmt.env import env_sms, parse_sms_url


def test_an_empty_sms_url_means_no_sms():
    assert parse_sms_url("") == {}
    assert parse_sms_url("   ") == {}


def test_console_and_file_outboxes():
    assert parse_sms_url("console://") == {"backend": "console"}
    assert parse_sms_url("file:///var/sms") == {"backend": "file", "path": "/var/sms"}


def test_aliyun_takes_its_keys_sign_name_and_an_endpoint_override():
    config = parse_sms_url(
        "aliyun://LTAI5t%2Bkey:s3cr%40t@?sign_name=%E5%BE%90%E5%B7%9E%E5%9F%8E%E7%AE%A1"
        "&endpoint=127.0.0.1:8999&protocol=http"
    )
    assert config == {
        "backend": "aliyun",
        "key_id": "LTAI5t+key",
        "secret": "s3cr@t",
        "sign_name": "徐州城管",
        "sdk_app_id": "",
        "region": "",
        "endpoint": "127.0.0.1:8999",
        "protocol": "http",
    }


def test_tencent_needs_its_sdk_app_id():
    config = parse_sms_url(
        "tencent://AKID:KEY@?sdk_app_id=1400000000&sign_name=城管&region=ap-beijing"
    )
    assert (config["backend"], config["sdk_app_id"], config["region"], config["protocol"]) == (
        "tencent",
        "1400000000",
        "ap-beijing",
        "https",
    )
    with pytest.raises(ImproperlyConfigured, match="sdk_app_id"):
        parse_sms_url("tencent://AKID:KEY@?sign_name=城管")


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("sms://x", "must start with one of"),
        ("file://", "names no folder"),
        ("aliyun://@?sign_name=城管", "key id and secret"),
        ("aliyun://id:secret@", "sign_name"),
        ("aliyun://id:secret@?sign_name=x&protocol=ftp", "http or https"),
    ],
)
def test_a_bad_sms_url_names_the_variable_and_the_problem(monkeypatch, url, complaint):
    monkeypatch.setenv("SMS_URL", url)
    with pytest.raises(ImproperlyConfigured, match=complaint) as error:
        env_sms("SMS_URL")
    assert "SMS_URL" in str(error.value)
    assert "secret" not in str(error.value).replace("key id and secret", "")
