"""The computation of a month's scores (DESIGN §8), in SQL aggregates.

``compute`` returns unsaved ``Score`` rows and the city totals; ``services.execute_run`` stores
them in one transaction. It calls ``progress(percent, note)`` between its steps.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assessments.models import Score


@dataclass
class Result:
    scores: list[Score] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def compute(
    *, month: datetime.date, rules: dict[str, Any], progress: Callable[[int, str], None]
) -> Result:
    """Every subject's scores for ``month`` under ``rules`` (the shape of
    ``scheme.default_rules()``)."""
    raise NotImplementedError("engine: to be written")
