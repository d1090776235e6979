from typing import Any

from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import Role, has_role
from cases.categories import invalidate_choices
from cases.contacts import reporter_name_for, reporter_phone_for
from cases.models import Category, ReopenRequest, Ticket, TicketEvent
from citymgmt.history import HistoryAdmin


@admin.register(Category)
class CategoryAdmin(HistoryAdmin):
    """The 部件/事件 tree. A category that tickets or minors point at is deactivated, never
    deleted: PROTECT would refuse anyway, and the history must keep its category."""

    list_display = [
        "code",
        "name",
        "kind",
        "parent",
        "deadline",
        "urgent_hours",
        "default_unit",
        "enforceable",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "enforceable", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "public_name"]
    list_select_related = ["parent", "default_unit"]
    autocomplete_fields = ["default_unit"]
    actions = ["deactivate_selected"]
    fieldsets = (
        (None, {"fields": ("kind", "code", "name", "public_name", "parent", "is_active")}),
        (
            _("Handling"),
            {
                "fields": (
                    ("deadline_value", "deadline_unit"),
                    "urgent_hours",
                    "default_unit",
                    "enforceable",
                    "duplicate_radius_m",
                )
            },
        ),
        (
            _("Step time limits"),
            {
                "fields": (("register_minutes", "dispatch_minutes", "verify_minutes"),),
                "description": _(
                    "Minutes of working time for the command centre's steps (GB/T 30428): "
                    "registration from the report, dispatch from registration, verification "
                    "from the report of the fix. Defaults: 60, 60 and 120."
                ),
            },
        ),
    )

    @admin.display(description=_("disposal deadline"), ordering="deadline_value")
    def deadline(self, obj: Category) -> str:
        if obj.deadline_value is None:
            return "—"
        return f"{obj.deadline_value} {obj.get_deadline_unit_display()}"

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField:
        if db_field.name == "parent":
            # Two levels only: a parent is always a major class.
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        if obj is not None and (obj.tickets.exists() or obj.children.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # Bulk deletion would skip the per-object check above; deactivation is the way out.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Deactivate selected categories"), permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        count = queryset.filter(is_active=True).update(is_active=False)
        invalidate_choices()  # update() sends no post_save
        self.message_user(
            request,
            ngettext("%(count)d category deactivated.", "%(count)d categories deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


def can_audit(request: HttpRequest) -> bool:
    """Superusers and assessors may read tickets in the admin; nobody may edit them there."""
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or has_role(user, Role.ASSESSOR))


class ReadOnlyAdminMixin:
    """Tickets and their trail change only through cases.services (row lock, audit, notices)."""

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


class TicketEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TicketEvent
    fields = [
        "created_at",
        "action",
        "from_state",
        "to_state",
        "actor",
        "public_note",
        "internal_note",
        "data",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return can_audit(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "state", "category", "community", "source", "reported_at"]
    list_filter = ["state", "source", "priority", "overdue"]
    list_select_related = ["category", "community"]
    search_fields = ["number"]
    date_hierarchy = "reported_at"
    raw_id_fields = [
        "category",
        "grid_cell",
        "community",
        "street",
        "district",
        "brigade",
        "reporter",
        "assignee",
        "responsible_unit",
        "duplicate_of",
    ]
    inlines = [TicketEventInline]
    show_full_result_count = False  # a COUNT(*) over every ticket on each page is wasted

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # ?reporter_phone__startswith=138… would read a masked phone digit by digit.
        if lookup.split("__", 1)[0] in {"reporter_name", "reporter_phone", "reporter"}:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_readonly_fields(self, request: HttpRequest, obj: Ticket | None = None) -> list[str]:
        # The reporter's name and phone only as cases.contacts lets this user read them.
        private = {"reporter_name", "reporter_phone"}
        fields = [field.name for field in self.model._meta.fields if field.name not in private]
        return [*fields, "reporter_contact"]

    def get_fields(self, request: HttpRequest, obj: Ticket | None = None) -> list[str]:
        return self.get_readonly_fields(request, obj)

    @admin.display(description=_("reporter"))
    def reporter_contact(self, obj: Ticket) -> str:
        viewer = getattr(obj, "_viewer", None)
        parts = (reporter_name_for(viewer, obj), reporter_phone_for(viewer, obj))
        return " ".join(part for part in parts if part)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Ticket | None:
        ticket = super().get_object(request, object_id, from_field)
        if ticket is not None:
            # Display methods get the object only; the admin instance is shared by all requests.
            ticket._viewer = request.user
        return ticket

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_audit(request)

    def has_view_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return can_audit(request)


@admin.register(ReopenRequest)
class ReopenRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: supervisors answer requests on /cases/reopen-requests/, through the service."""

    list_display = ("ticket", "satisfaction", "requested_at", "decided_at", "reopened")
    list_filter = ("reopened",)
    list_select_related = ("ticket",)
    search_fields = ("ticket__number",)
    raw_id_fields = ("ticket", "decided_by")
