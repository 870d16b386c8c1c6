"""Reading and writing the organisation's rows. Table and column names come from this module,
never from input; values always go through placeholders."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson

from interlock.store.base import Row, Store, Tx, read_version

COLUMNS: dict[str, tuple[str, ...]] = {
    "teams": ("id", "name", "created_at", "revoked_at"),
    "applications": ("id", "team_id", "name", "created_at", "revoked_at"),
    "identities": (
        "id", "team_id", "kind", "name", "subject", "roles", "created_at", "revoked_at",
    ),
    "api_keys": (
        "id", "hash", "kind", "identity_id", "app_id", "name", "created_at", "expires_at",
        "revoked_at", "replaces", "replaced_by",
    ),
    "bindings": (
        "id", "subject_type", "subject_id", "app_id", "policy", "created_at", "revoked_at",
    ),
}  # fmt: skip
AUDIT_COLUMNS = (
    "at", "actor", "actor_roles", "action", "entity_type", "entity_id", "outcome", "reason",
    "before", "after", "request_id", "source",
)  # fmt: skip


def _check(table: str, names: list[str] | tuple[str, ...]) -> None:
    allowed = COLUMNS[table]
    for name in names:
        if name not in allowed:
            raise ValueError(f"{table} has no column {name}")


async def insert(tx: Tx, table: str, row: dict[str, Any]) -> None:
    names = list(row)
    _check(table, names)
    marks = ", ".join("?" for _ in names)
    await tx.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", tuple(row.values())
    )


async def get(tx: Tx, table: str, id: str) -> Row | None:
    _check(table, ())
    return await tx.fetchone(f"SELECT * FROM {table} WHERE id = ?", (id,))


async def update(tx: Tx, table: str, id: str, changes: dict[str, Any]) -> int:
    _check(table, list(changes))
    sets = ", ".join(f"{k} = ?" for k in changes)
    return await tx.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*changes.values(), id))


async def select(tx: Tx, table: str, where: dict[str, Any] | None = None) -> list[Row]:
    where = where or {}
    _check(table, list(where))
    clause = " AND ".join(f"{k} = ?" for k in where)
    sql = f"SELECT * FROM {table}" + (f" WHERE {clause}" if clause else "")
    return await tx.fetchall(sql + " ORDER BY created_at, id", tuple(where.values()))


@dataclass(slots=True)
class Snapshot:
    """Every row the authentication view needs, read in one consistent transaction."""

    version: int
    teams: list[Row]
    applications: list[Row]
    identities: list[Row]
    api_keys: list[Row]
    bindings: list[Row]


async def current_version(store: Store) -> int:
    async with store.transaction(write=False) as tx:
        return await read_version(tx)


async def load_snapshot(store: Store) -> Snapshot:
    async with store.transaction(write=False) as tx:
        version = await read_version(tx)
        rows = {t: await tx.fetchall(f"SELECT * FROM {t}") for t in COLUMNS}
    return Snapshot(version=version, **rows)


@dataclass(slots=True)
class AuditEntry:
    actor: str
    actor_roles: list[str]
    action: str
    entity_type: str
    entity_id: str | None
    outcome: str  # "ok" or "denied"
    reason: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    request_id: str | None = None
    source: str | None = None


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


async def append_audit(tx: Tx, e: AuditEntry) -> None:
    values = (
        time.time(), e.actor, _json(e.actor_roles), e.action, e.entity_type, e.entity_id,
        e.outcome, e.reason, _json(e.before), _json(e.after), e.request_id, e.source,
    )  # fmt: skip
    marks = ", ".join("?" for _ in AUDIT_COLUMNS)
    await tx.execute(
        f"INSERT INTO admin_audit ({', '.join(AUDIT_COLUMNS)}) VALUES ({marks})", values
    )


async def list_audit(
    tx: Tx,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    outcome: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Row]:
    clauses, params = ["id > ?"], [after_id]
    for column, value in (
        ("entity_type", entity_type), ("entity_id", entity_id), ("actor", actor),
        ("outcome", outcome),
    ):  # fmt: skip
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    rows = await tx.fetchall(
        f"SELECT * FROM admin_audit WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?",
        (*params, limit),
    )
    for row in rows:
        for key in ("actor_roles", "before", "after"):
            if row.get(key) is not None:
                row[key] = orjson.loads(row[key])
    return rows
