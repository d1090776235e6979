from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopsConfig(AppConfig):
    name = "shops"
    verbose_name = _("Shops")

    def ready(self) -> None:
        from cases import hooks
        from shops import panels
        from shops.models import EnforcementEvent

        hooks.add_event_kinds(EnforcementEvent.choices, enforcement=True)
        hooks.add_panel(panels.ENFORCEMENT)
