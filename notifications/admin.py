from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "ticket", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "ticket"]
    search_fields = ["message", "recipient__username"]
    raw_id_fields = ["recipient", "ticket"]
