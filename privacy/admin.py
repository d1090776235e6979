from django.contrib import admin
from django.http import HttpRequest

from privacy.models import ErasedContact, RetentionRun


class ReadOnly:
    """The erasure log is written by privacy.services only."""

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "started_at",
        "finished_at",
        "retention_months",
        "cutoff",
        "batches",
        "tickets_anonymised",
        "originals_removed",
    ]
    show_full_result_count = False


@admin.register(ErasedContact)
class ErasedContactAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ticket", "reason", "erased_at", "originals_removed_at", "run"]
    list_filter = ["reason"]
    list_select_related = ["ticket", "run"]
    search_fields = ["ticket__number"]
    raw_id_fields = ["ticket", "run"]
    show_full_result_count = False
