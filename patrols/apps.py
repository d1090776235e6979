from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "patrols"
    verbose_name = _("Patrols")

    def ready(self) -> None:
        from cases import hooks
        from patrols.duty import on_duty_at

        hooks.on_duty(on_duty_at)
