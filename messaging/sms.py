"""The outbox's ``sms`` channel: where ``SMS_URL`` sends a message, and the checks before it goes.

Any app enqueues an SMS as ``outbox.services.enqueue("sms", mobile, kind, params)``: ``kind``
names a :class:`~messaging.models.MessageTemplate`, ``params`` fill its placeholders. The
sender here, for every kind alike:

- turns the message into the template's code and parameters (providers send approved templates
  only, never free text) and our text of it (console and file outboxes);
- cancels it (``Skip``) when SMS is off, when the reporter stopped their updates, or when the
  number has had the day's cap (``SmsPolicy``);
- fails it for good (``Permanent``) for a number that is no mainland mobile, a kind without a
  template, or a provider's refusal that another attempt cannot change; anything else (network,
  a provider's throttling or outage) is retried by the outbox with a doubling delay.
"""

import functools
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from citymgmt.env import parse_sms_url
from messaging import updates
from messaging.models import MessageTemplate, SmsPolicy, today_start
from outbox import channels
from outbox.delivery import message_id
from outbox.models import Message, Status

_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()]")


class ProviderRefused(channels.Permanent):
    """The provider said no for a reason another attempt cannot cure (a bad number, an
    unapproved template or signature)."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.response_code = code


class ProviderError(Exception):
    """The provider failed in a way worth trying again (throttling, an outage)."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.response_code = code


def national_mobile(number: str) -> str:
    """A mainland mobile number as its 11 digits (``+86 138-1234-5678`` → ``13812345678``), or
    "" when it is none."""
    digits = _SEPARATORS.sub("", number)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    return digits if _MOBILE.fullmatch(digits) else ""


@dataclass(frozen=True)
class Sms:
    to: str  # 11 digits: each backend writes it the way its provider wants
    kind: str
    template: str  # the provider's template code
    params: dict[str, str]  # in the template's order (Tencent's {1}, {2}, …)
    text: str
    message_id: str


class Backend(Protocol):
    needs_template_code: bool

    def send(self, sms: Sms) -> str:
        """Deliver ``sms``; return the provider's id for it, or raise."""


class ConsoleBackend:
    """``console://``: one JSON line per message on standard output (the worker's log)."""

    needs_template_code = False

    def send(self, sms: Sms) -> str:
        line = {"to": sms.to, "kind": sms.kind, "template": sms.template, "text": sms.text}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return "console"


class FileBackend:
    """``file:///DIR``: one JSON file per message, named by its outbox id (sent again, the same
    file is written again: never a second one). Written whole, then renamed into place, so a
    reader never sees half a message."""

    needs_template_code = False

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def send(self, sms: Sms) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"sms-{sms.message_id.rpartition(':')[2].zfill(9)}.json"
        record = {
            "to": sms.to,
            "template": sms.template or sms.kind,
            "kind": sms.kind,
            "params": sms.params,
            "text": sms.text,
            "sent_at": timezone.now().isoformat(),
            "message_id": sms.message_id,
        }
        handle, temporary = tempfile.mkstemp(dir=self.path, prefix=".sms-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, indent=2)
        os.replace(temporary, self.path / name)
        return name


# Answers that another attempt cannot change (the rest, throttling and outages, are retried).
ALIYUN_PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.DENY_IP_RANGE",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
}
TENCENT_PERMANENT_PREFIXES = (
    "InvalidParameter",  # InvalidParameterValue.IncorrectPhoneNumber, …TemplateParameterFormatError
    "UnauthorizedOperation",
    "AuthFailure",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.MissingTemplateToModify",
    "UnsupportedOperation",
)


class AliyunBackend:
    """``aliyun://KEY_ID:SECRET@?sign_name=…``: Alibaba Cloud SMS (dysmsapi 2017-05-25,
    ``SendSms``) through its official SDK. Mainland numbers go as their 11 digits; the template
    parameters as one JSON object; the outbox id as ``OutId`` (in the delivery receipts)."""

    needs_template_code = True

    def __init__(self, config: dict[str, str]) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi

        self.sign_name = config["sign_name"]
        self.client = Client(
            openapi.Config(
                access_key_id=config["key_id"],
                access_key_secret=config["secret"],
                endpoint=config["endpoint"] or "dysmsapi.aliyuncs.com",
                region_id=config["region"] or "cn-hangzhou",
                protocol=config["protocol"],
                connect_timeout=5000,
                read_timeout=10000,
            )
        )

    def send(self, sms: Sms) -> str:
        from alibabacloud_dysmsapi20170525 import models

        request = models.SendSmsRequest(
            phone_numbers=sms.to,
            sign_name=self.sign_name,
            template_code=sms.template,
            template_param=json.dumps(sms.params, ensure_ascii=False),
            out_id=sms.message_id,
        )
        body = self.client.send_sms(request).body
        if body.code == "OK":
            return body.biz_id or "OK"
        error = ProviderRefused if body.code in ALIYUN_PERMANENT else ProviderError
        raise error(body.code or "?", body.message or "")


class TencentBackend:
    """``tencent://SECRET_ID:SECRET_KEY@?sdk_app_id=…&sign_name=…``: Tencent Cloud SMS
    (2021-01-11, ``SendSms``) through its official SDK. Numbers go in E.164 (+86…), the
    parameters as the template's ordered list, the outbox id as ``SessionContext``."""

    needs_template_code = True

    def __init__(self, config: dict[str, str]) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        self.sdk_app_id = config["sdk_app_id"]
        self.sign_name = config["sign_name"]
        profile = HttpProfile(
            endpoint=config["endpoint"] or "sms.tencentcloudapi.com",
            protocol=config["protocol"],
            reqTimeout=10,
        )
        self.client = sms_client.SmsClient(
            credential.Credential(config["key_id"], config["secret"]),
            config["region"] or "ap-guangzhou",
            ClientProfile(httpProfile=profile),
        )

    def send(self, sms: Sms) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{sms.to}"]
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = sms.template
        request.TemplateParamSet = list(sms.params.values())
        request.SessionContext = sms.message_id
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "?"
            refused = code.startswith(TENCENT_PERMANENT_PREFIXES)
            raise (ProviderRefused if refused else ProviderError)(code, exc.get_message()) from exc
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            raise ProviderError("?", "no send status in the answer")
        if status.Code == "Ok":
            return status.SerialNo or "Ok"
        refused = status.Code.startswith(TENCENT_PERMANENT_PREFIXES)
        raise (ProviderRefused if refused else ProviderError)(status.Code, status.Message or "")


@functools.lru_cache(maxsize=4)
def backend_for(url: str) -> Backend | None:
    """The backend ``url`` describes (one per URL and process: the SDK clients are reused)."""
    config = parse_sms_url(url)
    if not config:
        return None
    match config["backend"]:
        case "console":
            return ConsoleBackend()
        case "file":
            return FileBackend(config["path"])
        case "aliyun":
            return AliyunBackend(config)
        case "tencent":
            return TencentBackend(config)
    raise AssertionError(config["backend"])


def enabled() -> bool:
    """Whether SMS go out at all (``SMS_URL`` set): when not, nothing offers them."""
    return bool(settings.SMS_URL)


# One-time codes are what a resident asked for this minute, limited per number and per address
# by their own rules (residents.phone): the daily cap neither stops them nor counts them, so a
# resident who verified a few times still hears of their report.
UNCAPPED_KINDS = frozenset({"verify_code"})


def sent_today(number: str) -> int:
    """The capped SMS sent to ``number`` since midnight (``outbox_target`` index)."""
    return (
        Message.objects.filter(
            channel="sms", target=number, status=Status.SENT, created_at__gte=today_start()
        )
        .exclude(kind__in=UNCAPPED_KINDS)
        .count()
    )


def send_message(message: Message) -> str:
    """The outbox's sender for the ``sms`` channel (see the module's docstring)."""
    backend = backend_for(settings.SMS_URL)
    if backend is None:
        raise channels.Skip("SMS is off (SMS_URL is not set)")
    if updates.stopped(message):
        raise channels.Skip("the resident stopped the updates")
    if not message.target:
        raise channels.Skip("no number: the contact details were erased")
    number = national_mobile(message.target)
    if not number:
        raise channels.Permanent(f"not a mainland mobile number: {message.target!r}")
    template = MessageTemplate.objects.filter(kind=message.kind).first()
    if template is None:
        raise channels.Permanent(f"no message template for kind {message.kind!r}")
    if backend.needs_template_code and not template.template_code:
        raise channels.Permanent(f"message template {message.kind!r} has no provider's code")
    cap = SmsPolicy.current().daily_cap_per_number
    if message.kind not in UNCAPPED_KINDS and sent_today(message.target) >= cap:
        raise channels.Skip(f"daily cap reached: {cap} SMS to this number today")
    params = {name: str(message.payload.get(name, "")) for name in template.param_names}
    return backend.send(
        Sms(
            to=number,
            kind=message.kind,
            template=template.template_code,
            params=params,
            text=template.render(params),
            message_id=message_id(message),
        )
    )
