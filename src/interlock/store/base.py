"""What the identity code needs from a database: transactions, rows as dicts, and migrations.

SQL is written once with `?` placeholders; each engine's store translates what differs.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from interlock.store.migrations import LATEST, MIGRATIONS, statements

log = logging.getLogger("interlock.store")

Row = dict[str, Any]


class StoreError(Exception):
    """The database could not be reached or refused the operation."""


class Conflict(StoreError):
    """A uniqueness or reference constraint refused the write (duplicate id, unknown parent)."""


class Tx(Protocol):
    async def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run a statement; return the number of rows it changed."""

    async def fetchone(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]: ...


class Store(Protocol):
    dialect: str
    url: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    def transaction(self, write: bool = True) -> AbstractAsyncContextManager[Tx]:
        """A transaction; `write=False` gives a consistent read-only snapshot."""

    def migration_lock(self) -> AbstractAsyncContextManager[Tx]:
        """A write transaction that also excludes other processes migrating the same database."""


async def migrate(store: Store) -> int:
    """Apply the migrations this database lacks; safe with several instances starting at once."""
    async with store.migration_lock() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
            "applied_at DOUBLE PRECISION NOT NULL)"
        )
        row = await tx.fetchone("SELECT MAX(version) AS v FROM schema_migrations")
        current = int(row["v"]) if row and row["v"] is not None else 0
        if current > LATEST:
            raise StoreError(
                f"the database schema is version {current}, newer than this gateway knows "
                f"({LATEST}); upgrade the gateway"
            )
        for version, description, sql in MIGRATIONS:
            if version <= current:
                continue
            for stmt in statements(store.dialect, sql):
                await tx.execute(stmt)
            await tx.execute(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                (version, description, time.time()),
            )
            log.info("identity database migrated to version %d (%s)", version, description)
        return LATEST


async def bump_version(tx: Tx) -> None:
    """Tell every instance (they poll this row) that the organisation changed."""
    await tx.execute("UPDATE identity_state SET version = version + 1 WHERE id = 1")


async def read_version(tx: Tx) -> int:
    row = await tx.fetchone("SELECT version FROM identity_state WHERE id = 1")
    if row is None:
        raise StoreError("identity_state row is missing: the database was not migrated")
    return int(row["version"])
