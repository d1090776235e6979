"""Celery tasks of the shops app: thin, they take plain values and call one service."""

import datetime

from celery import shared_task
from django.utils import timezone

from citymgmt import months
from shops import points


@shared_task(name="shops.compute_shop_points")
def compute_shop_points(month: str | None = None) -> int:
    """Compute every active shop's points for ``month`` (YYYY-MM; default: the month before
    today, run on the 1st). Safe to run twice: rows are replaced."""
    if month:
        day = datetime.date.fromisoformat(f"{month}-01")
    else:
        day = months.previous_month(timezone.localdate())
    return points.compute_month(month=day)
