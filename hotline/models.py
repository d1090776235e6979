"""What the connector keeps: the platform's category codes mapped to ours (kept by assessors),
each order received with its ticket, and each later call on it (urge, callback, cancel), so a
call repeated by the platform is answered again, never applied twice."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

URGE_EVENT = "hotline_urge"
CALLBACK_EVENT = "hotline_callback"


class CategoryMapping(models.Model):
    """One of the platform's category codes and the category its orders are filed under. An
    order whose code is not here is filed for the command centre to place."""

    code = models.CharField(_("platform code"), max_length=40, unique=True)
    name = models.CharField(_("platform name"), max_length=100, blank=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("12345 category mapping")
        verbose_name_plural = _("12345 category mappings")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} → {self.category}"


class HotlineOrder(models.Model):
    """A work order (工单) the platform pushed, and the ticket it became. Unique on the
    platform's order id: a push repeated finds this row and answers what it answered first."""

    order_id = models.CharField(_("order number"), max_length=64, unique=True)
    ticket = models.OneToOneField(
        "cases.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="hotline_order",
    )
    platform_category = models.CharField(_("platform category"), max_length=40, blank=True)
    # Whether the order was filed for the command centre to place (no grid, unmapped category).
    to_be_placed = models.BooleanField(_("to be placed"), default=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # The answer given to the first push, given again to a repeated one.
    answer = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("12345 work order")
        verbose_name_plural = _("12345 work orders")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.order_id


class CallKind(models.TextChoices):
    URGE = "urge", _("Urge (督办)")
    CALLBACK = "callback", _("Callback (回访)")
    CANCEL = "cancel", _("Cancel (撤单)")


class Call(models.Model):
    """A call of the platform on an order after it was pushed. ``message_id`` is the request's
    ``webhook-id``: the platform keeps it when it sends the same call again."""

    order = models.ForeignKey(
        HotlineOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="calls"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CallKind.choices)
    message_id = models.CharField(_("message id"), max_length=100, unique=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    answer = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("12345 call")
        verbose_name_plural = _("12345 calls")
        ordering = ["-received_at"]
        indexes = [
            # The assessment's dissatisfied callbacks of a month.
            models.Index(
                fields=["received_at"],
                name="hotline_dissatisfied",
                condition=models.Q(kind="callback", satisfied=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"
