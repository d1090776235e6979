from django.contrib import admin

from shops.models import (
    CategoryDeduction,
    FrontagePledge,
    Merchant,
    MerchantMonth,
    Offence,
    ShopPolicy,
    StreetVendor,
    VolunteerAct,
)


class CategoryDeductionInline(admin.TabularInline):
    model = CategoryDeduction
    extra = 1
    autocomplete_fields = ["category"]


@admin.register(ShopPolicy)
class ShopPolicyAdmin(admin.ModelAdmin):
    """The scoring rules (base points, deductions, card thresholds, yellow streak, ladder window):
    the latest row is the one in force."""

    list_display = [
        "pk",
        "base_points",
        "default_deduction",
        "green_min",
        "yellow_min",
        "yellow_months_to_flag",
        "ladder_window_months",
        "updated_at",
    ]
    inlines = [CategoryDeductionInline]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "licence_number", "community", "business_kind", "is_active"]
    list_filter = ["business_kind", "is_active", "brigade"]
    search_fields = ["name", "licence_number", "address"]
    raw_id_fields = ["grid_cell", "community", "brigade"]
    readonly_fields = ["public_slug"]


@admin.register(FrontagePledge)
class FrontagePledgeAdmin(admin.ModelAdmin):
    list_display = ["merchant", "signed_on", "valid_until", "signed_by"]
    raw_id_fields = ["merchant", "signed_by"]


@admin.register(Offence)
class OffenceAdmin(admin.ModelAdmin):
    """Read-only: steps are recorded on the ticket page, with their ticket event."""

    list_display = ["ticket", "merchant", "vendor", "step", "recorded_by", "recorded_at"]
    list_filter = ["step", "share"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MerchantMonth)
class MerchantMonthAdmin(admin.ModelAdmin):
    list_display = ["merchant", "month", "points", "colour", "yellow_streak", "flagged"]
    list_filter = ["month", "colour", "flagged"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(StreetVendor)
admin.site.register(VolunteerAct)
