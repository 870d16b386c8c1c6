"""Keeps the in-memory view current on every instance without a query per request.

Every change bumps a one-row counter in the same transaction. Each instance reads that row
every `refresh_s` (one indexed single-row read) and reloads the whole view only when it moved,
so a revocation made on any instance or with the CLI is enforced everywhere within about
`refresh_s` plus the reload time. Works the same on SQLite and PostgreSQL.
If the database cannot be read for `max_staleness_s`, the view is declared stale and
authentication refuses (fails closed) rather than honour keys that may have been revoked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from interlock.auth.view import IdentityView
from interlock.store import Store, StoreError, migrate
from interlock.store.repo import current_version, load_snapshot

log = logging.getLogger("interlock.auth")


class DirectoryUnavailable(Exception):
    """No view, or one too old to trust."""


class Directory:
    def __init__(self, store: Store, refresh_s: float = 0.5, max_staleness_s: float = 30.0) -> None:
        self.store = store
        self.refresh_s = refresh_s
        self.max_staleness_s = max_staleness_s
        self._view: IdentityView | None = None
        self._checked_at = 0.0  # monotonic time of the last successful read of the counter
        self._task: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._error_logged = False
        self.reloads = 0

    async def start(self) -> None:
        """Open, migrate and load once; if the database is down, keep trying in the background."""
        try:
            await self.store.open()
            await migrate(self.store)
            await self.refresh()
        except StoreError as exc:
            log.error("identity database unavailable, refusing requests until it is: %s", exc)
        self._task = asyncio.ensure_future(self._poll())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.store.close()

    def view(self) -> IdentityView:
        view = self._view
        if view is None:
            raise DirectoryUnavailable("the identity database has not been loaded")
        if time.monotonic() - self._checked_at > self.max_staleness_s:
            raise DirectoryUnavailable("the identity database has not been reachable recently")
        return view

    @property
    def loaded(self) -> bool:
        return self._view is not None

    async def refresh(self, force: bool = False) -> bool:
        """Reload if the counter moved (or when forced); True when a new view was installed."""
        async with self._reload_lock:
            if self._view is None and not force:
                with contextlib.suppress(StoreError):
                    await migrate(self.store)  # a first start against a fresh database
            version = await current_version(self.store)
            self._checked_at = time.monotonic()
            if not force and self._view is not None and version == self._view.version:
                return False
            snap = await load_snapshot(self.store)
            self._view = IdentityView(snap)
            self._checked_at = time.monotonic()
            self.reloads += 1
            return True

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_s)
            try:
                await self.store.open()  # no-op while connected; reconnects after a failure
                await self.refresh()
                if self._error_logged:
                    log.info("identity database reachable again")
                    self._error_logged = False
            except StoreError as exc:
                if not self._error_logged:
                    log.error("identity view refresh failed: %s", exc)
                    self._error_logged = True
            except Exception:  # never let the watcher die: a dead watcher means a stale view
                log.exception("identity view refresh failed")
