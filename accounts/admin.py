from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from accounts.models import Officer, Unit, User
from citymgmt.history import HistoryAdmin
from citymgmt.images import process_image

PORTRAIT_SIDE = 800


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
class UnitAdmin(HistoryAdmin):
    list_display = ["name", "code", "kind", "parent", "district", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["parent", "district"]
    autocomplete_fields = ["parent"]


class OfficerForm(forms.ModelForm):
    class Meta:
        model = Officer
        fields = [
            "user",
            "brigade",
            "badge_number",
            "title",
            "public_phone",
            "photo",
            "duties",
            "is_active",
        ]

    def clean_photo(self) -> object:
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            # A new upload: checked, stripped of EXIF and resized before it is stored.
            return process_image(photo, max_side=PORTRAIT_SIDE).image
        return photo


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    form = OfficerForm
    list_display = ["badge_number", "user", "brigade", "title", "public_phone", "is_active"]
    list_filter = ["brigade", "is_active"]
    search_fields = ["badge_number", "user__display_name", "user__username", "public_phone"]
    list_select_related = ["user", "brigade"]
    autocomplete_fields = ["user", "brigade"]
