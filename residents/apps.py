from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """The residents' side: the complaint form, tracking pages, ratings and reopen requests, each
    community's month on its notice board, verified phones and alerts."""

    name = "residents"
    verbose_name = _("Residents")

    def ready(self) -> None:
        from cases import hooks
        from grids.board import add_section
        from residents import alerts
        from residents.community_month import SECTION

        add_section(SECTION)
        hooks.on_event(alerts.on_ticket_event)
