"""System checks for casework settings."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def email_links_need_a_site_url(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Notification e-mails link to the notification; without SITE_URL the link has no host."""
    if settings.EMAIL_ENABLED and not settings.SITE_URL:
        return [
            Warning(
                "EMAIL_URL is set but SITE_URL is not: links in notification e-mails will "
                "lack the site's address.",
                hint="Set SITE_URL to the public address, e.g. https://cg.example.cn",
                id="citymgmt.W001",
            )
        ]
    return []
