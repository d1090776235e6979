from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the service: health probes, request ids in the logs, the operations page with the
    scheduled tasks' runs, casework archives."""

    name = "ops"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ops import task_runs  # noqa: F401  (records scheduled tasks' runs)
