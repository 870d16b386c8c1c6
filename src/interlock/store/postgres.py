"""PostgreSQL, for several gateway instances sharing one organisation (psycopg 3, async).

One connection per store: the hot path never touches it (it reads the in-memory view); only
admin writes, the change-counter poll and view reloads do. A broken connection is replaced on
the next transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from interlock.store.base import Conflict, Row, StoreError

# Any constant shared by every instance: serialises concurrent migrations.
_MIGRATION_LOCK_ID = 0x1D3_7172


def _pg(sql: str) -> str:
    # Statements are written with `?`; our SQL holds no literal `?` or `%`.
    return sql.replace("?", "%s")


class PostgresTx:
    def __init__(self, conn: psycopg.AsyncConnection[Row]) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        try:
            cur = await self._conn.execute(_pg(sql), params)
        except psycopg.errors.IntegrityError as exc:
            raise Conflict(str(exc).splitlines()[0]) from None
        except psycopg.Error as exc:
            raise StoreError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None
        return cur.rowcount

    async def fetchone(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        try:
            cur = await self._conn.execute(_pg(sql), params)
            return await cur.fetchone()
        except psycopg.Error as exc:
            raise StoreError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None

    async def fetchall(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        try:
            cur = await self._conn.execute(_pg(sql), params)
            return await cur.fetchall()
        except psycopg.Error as exc:
            raise StoreError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None


class PostgresStore:
    dialect = "postgresql"

    def __init__(self, url: str, connect_timeout_s: float = 5.0) -> None:
        self.url = url
        self._timeout = connect_timeout_s
        self._conn: psycopg.AsyncConnection[Row] | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        await self._connect()

    async def _connect(self) -> psycopg.AsyncConnection[Row]:
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        if self._conn is not None:
            await self._conn.close()
        try:
            self._conn = await psycopg.AsyncConnection.connect(
                self.url,
                autocommit=True,
                row_factory=dict_row,
                connect_timeout=max(1, round(self._timeout)),
                application_name="interlock",
            )
        except psycopg.Error as exc:
            self._conn = None
            raise StoreError(f"cannot connect to PostgreSQL: {exc}") from None
        return self._conn

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    @asynccontextmanager
    async def transaction(self, write: bool = True) -> AsyncIterator[PostgresTx]:
        async with self._lock:
            conn = await self._connect()
            try:
                async with conn.transaction():
                    if not write:
                        # One snapshot for every table read in this transaction.
                        await conn.execute(
                            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                        )
                    yield PostgresTx(conn)
            except psycopg.errors.IntegrityError as exc:
                raise Conflict(str(exc).splitlines()[0]) from None
            except psycopg.Error as exc:
                raise StoreError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None

    @asynccontextmanager
    async def migration_lock(self) -> AsyncIterator[PostgresTx]:
        async with self.transaction(write=True) as tx:
            await tx.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK_ID,))
            yield tx
