"""The admin of the monthly assessment: assessors keep the schemes (weights checked, every edit
in the history); runs and scores are read here and made only by the engine."""

import math
from fractions import Fraction
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assessments.models import Run, Scheme, Score, Survey, SurveyLink, SurveyResponse
from assessments.scheme import DEFAULT_WEIGHTS, INDICATORS
from cases.admin import ReadOnlyAdminMixin, messages
from citymgmt.history import HistoryAdmin


def _real(value: Any) -> Fraction | None:
    """A JSON number (int or float, not a bool, not a string: "9" would compare as text) as an
    exact value; None when it is anything else or not finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Fraction(str(value))


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _shown(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def rules_errors(rules: Any) -> list[str]:
    """What is wrong with a scheme's rules, as sentences for the form; empty when they work.

    Every rule a run reads is checked here, so a saved scheme never makes a run fail or store
    a composite beyond 100 (``Score.composite`` holds 3 digits before the point)."""
    if not isinstance(rules, dict):
        return [str(_("The rules must be a JSON object, like the default scheme's."))]
    return [
        *_weights_errors(rules.get("weights")),
        *_hotline_errors(rules.get("hotline_table")),
        *_grades_errors(rules.get("grades")),
        *_share_errors(rules.get("survey_share")),
    ]


def _weights_errors(weights: Any) -> list[str]:
    errors: list[str] = []
    if not isinstance(weights, dict):
        errors.append(str(_('"weights" must map each subject group to its weights.')))
        weights = {}
    for group, defaults in DEFAULT_WEIGHTS.items():
        group_weights = weights.get(group)
        if not isinstance(group_weights, dict):
            errors.append(str(_('"weights" has no group "%(group)s".') % {"group": group}))
            continue
        total = Fraction(0)
        for code, weight in group_weights.items():
            number = _real(weight)
            if code not in INDICATORS:
                errors.append(str(_('Unknown indicator "%(code)s".') % {"code": code}))
            elif code not in defaults:
                errors.append(
                    str(_('"%(code)s" is not an indicator of "%(group)s".'))
                    % {"code": code, "group": group}
                )
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
                % {"group": group, "total": _shown(total)}
            )
    return errors


def _hotline_errors(table: Any) -> list[str]:
    shape = str(_('"hotline_table" must list rows with "max" (a count, or null) and "points".'))
    if not isinstance(table, list) or not table or not all(isinstance(r, dict) for r in table):
        return [shape]
    errors: list[str] = []
    previous: int | None = None
    for position, row in enumerate(table, start=1):
        points = _real(row.get("points"))
        if points is None or not 0 <= points <= 100:
            errors.append(
                str(_('Row %(row)s of "hotline_table": "points" must be a number from 0 to 100.'))
                % {"row": position}
            )
        top = row.get("max", "missing")
        if top is None:
            if position != len(table):
                errors.append(
                    str(_('Row %(row)s of "hotline_table": only the last row may have no "max".'))
                    % {"row": position}
                )
        elif not _count(top):
            errors.append(
                str(_('Row %(row)s of "hotline_table": "max" must be a whole number ≥ 0 or null.'))
                % {"row": position}
            )
        elif previous is not None and top <= previous:
            errors.append(
                str(_('Row %(row)s of "hotline_table": "max" must be larger than the row above.'))
                % {"row": position}
            )
        if _count(top):
            previous = top
    return errors


def _grades_errors(grades: Any) -> list[str]:
    if not isinstance(grades, dict):
        return [str(_('"grades" must give the lowest score of A, B, C and D.'))]
    bounds = {grade: _real(grades.get(grade)) for grade in "ABCD"}
    if any(bound is None or not 0 <= bound <= 100 for bound in bounds.values()):
        return [str(_('"grades" must give the lowest score of A, B, C and D, each from 0 to 100.'))]
    if not bounds["A"] > bounds["B"] > bounds["C"] > bounds["D"]:
        return [str(_("Grade thresholds must decrease from A to D."))]
    return []


def _share_errors(share: Any) -> list[str]:
    number = _real(share)
    if number is None or not 0 <= number <= 100:
        return [str(_('"survey_share" must be a number from 0 to 100.'))]
    return []


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


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Made by the engine or by the survey pages, never by hand."""


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
