"""The audit writer process: everything but the hand-off, outside the gateway worker.

Each gateway worker starts one writer (a child made by a multiprocessing fork server, so it
starts in milliseconds from a clean, single-threaded parent). The worker only encodes each
finished exchange (`capture.encode_exchange`, one orjson call, after the answer went out) and
copies it into a ring it shares with its writer (`ring.py`: a file in the spool directory, mapped
by both); the writer reads the ring a few times per flush interval, builds the records, removes
secrets, chains and hashes them, writes and fsyncs the spool, and only then moves the ring's read
position. It ships to the store and the sinks and counts the metrics. None of that holds the
worker's GIL, and the hand-off costs the worker no system call and no wake-up of the writer.

A socket pair carries the rest (one JSON value per line, both ways):

    worker → writer   {"op": "sync", "wid": n}      a strict answer waits: write up to n now
                      {"op": "wake"}                the ring was empty and the writer asleep
                                                    (idle for IDLE_AFTER_S): there is more
                      [wid, "x", strict, capture]   a message too big for the ring (the ring
                                                    holds `[wid, "o"]` in its place)
                      {"op": "metrics", "id": n}    the writer's Prometheus text, please
                      {"op": "bye", "drain_s": s}   write what is in the ring, ship, exit
    writer → worker   {"hello": {chain, seq}}       the spool is open
                      {"ack": wid}                  every message up to wid is fsynced (sent
                                                    only while a sync was asked for)
                      {"st": [full, broken]}        spool state, whenever it changes
                      {"metrics": n, "text": …}     the answer to a metrics request
                      {"fatal": why}                could not start (spool, key, store)

Guarantees stay where they were: secrets are removed in the writer before anything is written
to the spool (the ring holds the worker's captures, as the socket did, in memory: a tmpfs file,
0600, in a 0700 directory; see ring.py for where it goes without one); a strict answer waits for the
writer's ack, sent after the fsync; `full` (refuse or drop, per policy) is the writer's spool
state, a writer being replaced, or the worker's backlog (ring and memory) reaching `queue_max`.
If the writer dies, the worker refuses or drops (per policy) while it starts a new one, which
starts at the ring's read position (the chain is continued in the dead one's spool directory).
If the worker dies, the writer takes what is in the ring, writes it all, ships for a moment and
exits; if both die, the next writer on this spool directory takes the ring over.
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
from interlock.audit.pipeline import Item
from interlock.audit.ring import Ring, fence, orphans
from interlock.audit.ring import create as create_ring
from interlock.exchange import Exchange

log = logging.getLogger("interlock.audit")

START_TIMEOUT_S = 60.0  # the first start also starts the fork server (a fresh interpreter)
RESTART_DELAY_S = 0.2
STATUS_EVERY_S = 0.25
HANDOFF_S = 0.002  # the most a finished exchange waits in the worker before it is in the ring
# Records per spool write and fsync in the writer process: nothing else waits on its loop, so
# a backlog (a slow disk) is caught up in few fsyncs instead of one per 128 records.
WRITER_MAX_BATCH = 4096
# What the writer takes from the ring into memory at most: the rest waits in the ring, where it
# survives the writer's death (the worker counts it against `queue_max`).
TAKE_MAX = 2 * WRITER_MAX_BATCH
# A writer that found its ring empty this long sleeps until its worker wakes it (a message on
# the socket, sent only then), looking again every IDLE_CHECK_S in case a wake-up went amiss.
IDLE_AFTER_S = 0.5
IDLE_CHECK_S = 1.0


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
    ring: Path | None = None  # the worker's hand-off ring (ring.py)


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
        self.consumer: _RingConsumer | None = None
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
        lines = (self.buffer + data).split(b"\n")
        self.buffer = lines.pop()
        consumer = self.consumer
        for line in lines:
            if line.startswith(b"["):
                # A message too big for the ring: its place there is a placeholder.
                if consumer is not None:
                    consumer.big[int(line[1 : line.find(b",")])] = line
                    consumer.poke.set()
                continue
            msg = orjson.loads(line)
            op = msg.get("op")
            if op == "sync":
                if consumer is not None:
                    consumer.sync(int(msg["wid"]))
            elif op == "wake":
                if consumer is not None:
                    consumer.poke.set()
            elif op == "metrics":
                text = self.pipeline.metrics.render().decode()
                self.send({"metrics": msg.get("id"), "text": text})
            elif op == "bye" and not self.done.done():
                self.done.set_result(float(msg.get("drain_s", 3.0)))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if not self.done.done():
            self.done.set_result(3.0)  # the worker is gone: write what came, ship, exit


class _RingConsumer:
    """The writer's end of the ring: takes what the worker published into the pipeline's
    queue, and frees it in the ring once the pipeline has fsynced it."""

    def __init__(self, ring: Ring, pipeline: Any, period: float, side: _WriterSide) -> None:
        self.ring = ring
        self.pipeline = pipeline
        self.period = period
        self.side = side
        self.taken = ring.read_pos()  # a new writer starts where the last fsync left the ring
        self.ends: deque[tuple[int, int]] = deque()  # (wid, end position) taken, not durable
        self.big: dict[int, bytes] = {}  # bodies of placeholders, from the socket
        self.poke = asyncio.Event()
        self.ack_wanted = 0
        self.ack_sent = 0
        self._urgent = False
        self.final = False  # the worker is gone: a placeholder without its body is skipped

    def sync(self, wid: int) -> None:
        """A strict answer waits for message `wid`: take it now and ack it once fsynced."""
        self.ack_wanted = max(self.ack_wanted, wid)
        self._urgent = True
        self.poke.set()

    async def run(self) -> None:
        ring = self.ring
        empty = 0  # reads in a row that found nothing
        while True:
            wait = self.period
            if empty * self.period >= IDLE_AFTER_S:
                # Idle: sleep until the worker publishes something (it wakes us then).
                ring.set_sleeping(True)
                fence()
                if ring.published() <= self.taken:
                    wait = IDLE_CHECK_S
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.poke.wait(), wait)
            ring.set_sleeping(False)
            self.poke.clear()
            try:
                empty = 0 if self.take() else empty + 1
            except Exception:
                # What is in the ring stays there (the read position did not move): the worker
                # sees its backlog grow and refuses or drops per policy.
                log.exception("audit: reading the hand-off ring failed; retrying in 1 s")
                await asyncio.sleep(1.0)

    def take(self) -> bool:
        """Queue what the worker published since the last time; False when there was none."""
        pipeline = self.pipeline
        stop = self.ring.published()
        start = self.taken
        if stop <= start:
            if self._urgent:
                self._urgent = False
                pipeline.wake(True)
            return False
        data = self.ring.read(start, stop)
        # It may have waited a whole period in the ring: its flush interval counts from then.
        queued = time.monotonic() - self.period
        urgent, self._urgent = self._urgent, False
        ends = self.ends
        at = 0
        size = len(data)
        while at < size and len(pipeline.queue) < TAKE_MAX:
            nl = data.index(b"\n", at)
            line = data[at:nl]
            wid_end = line.find(b",")
            wid = int(line[1:wid_end])
            if line.startswith(b'"o"]', wid_end + 1):  # a placeholder: the body came by socket
                body = self.big.pop(wid, None)
                if body is None and not self.final:
                    break  # its body is still on its way over the socket
                if body is None:
                    log.error("audit: message %d was too big for the ring and its worker "
                              "died before sending it; it is lost", wid)  # fmt: skip
                    ends.append((wid, start + nl + 1))
                    at = nl + 1
                    continue
                line = body  # the same wid, so the same wid_end
            item, strict = _queue_item(line, wid_end, queued, wid)
            pipeline.enqueue(item)
            urgent = urgent or strict
            ends.append((wid, start + nl + 1))
            at = nl + 1
        self.taken = start + at
        pipeline.wake(urgent)
        return True

    def acked(self, wid: int) -> None:
        """The pipeline fsynced every message up to `wid`."""
        ends = self.ends
        pos = None
        while ends and ends[0][0] <= wid:
            pos = ends.popleft()[1]
        if pos is not None:
            self.ring.release(pos, wid)
        if self.ack_wanted > self.ack_sent:
            self.side.ack(wid)
            self.ack_sent = wid


def _queue_item(line: bytes, wid_end: int, queued: float, wid: int = 0) -> tuple[Item, bool]:
    """A ring message (an exchange's capture, "x", or a record made elsewhere, "r") as the
    pipeline's queue item, and whether its answer waits for the fsync (strict)."""
    if line.startswith(b'"x",', wid_end + 1):
        # Only the header is read now; the capture stays bytes until its record is built (a
        # backlog of parsed captures is what the GC would walk).
        return Item(line, None, None, queued, wid), line.startswith(b"true", wid_end + 5)
    _, _, strict, record = orjson.loads(line)
    return Item(None, record, None, queued, wid), bool(strict)


async def _adopt_orphans(spec: WriterSpec, pipeline: Any) -> None:
    """Rings whose worker and writer both died: what they hold goes into this chain."""
    for ring in orphans(spec.spool_dir, spec.ring):
        try:
            start, stop = ring.read_pos(), ring.published()
            data = ring.read(start, stop) if stop > start else b""
            last: asyncio.Future[None] | None = None
            now = time.monotonic()
            count = 0
            for line in data.split(b"\n")[:-1]:
                wid_end = line.find(b",")
                if line.startswith(b'"o"]', wid_end + 1):
                    log.error("audit: a message of %s was too big for its ring and is lost",
                              ring.path.name)  # fmt: skip
                    continue
                pipeline.enqueue(_queue_item(line, wid_end, now)[0])
                count += 1
            if count:
                last = asyncio.get_running_loop().create_future()
                pipeline.queue[-1].waiter = last
                pipeline.wake(False)
                await last
            log.warning("audit: took over %s (%d messages its processes left)", ring.path.name,
                        count)  # fmt: skip
            ring.close(unlink=True)
        except Exception:
            log.exception("audit: could not take over %s; it stays for the next start", ring.path)
            ring.close()


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
    ring: Ring | None = None
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
        if spec.ring is not None:
            ring = Ring.attach(spec.ring)
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
    pipeline.max_batch = WRITER_MAX_BATCH
    consumer: _RingConsumer | None = None
    reader: asyncio.Task[None] | None = None
    if ring is not None:
        consumer = _RingConsumer(ring, pipeline, ring_period(settings), side)
        side.consumer = consumer
        pipeline.on_acked = consumer.acked
        reader = asyncio.ensure_future(consumer.run())
    side.send({"hello": {"chain": pipeline.spool.chain, "seq": pipeline.spool.head.seq}})
    status = asyncio.ensure_future(_report_status(pipeline, side))
    adopting = asyncio.ensure_future(_adopt_orphans(spec, pipeline))
    drain_s = await side.done
    status.cancel()
    collector.cancel()
    if reader is not None and consumer is not None:
        reader.cancel()
        # What the worker published before it left (a bye comes after its last hand-off);
        # held back a moment by TAKE_MAX, or by a placeholder whose body is still on the way.
        deadline = time.monotonic() + drain_s + 10
        while True:
            consumer.final = side.transport is None
            try:
                consumer.take()
            except Exception:
                log.exception("audit: the ring cannot be read; it stays for the next writer")
                break
            if consumer.taken >= consumer.ring.published() or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.01)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(adopting, 10)
    await pipeline.stop(drain_s)
    if ring is not None:
        # Empty: every message in it is in the spool. Else it stays for the next writer.
        ring.close(unlink=ring.empty())
    if side.transport is not None:
        side.send({"bye": pipeline.durable_seq})
        side.transport.close()


def ring_period(settings: AuditSettings) -> float:
    """How often the writer reads the ring: a few times per flush interval, so a record is
    fsynced within the interval of reaching the ring (and the writer wakes ~80 times a second
    at the default 50 ms, busy or idle, however many exchanges the worker hands over)."""
    return min(max(settings.flush_interval_ms / 1000 / 4, 0.001), 0.05)


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
    """The audit pipeline as the gateway worker sees it: `submit` queues the exchange, and the
    next hand-off encodes it into the ring it shares with its writer process."""

    def __init__(self, spec: WriterSpec, metrics: Metrics, store: Any = None) -> None:
        self.spec = spec
        self.settings = spec.settings
        self.metrics = metrics
        self.store = store  # opened here for searches; the writer writes it
        self.queue_max = spec.settings.queue_max
        self._handoff_s = min(HANDOFF_S, spec.settings.flush_interval_ms / 1000 / 4)
        self._last_write = 0.0
        self._ring: Ring | None = None
        self._w_wid = 0  # the last message in the ring
        self._durable_wid = 0  # the last one the writer had fsynced when we last looked
        self._room = self.queue_max  # what `queue_max` left for new exchanges then
        # Messages that did not fit in the ring (the writer is behind), in order, or came before
        # the ring existed: put in as soon as there is room.
        self._overflow: deque[tuple[int, bytes]] = deque()
        # Messages too big for the ring (a placeholder holds their place): kept until durable,
        # sent again to a new writer.
        self._big: dict[int, bytes] = {}
        self.waiters: deque[tuple[int, asyncio.Future[None]]] = deque()
        # Answered exchanges not yet encoded: encoded by the next hand-off, which runs once the
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
        """Exchanges handed over and not yet durable (in the ring, in memory, not encoded)."""
        self._refresh_room()
        return self.queue_max - self._room + len(self._pending)

    def _refresh_room(self) -> None:
        ring = self._ring
        if ring is not None:
            self._durable_wid = ring.durable_wid()
        self._room = self.queue_max - (self._w_wid - self._durable_wid) - len(self._overflow)

    @property
    def full(self) -> bool:
        return self._blocked or self._over_queue_max()

    def _over_queue_max(self) -> bool:
        # Per request: against the room there was at the last hand-off (no read of the ring's
        # header), checked against the header only when that says "full".
        return len(self._pending) >= self._room and self._backlog >= self.queue_max

    def submit(self, ex: Exchange, strict: bool = False) -> asyncio.Future[None] | None:
        """Queue the finished exchange; a future only in strict mode (encoded at once, since
        the answer waits for its record). Otherwise it is encoded by the next hand-off, after
        the answer has been sent: the request path itself only appends."""
        # While a writer is being replaced, exchanges already admitted wait in the ring (up to
        # `queue_max`) for the new one; a full or failing spool drops them (`full` refused new
        # ones before they got here, when the policy says refuse).
        if self._spool_blocked or self._over_queue_max():
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

    def _queue(self, wid: int, data: bytes, strict: bool) -> asyncio.Future[None] | None:
        # In wid order, after everything submitted before it: the ring's read position and
        # the writer's acks are cumulative.
        self._hand_off()
        self._put(wid, data)
        self._publish()
        if not strict:
            return None
        assert self._loop is not None
        waiter = self._loop.create_future()
        self.waiters.append((wid, waiter))
        self._ask_sync(wid)
        return waiter

    def _hand_off(self) -> None:
        """Encode what was answered and put it, with what waited for room, into the ring."""
        ring = self._ring
        overflow = self._overflow
        if ring is not None:
            while overflow:
                wid, data = overflow[0]
                if not ring.put(data):
                    break
                overflow.popleft()
                self._w_wid = wid
        pending = self._pending
        if not pending:
            return
        data = [encode_exchange(wid, False, ex, None, 0.0) for wid, ex in pending]
        # One copy into the ring for all of them (the usual case): none can be too big for it
        # when together they are not.
        blob = b"".join(data) if len(data) > 1 else data[0]
        if ring is not None and not overflow and len(blob) <= ring.capacity // 4 and ring.put(blob):
            self._w_wid = pending[-1][0]
        else:
            for (wid, _), one in zip(pending, data, strict=True):
                self._put(wid, one)
        pending.clear()

    def _put(self, wid: int, data: bytes) -> None:
        ring = self._ring
        if ring is not None and len(data) > ring.capacity // 4:
            # Too big to share the ring with others: the body goes over the socket, a
            # placeholder keeps its place in the order.
            self._big[wid] = data
            if self._transport is not None and self.down is None:
                self._transport.write(data)
            data = b'[%d,"o"]\n' % wid
        if ring is None or self._overflow or not ring.put(data):
            self._overflow.append((wid, data))
        else:
            self._w_wid = wid

    def _publish(self) -> None:
        ring = self._ring
        if ring is not None and ring.w_wid != self._w_wid:
            ring.publish(self._w_wid)
            fence()
            if ring.writer_sleeping() and self._transport is not None and self.down is None:
                # Idle until now: one message wakes it (a busy writer reads on its own clock).
                self._transport.write(b'{"op":"wake"}\n')
        self._refresh_room()
        if self._overflow:
            self._schedule()  # the writer frees room as it fsyncs: try again shortly

    def _ask_sync(self, wid: int) -> None:
        if self._transport is not None and self.down is None:
            self._transport.write(b'{"op":"sync","wid":%d}\n' % wid)

    def _schedule(self) -> None:
        if not self._scheduled:
            # At most one hand-off per couple of milliseconds: at full load it encodes many
            # exchanges in one go. A quiet worker hands off at the end of this loop turn (a
            # timer would wake its loop once more per request). The flush interval still
            # bounds what a crash can lose; this delay is a small part of it.
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
        self._hand_off()
        self._publish()
        if self._loop is not None:
            self._last_write = self._loop.time()

    def _drop(self) -> None:
        self.drops.drop(
            lambda: (
                f"{self._backlog} waiting for the writer; "
                + (self.broken or ("spool full" if self.remote_full else "writer behind"))
            )
        )

    # ---- messages from the writer ------------------------------------------------------------

    def received(self, msg: dict[str, Any]) -> None:
        ack = msg.get("ack")
        if ack is not None:
            waiters = self.waiters
            while waiters and waiters[0][0] <= ack:
                w = waiters.popleft()[1]
                if not w.done():
                    w.set_result(None)
            if self._big:
                for wid in [wid for wid in self._big if wid <= ack]:
                    del self._big[wid]
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
        # Strict answers keep waiting: the next writer starts at the ring's read position.
        log.error("audit writer exited; restarting it (%d records wait)", self._backlog)
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
        self._ring = await asyncio.to_thread(
            create_ring, self.spec.spool_dir, self.settings.ring_bytes
        )
        self.spec.ring = self._ring.path
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
        # What a dead writer had not fsynced is still in the ring; only the bodies of messages
        # too big for it, and the strict answers still waiting, need saying again.
        durable = self._ring.durable_wid() if self._ring is not None else 0
        big = [data for wid, data in sorted(self._big.items()) if wid > durable]
        if big:
            transport.write(b"".join(big))
        self._flush()
        if self.waiters:
            self._ask_sync(self.waiters[-1][0])
        log.info(
            "audit writer %d: chain %s at seq %d%s",
            proc.pid,
            self.chain,
            self.durable_seq,
            f", {self._backlog} record(s) not yet durable" if self._backlog else "",
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
        """Hand off what is queued, let the writer write and ship it, wait for it to exit."""
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
        if self._ring is not None:
            # The writer deleted it if it wrote it all; else it stays for the next start.
            if self._overflow:
                log.error("audit: %d record(s) never reached the ring", len(self._overflow))
            self._ring.close()
            self._ring = None
        if self.store is not None:
            await asyncio.to_thread(self.store.close)

    def _close_socket(self) -> None:
        # At interpreter exit without stop(): end of file tells the writer to finish and exit.
        if self._transport is not None:
            with contextlib.suppress(Exception):
                self._flush()
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
            m.set("interlock_audit_unacked_records", self._backlog)

        self.metrics.help["interlock_audit_unacked_records"] = (
            "gauge",
            "Records this worker handed to its audit writer that are not yet on disk",
        )
        self.metrics.collectors.append(collect)
