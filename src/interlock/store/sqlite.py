"""SQLite: the embedded default. One connection, used from worker threads, one transaction at
a time per process; WAL lets other processes (the CLI, other workers) read while one writes."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from interlock.store.base import Conflict, Row, StoreError

T = TypeVar("T")


class SQLiteTx:
    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    async def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return await self._store._run(lambda c: c.execute(sql, params).rowcount)

    async def fetchone(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        def one(c: sqlite3.Connection) -> Row | None:
            row = c.execute(sql, params).fetchone()
            return dict(row) if row is not None else None

        return await self._store._run(one)

    async def fetchall(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        return await self._store._run(lambda c: [dict(r) for r in c.execute(sql, params)])


class SQLiteStore:
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        # Held by the thread running a statement, so statements never overlap on the one
        # connection and `close` waits for the last: cancelling the task that awaits a
        # statement does not stop its thread, and closing under it crashes the process.
        self._using = threading.Lock()

    async def open(self) -> None:
        if self._conn is not None:
            return

        def connect() -> sqlite3.Connection:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            return conn

        try:
            self._conn = await asyncio.to_thread(connect)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from None

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await asyncio.to_thread(self._locked, lambda c: c.close(), conn)

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            raise StoreError("the store is not open")
        conn = self._conn
        try:
            return await asyncio.to_thread(self._locked, fn, conn)
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from None
        except sqlite3.Error as exc:
            raise StoreError(str(exc)) from None

    def _locked(self, fn: Callable[[sqlite3.Connection], T], conn: sqlite3.Connection) -> T:
        with self._using:
            return fn(conn)

    @asynccontextmanager
    async def transaction(self, write: bool = True) -> AsyncIterator[SQLiteTx]:
        async with self._lock:
            # IMMEDIATE takes the write lock up front: no deadlock-prone lock upgrade later.
            await self._run(lambda c: c.execute("BEGIN IMMEDIATE" if write else "BEGIN"))
            try:
                yield SQLiteTx(self)
            except BaseException:
                await self._run(lambda c: c.execute("ROLLBACK"))
                raise
            await self._run(lambda c: c.execute("COMMIT"))

    def migration_lock(self) -> Any:
        return self.transaction(write=True)
