"""The big screen's figures (大屏), each read in SQL with the monthly assessment's own definitions
(``assessments.indicators.totals_filters``) applied to today, or to this month so far for the
brigades' ranking. A fixed number of statements whatever the city's size:

1. today's figures: one aggregate over the tickets reported, resolved or rated today;
2. the open tickets that are overdue now (the partial deadline index);
3. this month's 721 split (``shops``: the service / management / enforcement steps);
4. the brigades' figures this month so far: one aggregate grouped by brigade, and their names;
5. the latest reports (the ticker that shows a new complaint arrive).
"""

import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from assessments.indicators import Window, totals_filters
from cases.models import Source
from cases.selectors import tickets_visible_to
from citymgmt.months import month_bounds
from command.selectors import overdue_q
from shops.models import Share
from shops.selectors import split_721_totals

LATEST = 8


def _rate(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def _window(start: datetime.datetime, end: datetime.datetime) -> Window:
    return Window(month=timezone.localdate(start).replace(day=1), start=start, end=end)


def _figures(window: Window) -> dict[str, Q]:
    """The assessment's filters the screen shows, with the residents' reports split by channel
    (the assessment counts the form and the 12345 hotline together as residents' reports)."""
    filters = totals_filters(window)
    wanted = {
        name: filters[name]
        for name in ("found", "fixed_on_site", "rated", "rated_good", "due", "due_on_time")
    }
    wanted["residents"] = filters["resident_reports"] & Q(source=Source.RESIDENT)
    wanted["hotline"] = filters["resident_reports"] & Q(source=Source.HOTLINE)
    wanted["closed"] = window.within("closed_at")
    return wanted


def _aggregate(tickets, filters: dict[str, Q]) -> dict[str, int]:
    any_of = Q(pk__in=[])
    for condition in filters.values():
        any_of |= condition
    return tickets.filter(any_of).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in filters.items()}
    )


def today_figures(user: User, now: datetime.datetime) -> dict[str, Any]:
    """Today's found on patrol, fixed on site, residents' reports, hotline orders, closed,
    satisfaction (the share of today's ratings that were 4 or 5) and the overdue now."""
    start = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time.min)
    )
    window = _window(start, start + datetime.timedelta(days=1))
    tickets = tickets_visible_to(user)
    row = _aggregate(tickets, _figures(window))
    return {
        "found": row["found"],
        "fixed_on_site": row["fixed_on_site"],
        "on_site_rate": _rate(row["fixed_on_site"], row["found"]),
        "residents": row["residents"],
        "hotline": row["hotline"],
        "closed": row["closed"],
        "rated": row["rated"],
        "satisfaction": _rate(row["rated_good"], row["rated"]),
        "overdue": tickets.filter(overdue_q(now)).count(),
    }


def split_721(user: User, now: datetime.datetime) -> list[dict[str, Any]]:
    """This month's steps with shops and street vendors by share, as ``shops`` counts them."""
    since, until = month_bounds(timezone.localdate(now).replace(day=1))
    totals = split_721_totals(user, since=since, until=until)
    return [
        {"share": share.value, "label": str(share.label), "n": totals[share.value]}
        for share in Share
    ]


def brigade_ranking(user: User, now: datetime.datetime) -> list[dict[str, Any]]:
    """The brigades of the user's scope ranked on this month so far: on-time disposal (按期处置率,
    of the tickets due by now), then fixed on site, then the tickets closed. Unranked (no ticket
    due yet) brigades come last."""
    since, _until = month_bounds(timezone.localdate(now).replace(day=1))
    window = _window(since, now)
    tickets = tickets_visible_to(user).filter(brigade__isnull=False)
    filters = _figures(window)
    any_of = Q(pk__in=[])
    for condition in filters.values():
        any_of |= condition
    rows = (
        tickets.filter(any_of)
        .order_by()
        .values("brigade_id")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in filters.items()})
    )
    by_brigade = {row["brigade_id"]: row for row in rows}
    names = dict(Unit.objects.filter(pk__in=list(by_brigade)).values_list("pk", "name"))
    ranking = []
    for brigade_id, row in by_brigade.items():
        ranking.append(
            {
                "brigade": names.get(brigade_id, ""),
                "on_time": _rate(row["due_on_time"], row["due"]),
                "on_site": _rate(row["fixed_on_site"], row["found"]),
                "found": row["found"],
                "closed": row["closed"],
                "satisfaction": _rate(row["rated_good"], row["rated"]),
            }
        )
    ranking.sort(
        key=lambda r: (
            r["on_time"] is None,
            -(r["on_time"] or 0),
            -(r["on_site"] or 0),
            -r["closed"],
            r["brigade"],
        )
    )
    for rank, row in enumerate(ranking, start=1):
        row["rank"] = rank
    return ranking


def latest_reports(user: User) -> list[dict[str, Any]]:
    """The newest tickets reported, newest first (the screen's ticker)."""
    sources = dict(Source.choices)
    rows = (
        tickets_visible_to(user)
        .order_by("-reported_at", "-id")
        .values_list("number", "reported_at", "source", "category__name", "community__name")[
            :LATEST
        ]
    )
    return [
        {
            "number": number,
            "at": timezone.localtime(at).strftime("%H:%M"),
            "source": str(sources.get(source, source)),
            "category": category,
            "community": community or _("(no community)"),
        }
        for number, at, source, category, community in rows
    ]


def screen_data(user: User, now: datetime.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "at": timezone.localtime(now).strftime("%H:%M:%S"),
        "today": today_figures(user, now),
        "split": split_721(user, now),
        "ranking": brigade_ranking(user, now),
        "latest": latest_reports(user),
    }
