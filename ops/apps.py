from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the service: health probes, request ids in the logs, casework archives."""

    name = "ops"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"
