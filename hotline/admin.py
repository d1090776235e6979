from django.contrib import admin
from django.http import HttpRequest

from hotline.models import Call, CategoryMapping, HotlineOrder


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    """The platform's category codes and ours (assessors keep them). The code ``*`` names the
    category an unmapped code's orders are filed under until the command centre places them."""

    list_display = ["code", "name", "category"]
    search_fields = ["code", "name"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CallInline(admin.TabularInline):
    model = Call
    fields = ["kind", "satisfied", "text", "received_at", "message_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(HotlineOrder)
class HotlineOrderAdmin(ReadOnly):
    """The orders received and their tickets (read-only: tickets change on the casework pages;
    what went back to the platform is in Outbox › outgoing messages, key ``hotline:<order>``)."""

    list_display = ["order_id", "ticket", "platform_category", "to_be_placed", "received_at"]
    list_filter = ["to_be_placed"]
    search_fields = ["=order_id", "=ticket__number"]
    list_select_related = ["ticket"]
    readonly_fields = ["order_id", "ticket", "platform_category", "to_be_placed", "received_at"]
    inlines = [CallInline]
    show_full_result_count = False
