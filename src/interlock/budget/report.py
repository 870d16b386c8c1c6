"""Spend reports from the ledger: who spent what, in which period — a bill finance can read.

The same code answers `GET /admin/spend` and `interlock spend`. Periods are named as people
name them ("this-month", "2025-11", "2025-11-01..2025-11-15", "7d") and read in a time zone.
Grouping by `day` or `hour` gives spend over time (a row per day or hour in that time zone, in
time order) — the ledger keeps 15-minute buckets, and every time zone's hours start on one.
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from interlock.budget.catalogue import NANO_PER_USD
from interlock.budget.periods import period_at
from interlock.store import Store

GROUPS = {
    "team": "team_id",
    "app": "app_id",
    "model": "model",
    "provider": "provider",
    "key": "key_id",
    "identity": "identity_id",
}
# What a bill shows per row, after the grouping columns.
TOTALS = (
    "requests",
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "reasoning_tokens",
)
# Time buckets: grouped in Python from the ledger's 15-minute rows, in the report's time zone.
TIME_GROUPS = ("day", "hour")
HEADINGS = {
    "day": "day",
    "hour": "hour",
    "team": "team",
    "app": "application",
    "model": "model",
    "provider": "provider",
    "key": "key",
    "identity": "identity",
}


class ReportError(ValueError):
    """The caller asked for something that is not a report (unknown grouping, bad period)."""


@dataclass(frozen=True, slots=True)
class Span:
    label: str
    start: float
    end: float
    timezone: str


def parse_groups(text: str) -> list[str]:
    groups = [g.strip() for g in text.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS and g not in TIME_GROUPS]
    if unknown or not groups:
        raise ReportError(
            f"group by one or more of {', '.join((*TIME_GROUPS, *GROUPS))} (comma-separated), "
            f"not {', '.join(unknown) or 'nothing'}"
        )
    if len(set(groups)) != len(groups):
        raise ReportError("a grouping is named twice")
    if all(g in groups for g in TIME_GROUPS):
        raise ReportError("group by day or by hour, not both")
    # The time bucket comes first: a series per team, app, … reads left to right.
    return sorted(groups, key=lambda g: g not in TIME_GROUPS)


def parse_period(text: str, tz: str = "UTC", now: float | None = None) -> Span:
    """today, yesterday, this-week, last-week, this-month, last-month, YYYY-MM, YYYY-MM-DD,
    YYYY-MM-DD..YYYY-MM-DD (both days included), or Nd / Nh (the last N days or hours)."""
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        raise ReportError(f"unknown time zone '{tz}'") from None
    now = time.time() if now is None else now
    text = text.strip().lower()

    def day_start(d: date) -> float:
        return datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()

    named = {
        "today": ("day", 0),
        "yesterday": ("day", 1),
        "this-week": ("week", 0),
        "last-week": ("week", 1),
        "this-month": ("month", 0),
        "last-month": ("month", 1),
    }
    if text in named:
        kind, back = named[text]
        p = period_at(kind, now, tz)
        for _ in range(back):
            p = period_at(kind, p.start - 1, tz)
        return Span(p.id.split(":", 1)[1].split("@")[0], p.start, p.end, tz)
    if m := re.fullmatch(r"(\d+)([dh])", text):
        seconds = int(m.group(1)) * (86400 if m.group(2) == "d" else 3600)
        return Span(f"last {text}", now - seconds, now, tz)
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            first = date.fromisoformat(text + "-01")
            p = period_at("month", day_start(first) + 3600, tz)
            return Span(text, p.start, p.end, tz)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            return Span(text, day_start(d), day_start(d + timedelta(days=1)), tz)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            a, b = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            if b < a:
                raise ReportError("the period ends before it starts")
            return Span(text, day_start(a), day_start(b + timedelta(days=1)), tz)
    except ValueError as exc:
        if isinstance(exc, ReportError):
            raise
        raise ReportError(f"not a date: {text}") from None
    raise ReportError(
        f"unknown period '{text}': use today, yesterday, this-week, last-week, this-month, "
        "last-month, YYYY-MM, YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD, or e.g. 7d / 24h"
    )


async def spend_report(
    store: Store, groups: list[str], span: Span, team: str | None = None
) -> list[dict[str, Any]]:
    """One row per distinct value of the groups: dearest first, or in time order by day/hour."""
    when = next((g for g in groups if g in TIME_GROUPS), None)
    cols = [GROUPS[g] for g in groups if g not in TIME_GROUPS]
    if when is not None:
        cols.insert(0, "bucket_start")
    where = "bucket_start >= ? AND bucket_start < ?"
    params: list[Any] = [span.start, span.end]
    if team is not None:
        where += " AND team_id = ?"
        params.append(team)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in (*TOTALS, "cost_nano"))
    select = ", ".join(cols) + ", " if cols else ""
    grouped = f"GROUP BY {', '.join(cols)} ORDER BY SUM(cost_nano) DESC, {', '.join(cols)}"
    sql = f"SELECT {select}{sums} FROM spend_ledger WHERE {where} " + (grouped if cols else "")
    async with store.transaction(write=False) as tx:
        rows = await tx.fetchall(sql, tuple(params))
    if not cols and rows and rows[0]["cost_nano"] is None:
        rows = []  # no grouping and no spend: SQL still answers one row of nulls
    label = _bucket_label(when, span.timezone) if when is not None else None
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        item: dict[str, Any] = {
            g: label(row["bucket_start"]) if g == when and label else row.get(GROUPS.get(g, ""))
            for g in groups
        }
        ident = tuple(item[g] for g in groups)
        into = out.setdefault(ident, {**item, **{c: 0 for c in TOTALS}, "cost_nano": 0})
        for c in (*TOTALS, "cost_nano"):
            into[c] += int(row[c] or 0)
    result = list(out.values())
    for item in result:
        item["cost_usd"] = item.pop("cost_nano") / NANO_PER_USD
    if when is not None:
        rest = [g for g in groups if g != when]
        result.sort(key=lambda r: (r[when], -r["cost_usd"], *(str(r[g]) for g in rest)))
    return result


def _bucket_label(kind: str, tz: str) -> Any:
    """bucket start (UNIX seconds) -> '2025-11-20' (day) or '2025-11-20T13:00+01:00' (hour)."""
    zone = ZoneInfo(tz)
    memo: dict[float, str] = {}

    def label(start: float) -> str:
        text = memo.get(start)
        if text is None:
            local = datetime.fromtimestamp(float(start), zone)
            if kind == "day":
                text = local.strftime("%Y-%m-%d")
            else:
                text = local.replace(minute=0, second=0).isoformat(timespec="minutes")
            memo[start] = text
        return text

    return label


def to_csv(rows: list[dict[str, Any]], groups: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([HEADINGS[g] for g in groups] + [*TOTALS, "cost_usd"])
    for row in rows:
        writer.writerow(
            [row[g] for g in groups] + [row[c] for c in TOTALS] + [f"{row['cost_usd']:.6f}"]
        )
    return buf.getvalue()


def to_table(rows: list[dict[str, Any]], groups: list[str], span: Span) -> str:
    """Aligned text for a terminal, with a total line."""
    heads = [HEADINGS[g] for g in groups] + ["requests", "input tok", "output tok", "cost USD"]
    lines = [
        [str(r[g]) or "-" for g in groups]
        + [f"{r['requests']:,}", f"{r['input_tokens']:,}", f"{r['output_tokens']:,}",
           f"{r['cost_usd']:,.4f}"]
        for r in rows
    ]  # fmt: skip
    total = [
        "TOTAL", *[""] * (len(groups) - 1),
        f"{sum(r['requests'] for r in rows):,}", f"{sum(r['input_tokens'] for r in rows):,}",
        f"{sum(r['output_tokens'] for r in rows):,}", f"{sum(r['cost_usd'] for r in rows):,.4f}",
    ]  # fmt: skip
    widths = [max(len(x) for x in col) for col in zip(heads, *lines, total, strict=True)]
    n = len(groups)

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < n else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    head = f"Spend for {span.label} ({span.timezone})"
    return "\n".join([head, fmt(heads), rule, *map(fmt, lines), rule, fmt(total)])
