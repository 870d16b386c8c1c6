"""Usage over time for the console's charts: a rollup of the audit store, kept current.

Tokens, cost, DLP types and decisions live inside each record's JSON, so summing them over a
million records per page view would parse a million bodies. Instead a small table next to the
records, `console_rollup`, holds one row per (bucket size, dimension, team, bucket, value) with
the sums, once for the record's team and once for all teams (team "*"); a page reads one range
of the primary key per dimension, a few thousand rows at most. The rollup catches up
incrementally from a watermark (the highest record row id it has folded in), at most `CHUNK`
records per step, and is shared by every instance reading the same store (SQLite: the write
lock; PostgreSQL: an advisory lock), so each record is folded in once.

PostgreSQL hands out row ids before commit, so a record can appear below the watermark after it
was set (two instances writing at once). The ids missing below the watermark are kept as holes
and looked for again on every step until they appear or `HOLE_TTL_S` passes (an id consumed by
an insert that was skipped or rolled back never appears).

Dimensions: team, app, model, provider (requests, tokens, cost, refused, failed per bucket),
dlp (records per finding type), decision ("stage:outcome" of every stage's decision), error
(upstream attempts that failed, "provider status"), failover (records served after a failover,
per provider). Buckets are hours and days in UTC; the chart's bucket [start, start + size) is
exactly the audit search's `since`/`until`, so a chart point links to the records behind it.

Records are counted when folded in; content pruned by retention later does not change the sums
(the search then finds fewer records than the chart counts for that bucket).
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

HOUR = 3600
DAY = 86400
SIZES = (HOUR, DAY)
CHUNK = 20_000  # records folded in per step (one short write transaction each)
HOLE_TTL_S = 600.0
MAX_HOLES = 5000
SERIES_DIMS = ("team", "app", "model", "provider")
TOP_DIMS = ("dlp", "decision", "error", "failover")
MEASURES = ("requests", "input_tokens", "output_tokens", "cost_usd", "refused", "failed")
ALL = "*"
_LOCK_ID = 0x1D3_C0A5  # PostgreSQL advisory lock: one instance folds records in at a time

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS console_rollup (
        size INTEGER NOT NULL, dim TEXT NOT NULL, bucket BIGINT NOT NULL,
        team TEXT NOT NULL, value TEXT NOT NULL,
        requests BIGINT NOT NULL DEFAULT 0, input_tokens BIGINT NOT NULL DEFAULT 0,
        output_tokens BIGINT NOT NULL DEFAULT 0, cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        refused BIGINT NOT NULL DEFAULT 0, failed BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (size, dim, team, bucket, value)
    )""",
    """CREATE TABLE IF NOT EXISTS console_rollup_state (
        name TEXT PRIMARY KEY, value TEXT NOT NULL
    )""",
]


class UsageError(ValueError):
    pass


@dataclass(slots=True)
class Watermark:
    rid: int = 0
    holes: dict[int, float] = field(default_factory=dict)  # missing row id -> first seen

    def dump(self) -> str:
        return orjson.dumps({"rid": self.rid, "holes": list(self.holes.items())}).decode()

    @classmethod
    def load(cls, raw: str | None) -> Watermark:
        if not raw:
            return cls()
        data = orjson.loads(raw)
        return cls(int(data["rid"]), {int(r): float(t) for r, t in data.get("holes", [])})


Key = tuple[int, str, int, str, str]  # size, dim, bucket, team, value


def fold(sums: dict[Key, list[float]], ts: float, record: dict[str, Any] | None,
         columns: dict[str, Any]) -> None:  # fmt: skip
    """Add one exchange record to the sums of every bucket size and dimension it belongs to."""
    team = columns["team"] or ""
    body = record or {}
    usage = body.get("usage") or {}
    cost = body.get("cost_usd")
    outcome = columns["outcome"]
    measures = (
        1,
        int(usage.get("input_tokens") or 0),
        int(usage.get("output_tokens") or 0),
        float(cost) if isinstance(cost, int | float) else 0.0,
        1 if outcome == "refused" else 0,
        1 if outcome == "failed" else 0,
    )
    counted = (1, 0, 0, 0.0, measures[4], measures[5])
    keys: list[tuple[str, str, tuple[Any, ...]]] = [
        (dim, columns[dim] or "", measures) for dim in SERIES_DIMS
    ]
    for t in body.get("dlp_types") or ():
        keys.append(("dlp", str(t), counted))
    seen = set()
    for d in body.get("decisions") or ():
        name = f"{d.get('stage')}:{d.get('outcome')}"
        if name not in seen:  # a record counts once per decision kind
            seen.add(name)
            keys.append(("decision", name, counted))
    failed_attempts = set()
    for a in body.get("attempts") or ():
        status = a.get("status")
        if a.get("error") or (isinstance(status, int) and status >= 400):
            failed_attempts.add(f"{a.get('provider')} {status or a.get('error')}")
    for name in failed_attempts:
        keys.append(("error", name, counted))
    if body.get("failover"):
        keys.append(("failover", columns["provider"] or "", counted))
    for size in SIZES:
        bucket = int(ts // size) * size
        for dim, value, m in keys:
            # The record's team, and ALL ("*": no team id has that character) for org-wide
            # views, which then read one row per cell instead of summing every team's.
            for scope in (team, ALL):
                key = (size, dim, bucket, scope, value)
                row = sums.get(key)
                if row is None:
                    sums[key] = list(m)
                else:
                    for i, v in enumerate(m):
                        row[i] += v


class UsageRollup:
    """The rollup of one audit store; thread-safe, synchronous (call it from a worker thread)."""

    def __init__(self, store: Any) -> None:
        self.dialect: str = store.dialect
        if self.dialect == "sqlite":
            self.path: Path = store.path
            self.mark = "?"
        else:
            self.url: str = store.url
            self.mark = "%s"
        # Folding in and reading use their own connections and locks: a page read never waits
        # for a long catch-up (the first one over a large store), nor runs inside its transaction.
        self._conns: dict[str, Any] = {"fold": None, "read": None}
        self._locks = {"fold": threading.Lock(), "read": threading.Lock()}
        self.stopping = False

    # ---- connection ----------------------------------------------------------------------

    def _connect(self) -> Any:
        if self.dialect == "sqlite":
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute("PRAGMA busy_timeout=30000")
        else:
            import psycopg

            conn = psycopg.connect(
                self.url, autocommit=True, connect_timeout=5, application_name="interlock-console"
            )
        for stmt in SCHEMA:
            if self.dialect == "postgresql":
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
                    conn.execute(stmt)
            else:
                conn.execute(stmt)
        return conn

    def _db(self, role: str) -> Any:
        conn = self._conns[role]
        broken = conn is not None and self.dialect == "postgresql" and (conn.closed or conn.broken)
        if conn is None or broken:
            conn = self._conns[role] = self._connect()
        return conn

    def _rows(
        self, sql: str, params: Iterable[Any] = (), role: str = "read"
    ) -> list[tuple[Any, ...]]:
        sql = sql.replace("?", self.mark)
        if role == "fold":  # the caller holds the fold lock
            return list(self._db(role).execute(sql, tuple(params)).fetchall())
        with self._locks["read"]:
            return list(self._db(role).execute(sql, tuple(params)).fetchall())

    def close(self) -> None:
        for role, lock in self._locks.items():
            with lock:
                if self._conns[role] is not None:
                    self._conns[role].close()
                    self._conns[role] = None

    # ---- folding records in ----------------------------------------------------------------

    def watermark(self, role: str = "read") -> Watermark:
        rows = self._rows(
            "SELECT value FROM console_rollup_state WHERE name = 'watermark'", (), role
        )
        return Watermark.load(rows[0][0] if rows else None)

    def backlog(self) -> int:
        """Records not folded in yet (holes not counted)."""
        w = self.watermark()
        return int(self._rows("SELECT COUNT(*) FROM audit_records WHERE rid > ?", (w.rid,))[0][0])

    def catch_up(self, max_steps: int | None = None, chunk: int = CHUNK, wait: bool = True) -> int:
        """Fold in new records, CHUNK at a time; returns how many were folded in. With
        `wait=False`, returns 0 at once when another thread is folding in already."""
        total = 0
        steps = 0
        if not self._locks["fold"].acquire(blocking=wait):
            return 0
        try:
            while (max_steps is None or steps < max_steps) and not self.stopping:
                steps += 1
                done, more = self._step(chunk)
                total += done
                if not more:
                    break
        finally:
            self._locks["fold"].release()
        return total

    def _step(self, chunk: int = CHUNK) -> tuple[int, bool]:
        w = self.watermark("fold")
        now = time.time()
        holes = {r: t for r, t in w.holes.items() if now - t < HOLE_TTL_S}
        cols = "rid, kind, ts, team, app, model, provider, outcome, body"
        rows = self._rows(
            f"SELECT {cols} FROM audit_records WHERE rid > ? ORDER BY rid LIMIT ?",
            (w.rid, chunk),
            "fold",
        )
        found_holes: list[tuple[Any, ...]] = []
        if holes:
            marks = ", ".join("?" for _ in holes)
            found_holes = self._rows(
                f"SELECT {cols} FROM audit_records WHERE rid IN ({marks})", list(holes), "fold"
            )
        if not rows and not found_holes and holes == w.holes:
            return 0, False
        sums: dict[Key, list[float]] = {}
        folded = 0
        for rid, kind, ts, team, app, model, provider, outcome, body in [*rows, *found_holes]:
            holes.pop(rid, None)
            if kind != "exchange":
                continue
            columns = {"team": team, "app": app, "model": model, "provider": provider,
                       "outcome": outcome}  # fmt: skip
            fold(sums, float(ts), orjson.loads(body) if body else None, columns)
            folded += 1
        top = w.rid
        if rows:
            top = rows[-1][0]
            # Ids missing between the watermark and the last row read: maybe not committed yet.
            # The very first step has no watermark to measure from (ids may start anywhere).
            prev = w.rid if w.rid else rows[0][0]
            for row in rows:
                rid = row[0]
                for missing in range(prev + 1, rid):
                    if len(holes) < MAX_HOLES:
                        holes[missing] = now
                prev = rid
        self._apply(w, Watermark(top, holes), sums)
        return folded, len(rows) == chunk

    def _apply(self, old: Watermark, new: Watermark, sums: dict[Key, list[float]]) -> None:
        m = self.mark
        upsert = (
            "INSERT INTO console_rollup (size, dim, bucket, team, value, "
            f"{', '.join(MEASURES)}) VALUES ({', '.join([m] * (5 + len(MEASURES)))}) "
            "ON CONFLICT (size, dim, bucket, team, value) DO UPDATE SET "
            + ", ".join(f"{c} = console_rollup.{c} + excluded.{c}" for c in MEASURES)
        )
        state = (
            f"INSERT INTO console_rollup_state (name, value) VALUES ('watermark', {m}) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        )
        params = [(*k, *v) for k, v in sums.items()]
        conn = self._db("fold")
        if self.dialect == "sqlite":
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self.watermark("fold").dump() != old.dump():
                    conn.execute("ROLLBACK")  # another process folded these in meanwhile
                    return
                conn.executemany(upsert, params)
                conn.execute(state, (new.dump(),))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            if self.watermark("fold").dump() != old.dump():
                return
            cur.executemany(upsert, params)
            cur.execute(state, (new.dump(),))

    # ---- reading ---------------------------------------------------------------------------

    def cells(self, dim: str, size: int, since: int, until: int,
              team: str | None) -> list[tuple[Any, ...]]:  # fmt: skip
        """(bucket, value, *measures) over [since, until): one stored row per cell, read in key
        order from one range of the primary key (no grouping)."""
        cols = ", ".join(MEASURES)
        return self._rows(
            f"SELECT bucket, value, {cols} FROM console_rollup WHERE size = ? AND dim = ? "
            "AND team = ? AND bucket >= ? AND bucket < ?",
            (size, dim, ALL if team is None else team, since, until),
        )

    def counts(self, dim: str, size: int, since: int, until: int,
               team: str | None) -> list[tuple[str, int]]:  # fmt: skip
        """value -> records over [since, until), most first."""
        return [
            (str(v), int(n))
            for v, n in self._rows(
                "SELECT value, SUM(requests) AS n FROM console_rollup WHERE size = ? AND dim = ? "
                "AND team = ? AND bucket >= ? AND bucket < ? GROUP BY value "
                "ORDER BY n DESC, value LIMIT 20",
                (size, dim, ALL if team is None else team, since, until),
            )
        ]


# ---- the overview's answer ------------------------------------------------------------------

RANGES = {"24h": (DAY, HOUR), "7d": (7 * DAY, HOUR), "30d": (30 * DAY, DAY), "90d": (90 * DAY, DAY)}
MAX_BUCKETS = 400
TOP_SERIES = 8


def window(
    range_: str | None, since: float | None, until: float | None, bucket: str | None, now: float
) -> tuple[int, int, int]:
    """(bucket size, first bucket start, end) for a named range or explicit since/until."""
    if any(t is not None and not (0 <= t < 1e11) for t in (since, until)):
        raise UsageError("since and until must be times between 1970 and 5138")
    if bucket not in (None, "", "hour", "day"):
        raise UsageError(f"bucket must be hour or day, not {bucket!r}")
    if since is None:
        if range_ not in (None, "") and range_ not in RANGES:
            raise UsageError(f"range must be one of {', '.join(RANGES)}, not {range_!r}")
        span, size = RANGES[range_ or "24h"]
        until = until if until is not None else now
        since = until - span
    else:
        until = until if until is not None else now
        size = DAY if until - since > 8 * DAY else HOUR
    if bucket:
        size = HOUR if bucket == "hour" else DAY
    if until <= since:
        raise UsageError("until must be after since")
    start = int(since // size) * size
    end = math.ceil(until / size) * size
    if (end - start) // size > MAX_BUCKETS:
        raise UsageError(f"too many buckets ({(end - start) // size}): use bucket=day")
    return size, start, end


def overview(
    rollup: UsageRollup, size: int, start: int, end: int, team: str | None
) -> dict[str, Any]:
    """Series per dimension (top values by cost, then requests; the rest as one "other"
    series), totals, and the incident panels, all over [start, end)."""
    starts = list(range(start, end, size))
    index = {b: i for i, b in enumerate(starts)}
    out: dict[str, Any] = {"bucket_s": size, "since": start, "until": end, "starts": starts}
    series: dict[str, list[dict[str, Any]]] = {}
    totals = [0.0] * len(MEASURES)
    for dim in SERIES_DIMS:
        cells = rollup.cells(dim, size, start, end, team)
        # First pass: each value's total (ranks them); second: grids for the top values and
        # one for the rest, so a hundred applications cost two grids, not a hundred.
        ranks: dict[str, list[float]] = {}
        for _, value, *m in cells:
            r = ranks.get(value)
            if r is None:
                ranks[value] = [m[3], m[0]]
            else:
                r[0] += m[3]
                r[1] += m[0]
        ranked = sorted(ranks, key=lambda v: (-ranks[v][0], -ranks[v][1], v))
        shown = ranked[:TOP_SERIES]
        on_top = set(shown)
        others = f"{len(ranked) - TOP_SERIES} others"
        grids: dict[str, list[list[float]]] = {}
        for bucket, value, *m in cells:
            name = value if value in on_top else others
            grid = grids.get(name)
            if grid is None:
                grid = grids[name] = [[0.0] * len(MEASURES) for _ in starts]
            cell = grid[index[bucket]]
            for k, v in enumerate(m):
                cell[k] += v
            if dim == "team":
                for k, v in enumerate(m):
                    totals[k] += v
        rows = [_series_row(v, grids[v], False) for v in shown]
        if len(ranked) > TOP_SERIES:
            rows.append(_series_row(others, grids[others], True))
        series[dim] = rows
    out["series"] = series
    out["totals"] = _measures(totals)
    out["top"] = {
        dim: [{"value": v, "requests": n} for v, n in rollup.counts(dim, size, start, end, team)]
        for dim in TOP_DIMS
    }
    return out


def _measures(m: list[float]) -> dict[str, Any]:
    return {
        "requests": int(m[0]),
        "input_tokens": int(m[1]),
        "output_tokens": int(m[2]),
        "tokens": int(m[1] + m[2]),
        "cost_usd": round(m[3], 9),
        "refused": int(m[4]),
        "failed": int(m[5]),
    }


def _series_row(value: str, grid: list[list[float]], other: bool) -> dict[str, Any]:
    return {
        "value": value,
        "other": other,
        "requests": [int(c[0]) for c in grid],
        "tokens": [int(c[1] + c[2]) for c in grid],
        "cost_usd": [round(c[3], 9) for c in grid],
        "total": _measures([sum(c[k] for c in grid) for k in range(len(MEASURES))]),
    }
