import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from citymgmt.history import HistoryAdmin
from grids.models import Assignment, Community, District, GridCell, Street
from grids.services import end_assignment


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street_count"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(street_count=Count("streets"))

    @admin.display(description=_("streets"), ordering="street_count")
    def street_count(self, obj: District) -> int:
        return obj.street_count


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district", "community_count"]
    list_filter = ["district"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(community_count=Count("communities"))

    @admin.display(description=_("communities"), ordering="community_count")
    def community_count(self, obj: Street) -> int:
        return obj.community_count


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street", "brigade", "cell_count"]
    list_filter = ["street__district", "brigade"]
    search_fields = ["code", "name", "street__name"]
    list_select_related = ["street", "brigade"]
    autocomplete_fields = ["street", "brigade"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(cell_count=Count("grid_cells"))

    @admin.display(description=_("unit grids"), ordering="cell_count")
    def cell_count(self, obj: Community) -> int:
        return obj.cell_count


class GridCellForm(forms.ModelForm):
    boundary = forms.JSONField(
        label=_("boundary (GeoJSON polygon)"),
        # A class, not style="...": the Content-Security-Policy refuses inline styles.
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField geojson"}),
        help_text=_('{"type": "Polygon", "coordinates": [[[lng, lat], ...]]} in WGS84.'),
    )

    class Meta:
        model = GridCell
        fields = ["community", "code", "name", "boundary", "is_active"]


@admin.register(GridCell)
class GridCellAdmin(HistoryAdmin):
    form = GridCellForm

    class Media:
        css = {"all": ["css/admin.css"]}

    list_display = ["code", "name", "community", "area_display", "is_active"]
    list_filter = ["is_active", "community__street__district", "community__brigade"]
    search_fields = ["code", "name", "community__name"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]
    readonly_fields = ["bbox_display", "centroid_display", "area_display"]

    @admin.display(description=_("area (m²)"), ordering="area_m2")
    def area_display(self, obj: GridCell) -> str:
        return f"{obj.area_m2:,.0f}" if obj.area_m2 else "-"

    @admin.display(description=_("bounding box"))
    def bbox_display(self, obj: GridCell) -> str:
        if obj.pk is None:
            return "-"
        return json.dumps([obj.min_lng, obj.min_lat, obj.max_lng, obj.max_lat])

    @admin.display(description=_("centroid"))
    def centroid_display(self, obj: GridCell) -> str:
        if obj.pk is None:
            return "-"
        return f"{obj.centroid_lat:.6f}, {obj.centroid_lng:.6f}"


class CurrentFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("In force today")), ("no", _("Ended or not yet started"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        current = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        if self.value() == "yes":
            return queryset.filter(current)
        if self.value() == "no":
            return queryset.exclude(current)
        return queryset


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    list_display = [
        "officer",
        "community",
        "post",
        "weekdays",
        "start_time",
        "end_time",
        "valid_from",
        "valid_to",
    ]
    list_filter = [CurrentFilter, "community__street__district", "officer__brigade"]
    search_fields = [
        "officer__badge_number",
        "officer__user__display_name",
        "community__name",
        "community__code",
        "post",
    ]
    list_select_related = ["officer__user", "community"]
    autocomplete_fields = ["officer", "community"]
    filter_horizontal = ["grid_cells"]
    date_hierarchy = "valid_from"
    actions = ["end_today"]
    readonly_fields = ["created_by", "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Assignment | None = None) -> bool:
        # Postings are history: the assessment of a past month reads them. End, never delete.
        return False

    def save_model(self, request: HttpRequest, obj: Assignment, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("End the selected assignments today (kept in history)"))
    def end_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            end_assignment(assignment_id=pk)
        self.message_user(
            request,
            ngettext("%(n)d assignment ended.", "%(n)d assignments ended.", len(ids))
            % {"n": len(ids)},
            messages.SUCCESS,
        )
