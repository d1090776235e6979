from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "command"
    verbose_name = _("Command centre")

    def ready(self) -> None:
        from cases import hooks
        from command import panels
        from command.models import GovernanceEvent

        hooks.add_event_kinds(GovernanceEvent.choices)
        hooks.add_panel(panels.GOVERNANCE)
