"""The admin of the monthly assessment: assessors keep the schemes (weights checked, every edit
in the history); runs and scores are read here and made only by the engine."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assessments.models import Run, Scheme, Score, Survey, SurveyLink, SurveyResponse
from assessments.scheme import DEFAULT_WEIGHTS, INDICATORS
from ops.history import HistoryAdmin


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def rules_errors(rules: Any) -> list[str]:
    """What is wrong with a scheme's rules, as sentences for the form; empty when they work."""
    if not isinstance(rules, dict):
        return [str(_("The rules must be a JSON object, like the default scheme's."))]
    errors: list[str] = []
    weights = rules.get("weights")
    if not isinstance(weights, dict):
        errors.append(str(_('"weights" must map each subject group to its weights.')))
        weights = {}
    for group in DEFAULT_WEIGHTS:
        group_weights = weights.get(group)
        if not isinstance(group_weights, dict):
            errors.append(str(_('"weights" has no group "%(group)s".') % {"group": group}))
            continue
        total = Decimal(0)
        for code, weight in group_weights.items():
            number = _number(weight)
            if code not in INDICATORS:
                errors.append(str(_('Unknown indicator "%(code)s".') % {"code": code}))
            elif number is None or number < 0:
                errors.append(
                    str(_('The weight of "%(code)s" in "%(group)s" must be a number ≥ 0.'))
                    % {"code": code, "group": group}
                )
            else:
                total += number
        if total != 100:
            errors.append(
                str(_('The weights of "%(group)s" add up to %(total)s, not 100.'))
                % {"group": group, "total": total}
            )
    table = rules.get("hotline_table")
    if (
        not isinstance(table, list)
        or not table
        or not all(
            isinstance(row, dict)
            and (row.get("max") is None or isinstance(row.get("max"), int))
            and _number(row.get("points")) is not None
            for row in table
        )
    ):
        errors.append(
            str(_('"hotline_table" must list rows with "max" (a count, or null) and "points".'))
        )
    grades = rules.get("grades")
    if not isinstance(grades, dict) or any(_number(grades.get(g)) is None for g in "ABCD"):
        errors.append(str(_('"grades" must give the lowest score of A, B, C and D.')))
    elif not grades["A"] > grades["B"] > grades["C"] > grades["D"]:
        errors.append(str(_("Grade thresholds must decrease from A to D.")))
    share = _number(rules.get("survey_share"))
    if share is None or not 0 <= share <= 100:
        errors.append(str(_('"survey_share" must be a number from 0 to 100.')))
    return errors


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["name", "rules", "note"]

    def clean_rules(self) -> Any:
        rules = self.cleaned_data["rules"]
        errors = rules_errors(rules)
        if errors:
            raise forms.ValidationError(errors)
        return rules


@admin.register(Scheme)
class SchemeAdmin(HistoryAdmin):
    """Weights, hotline table, grades and survey share. Editing never changes a computed month
    (a run keeps the rules it used); "make current" decides what the next runs use."""

    form = SchemeForm
    list_display = ["name", "is_current", "created_by", "created_at", "updated_at"]
    readonly_fields = ["is_current", "created_by", "created_at", "updated_at"]
    fields = ["name", "rules", "note", "is_current", "created_by", "created_at", "updated_at"]
    actions = ["make_current"]

    def save_model(self, request: HttpRequest, obj: Scheme, form: forms.ModelForm, change: bool):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Make the selected scheme the current one"))
    def make_current(self, request: HttpRequest, queryset: QuerySet[Scheme]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one scheme."), messages.ERROR)
            return
        scheme = queryset.get()
        with transaction.atomic():
            # One current scheme (a unique constraint): the old one steps down first.
            for current in Scheme.objects.select_for_update().filter(is_current=True):
                current.is_current = False
                current.save(update_fields=["is_current"])
            scheme.is_current = True
            scheme.save(update_fields=["is_current"])
        self.message_user(request, _("New runs will use this scheme."), messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Made by the engine or by the survey pages, never by hand."""

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = [
        "month",
        "status",
        "progress",
        "published",
        "scheme",
        "started_by",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "published"]
    list_select_related = ["scheme", "started_by"]
    date_hierarchy = "month"


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "run", "composite", "grade", "rank", "change"]
    list_filter = ["kind", "grade", "run__month"]
    list_select_related = ["run"]
    search_fields = ["name"]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["title", "month", "closes_at", "created_by"]
    list_select_related = ["created_by"]


@admin.register(SurveyLink)
class SurveyLinkAdmin(ReadOnlyAdmin):
    list_display = ["respondent_name", "respondent_kind", "brigade", "survey", "used_at"]
    list_filter = ["respondent_kind", "survey"]
    list_select_related = ["brigade", "survey"]
    exclude = ["token"]  # a link's token is its respondent's only credential


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["link", "score", "submitted_at"]
    list_select_related = ["link__survey"]
