"""Per-address limits that must hold even while the cache is down.

The limits count in the default cache (Redis in production). ``citymgmt.cache`` keeps pages
working through a Redis outage and django-ratelimit then lets requests through
(``RATELIMIT_FAIL_OPEN``): right for the complaint form, wrong where the limit is all that stands
between a guesser and someone's tracking code (the lookup by ticket number and the phone's last
four digits, the erasure request). Those ask ``count_attempt`` and refuse when it cannot count.
"""

import enum

from django.http import HttpRequest
from django_ratelimit.core import get_usage

from citymgmt.client_ip import ratelimit_key

# How long a refused caller is told to wait while the counter is unreachable.
RETRY_AFTER_SECONDS = 60


class Attempt(enum.Enum):
    ALLOWED = "allowed"
    LIMITED = "limited"  # over the limit: 429
    UNCOUNTED = "uncounted"  # the cache could not count it: refuse (503) where guessing matters


def count_attempt(request: HttpRequest, *, group: str, rate: str, method: str = "POST") -> Attempt:
    """Count this request against the per-address ``rate`` of ``group`` and say whether it may go
    on. Requests of another method are not counted (ALLOWED)."""
    if request.method != method:
        return Attempt.ALLOWED
    usage = get_usage(
        request, group=group, key=ratelimit_key, rate=rate, method=method, increment=True
    )
    if usage is None or (usage["limit"] == 0 and usage["time_left"] == -1):
        # django-ratelimit's answer when the count could not be read or written (fail open
        # gives None, fail closed a zero limit).
        return Attempt.UNCOUNTED
    return Attempt.LIMITED if usage["should_limit"] else Attempt.ALLOWED
