"""The running configuration and everything compiled from it, swapped atomically on reload."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable
from pathlib import Path

from interlock.config import ConfigError, GatewayConfig, load_config
from interlock.dispatch.dispatcher import Dispatcher
from interlock.routing.plan import RoutingTable

log = logging.getLogger("interlock.config")


class Runtime:
    """One configuration's compiled state. Requests hold on to the runtime they started with."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.routes = RoutingTable(config)
        self.dispatcher = Dispatcher(config)
        self.in_flight = 0
        self._retired = False

    def enter(self) -> None:
        self.in_flight += 1

    def leave(self) -> Awaitable[None] | None:
        """None, or (last request on a retired runtime) the closing of its pools to await."""
        self.in_flight -= 1
        if self._retired and self.in_flight == 0:
            return self.dispatcher.close()
        return None

    async def retire(self) -> None:
        """Close the connection pools once the last request that uses them is done."""
        self._retired = True
        if self.in_flight == 0:
            await self.dispatcher.close()


class RuntimeHolder:
    """Loads the file, reloads it on SIGHUP or when it changes; a bad file never replaces a good one."""

    current: Runtime

    def __init__(self, path: Path | None, config: GatewayConfig) -> None:
        self.path = path
        self.initial = config
        self.reloads = 0
        self.last_error: str | None = None
        self._mtime = _mtime(path)
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def reload(self) -> bool:
        if self.path is None:
            return False
        async with self._lock:
            self._mtime = _mtime(self.path)
            try:
                config = await asyncio.to_thread(load_config, self.path)
                fresh = Runtime(config)
            except ConfigError as exc:
                self.last_error = str(exc)
                log.error("config reload refused, keeping the running configuration: %s", exc)
                return False
            if config.server.port != self.current.config.server.port:
                log.warning("server.port changed in the file; it takes effect on restart")
            old, self.current = self.current, fresh
            self.reloads += 1
            self.last_error = None
            log.info("configuration reloaded from %s", self.path)
            await old.retire()
            return True

    def start(self) -> None:
        """Build the first runtime (its connection pools need the running loop) and watch the file."""
        self.current = Runtime(self.initial)
        loop = asyncio.get_running_loop()
        # Outside the main thread (tests) there are no signal handlers: polling only.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))
        self._task = asyncio.ensure_future(self._poll())

    async def _poll(self) -> None:
        # A stat every few seconds: off the request path, and works on every filesystem.
        while True:
            await asyncio.sleep(self.current.config.server.reload_poll_s)
            if self.path is not None and _mtime(self.path) != self._mtime:
                await self.reload()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.current.retire()


def _mtime(path: Path | None) -> float | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
        return st.st_mtime_ns + st.st_size
    except OSError:
        return None
