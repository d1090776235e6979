"""What the residents' side keeps of its own: one-time codes sent to a mobile number (hashed),
and residents' subscriptions to new reports in a community or to one public report."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a number is the resident's. Only its keyed hash is
    kept (``residents.phone.code_hash``); a code is good once, until ``expires_at``, for
    ``CITYMGMT_PHONE_CODE_ATTEMPTS`` wrong tries."""

    phone = models.CharField(_("mobile number"), max_length=20)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [models.Index(fields=["phone", "-created_at"], name="phonecode_phone_recent")]

    def __str__(self) -> str:
        from citymgmt.masking import mask_phone

        return mask_phone(self.phone)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubscriptionChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class Subscription(models.Model):
    """A resident's alert (FixMyStreet's): new public reports in ``community``, or the public
    steps of one public report (``ticket``), by SMS to a verified number or by e-mail to a
    confirmed address. ``token`` is the key of its confirmation and unsubscribe links."""

    channel = models.CharField(_("channel"), max_length=10, choices=SubscriptionChannel.choices)
    target = models.CharField(_("sent to"), max_length=254)
    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    ticket = models.ForeignKey(
        "cases.Ticket",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=True, ticket__isnull=False)
                | Q(community__isnull=False, ticket__isnull=True),
                name="subscription_one_subject",
            ),
            models.UniqueConstraint(
                fields=["channel", "target", "community"],
                condition=Q(community__isnull=False),
                name="subscription_once_per_community",
            ),
            models.UniqueConstraint(
                fields=["channel", "target", "ticket"],
                condition=Q(ticket__isnull=False),
                name="subscription_once_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"
