"""What the messaging app keeps: the text of each kind of message (the provider's approved
template and our own words for it), the SMS policy (the per-number daily cap), and what a
reporter said about being told (their e-mail address, whether they stopped the updates)."""

import datetime
import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ``{name}`` in a template's text: a parameter the message fills in.
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class MessageTemplate(models.Model):
    """One kind of message: Chinese SMS providers send only templates approved in advance, with
    parameters, never free text, so each kind names the provider's template code; the text is
    ours, with the same placeholders (``{number}``, ``{link}``), for the console and file
    outboxes, e-mail, and the admin's delivery log. Tencent fills its templates' {1}, {2}, … in
    the order the placeholders first appear here."""

    kind = models.CharField(
        _("message kind"),
        max_length=60,
        unique=True,
        help_text=_("The kind the sending code asks for, e.g. ticket_closed or verify_code."),
    )
    template_code = models.CharField(
        _("provider's template code"),
        max_length=60,
        blank=True,
        help_text=_(
            "The approved template's code at the SMS provider (SMS_123456789 at Alibaba Cloud, a "
            "number at Tencent Cloud). Empty: this kind is not sent by SMS through a provider."
        ),
    )
    text = models.TextField(
        _("text"),
        help_text=_(
            "The message in our words, with the template's parameters as {name}: what e-mail, "
            "the console and file outboxes send. Keep it the same as the approved template."
        ),
    )
    email_subject = models.CharField(_("e-mail subject"), max_length=120, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.kind

    @property
    def param_names(self) -> list[str]:
        """The placeholders in order of first appearance (Tencent's {1}, {2}, …)."""
        return list(dict.fromkeys(PLACEHOLDER.findall(self.text)))

    def render(self, params: dict[str, object]) -> str:
        """The text with its placeholders filled in (an unknown one is left as it is)."""
        return PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), self.text)


class SmsPolicy(models.Model):
    """The SMS rules in force: the latest row. Kept in the admin, not in an environment
    variable, because it is an operator's decision made while the site runs (a flood of
    messages, a provider's bill) and takes effect at the next message, without a restart."""

    daily_cap_per_number = models.PositiveSmallIntegerField(
        _("messages per number per day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "Past this many SMS to one number since midnight, further messages to it that day are "
            "cancelled, not sent (the delivery log says why)."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SMS policy")
        verbose_name_plural = _("SMS policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "SmsPolicy":
        return cls.objects.order_by("-pk").first() or cls()


class ReporterContact(models.Model):
    """A reporter's choices about being told of their ticket: the e-mail address they gave
    (optional) and whether they stopped the updates from their tracking page. The mobile
    number stays on the ticket, where staff read it."""

    ticket = models.OneToOneField(
        "cases.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="reporter_preferences",
    )
    email = models.EmailField(_("reporter's e-mail"), blank=True)
    updates_stopped_at = models.DateTimeField(_("updates stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter's contact preferences")
        verbose_name_plural = _("reporters' contact preferences")

    def __str__(self) -> str:
        return str(self.ticket_id)

    @property
    def stopped(self) -> bool:
        return self.updates_stopped_at is not None


def today_start() -> datetime.datetime:
    """Midnight today in the site's time zone (the daily cap counts from there)."""
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)
