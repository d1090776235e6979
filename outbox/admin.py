from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox import services
from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The delivery log: what went out, what failed and why; failed messages can be sent again
    or cancelled (which lets the later messages of their key go)."""

    list_display = [
        "id",
        "channel",
        "kind",
        "target",
        "ref",
        "status",
        "attempts",
        "response_code",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["=id", "target", "ref", "key"]
    date_hierarchy = "created_at"
    actions = ["send_again", "cancel"]
    readonly_fields = [f.name for f in Message._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel (not sent)"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.cancel(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message cancelled.", "%(count)d messages cancelled.", count)
            % {"count": count},
            messages.SUCCESS,
        )
