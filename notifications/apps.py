from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Who hears of what: the inbox, e-mail delivery and deadline reminders."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cases import hooks
        from notifications import reminders, services

        hooks.on_event(services.notify_event)
        hooks.on_deadline_moved(reminders.carry_over)
