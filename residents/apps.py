from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """The residents' side: the complaint form, tracking pages, ratings and reopen requests."""

    name = "residents"
    verbose_name = _("Residents")
