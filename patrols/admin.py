"""Patrols and logs in the admin: read-only records for bureau staff. They change only through
the patrol pages and their services (a log's status is protected by the state machine)."""

from django.contrib import admin
from django.http import HttpRequest

from patrols.models import DailyLog, LeadershipPatrol, PatrolSession


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PatrolSession)
class PatrolSessionAdmin(ReadOnlyAdmin):
    list_display = ["officer", "brigade", "started_at", "ended_at", "distance_m", "point_count"]
    list_filter = [("brigade", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["officer__user", "brigade"]
    date_hierarchy = "started_at"
    search_fields = ["officer__badge_number", "officer__user__display_name"]
    exclude = ["grids_visited"]


@admin.register(DailyLog)
class DailyLogAdmin(ReadOnlyAdmin):
    list_display = ["officer", "date", "status", "found", "fixed_on_site", "reviewed_by"]
    list_filter = ["status", ("brigade", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["officer__user", "reviewed_by"]
    date_hierarchy = "date"
    search_fields = ["officer__badge_number", "officer__user__display_name"]


@admin.register(LeadershipPatrol)
class LeadershipPatrolAdmin(ReadOnlyAdmin):
    list_display = ["date", "leader", "brigade", "route"]
    list_select_related = ["leader", "brigade"]
    date_hierarchy = "date"
