from django.contrib import admin

from cases.admin import ReadOnlyAdminMixin  # the erasure log is written by privacy.services only
from privacy.models import ErasedContact, RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
class ErasedContactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "reason", "erased_at", "originals_removed_at", "run"]
    list_filter = ["reason"]
    list_select_related = ["ticket", "run"]
    search_fields = ["ticket__number"]
    raw_id_fields = ["ticket", "run"]
    show_full_result_count = False
