"""The monthly assessment's pages: a month's overview (with the assessors' run and publish
buttons and the run's progress), the ranking of each subject kind, an officer's and a brigade's
scores, the tickets behind an officer's number, and the month's exports.

Views parse the URL, ask ``assessments.selectors`` (which scopes everything to who is asking)
and render. A role with no part in the assessment gets a 403; a month, run, subject or indicator
outside the user's scope, or malformed, a 404.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.models import Unit, UnitKind
from assessments import exports, presenting, selectors, services
from assessments.forms import OfficerScoreFilter, PublishRunForm
from assessments.indicators import tickets_behind
from assessments.models import Run, SubjectKind
from assessments.permissions import can_run_assessments
from assessments.scheme import INDICATORS
from cases import selectors as case_selectors
from citymgmt.months import month_start, next_month, parse_month, previous_month

RANKING_PAGE = 50
TICKETS_PAGE = 25


def _viewer(request: HttpRequest) -> selectors.Viewer:
    """The asker's view of the assessment; 403 for a role with no part in it at all."""
    who = selectors.viewer(request.user)
    if not who.has_access:
        raise PermissionDenied
    return who


def _month(value: str | None) -> datetime.date:
    """A month that has ended, from ``YYYY-MM``; the last one when none is given."""
    if value is None:
        return previous_month(timezone.localdate())
    month = parse_month(value)
    if month is None:
        raise Http404
    return month


def _run(request: HttpRequest, month: datetime.date, who: selectors.Viewer) -> Run | None:
    return selectors.run_for(request.user, month, request.GET.get("run"), who)


def _run_query(request: HttpRequest, run: Run | None, who: selectors.Viewer) -> str:
    """``?run=<id>`` for links when the run shown is not its month's official one."""
    if run is None:
        return ""
    official = selectors.official_run(request.user, run.month, who)
    return "" if official is not None and official.pk == run.pk else f"?run={run.pk}"


def _month_nav(month: datetime.date) -> dict[str, Any]:
    last = previous_month(timezone.localdate())
    return {
        "month": month,
        "previous": previous_month(month),
        "next": next_month(month) if month < last else None,
        "recent": [m for m in _recent_months(last)],
    }


def _recent_months(last: datetime.date, count: int = 12) -> list[datetime.date]:
    months = [last]
    for _step in range(count - 1):
        months.append(previous_month(months[-1]))
    return months


# --- the month ---------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest, month: str | None = None) -> HttpResponse:
    """A month at a glance: the city's totals, the run's state, the charts and the kinds'
    rankings the user may open."""
    who = _viewer(request)
    day = _month(month)
    run = _run(request, day, who)
    pending = selectors.pending_run(request.user, day, who)
    if pending is not None and run is not None and pending.pk == run.pk:
        pending = None
    context: dict[str, Any] = {
        **_month_nav(day),
        "run": run,
        "pending": pending,
        "who": who,
        "kinds": [(kind, presenting.KIND_PLURALS[kind]) for kind in who.kinds],
        "can_run": can_run_assessments(request.user),
        "can_export": _may_export(who),
        "run_query": _run_query(request, run, who),
        "ended": day < month_start(timezone.localdate()),
    }
    if run is not None and run.has_scores:
        scores = selectors.scores_visible_to(request.user, run, who=who)
        officers = scores.filter(kind=SubjectKind.OFFICER)
        brigades = scores.filter(kind=SubjectKind.BRIGADE).values_list("name", "composite")
        context.update(
            totals=presenting.totals_view(run.totals) if who.sees_city_totals else None,
            redistributed=selectors.has_missing_indicators(
                officers, presenting.weighted_codes(run, SubjectKind.OFFICER)
            ),
            own_officer=officers.filter(officer_id=who.officer_id).first()
            if who.officer_id is not None and not who.city
            else None,
            own_unit=scores.filter(kind=SubjectKind.DEPARTMENT, unit_id=who.unit_id).first()
            if who.unit_id is not None and not who.city
            else None,
            charts={
                "grades": selectors.grade_counts(officers),
                "brigades": [
                    {"name": name, "value": float(value) if value is not None else None}
                    for name, value in brigades
                ],
                "trend": selectors.trend(request.user, day, who=who),
                "split": presenting.split_721(run.totals) if who.sees_city_totals else [],
                "labels": _chart_labels(),
            },
        )
    return render(request, "assessments/overview.html", context)


def _chart_labels() -> dict[str, str]:
    return {
        "grades": _("Officers by grade"),
        "brigades": _("Brigade ranking"),
        "trend": _("Composite over 12 months"),
        "split": _("721 split"),
        "officers": pgettext("assessment", "Officers"),
    }


@login_required
def progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's progress bar, polled by htmx while the run is queued or running. A poll that
    finds it no longer in hand (finished, failed, interrupted) reloads the whole page, which then
    shows the results and the publish or run button, and drops the "started" banner."""
    who = _viewer(request)
    if run_id > 2**31 - 1:
        raise Http404
    run = selectors.runs_visible_to(request.user, who).filter(pk=run_id).first()
    if run is None:
        raise Http404
    response = render(
        request,
        "assessments/_progress.html",
        {"run": run, "run_query": _run_query(request, run, who), "month": run.month},
    )
    if request.headers.get("HX-Request") == "true" and not run.in_hand:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@login_required
def start(request: HttpRequest, month: str) -> HttpResponse:
    """An assessor runs the month (or re-runs it; a published month gets a new run)."""
    day = _month(month)
    if not can_run_assessments(request.user):
        raise PermissionDenied
    try:
        started = services.request_run(month=day, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("assessments:month", month=f"{day:%Y-%m}")
    if started.queued:
        messages.success(
            request, _("The assessment of %(month)s has started.") % {"month": f"{day:%Y-%m}"}
        )
    else:
        messages.info(
            request,
            _(
                "The assessment of %(month)s is already under way (%(progress)s%%): "
                "nothing new was started."
            )
            % {"month": f"{day:%Y-%m}", "progress": started.run.progress},
        )
    url = reverse("assessments:month", kwargs={"month": f"{day:%Y-%m}"})
    return redirect(f"{url}?run={started.run.pk}")


@require_POST
@login_required
def publish(request: HttpRequest, month: str) -> HttpResponse:
    """An assessor publishes the month's finished run: officers and supervisors see it, and
    it is frozen from now on."""
    day = _month(month)
    if not can_run_assessments(request.user):
        raise PermissionDenied
    form = PublishRunForm(request.POST, month=day)
    url = reverse("assessments:month", kwargs={"month": f"{day:%Y-%m}"})
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(url)
    try:
        services.publish_run(run=form.cleaned_data["run"], actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(url)
    messages.success(request, _("Published: the month's scores are now frozen."))
    return redirect(url)


# --- rankings and subjects ---------------------------------------------------------------------


@login_required
def ranking(request: HttpRequest, month: str, kind: str) -> HttpResponse:
    """One kind's ranking: rank, name, composite, grade, change and each indicator's rate."""
    who = _viewer(request)
    day = _month(month)
    if kind not in SubjectKind.values:
        raise Http404
    if kind not in who.kinds:  # a kind they have no row in (handlers: officers)
        raise PermissionDenied
    run = _run(request, day, who)
    if run is None or not run.has_scores:
        raise Http404
    scores = selectors.scores_visible_to(request.user, run, kind, who)
    filters = None
    if kind == SubjectKind.OFFICER:
        brigades = Unit.objects.filter(kind=UnitKind.BRIGADE).order_by("code")
        if not who.city:
            brigades = brigades.filter(pk=who.brigade_id)
        filters = OfficerScoreFilter(request.GET or None, queryset=scores, brigades=brigades)
        scores = filters.qs
    page = Paginator(scores, RANKING_PAGE).get_page(request.GET.get("page"))
    codes = presenting.indicator_codes(run, kind)
    rows = [(score, presenting.indicator_rows(score.indicators, codes)) for score in page]
    return render(
        request,
        "assessments/ranking.html",
        {
            **_month_nav(day),
            "run": run,
            "kind": kind,
            "kind_label": presenting.KIND_PLURALS[kind],
            "kinds": [(k, presenting.KIND_PLURALS[k]) for k in who.kinds],
            "columns": [INDICATORS[code] for code in codes],
            "rows": rows,
            "page": page,
            "filters": filters,
            "run_query": _run_query(request, run, who),
            "redistributed": any(r.missing for _s, ind in rows for r in ind if r.weight == 0.0),
        },
    )


def _done_run(request: HttpRequest, month: str, who: selectors.Viewer) -> tuple:
    day = _month(month)
    run = _run(request, day, who)
    if run is None or not run.has_scores:
        raise Http404
    return day, run


@login_required
def officer(request: HttpRequest, month: str, badge: str) -> HttpResponse:
    """An officer's month: each indicator with its numerator, denominator, rate, points and the
    weight applied, links to the tickets behind the counts, and the 12-month trend."""
    who = _viewer(request)
    day, run = _done_run(request, month, who)
    score = selectors.officer_score(request.user, run, badge, who)
    codes = presenting.indicator_codes(run, SubjectKind.OFFICER)
    rows = presenting.indicator_rows(score.indicators, codes)
    trend = selectors.trend(request.user, day, subject=Q(officer_id=score.officer_id), who=who)
    return render(
        request,
        "assessments/officer.html",
        {
            **_month_nav(day),
            "run": run,
            "score": score,
            "rows": rows,
            "ticket_codes": TICKET_INDICATORS,
            "redistributed": any(r.missing for r in rows if r.code in _weighted(run)),
            "run_query": _run_query(request, run, who),
            "charts": {"trend": trend, "labels": _chart_labels()},
        },
    )


def _weighted(run: Run) -> list[str]:
    return presenting.weighted_codes(run, SubjectKind.OFFICER)


# The indicators that count tickets (the others count days, ratings of a survey, or a table):
# their numbers link to the tickets behind them.
TICKET_INDICATORS = {
    "valid_reports",
    "on_site",
    "on_time",
    "rework",
    "missed",
    "satisfaction",
    "hotline",
    "closure",
    "on_time_closure",
}


@login_required
def officer_tickets(
    request: HttpRequest, month: str, badge: str, code: str, part: str
) -> HttpResponse:
    """The tickets behind one of an officer's numbers (numerator or denominator), as the
    queue lists them: only tickets the user may see anyway."""
    who = _viewer(request)
    day, run = _done_run(request, month, who)
    if code not in INDICATORS or part not in ("num", "den"):
        raise Http404
    score = selectors.officer_score(request.user, run, badge, who)
    if code not in score.indicators:
        raise Http404
    behind = tickets_behind(score, code, part)
    if behind is None:
        raise Http404
    tickets = case_selectors.tickets_visible_to(request.user).filter(
        pk__in=behind.order_by().values("pk")
    )
    tickets = tickets.order_by("-reported_at", "-pk")
    page = Paginator(case_selectors.PageFirst(tickets), TICKETS_PAGE).get_page(
        request.GET.get("page")
    )
    meta = INDICATORS[code]
    return render(
        request,
        "assessments/officer_tickets.html",
        {
            **_month_nav(day),
            "run": run,
            "score": score,
            "indicator": meta,
            "part": part,
            "part_label": meta.numerator if part == "num" else meta.denominator,
            "count": (score.indicators[code] or {}).get(part),
            "page": page,
            "now": timezone.now(),
            "run_query": _run_query(request, run, who),
        },
    )


@login_required
def brigade(request: HttpRequest, month: str, code: str) -> HttpResponse:
    """A brigade's month: its composite and survey score, and its officers' scores."""
    who = _viewer(request)
    day, run = _done_run(request, month, who)
    score = selectors.brigade_score(request.user, run, code, who)
    codes = presenting.indicator_codes(run, SubjectKind.BRIGADE)
    officers = selectors.scores_visible_to(request.user, run, SubjectKind.OFFICER, who).filter(
        brigade_id=score.unit_id
    )
    return render(
        request,
        "assessments/brigade.html",
        {
            **_month_nav(day),
            "run": run,
            "score": score,
            "rows": presenting.indicator_rows(score.indicators, codes),
            "officers": officers,
            "run_query": _run_query(request, run, who),
        },
    )


# --- exports -----------------------------------------------------------------------------------


def _may_export(who: selectors.Viewer) -> bool:
    """Assessors, the command centre and brigade supervisors (their brigade's rows) export."""
    return who.city or who.brigade_id is not None


def _export_scope(request: HttpRequest, month: str) -> tuple:
    who = _viewer(request)
    if not _may_export(who):
        raise PermissionDenied
    day, run = _done_run(request, month, who)
    return who, day, run


@login_required
def export_xlsx(request: HttpRequest, month: str) -> HttpResponse:
    """The month's tables as one workbook, a sheet per subject kind the user may see."""
    who, day, run = _export_scope(request, month)
    sheets = {kind: selectors.scores_visible_to(request.user, run, kind, who) for kind in who.kinds}
    return exports.xlsx_response(
        run, sheets, filename=f"考核-{day:%Y-%m}.xlsx", command_centre=who.sees_city_totals
    )


@login_required
def export_csv(request: HttpRequest, month: str) -> HttpResponse:
    """One kind's table (``?kind=``, officers by default) as CSV for Excel (UTF-8 with BOM)."""
    who, day, run = _export_scope(request, month)
    kind = request.GET.get("kind", SubjectKind.OFFICER)
    if kind not in SubjectKind.values:
        raise Http404
    if kind not in who.kinds:
        raise PermissionDenied
    scores = selectors.scores_visible_to(request.user, run, kind, who)
    return exports.csv_response(run, kind, scores, filename=f"考核-{day:%Y-%m}-{kind}.csv")
