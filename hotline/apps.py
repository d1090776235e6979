from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HotlineConfig(AppConfig):
    """The 12345 hotline connector (issue 21)."""

    name = "hotline"
    verbose_name = _("12345 hotline")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import hooks
        from hotline import client, writeback
        from hotline.models import CALLBACK_EVENT, URGE_EVENT
        from notifications.services import tell_holders_of
        from outbox import channels

        hooks.add_event_kinds(
            [
                (URGE_EVENT, pgettext_lazy("ticket event", "Urged by the 12345 hotline")),
                (CALLBACK_EVENT, pgettext_lazy("ticket event", "12345 callback result")),
            ]
        )
        tell_holders_of(URGE_EVENT)
        hooks.on_event(writeback.on_event)
        channels.register(writeback.CHANNEL, client.send)
