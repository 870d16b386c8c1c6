"""The audit writer process: everything but the hand-off, outside the gateway worker.

Each gateway worker starts one writer (a child made by a multiprocessing fork server, so it
starts in milliseconds from a clean, single-threaded parent) and talks to it over a socket
pair. The worker only encodes each finished exchange (`capture.encode_exchange`, one orjson
call) and writes what finished within 2 ms at once; the writer builds the records,
removes secrets, chains and hashes them, writes and fsyncs the spool, ships to the store and
the sinks, counts the metrics. None of that holds the worker's GIL any more.

Protocol (one JSON value per line, both ways):

    worker → writer   [wid, "x", strict, capture]   a finished exchange (capture.py)
                      [wid, "r", strict, record]    a record made elsewhere (admin, retention)
                      {"op": "metrics", "id": n}    the writer's Prometheus text, please
                      {"op": "bye", "drain_s": s}   write what is queued, ship, exit
    writer → worker   {"hello": {chain, seq}}       the spool is open: start sending
                      {"ack": wid}                  every message up to wid is fsynced
                      {"st": [full, broken]}        spool state, whenever it changes
                      {"metrics": n, "text": …}     the answer to a metrics request
                      {"fatal": why}                could not start (spool, key, store)

Guarantees stay where they were: secrets are removed in the writer before anything is written
(the socket pair is memory, not disk); a strict answer waits for the writer's ack, which is
sent only after the fsync; `full` (refuse or drop, per policy) is the writer's spool state or
the worker's unacknowledged backlog reaching `queue_max`. The worker keeps each message until
it is acknowledged: if the writer dies, the worker refuses or drops (per policy) while it
starts a new one, then sends it everything not yet acknowledged (the chain is continued by the
new writer, which takes over the dead one's spool directory). If the worker dies, the writer
reads to the end of the socket, writes it all, ships for a moment and exits.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import itertools
import logging
import multiprocessing
import multiprocessing.spawn
import os
import signal
import socket
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from interlock.audit.capture import encode_exchange, encode_record
from interlock.audit.config import AuditSettings
from interlock.audit.metrics import DropAlarm, Metrics
from interlock.exchange import Exchange

log = logging.getLogger("interlock.audit")

START_TIMEOUT_S = 60.0  # the first start also starts the fork server (a fresh interpreter)
RESTART_DELAY_S = 0.2
STATUS_EVERY_S = 0.25
HANDOFF_S = 0.002  # the most a finished exchange waits in the worker before it is sent
# Records per spool write and fsync in the writer process: nothing else waits on its loop, so
# a backlog (a slow disk) is caught up in few fsyncs instead of one per 128 records.
WRITER_MAX_BATCH = 4096


@dataclass(slots=True)
class WriterSpec:
    """What the writer needs to run the audit pipeline (pickled to the child)."""

    settings: AuditSettings
    spool_dir: Path
    data_dir: Path  # relative sink paths and the SQLite store live here
    scrub_literals: list[str]
    signing_key: Path
    cpus: list[int] | None = None
    nice: int = 0
    idle: bool = False  # SCHED_IDLE (AuditSettings.writer_idle)


# ---- the writer process ----------------------------------------------------------------------


def writer_main(sock: socket.socket, spec: WriterSpec) -> None:
    """Entry point of the writer process."""
    # Signals to the process group (Ctrl-C, a service manager's TERM) are for the worker: it
    # finishes its requests and then says bye; the writer ends when the worker is gone.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from interlock.server.logs import configure_logging

    configure_logging()
    if spec.cpus:
        try:
            os.sched_setaffinity(0, spec.cpus)
        except (OSError, ValueError) as exc:
            log.warning("audit writer: cannot run on CPUs %s: %s", spec.cpus, exc)
    if spec.nice:
        os.nice(spec.nice)
    if spec.idle:
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError) as exc:  # not Linux
            log.warning("audit writer: cannot run at idle priority: %s", exc)
    try:
        import uvloop

        uvloop.run(_serve(sock, spec))
    except ImportError:  # pragma: no cover - uvloop is a dependency
        asyncio.run(_serve(sock, spec))


class _WriterSide(asyncio.Protocol):
    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, message: dict[str, Any]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(orjson.dumps(message) + b"\n")

    def ack(self, wid: int) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b'{"ack":%d}\n' % wid)

    def data_received(self, data: bytes) -> None:
        from interlock.audit.pipeline import Item

        lines = (self.buffer + data).split(b"\n")
        self.buffer = lines.pop()
        pipeline = self.pipeline
        now = time.monotonic()
        urgent = False
        for line in lines:
            wid_end = line.find(b",")
            if line.startswith(b"[") and line.startswith(b'"x",', wid_end + 1):
                # An exchange: only its header is read now; the capture stays bytes until its
                # record is built (a backlog of parsed captures is what the GC would walk).
                pipeline.enqueue(Item(line, None, None, now, int(line[1:wid_end])))
                urgent = urgent or line.startswith(b"true", wid_end + 5)
                continue
            msg = orjson.loads(line)
            if isinstance(msg, list):
                wid, kind, strict, body = msg
                if kind == "x":
                    pipeline.enqueue(Item(body, None, None, now, wid))
                else:
                    pipeline.enqueue(Item(None, body, None, now, wid))
                urgent = urgent or strict
            elif msg.get("op") == "metrics":
                text = pipeline.metrics.render().decode()
                self.send({"metrics": msg.get("id"), "text": text})
            elif msg.get("op") == "bye" and not self.done.done():
                self.done.set_result(float(msg.get("drain_s", 3.0)))
        if lines:
            pipeline.wake(urgent)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if not self.done.done():
            self.done.set_result(3.0)  # the worker is gone: write what came, ship, exit


async def _serve(sock: socket.socket, spec: WriterSpec) -> None:
    from interlock.audit.chain import load_private
    from interlock.audit.pipeline import AuditPipeline, StoreSink
    from interlock.audit.scrub import Scrubber
    from interlock.audit.sinks import build_sink
    from interlock.audit.store import open_audit_store

    loop = asyncio.get_running_loop()
    settings = spec.settings
    pipeline: AuditPipeline | None = None
    side: _WriterSide | None = None
    try:
        sinks: list[Any] = []
        if settings.store is not None:
            store = open_audit_store(settings.store.url, spec.data_dir)
            sinks.append(StoreSink(store, settings.store.batch))
        sinks += [build_sink(s, spec.data_dir) for s in settings.sinks]
        pipeline = AuditPipeline(
            settings,
            spec.spool_dir,
            Scrubber(spec.scrub_literals),
            load_private(spec.signing_key),
            sinks,
            Metrics(),
        )
        _, side = await loop.create_unix_connection(lambda: _WriterSide(pipeline), sock=sock)
        await pipeline.start()
    except Exception as exc:
        log.exception("audit writer could not start")
        if side is not None:
            side.send({"fatal": f"{type(exc).__name__}: {exc}"})
            await asyncio.sleep(0.05)
        return
    assert side is not None
    # What start-up made (modules, configuration, compiled patterns) stays: out of the cyclic
    # collector's reach. Then collections on a timer, not per allocation count: reference
    # counting frees records as they go, and a per-allocation collection would walk every queued
    # capture again and again while a backlog is written (as `serve` does for the worker).
    gc.collect()
    gc.freeze()
    gc.disable()
    collector = asyncio.ensure_future(_collect_garbage())
    pipeline.on_acked = side.ack
    pipeline.max_batch = WRITER_MAX_BATCH
    side.send({"hello": {"chain": pipeline.spool.chain, "seq": pipeline.spool.head.seq}})
    status = asyncio.ensure_future(_report_status(pipeline, side))
    drain_s = await side.done
    status.cancel()
    collector.cancel()
    await pipeline.stop(drain_s)
    if side.transport is not None:
        side.send({"bye": pipeline.durable_seq})
        side.transport.close()


async def _collect_garbage() -> None:
    ticks = 0
    while True:
        await asyncio.sleep(1.0)
        ticks += 1
        gc.collect(2 if ticks % 60 == 0 else 1)


async def _report_status(pipeline: Any, side: _WriterSide) -> None:
    last: tuple[bool, str | None] | None = None
    while True:
        state = (pipeline.spool_full, pipeline.broken)
        if state != last:
            side.send({"st": list(state)})
            last = state
        await pipeline.changed(STATUS_EVERY_S)


# ---- the worker's end ------------------------------------------------------------------------


class _WorkerSide(asyncio.Protocol):
    def __init__(self, client: WriterClient) -> None:
        self.client = client
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        lines = (self.buffer + data).split(b"\n")
        self.buffer = lines.pop()
        for line in lines:
            self.client.received(orjson.loads(line))

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.lost()


_forkserver_ready = False


WRITER_NAME = "interlock-audit"


def _context() -> Any:
    global _forkserver_ready
    ctx = multiprocessing.get_context("forkserver")
    if not _forkserver_ready:
        # The fork server imports the writer once; every writer after that is a fork of it.
        ctx.set_forkserver_preload(["interlock.audit.writer"])
        # multiprocessing would run the parent's main script again in the child (to find
        # functions defined there): a program that builds a gateway at module level would start
        # one inside its own writer. The writer needs nothing from it.
        prepare = multiprocessing.spawn.get_preparation_data

        def without_main(name: str) -> dict[str, Any]:
            data: dict[str, Any] = prepare(name)
            if name == WRITER_NAME:
                data.pop("init_main_from_path", None)
                data.pop("init_main_from_name", None)
            return data

        multiprocessing.spawn.get_preparation_data = without_main  # type: ignore[assignment]
        _forkserver_ready = True
    return ctx


class WriterClient:
    """The audit pipeline as the gateway worker sees it: `submit` encodes and queues bytes."""

    def __init__(self, spec: WriterSpec, metrics: Metrics, store: Any = None) -> None:
        self.spec = spec
        self.settings = spec.settings
        self.metrics = metrics
        self.store = store  # opened here for searches; the writer writes it
        self.queue_max = spec.settings.queue_max
        self._handoff_s = min(HANDOFF_S, spec.settings.flush_interval_ms / 1000 / 4)
        self._last_write = 0.0
        self.unacked: deque[tuple[int, bytes]] = deque()  # kept until durable (resent on restart)
        self.waiters: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._out: list[bytes] = []
        # Answered exchanges not yet encoded: encoded by the next flush, which runs once the
        # answer has gone out (the loop turn that sends it ends first).
        self._pending: list[tuple[int, Exchange]] = []
        self._scheduled = False
        self._wid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transport: asyncio.Transport | None = None
        self._proc: Any = None
        self._hello: asyncio.Future[dict[str, Any]] | None = None
        self._metrics_wait: dict[int, asyncio.Future[str]] = {}
        self._metrics_ids = itertools.count(1)
        self._closing = False
        self._restart: asyncio.Task[None] | None = None
        self.down: str | None = "audit writer not started"
        self.remote_full = False
        self.remote_broken: str | None = None
        self._blocked = True  # down, spool full or broken: recomputed when any of them changes
        self._spool_blocked = False  # spool full or broken
        self.drops = DropAlarm(self.metrics)
        self.chain = ""
        self.durable_seq = 0

    # ---- the request path --------------------------------------------------------------------

    @property
    def broken(self) -> str | None:
        return self.down or self.remote_broken

    @property
    def _backlog(self) -> int:
        """Exchanges handed over and not yet acknowledged as durable (encoded or not)."""
        return len(self.unacked) + len(self._pending)

    @property
    def full(self) -> bool:
        return self._blocked or self._backlog >= self.queue_max

    def submit(self, ex: Exchange, strict: bool = False) -> asyncio.Future[None] | None:
        """Queue the finished exchange; a future only in strict mode (encoded at once, since
        the answer waits for its record). Otherwise it is encoded by the next flush, after the
        answer has been sent: the request path itself only appends."""
        # While a writer is being replaced, exchanges already admitted wait in memory (up to
        # `queue_max`) for the new one; a full or failing spool drops them (`full` refused new
        # ones before they got here, when the policy says refuse).
        if self._spool_blocked or self._backlog >= self.queue_max:
            self._drop()
            return None
        self._wid += 1
        if strict:
            return self._queue(self._wid, encode_exchange(self._wid, True, ex, None, 0.0), True)
        self._pending.append((self._wid, ex))
        self._schedule()
        return None

    def submit_stream_open(self, ex: Exchange) -> asyncio.Future[None] | None:
        """A strict stream's first record, made from the exchange as it is now."""
        self._wid += 1
        data = encode_exchange(self._wid, True, ex, "stream_open", time.perf_counter())
        return self._queue(self._wid, data, True)

    def submit_record(
        self, record: dict[str, Any], strict: bool = False
    ) -> asyncio.Future[None] | None:
        self._wid += 1
        return self._queue(self._wid, encode_record(self._wid, strict, record), strict)

    def _encode_pending(self) -> None:
        # In wid order, before anything queued after them: the writer's acks are cumulative.
        for wid, ex in self._pending:
            data = encode_exchange(wid, False, ex, None, 0.0)
            self.unacked.append((wid, data))
            self._out.append(data)
        self._pending.clear()

    def _queue(self, wid: int, data: bytes, strict: bool) -> asyncio.Future[None] | None:
        if self._pending:
            self._encode_pending()
        self.unacked.append((wid, data))
        self._out.append(data)
        if strict:
            assert self._loop is not None
            waiter = self._loop.create_future()
            self.waiters.append((wid, waiter))
            self._flush()
            return waiter
        self._schedule()
        return None

    def _schedule(self) -> None:
        if not self._scheduled:
            # At most one write per couple of milliseconds: at full load one syscall carries
            # many exchanges. A quiet worker sends at the end of this loop turn (a timer would
            # wake its loop once more per request). The flush interval still bounds what a
            # crash can lose; this delay is a small part of it.
            self._scheduled = True
            loop = self._loop
            assert loop is not None
            wait = self._last_write + self._handoff_s - loop.time()
            if wait > 0:
                loop.call_later(wait, self._flush)
            else:
                loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        if self._pending:
            self._encode_pending()
        if not self._out:
            return
        if self._transport is not None and self.down is None:
            self._transport.write(b"".join(self._out) if len(self._out) > 1 else self._out[0])
            self._last_write = self._loop.time() if self._loop is not None else 0.0
        # While the writer is down the bytes wait in `unacked` and are resent to the next one.
        self._out.clear()

    def _drop(self) -> None:
        self.drops.drop(
            lambda: (
                f"{len(self.unacked)} waiting for the writer; "
                + (self.broken or ("spool full" if self.remote_full else "writer behind"))
            )
        )

    # ---- messages from the writer ------------------------------------------------------------

    def received(self, msg: dict[str, Any]) -> None:
        ack = msg.get("ack")
        if ack is not None:
            unacked, waiters = self.unacked, self.waiters
            while unacked and unacked[0][0] <= ack:
                unacked.popleft()
            while waiters and waiters[0][0] <= ack:
                w = waiters.popleft()[1]
                if not w.done():
                    w.set_result(None)
            return
        if "st" in msg:
            self.remote_full, self.remote_broken = bool(msg["st"][0]), msg["st"][1]
            if self.remote_broken:
                self._fail_waiters(self.remote_broken)
            self._update()
        elif "metrics" in msg:
            fut = self._metrics_wait.pop(msg["metrics"], None)
            if fut is not None and not fut.done():
                fut.set_result(msg.get("text", ""))
        elif "hello" in msg or "fatal" in msg:
            if self._hello is not None and not self._hello.done():
                self._hello.set_result(msg)
        elif "bye" in msg:
            self.durable_seq = int(msg["bye"])

    def lost(self) -> None:
        self._transport = None
        if self._hello is not None and not self._hello.done():
            self._hello.set_result({"fatal": "the audit writer exited while starting"})
        if self._closing:
            return
        self.down = "audit writer exited"
        self._update()
        # Strict answers keep waiting: what was not acknowledged is resent to the next writer.
        log.error("audit writer exited; restarting it (%d records wait)", len(self.unacked))
        if self._restart is None or self._restart.done():
            self._restart = asyncio.ensure_future(self._restart_writer())

    def _fail_waiters(self, why: str) -> None:
        # As before the writer process existed: a strict answer is released with an error log
        # instead of hanging; its record stays queued and is written once the spool is back.
        while self.waiters:
            w = self.waiters.popleft()[1]
            if not w.done():
                w.set_exception(OSError(why))

    def _update(self) -> None:
        self._spool_blocked = self.remote_full or bool(self.remote_broken)
        self._blocked = self.down is not None or self._spool_blocked

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.store is not None:
            await asyncio.to_thread(self.store.open)
        atexit.register(self._close_socket)
        await self._spawn()
        self._install_gauges()

    async def _spawn(self) -> None:
        assert self._loop is not None
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        ctx = _context()
        proc = ctx.Process(
            target=writer_main, args=(theirs, self.spec), daemon=True, name=WRITER_NAME
        )
        try:
            await asyncio.to_thread(proc.start)
        finally:
            theirs.close()
        self._proc = proc
        self._hello = self._loop.create_future()
        transport, _ = await self._loop.create_unix_connection(lambda: _WorkerSide(self), sock=mine)
        self._transport = transport  # type: ignore[assignment]
        try:
            hello = await asyncio.wait_for(asyncio.shield(self._hello), START_TIMEOUT_S)
        except TimeoutError:
            hello = {"fatal": f"no answer in {START_TIMEOUT_S:.0f}s"}
        if "fatal" in hello:
            transport.close()
            raise RuntimeError(f"the audit writer did not start: {hello['fatal']}")
        self.chain = hello["hello"]["chain"]
        self.durable_seq = hello["hello"]["seq"]
        self.down = None
        self._update()
        if self.unacked:
            transport.write(b"".join(data for _, data in self.unacked))
        log.info(
            "audit writer %d: chain %s at seq %d%s",
            proc.pid,
            self.chain,
            self.durable_seq,
            f", {len(self.unacked)} record(s) resent" if self.unacked else "",
        )

    async def _restart_writer(self) -> None:
        while not self._closing and self.down is not None:
            await asyncio.sleep(RESTART_DELAY_S)
            if self._proc is not None:
                await asyncio.to_thread(self._proc.join, 5)
            try:
                await self._spawn()
            except Exception as exc:
                log.error("audit writer restart failed: %s", exc)

    async def stop(self, drain_s: float = 3.0) -> None:
        """Send what is queued, let the writer write and ship it, wait for it to exit."""
        self._closing = True
        if self._restart is not None:
            self._restart.cancel()
        self._flush()
        transport = self._transport
        if transport is not None:
            transport.write(orjson.dumps({"op": "bye", "drain_s": drain_s}) + b"\n")
        if self._proc is not None:
            await asyncio.to_thread(self._proc.join, drain_s + 15)
            if self._proc.is_alive():
                log.error("audit writer %d did not stop; killing it", self._proc.pid)
                self._proc.kill()
        if transport is not None:
            transport.close()
        self._fail_waiters("audit stopped")
        atexit.unregister(self._close_socket)
        if self.store is not None:
            await asyncio.to_thread(self.store.close)

    def _close_socket(self) -> None:
        # At interpreter exit without stop(): end of file tells the writer to finish and exit.
        if self._transport is not None:
            with contextlib.suppress(Exception):
                self._transport.close()

    async def metrics_text(self, timeout: float = 2.0) -> str:
        if self._transport is None or self.down is not None or self._loop is None:
            return ""
        key = next(self._metrics_ids)
        fut = self._loop.create_future()
        self._metrics_wait[key] = fut
        self._transport.write(orjson.dumps({"op": "metrics", "id": key}) + b"\n")
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            return ""
        finally:
            self._metrics_wait.pop(key, None)

    def _install_gauges(self) -> None:
        def collect(m: Metrics) -> None:
            m.set("interlock_audit_unacked_records", len(self.unacked))

        self.metrics.help["interlock_audit_unacked_records"] = (
            "gauge",
            "Records this worker handed to its audit writer that are not yet on disk",
        )
        self.metrics.collectors.append(collect)
