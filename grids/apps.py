from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Places and grids")

    def ready(self) -> None:
        from grids import signals  # noqa: F401  (connects the locator invalidation)
