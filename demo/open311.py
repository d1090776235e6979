"""Demo integrations for seed_demo: an Open311 client (the digital-city platform) and a REST
token for the command centre, both with keys derived from SECRET_KEY, so they are the same on
every run of one installation and printed with the logins."""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User
from demo.grids import DemoLogin
from open311.models import PREFIX_LENGTH, ApiClient
from open311.services import issue_api_client

CLIENT_NAME = "数字城管平台（演示）"
TOKEN_USER = "command"


def _derived(purpose: str, length: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256)
    return digest.hexdigest()[:length]


def seed_integrations(*, stdout: Any = None) -> dict[str, Any]:
    """Create the demo Open311 client and the command centre's API token if missing."""
    key = _derived("citymgmt demo open311 key", 40)
    token_key = _derived("citymgmt demo rest token", 40)
    created = {"api_clients": 0, "api_tokens": 0}
    logins = []
    with transaction.atomic():
        if not ApiClient.objects.filter(prefix=key[:PREFIX_LENGTH]).exists():
            issue_api_client(name=CLIENT_NAME, created_by=None, rate_limit="120/m", key=key)
            created["api_clients"] = 1
        logins.append(
            DemoLogin("open311", "api_key", key, f"{CLIENT_NAME}: /open311/v2/requests.json")
        )
        user = User.objects.filter(username=TOKEN_USER).first()
        if user is not None:
            if not Token.objects.filter(user=user).exists():
                Token.objects.create(user=user, key=token_key)
                created["api_tokens"] = 1
            token = Token.objects.get(user=user).key
            logins.append(
                DemoLogin("rest", TOKEN_USER, f"Token {token}", "Authorization header, /api/docs/")
            )
    if stdout is not None:
        stdout.write(f"  integrations: {created}\n")
    return {"created": created, "logins": logins}
