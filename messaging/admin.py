from django.contrib import admin
from django.http import HttpRequest

from messaging.models import MessageTemplate, ReporterContact, SmsPolicy


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Each kind of message: the SMS provider's approved template code and our text of it
    (the console and file outboxes, e-mail). Change the code once the provider approves a
    template; keep the text the same as the approved one."""

    list_display = ["kind", "template_code", "text", "updated_at"]
    search_fields = ["kind", "template_code", "text"]


@admin.register(SmsPolicy)
class SmsPolicyAdmin(admin.ModelAdmin):
    """The SMS rules in force (the latest row): the per-number daily cap."""

    list_display = ["pk", "daily_cap_per_number", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row, seeded by the migration: changed, never added to.
        return super().has_add_permission(request) and not SmsPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SmsPolicy | None = None) -> bool:
        return False


@admin.register(ReporterContact)
class ReporterContactAdmin(admin.ModelAdmin):
    """Who stopped the updates of their report, and the addresses given for them."""

    list_display = ["ticket", "email", "updates_stopped_at"]
    list_filter = [("updates_stopped_at", admin.EmptyFieldListFilter)]
    search_fields = ["=ticket__number", "email"]
    raw_id_fields = ["ticket"]
