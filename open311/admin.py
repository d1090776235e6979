from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from open311 import services
from open311.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Open311 clients. Adding one shows its key once (only a hash is kept); a key is revoked,
    never deleted, so the tickets a client filed still say who filed them."""

    list_display = ["name", "prefix", "rate_limit", "is_active", "last_used_at", "revoked_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "contact"]
    readonly_fields = [
        "prefix",
        "is_active",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    fields = ["name", "contact", "rate_limit", *readonly_fields]
    actions = ["revoke_selected"]

    def has_delete_permission(self, request: HttpRequest, obj: ApiClient | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ApiClient, form: ModelForm, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=form.changed_data or ["name"])
            return
        client, key = services.issue_api_client(
            name=obj.name,
            contact=obj.contact,
            rate_limit=obj.rate_limit,
            created_by=request.user,
        )
        for field in ApiClient._meta.concrete_fields:
            setattr(obj, field.attname, getattr(client, field.attname))
        obj._state.adding = False
        messages.warning(
            request,
            _("Copy the api_key of %(name)s now, it is shown only this once: %(key)s")
            % {"name": client.name, "key": key},
        )

    @admin.action(description=_("Revoke the selected clients' keys"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        ids = list(queryset.filter(is_active=True).values_list("pk", flat=True))
        for client_id in ids:
            services.revoke_api_client(client_id=client_id)
        messages.success(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(ids))
            % {"count": len(ids)},
        )
