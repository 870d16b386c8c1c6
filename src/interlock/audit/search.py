"""A search over the audit store: the filters the admin API and `interlock audit search` take."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from interlock.audit.record import tag

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_LIMIT = 1000


class QueryError(ValueError):
    pass


@dataclass(slots=True)
class Query:
    since: float | None = None
    until: float | None = None
    team: str | None = None
    app: str | None = None
    identity: str | None = None
    end_user: str | None = None
    model: str | None = None  # the served model or the requested name
    provider: str | None = None
    policy: str | None = None
    dlp_type: str | None = None
    decision: str | None = None  # "stage" or "stage:outcome"
    status: str | None = None  # 403, 4xx, or an outcome: ok / refused / failed
    kind: str | None = None  # exchange, admin, retention, checkpoint
    request_id: str | None = None
    text: str | None = None  # words that must all appear in the content
    limit: int = 50
    before: int | None = None  # continue after this result cursor (rid)

    def words(self) -> list[str]:
        return [w.lower() for w in _WORD.findall(self.text or "")][:16]

    def tags(self) -> list[str]:
        out = []
        if self.dlp_type:
            out.append(tag("dlp", self.dlp_type))
        if self.decision:
            stage, _, outcome = self.decision.partition(":")
            out.append(tag("d", stage, outcome) if outcome else tag("d", stage))
        if self.status and self.status.lower() in ("ok", "refused", "failed"):
            out.append(tag("o", self.status))
        return out

    def column_filters(self, mark: str, prefix: str = "") -> tuple[list[str], list[Any]]:
        """WHERE clauses and parameters for the plain column filters, shared by both stores.

        `mark` is the driver's placeholder (`?` for SQLite, `%s` for psycopg); `prefix` the
        table alias. Text and tag matching differ per engine and stay with each store.
        """
        where = [f"{prefix}body IS NOT NULL"]
        params: list[Any] = []
        for column, value in (
            ("team", self.team), ("app", self.app), ("identity", self.identity),
            ("end_user", self.end_user), ("model", self.model), ("provider", self.provider),
            ("policy", self.policy), ("kind", self.kind), ("id", self.request_id),
        ):  # fmt: skip
            if value is not None:
                where.append(f"{prefix}{column} = {mark}")
                params.append(value)
        if self.since is not None:
            where.append(f"{prefix}ts >= {mark}")
            params.append(self.since)
        if self.until is not None:
            where.append(f"{prefix}ts < {mark}")
            params.append(self.until)
        status = self.status_range()
        if status is not None:
            where.append(f"{prefix}status BETWEEN {mark} AND {mark}")
            params += list(status)
        if self.before is not None:
            where.append(f"{prefix}rid < {mark}")
            params.append(self.before)
        return where, params

    def status_range(self) -> tuple[int, int] | None:
        s = (self.status or "").lower()
        if not s or s in ("ok", "refused", "failed"):
            return None
        if re.fullmatch(r"[1-5]xx", s):
            return int(s[0]) * 100, int(s[0]) * 100 + 99
        if re.fullmatch(r"[1-5][0-9][0-9]", s):  # ASCII only: isdigit() also takes "²"
            return int(s), int(s)
        raise QueryError(f"status must be a code (403), a class (4xx) or ok/refused/failed: {s!r}")


def parse_time(value: str) -> float:
    """ISO 8601 (a date means its midnight UTC) or UNIX seconds."""
    v = value.strip()
    try:
        return float(v)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            f"not a time: {value!r} (use 2026-11-24 or 2026-11-24T10:00:00Z)"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


TIME_FIELDS = ("since", "until")
INT_FIELDS = ("limit", "before")


def query_from(params: dict[str, Any]) -> Query:
    """A query from string parameters (HTTP query string or CLI), validated."""
    known = {f.name for f in fields(Query)}
    values: dict[str, Any] = {}
    for key, raw in params.items():
        name = key.replace("-", "_")
        if name not in known:
            raise QueryError(f"unknown filter {key!r} (known: {', '.join(sorted(known))})")
        if raw is None or raw == "":
            continue
        if name in TIME_FIELDS:
            values[name] = parse_time(str(raw))
        elif name in INT_FIELDS:
            try:
                values[name] = int(raw)
            except ValueError:
                raise QueryError(f"{key} must be an integer") from None
            if name == "before" and not 0 <= values[name] < 2**63:  # a row id (SQL INTEGER)
                raise QueryError(f"{key} is out of range")
        else:
            values[name] = str(raw)
    q = Query(**values)
    q.limit = max(1, min(MAX_LIMIT, q.limit))
    q.status_range()  # validates
    return q
