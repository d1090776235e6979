from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from cases import hooks
        from privacy.selectors import erased_contact_context

        hooks.on_page(erased_contact_context)
