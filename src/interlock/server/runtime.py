"""The running configuration and everything compiled from it, swapped atomically on reload."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import signal
from collections.abc import Awaitable
from pathlib import Path

from interlock.config import ConfigError, GatewayConfig, parse_config
from interlock.dispatch.dispatcher import Dispatcher
from interlock.routing.plan import RoutingTable

log = logging.getLogger("interlock.config")

# How long a changed file must stay the same before the watcher loads it. An in-place write
# (truncate, then write) is seen half-way by a poll that lands in between; loading then would
# refuse an empty file, or worse accept a cut-off one that happens to be valid YAML.
SETTLE_S = 0.25


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
    """Loads the file, reloads it on SIGHUP or when it changes; a bad file never replaces a good one.

    A change is a new timestamp, size or inode (so `touch` retries a refused file whose `${file:}`
    secret has since appeared) or new bytes: an edit within the filesystem's timestamp
    granularity that keeps the size would otherwise be missed for good. Reading a config file of
    a few KB every poll costs microseconds, off the request path.
    """

    current: Runtime

    def __init__(self, path: Path | None, config: GatewayConfig) -> None:
        self.path = path
        self.initial = config
        self.reloads = 0
        self.last_error: str | None = None
        # Fingerprint of the file last loaded or refused: a refused file is not retried until
        # it changes.
        self._seen = _look(path)[1] if path is not None else ""
        self._pending = ""  # a fingerprint seen once and waiting to be seen again; "" for none
        self._task: asyncio.Task[None] | None = None
        self._signalled: set[asyncio.Task[bool]] = set()
        self._lock = asyncio.Lock()

    async def reload(self, look: tuple[bytes | None, str] | None = None) -> bool:
        """Load the file (as `look` saw it; as it is now when None, as on SIGHUP)."""
        if self.path is None:
            return False
        async with self._lock:
            if look is None:
                look = await asyncio.to_thread(_look, self.path)
            data, self._seen = look
            try:
                config = await asyncio.to_thread(_parse, self.path, data)
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

    async def check(self) -> bool:
        """One look at the file: reload it once it has changed and then stayed the same.

        True when the watcher wants to look again soon (a change is settling).
        """
        if self.path is None:
            return False
        look = await asyncio.to_thread(_look, self.path)
        if look[1] == self._seen:
            self._pending = ""
            return False
        if look[1] != self._pending:
            # Changed since the last look: the writer may not be done. Look again shortly.
            self._pending = look[1]
            return True
        self._pending = ""
        await self.reload(look)
        return False

    def start(self) -> None:
        """Build the first runtime (its connection pools need the running loop) and watch the file."""
        self.current = Runtime(self.initial)
        loop = asyncio.get_running_loop()
        # Outside the main thread (tests) there are no signal handlers: polling only.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
        self._task = asyncio.ensure_future(self._poll())

    def _on_sighup(self) -> None:
        # The loop keeps only a weak reference to a task: hold it until the reload is done.
        task = asyncio.ensure_future(self.reload())
        self._signalled.add(task)
        task.add_done_callback(self._signalled.discard)

    async def _poll(self) -> None:
        settling = False
        while True:
            poll_s = self.current.config.server.reload_poll_s
            await asyncio.sleep(SETTLE_S if settling else poll_s)
            try:
                settling = await self.check()
            except Exception:  # the watcher must outlive any one bad look at the file
                log.exception("config watcher: checking %s failed", self.path)
                settling = False

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.current.retire()


def _look(path: Path) -> tuple[bytes | None, str]:
    """The file's bytes (None when unreadable: missing, mid-rename, no permission) and their
    fingerprint. Two looks that agree saw the same bytes under the same stamp."""
    try:
        data = path.read_bytes()
        st = os.stat(path)
    except OSError:
        return None, "unreadable"
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return data, f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}:{digest}"


def _parse(path: Path, data: bytes | None) -> GatewayConfig:
    if data is None:
        raise ConfigError(f"{path}: cannot read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_config(text, str(path), path.parent)
