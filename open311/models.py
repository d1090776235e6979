"""Clients of the Open311 GeoReport v2 endpoints (the 12345 hotline, the digital-city platform,
mobile apps): each holds one API key, issued and revoked in the admin.

Only a SHA-256 of the key is stored (keys are 256-bit random strings, so a slow hash buys
nothing); its first characters are kept in clear as ``prefix`` to find the row and to tell keys
apart in the admin.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=80)
    contact = models.CharField(
        _("contact"), max_length=120, blank=True, help_text=_("Who to call about this client.")
    )
    prefix = models.CharField(
        _("key prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False
    )
    key_hash = models.CharField(max_length=64, editable=False)
    rate_limit = models.CharField(
        _("rate limit"),
        max_length=20,
        default="60/m",
        validators=[
            RegexValidator(r"^[1-9]\d{0,5}/[smhd]$", _("Write it as 60/m, 1000/h or 10/s."))
        ],
        help_text=_("Requests allowed per period, e.g. 60/m or 1000/h."),
    )
    is_active = models.BooleanField(_("active"), default=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
