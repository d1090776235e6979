from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Officer, Unit, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "unit", "is_active", "is_staff"]
    list_filter = ["groups", "unit__kind", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "phone", "email"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("display_name", "phone", "unit")}),
    )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "district", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["parent", "district"]
    autocomplete_fields = ["parent"]


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["badge_number", "user", "brigade", "title", "public_phone", "is_active"]
    list_filter = ["brigade", "is_active"]
    search_fields = ["badge_number", "user__display_name", "user__username", "public_phone"]
    list_select_related = ["user", "brigade"]
    autocomplete_fields = ["user", "brigade"]
