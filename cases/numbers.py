"""Public ticket numbers: XZ20261121-0042 is the 42nd ticket of 21 November 2026."""

import datetime

from django.db import connection

from cases.models import DailySequence

PREFIX = "XZ"


def next_number(day: datetime.date) -> str:
    """Take the day's next number. One statement that inserts or increments the day's row, so
    two requests at the same instant never get the same number (PostgreSQL and SQLite ≥ 3.35)."""
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"{PREFIX}{day:%Y%m%d}-{last:04d}"
