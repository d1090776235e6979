from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed notices of ticket and assessment events to outside systems."""

    name = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import hooks
        from outbox import channels
        from webhooks import delivery, services

        hooks.on_event(services.ticket_event)
        hooks.on_overdue(services.ticket_overdue)
        # Standard Webhooks' advice: retry over about a day. 60 s doubling, capped at 6 hours
        # apart: 12 attempts span roughly 20 hours.
        channels.register(delivery.CHANNEL, delivery.send, max_attempts=12, retry_seconds=60)
