from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """SMS and e-mail to residents through the outbox; the reporter's updates on their ticket."""

    name = "messaging"
    verbose_name = _("Messages to residents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import hooks
        from messaging import deliveries, email, sms, updates
        from outbox import channels

        channels.register("sms", sms.send_message)
        if channels.get("email") is None:
            channels.register("email", email.send_message)
        hooks.on_event(updates.on_ticket_event)
        hooks.add_panel(deliveries.PANEL)
