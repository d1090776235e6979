"""A community's month for its residents: on its notice board (a ``grids.board`` section) and on
a public page of its own, ``/communities/<code>/month/``.

The figures are ``cases.month_figures``' (the monthly assessment's city totals count with the
same filters) over the community's tickets, for the chosen month and the 11 before it, in one
query, kept in the cache for ``CACHE_SECONDS``. Only counts: no ticket, address or person.
"""

import datetime
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from cases.models import Ticket
from cases.month_figures import MonthFigures, figures_by_month
from citymgmt.months import (
    FIRST_MONTH,
    last_months,
    month_start,
    next_month,
    parse_month,
    previous_month,
)
from grids.board import Section
from grids.models import Community
from grids.selectors import community_for_board

MONTHS_SHOWN = 12
CACHE_SECONDS = 300


def community_months(community_id: int, last: datetime.date) -> list[MonthFigures]:
    """The figures of the ``MONTHS_SHOWN`` months ending with ``last``, oldest first (cached)."""
    key = f"community-month:v1:{community_id}:{last:%Y-%m}"
    figures = cache.get(key)
    if figures is None:
        tickets = Ticket.objects.filter(community_id=community_id)
        figures = figures_by_month(tickets, last_months(last, MONTHS_SHOWN))
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def _chart(figures: list[MonthFigures]) -> dict[str, Any]:
    """What ``static/js/community-month.js`` draws, labels translated here."""
    return {
        "months": [f"{m.month:%Y-%m}" for m in figures],
        "series": [
            {"name": _("Found on patrol"), "data": [m.found for m in figures]},
            {"name": _("Fixed on site"), "data": [m.fixed_on_site for m in figures]},
            {"name": _("Residents' reports"), "data": [m.resident_reports for m in figures]},
            {"name": _("Of which resolved"), "data": [m.resident_resolved for m in figures]},
        ],
        "satisfaction": {
            "name": _("Satisfied (%)"),
            "data": [m.satisfaction_rate for m in figures],
        },
    }


def month_context(community: Community, month: datetime.date) -> dict[str, Any]:
    """The chosen month's figures, the 12 months' table and chart data (shared by the board's
    section and the community's page)."""
    current = month_start(timezone.localdate())
    figures = community_months(community.pk, month)
    return {
        "community": community,
        "month": figures[-1],
        "months": figures[::-1],  # the table: newest first
        "so_far": month == current,
        "chart": _chart(figures),
    }


def board_section(request: HttpRequest, community: Community) -> dict[str, Any]:
    return month_context(community, month_start(timezone.localdate()))


SECTION = Section(
    name="community-month",
    template="residents/_community_month.html",
    context=board_section,
    scripts=("vendor/echarts/echarts.min.js", "js/community-month.js"),
)


@require_GET
@cache_control(private=True, max_age=CACHE_SECONDS)
def community_month(request: HttpRequest, code: str) -> HttpResponse:
    """The community's month on a public page: ``?month=YYYY-MM`` picks one (the current one
    when absent, unreadable or still to come)."""
    community = community_for_board(code)
    current = month_start(timezone.localdate())
    month = parse_month(request.GET.get("month"))
    if month is None or month > current:
        month = current
    base = reverse("residents:community_month", kwargs={"code": community.code})
    context: dict[str, Any] = {"section": month_context(community, month)}
    if month > FIRST_MONTH:
        context["previous_url"] = f"{base}?month={previous_month(month):%Y-%m}"
    if month < current:
        context["next_url"] = f"{base}?month={next_month(month):%Y-%m}"
    return render(request, "residents/community_month.html", context)
