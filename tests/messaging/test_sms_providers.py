"""The SMS backends: the file and console outboxes, and Alibaba Cloud's and Tencent Cloud's
official SDKs talking to a local server that answers as the provider does (no internet): the
request each SDK really sends is captured and checked, and the provider's refusals end as the
outbox's permanent failures or retries."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from messaging import sms
from messaging.models import MessageTemplate
from outbox import delivery
from outbox import services as outbox
from outbox.models import Message, Status
from tests.messaging.conftest import sms_files

pytestmark = pytest.mark.django_db

OK_ALIYUN = {"Code": "OK", "Message": "OK", "BizId": "900619146349^0", "RequestId": "A1"}
OK_TENCENT = {
    "Response": {
        "SendStatusSet": [
            {
                "SerialNo": "2019:5445462536811",
                "PhoneNumber": "+8613812345678",
                "Fee": 1,
                "SessionContext": "",
                "Code": "Ok",
                "Message": "send success",
                "IsoCode": "CN",
            }
        ],
        "RequestId": "T1",
    }
}


@dataclass
class Captured:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeProvider:
    """A local HTTP server that records each request and answers with ``answer``."""

    answer: dict = field(default_factory=dict)
    requests: list[Captured] = field(default_factory=list)
    endpoint: str = ""


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urlsplit(self.path)
            fake.requests.append(
                Captured(
                    url.path,
                    {key: values[-1] for key, values in parse_qs(url.query).items()},
                    {key.lower(): value for key, value in self.headers.items()},
                    body,
                )
            )
            data = json.dumps(fake.answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.endpoint = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_ticket_template(message_templates) -> MessageTemplate:
    template = MessageTemplate.objects.get(kind="ticket_closed")
    template.template_code = "SMS_465930012"
    template.save(update_fields=["template_code"])
    return template


def use(settings, url: str) -> None:
    settings.SMS_URL = url
    sms.backend_for.cache_clear()


def closed_message(number: str = "13812345678") -> Message:
    return outbox.enqueue(
        "sms",
        number,
        "ticket_closed",
        {"number": "XZ20261207-0001", "link": "https://cg.example.cn/t/ABCD2345EF/"},
        ref="ticket:1",
    )


def test_aliyun_sends_sendsms_with_the_number_sign_template_and_params(
    settings, provider, closed_ticket_template
):
    provider.answer = OK_ALIYUN
    use(
        settings,
        f"aliyun://LTAIkey:secret@?sign_name=徐州城管&endpoint={provider.endpoint}&protocol=http",
    )
    message = closed_message("+86 138-1234-5678")

    assert delivery.send(message.pk) == delivery.Outcome.SENT

    (request,) = provider.requests
    assert request.headers["x-acs-action"] == "SendSms"
    assert request.headers["x-acs-version"] == "2017-05-25"
    assert request.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAIkey,")
    assert request.query["PhoneNumbers"] == "13812345678"  # mainland: the 11 digits
    assert request.query["SignName"] == "徐州城管"
    assert request.query["TemplateCode"] == "SMS_465930012"
    assert json.loads(request.query["TemplateParam"]) == {
        "number": "XZ20261207-0001",
        "link": "https://cg.example.cn/t/ABCD2345EF/",
    }
    assert request.query["OutId"] == f"outbox:{message.pk}"
    message.refresh_from_db()
    assert (message.status, message.response_code) == (Status.SENT, "900619146349^0")


def test_aliyun_refusing_the_number_fails_the_message_at_once(
    settings, provider, closed_ticket_template
):
    provider.answer = {
        "Code": "isv.MOBILE_NUMBER_ILLEGAL",
        "Message": "非法手机号",
        "RequestId": "A2",
    }
    use(settings, f"aliyun://k:s@?sign_name=城管&endpoint={provider.endpoint}&protocol=http")
    message = closed_message()

    assert delivery.send(message.pk) == delivery.Outcome.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.response_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert "非法手机号" in message.last_error


def test_aliyun_throttling_is_retried(settings, provider, closed_ticket_template):
    provider.answer = {
        "Code": "isv.BUSINESS_LIMIT_CONTROL",
        "Message": "触发流控",
        "RequestId": "A3",
    }
    use(settings, f"aliyun://k:s@?sign_name=城管&endpoint={provider.endpoint}&protocol=http")
    message = closed_message()

    assert delivery.send(message.pk) == delivery.Outcome.RETRY
    message.refresh_from_db()
    assert (message.status, message.response_code) == (Status.PENDING, "isv.BUSINESS_LIMIT_CONTROL")


def test_tencent_sends_sendsms_in_e164_with_the_ordered_params(
    settings, provider, closed_ticket_template
):
    provider.answer = OK_TENCENT
    use(
        settings,
        f"tencent://AKIDxyz:key@?sdk_app_id=1400006666&sign_name=徐州城管"
        f"&endpoint={provider.endpoint}&protocol=http",
    )
    message = closed_message()

    assert delivery.send(message.pk) == delivery.Outcome.SENT

    (request,) = provider.requests
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert "Credential=AKIDxyz/" in request.headers["authorization"]
    body = json.loads(request.body)
    assert body == {
        "PhoneNumberSet": ["+8613812345678"],
        "SmsSdkAppId": "1400006666",
        "SignName": "徐州城管",
        "TemplateId": "SMS_465930012",
        # {1}, {2}: the placeholders in the order the template's text uses them.
        "TemplateParamSet": ["XZ20261207-0001", "https://cg.example.cn/t/ABCD2345EF/"],
        "SessionContext": f"outbox:{message.pk}",
    }
    message.refresh_from_db()
    assert (message.status, message.response_code) == (Status.SENT, "2019:5445462536811")


def test_tencent_refusing_the_number_fails_the_message_at_once(
    settings, provider, closed_ticket_template
):
    refused = json.loads(json.dumps(OK_TENCENT))
    status = refused["Response"]["SendStatusSet"][0]
    status.update(Code="InvalidParameterValue.IncorrectPhoneNumber", Message="手机号格式错误")
    provider.answer = refused
    use(
        settings,
        f"tencent://a:b@?sdk_app_id=1&sign_name=城管&endpoint={provider.endpoint}&protocol=http",
    )
    message = closed_message()

    assert delivery.send(message.pk) == delivery.Outcome.FAILED
    message.refresh_from_db()
    assert "InvalidParameterValue.IncorrectPhoneNumber: 手机号格式错误" in message.last_error
    assert message.response_code == "InvalidParameterValue.IncorrectPhoneNumber"[:40]


def test_tencent_api_errors_are_retried_unless_they_are_about_the_request(
    settings, provider, closed_ticket_template
):
    use(
        settings,
        f"tencent://a:b@?sdk_app_id=1&sign_name=城管&endpoint={provider.endpoint}&protocol=http",
    )
    provider.answer = {
        "Response": {
            "Error": {"Code": "InternalError.Timeout", "Message": "超时"},
            "RequestId": "T2",
        }
    }
    retried = closed_message()
    assert delivery.send(retried.pk) == delivery.Outcome.RETRY

    provider.answer = {
        "Response": {
            "Error": {"Code": "AuthFailure.SecretIdNotFound", "Message": "密钥不存在"},
            "RequestId": "T3",
        }
    }
    refused = closed_message()
    assert delivery.send(refused.pk) == delivery.Outcome.FAILED
    assert Message.objects.get(pk=refused.pk).response_code == "AuthFailure.SecretIdNotFound"


def test_a_provider_needs_the_kinds_template_code(settings, provider, message_templates):
    use(settings, f"aliyun://k:s@?sign_name=城管&endpoint={provider.endpoint}&protocol=http")
    message = closed_message()  # ticket_closed has no provider's code yet
    assert delivery.send(message.pk) == delivery.Outcome.FAILED
    assert "has no provider's code" in Message.objects.get(pk=message.pk).last_error
    assert provider.requests == []


def test_the_file_outbox_writes_one_json_file_per_message(sms_outbox):
    message = outbox.enqueue("sms", "13812345678", "verify_code", {"code": "428513"})

    assert delivery.send(message.pk) == delivery.Outcome.SENT

    (written,) = sms_files(sms_outbox)
    assert written["to"] == "13812345678"
    assert written["template"] == "verify_code"  # no provider's code: the kind
    assert written["params"] == {"code": "428513"}
    assert written["text"] == "您的验证码为428513，请勿告诉他人。如非本人操作，请忽略。"
    assert written["sent_at"]
    assert written["message_id"] == f"outbox:{message.pk}"


def test_the_console_outbox_prints_the_text(settings, message_templates, capsys):
    use(settings, "console://")
    message = outbox.enqueue("sms", "13812345678", "verify_code", {"code": "111222"})
    assert delivery.send(message.pk) == delivery.Outcome.SENT
    assert "您的验证码为111222" in capsys.readouterr().out


def test_a_number_that_is_no_mainland_mobile_is_not_sent(sms_outbox):
    message = outbox.enqueue("sms", "0516-83801234", "verify_code", {"code": "1"})
    assert delivery.send(message.pk) == delivery.Outcome.FAILED
    assert "not a mainland mobile" in Message.objects.get(pk=message.pk).last_error
    assert sms_files(sms_outbox) == []


def test_a_kind_without_a_template_is_not_sent(sms_outbox):
    message = outbox.enqueue("sms", "13812345678", "no_such_kind", {})
    assert delivery.send(message.pk) == delivery.Outcome.FAILED
    assert "no message template" in Message.objects.get(pk=message.pk).last_error


def test_with_sms_off_queued_messages_are_cancelled(settings, message_templates):
    use(settings, "")
    message = outbox.enqueue("sms", "13812345678", "verify_code", {"code": "1"})
    assert delivery.send(message.pk) == delivery.Outcome.CANCELLED


@pytest.mark.parametrize(
    ("typed", "national"),
    [
        ("13812345678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("12812345678", ""),
        ("0516-83801234", ""),
        ("", ""),
    ],
)
def test_mainland_mobile_numbers_are_read_in_any_usual_form(typed, national):
    assert sms.national_mobile(typed) == national
