from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo city and its casework, seeded by ``manage.py seed_demo``; not production code."""

    name = "demo"
    verbose_name = _("Demo city")
