"""Calendar periods for budgets: a day, a week or a month in a time zone.

A period has an id that names it in counter keys ("month:2025-11@Europe/Paris") and its bounds
as UNIX times, so spend can be summed from the ledger and counters expire when it is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Period:
    id: str
    start: float
    end: float


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def period_at(kind: str, when: float, tz: str = "UTC", week_starts: str = "monday") -> Period:
    zone = _zone(tz)
    local = datetime.fromtimestamp(when, zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "day":
        start = midnight
        end = _add_days(start, 1)
        label = start.strftime("%Y-%m-%d")
    elif kind == "week":
        first = 0 if week_starts == "monday" else 6
        back = (midnight.weekday() - first) % 7
        start = _add_days(midnight, -back)
        end = _add_days(start, 7)
        label = "w" + start.strftime("%Y-%m-%d")
    elif kind == "month":
        start = midnight.replace(day=1)
        end = (start.replace(year=start.year + 1, month=1) if start.month == 12
               else start.replace(month=start.month + 1))  # fmt: skip
        label = start.strftime("%Y-%m")
    else:
        raise ValueError(f"unknown period {kind!r}")
    suffix = "" if tz == "UTC" else f"@{tz}"
    return Period(f"{kind}:{label}{suffix}", start.timestamp(), end.timestamp())


def _add_days(day: datetime, n: int) -> datetime:
    # Calendar arithmetic in local time: a day across a DST change is 23 or 25 hours long.
    shifted = (day.replace(tzinfo=None) + timedelta(days=n)).replace(tzinfo=day.tzinfo)
    return shifted.replace(hour=0, minute=0, second=0, microsecond=0)
