"""What both audit store engines share: the columns, and how a record maps onto them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import orjson

from interlock.audit.record import content_text
from interlock.audit.search import Query

# Filterable columns, copied out of each record; the record itself is kept whole in `body`.
COLUMNS = (
    "chain", "seq", "id", "kind", "ts", "team", "app", "identity", "end_user", "policy",
    "model", "provider", "status", "outcome", "hash", "prev",
)  # fmt: skip


@dataclass(slots=True)
class StoredRecord:
    rid: int
    record: dict[str, Any]  # the record as written; for a pruned one, its skeleton
    pruned: bool = False


def row_values(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["chain"],
        record["seq"],
        record.get("id") or "",
        record.get("kind") or "exchange",
        float(record.get("ts") or 0),
        record.get("team") or record.get("actor_team"),
        record.get("app"),
        record.get("identity") or record.get("actor"),
        record.get("end_user"),
        record.get("policy"),
        record.get("model") or record.get("model_requested"),
        record.get("provider"),
        record.get("status") if isinstance(record.get("status"), int) else None,
        record.get("outcome"),
        record["hash"],
        record["prev"],
    )


def search_text(record: dict[str, Any]) -> str:
    if record.get("kind") == "exchange":
        return content_text(record)
    # Admin changes, retention and checkpoints: their own fields are the searchable words.
    parts: list[str] = []
    for key in ("action", "entity_type", "entity_id", "actor", "reason", "before", "after"):
        value = record.get(key)
        if value is not None:
            parts.append(value if isinstance(value, str) else orjson.dumps(value).decode())
    return "\n".join(parts)


def tags_of(record: dict[str, Any]) -> list[str]:
    return list(record.get("tags") or ())


class StoreRow(NamedTuple):
    """What a store writes for one record: its filter columns, tags, searchable words and JSON.

    The writer makes these while it still holds the record it built (a tuple of strings and
    numbers: nothing for the cyclic GC to walk while it waits), so the store neither decodes the
    spool line nor walks the record again."""

    values: tuple[Any, ...]
    tags: tuple[str, ...]
    text: str
    body: str


def store_row(record: dict[str, Any], body: str | None = None) -> StoreRow:
    return StoreRow(
        row_values(record),
        tuple(tags_of(record)),
        search_text(record),
        orjson.dumps(record).decode() if body is None else body,
    )


def skeleton(row: dict[str, Any]) -> dict[str, Any]:
    """What stays of a pruned record: its place in the chain."""
    return {
        "chain": row["chain"], "seq": row["seq"], "id": row["id"], "kind": row["kind"],
        "ts": row["ts"], "policy": row["policy"], "hash": row["hash"], "prev": row["prev"],
        "pruned_at": row.get("pruned_at"),
    }  # fmt: skip


class AuditStore(Protocol):
    dialect: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def insert(self, records: list[dict[str, Any]]) -> int:
        """Add records; ones already stored (same chain and seq) are skipped. Returns new rows."""

    def insert_rows(self, rows: list[StoreRow]) -> int:
        """`insert` for records already mapped (`store_row`)."""

    def search(self, q: Query) -> list[StoredRecord]: ...

    def by_request_id(self, request_id: str) -> list[StoredRecord]: ...

    def chains(self) -> list[str]: ...

    def chain_records(self, chain: str) -> Iterator[StoredRecord]:
        """Every record of a chain in stored seq order, pruned ones as skeletons."""

    def prune(self, cutoffs: dict[str, float], default_cutoff: float) -> dict[str, Any]:
        """Drop the content of records older than their policy's cutoff; counts per policy."""

    def acquire_lease(self, name: str, holder: str, ttl_s: float, now: float) -> bool: ...

    def get_state(self, name: str) -> str | None: ...

    def set_state(self, name: str, value: str) -> None: ...

    def count(self) -> int: ...


# Columns a stored record is read back from (the body, or its skeleton once pruned).
READ_COLUMNS = f"rid, {', '.join(COLUMNS)}, body, pruned_at"
CHAIN_PAGE = 5000


def stored(row: Any) -> StoredRecord:
    """A row (sqlite3.Row or dict) as the record it holds; a pruned one as its skeleton."""
    if row["body"] is None:
        return StoredRecord(row["rid"], skeleton(dict(row)), pruned=True)
    return StoredRecord(row["rid"], orjson.loads(row["body"]))


class SqlReads:
    """The reads both SQL stores make alike; each supplies `_query` and its placeholder `P`."""

    P = "?"

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        raise NotImplementedError

    def by_request_id(self, request_id: str) -> list[StoredRecord]:
        rows = self._query(
            f"SELECT {READ_COLUMNS} FROM audit_records WHERE id = {self.P} ORDER BY rid",
            (request_id,),
        )
        return [stored(row) for row in rows]

    def chains(self) -> list[str]:
        rows = self._query("SELECT DISTINCT chain FROM audit_records ORDER BY chain", ())
        return [r["chain"] for r in rows]

    def chain_records(self, chain: str) -> Iterator[StoredRecord]:
        last = -1
        while True:
            rows = self._query(
                f"SELECT {READ_COLUMNS} FROM audit_records WHERE chain = {self.P} "
                f"AND seq > {self.P} ORDER BY seq LIMIT {CHAIN_PAGE}",
                (chain, last),
            )
            for row in rows:
                yield stored(row)
            if len(rows) < CHAIN_PAGE:
                return
            last = rows[-1]["seq"]

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM audit_records", ())[0]["n"])
