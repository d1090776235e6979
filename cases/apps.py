from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from cases import (
            checks,  # noqa: F401  (registers the system checks)
            signals,  # noqa: F401  (connects the category-choices invalidation)
        )
