import base64
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import District


class EventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_STATE_CHANGED = "ticket.state_changed", _("Ticket changed state")
    TICKET_OVERDUE = "ticket.overdue", _("Ticket overdue")
    TICKET_CLOSED = "ticket.closed", _("Ticket closed")
    TICKET_RATED = "ticket.rated", _("Ticket rated by its reporter")
    ASSESSMENT_PUBLISHED = "assessment.published", _("Monthly assessment published")


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        help_text=_("Give it to the receiver to verify signatures (Standard Webhooks)."),
    )
    events = models.JSONField(_("events"), default=list, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Only tickets of this district (empty: the whole city)."),
    )
    trusted = models.BooleanField(
        _("trusted with personal data"),
        default=False,
        help_text=_(
            "Also send the description, the address, the exact point and the reporter's name "
            "and phone. Leave off for any receiver that does not need them."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def outbox_key(self) -> str:
        return f"webhook:{self.pk}"
