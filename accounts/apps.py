from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and units")

    def ready(self) -> None:
        from accounts import two_factor  # noqa: F401  (connects its user_logged_in receiver)
        from accounts.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
