"""The audit pipeline behind the stage: queue → writer → spool → shippers → sinks.

- `submit` (request path): appends the finished exchange to an in-memory deque and returns at
  once; in strict mode it returns a future the caller awaits until the record is fsynced.
- the writer task builds each record (content, scrub, hash chain), writes a batch to the spool
  in a worker thread and fsyncs once per batch: at the latest `flush_interval_ms` after the
  record was queued, at once when a strict caller is waiting (group commit).
- one shipper task per sink reads durable records from the spool after its cursor and delivers
  them in order, retrying the same batch with backoff until it is taken.
- housekeeping saves cursors, deletes segments every sink has shipped, and asks for a signed
  checkpoint when the interval has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from interlock.audit.chain import CANONICAL, checkpoint_message, key_id, sign
from interlock.audit.config import AuditSettings
from interlock.audit.metrics import DropAlarm, Metrics
from interlock.audit.record import build_record, iso, record_from_capture, record_tags
from interlock.audit.scrub import Scrubber
from interlock.audit.sinks.base import Sink
from interlock.audit.spool import Spool, SpoolReader, seq_of
from interlock.audit.store.base import StoreRow, store_row
from interlock.exchange import Exchange

log = logging.getLogger("interlock.audit")
# The newest durable spool lines, kept as bytes: the cyclic GC does not track bytes, so a deep
# tail costs it nothing (thousands of live record dicts would lengthen every collection).
RECENT = 8192
# What the store writes for the newest records (`StoreRow`: strings and numbers, made while the
# writer holds the record), so the store neither decodes the line nor walks the record again.
RECENT_ROWS = RECENT
STUCK_S = 15.0  # a delivery that has not returned by then is reported (and awaited on)
MAX_BATCH = 128


@dataclass(slots=True)
class Item:
    # An exchange, or its capture from a gateway worker (as parsed, or the message's bytes).
    ex: Exchange | list[Any] | bytes | None
    record: dict[str, Any] | None
    waiter: asyncio.Future[None] | None
    queued: float
    wid: int = 0  # the worker's number for this message (writer process): acknowledged when durable


def encode(record: dict[str, Any], scrubber: Scrubber) -> tuple[bytes, str]:
    line, digest, _ = encode_checked(record, scrubber)
    return line, digest


def encode_checked(record: dict[str, Any], scrubber: Scrubber) -> tuple[bytes, str, bool]:
    """The spool line for a chained record and its hash.

    The hash is over the canonical JSON after secrets were removed, so what is hashed, stored
    and exported is the same text. The line wraps it as {"seq":…,"hash":…,"r":…} so readers can
    position themselves without parsing the record.
    """
    raw = orjson.dumps(record, option=CANONICAL)
    body = scrubber.json_bytes(raw)
    digest = hashlib.sha256(body).hexdigest()
    line = b'{"seq":%d,"hash":"%s","r":' % (record["seq"], digest.encode()) + body + b"}\n"
    return line, digest, body is not raw


def decode(line: bytes) -> dict[str, Any]:
    wrapper = orjson.loads(line)
    record: dict[str, Any] = wrapper["r"]
    record["hash"] = wrapper["hash"]
    return record


def stored_json(line: bytes) -> str:
    """The record of a spool line as JSON with its hash (what `decode` then `orjson.dumps` give:
    the canonical body, `hash` last), cut out of the line instead of parsed and re-encoded."""
    h = line.index(b'"hash":"', 7) + 8  # {"seq":N,"hash":"<64 hex>","r":{…}}\n
    digest = line[h : h + 64]
    body = line[h + 70 : len(line) - 2]  # after ","r":, before }\n
    return (body[:-1] + b',"hash":"' + digest + b'"}').decode()


class StoreSink:
    """The audit store as a sink: batches inserted in a worker thread."""

    def __init__(self, store: Any, batch: int) -> None:
        self.name = "store"
        self.store = store
        self.batch = batch
        self.retry_max_s = 10.0

    async def start(self) -> None:
        try:
            await asyncio.to_thread(self.store.open)
        except Exception as exc:
            # The spool holds every record: an unreachable store (a database restarting while
            # a writer starts) is opened again before each delivery until it answers.
            log.warning("audit store unavailable (%s); records wait in the spool", exc)

    def _insert(self, insert: Callable[[Any], int], batch: Any) -> int:
        self.store.open()  # returns at once when open; a failed open is tried again whole
        return insert(batch)

    async def send(self, records: list[dict[str, Any]]) -> None:
        await asyncio.to_thread(self._insert, self.store.insert, records)

    async def send_rows(self, rows: list[StoreRow]) -> None:
        await asyncio.to_thread(self._insert, self.store.insert_rows, rows)

    def sync(self) -> None:
        """What the store took is on its disk (SQLite commits wait for a checkpoint)."""
        sync = getattr(self.store, "sync", None)
        if sync is not None:
            sync()

    async def close(self) -> None:
        await asyncio.to_thread(self.store.close)


class Shipper:
    def __init__(self, pipeline: AuditPipeline, sink: Sink, cursor: int) -> None:
        self.pipeline = pipeline
        self.sink = sink
        self.cursor = cursor
        self.reader: SpoolReader | None = None
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.failing_since: float | None = None
        self.last_error: str | None = None

    async def run(self) -> None:
        while True:
            try:
                await self._ship_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Outside delivery (reading the spool, decoding a line): the shipper must not
                # die with the records still to ship, which would stay in the spool unseen.
                log.exception("audit sink %s: shipping failed; retrying in 1 s", self.sink.name)
                self.reader = None
                await asyncio.sleep(1.0)

    async def _ship_next(self) -> None:
        """One batch after the cursor to the sink, retried until it is taken."""
        p = self.pipeline
        metrics = p.metrics
        if self.cursor >= p.durable_seq:
            self.wake.clear()
            await self.wake.wait()
            return
        lines = p.recent_lines_after(self.cursor, self.sink.batch)
        if lines is None:
            # Behind the in-memory tail (a restart, a long outage): read the spool.
            if self.reader is None or self.reader.after != self.cursor:
                self.reader = SpoolReader(p.spool, self.cursor)
            lines = await asyncio.to_thread(self.reader.read, self.sink.batch, p.durable_seq)
        send_rows = getattr(self.sink, "send_rows", None)
        if send_rows is not None:
            records: list[Any] = p.store_rows(self.cursor + 1, lines)
        else:
            records = [decode(line) for line in lines]
        if not records:
            self.wake.clear()
            await _wait(self.wake, 1.0)
            return
        delay = 0.1
        while True:
            try:
                await self._deliver(send_rows(records) if send_rows else self.sink.send(records))
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                metrics.inc("interlock_audit_sink_errors_total", sink=self.sink.name)
                now = time.monotonic()
                if self.failing_since is None:
                    self.failing_since = now
                self.last_error = str(exc)[:300]
                log.warning(
                    "audit sink %s: delivery failed (%s); retrying in %.1fs",
                    self.sink.name,
                    self.last_error,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.sink.retry_max_s)
        self.failing_since = None
        self.last_error = None
        self.cursor = seq_of(lines[-1])
        metrics.inc("interlock_audit_sink_shipped_total", len(records), sink=self.sink.name)

    async def _deliver(self, send: Coroutine[Any, Any, None]) -> None:
        """Await one delivery, saying so when it hangs (a sink's thread blocked on a dead
        connection would otherwise stop this sink silently)."""
        task = asyncio.ensure_future(send)
        waited = 0.0
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=STUCK_S)
                if done:
                    return task.result()
                waited += STUCK_S
                log.error(
                    "audit sink %s: a delivery of records after seq %d has not returned for %.0f s",
                    self.sink.name,
                    self.cursor,
                    waited,
                )
        except asyncio.CancelledError:
            task.cancel()
            raise


async def _wait(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


class AuditPipeline:
    def __init__(
        self,
        settings: AuditSettings,
        spool_dir: Path,
        scrubber: Scrubber,
        signing_key: Ed25519PrivateKey,
        sinks: list[Sink],
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.spool = Spool(
            spool_dir, settings.node, settings.segment_bytes, settings.spool_max_bytes
        )
        self.scrubber = scrubber
        self.signing_key = signing_key
        self.key_id = key_id(signing_key.public_key())
        self.sinks = sinks
        self.metrics = metrics or Metrics()
        self.queue: deque[Item] = deque()
        self.interval = settings.flush_interval_ms / 1000
        self.durable_seq = 0
        self.broken: str | None = None  # why the spool cannot be written (disk failure)
        self.drops = DropAlarm(self.metrics)
        self._wake = asyncio.Event()
        self._urgent = asyncio.Event()
        self._changed = asyncio.Event()  # spool size or state moved (writer process reports it)
        self._writer: asyncio.Task[None] | None = None
        self._housekeeper: asyncio.Task[None] | None = None
        self.shippers: list[Shipper] = []
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self._checkpoint_due = False
        self._closing = False
        self.on_durable: list[Callable[[int], None]] = []
        # Records per write and fsync. Small in a gateway worker (its loop serves requests);
        # the writer process raises it, so a backlog is caught up in a few large fsyncs.
        self.max_batch = MAX_BATCH
        # Writer process: told the last worker message number of each durable batch.
        self.on_acked: Callable[[int], None] | None = None
        # The newest durable lines, so sinks that keep up never re-read the spool.
        self.recent: deque[bytes] = deque(maxlen=RECENT)
        # The store's rows for the last RECENT_ROWS of them (None where the scrub changed the
        # line: only the line is free of secrets then), when a sink takes rows (the store).
        self.recent_rows: deque[StoreRow | None] = deque(maxlen=RECENT_ROWS)
        self.keep_rows = any(hasattr(s, "send_rows") for s in sinks)

    def recent_lines_after(self, cursor: int, limit: int) -> list[bytes] | None:
        """Durable lines after `cursor` from memory; None when they are no longer there."""
        recent = self.recent
        if not recent:
            return None if cursor < self.durable_seq else []
        first = self.durable_seq - len(recent) + 1
        if cursor + 1 < first:
            return None
        start = cursor + 1 - first
        stop = min(len(recent), start + limit)
        return [recent[i] for i in range(start, stop)] if start < stop else []

    def store_rows(self, first_seq: int, lines: list[bytes]) -> list[StoreRow]:
        """The store's rows for durable lines first_seq…: made by the writer while they are
        still in memory, else from the decoded line."""
        kept = self.recent_rows
        offset = first_seq - (self.durable_seq - len(kept) + 1)
        out: list[StoreRow] = []
        for i, line in enumerate(lines):
            j = offset + i
            row = kept[j] if 0 <= j < len(kept) else None
            out.append(row if row is not None else store_row(decode(line), stored_json(line)))
        return out

    # ---- the request path ------------------------------------------------------------------

    @property
    def full(self) -> bool:
        return (
            self.broken is not None
            or self.spool.size >= self.spool.max_bytes
            or len(self.queue) >= self.settings.queue_max
        )

    def submit(self, ex: Exchange, strict: bool = False) -> asyncio.Future[None] | None:
        """Hand a finished exchange to the writer. No I/O; a future only in strict mode."""
        if self.full:
            self._drop()
            return None
        waiter = asyncio.get_running_loop().create_future() if strict else None
        self.queue.append(Item(ex, None, waiter, time.monotonic()))
        self._wake.set()
        if strict:
            self._urgent.set()
        return waiter

    def submit_record(
        self, record: dict[str, Any], strict: bool = False
    ) -> asyncio.Future[None] | None:
        """A record made elsewhere (admin change, retention run), chained like any other."""
        waiter = asyncio.get_running_loop().create_future() if strict else None
        self.queue.append(Item(None, record, waiter, time.monotonic()))
        self._wake.set()
        if strict:
            self._urgent.set()
        return waiter

    def submit_stream_open(self, ex: Exchange) -> asyncio.Future[None] | None:
        """A strict stream's first record, built now (the exchange goes on changing)."""
        record = build_record(ex, self.settings.max_text_chars, kind="stream_open")
        return self.submit_record(record, strict=True)

    # ---- fed by a gateway worker (writer process, see writer.py) ----------------------------

    def enqueue(self, item: Item) -> None:
        """A message the worker already admitted (it applies the spool-full policy)."""
        self.queue.append(item)

    def wake(self, urgent: bool) -> None:
        self._wake.set()
        if urgent:
            self._urgent.set()

    @property
    def spool_full(self) -> bool:
        return self.spool.size >= self.spool.max_bytes or len(self.queue) >= self.settings.queue_max

    async def changed(self, timeout: float) -> None:
        """Returns after the next batch or housekeeping round, or after `timeout`."""
        self._changed.clear()
        await _wait(self._changed, timeout)

    def _drop(self) -> None:
        self.drops.drop(
            lambda: (
                f"spool {self.spool.size} of {self.spool.max_bytes} bytes, queue "
                f"{len(self.queue)}, {self.broken or 'sinks behind'}"
            )
        )

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self.spool.open)
        self.durable_seq = self.spool.head.seq
        # Records written before a restart may not be under a signature yet: sign them soon.
        self._since_checkpoint = 1 if self.spool.head.seq else 0
        cursors = await asyncio.to_thread(self.spool.load_cursors)
        for sink in self.sinks:
            await sink.start()
            shipper = Shipper(self, sink, cursors.get(sink.name, 0))
            shipper.task = asyncio.ensure_future(shipper.run())
            self.shippers.append(shipper)
        self._writer = asyncio.ensure_future(self._write_loop())
        self._housekeeper = asyncio.ensure_future(self._housekeeping())
        self._install_gauges()
        log.info(
            "audit spool %s: chain %s at seq %d, %d sink(s)",
            self.spool.dir,
            self.spool.chain,
            self.spool.head.seq,
            len(self.sinks),
        )

    async def stop(self, drain_s: float = 3.0) -> None:
        """Write what is queued, sign the head, give the sinks a moment, then stop."""
        self._closing = True
        self._wake.set()
        self._urgent.set()
        if self._writer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._writer, 10)
        deadline = time.monotonic() + drain_s
        # Sinks that are behind (even failing ones, which keep retrying) get up to `drain_s`;
        # whatever they have not taken stays in the spool for the next start.
        while time.monotonic() < deadline and any(
            s.cursor < self.durable_seq for s in self.shippers
        ):
            for s in self.shippers:
                s.wake.set()
            await asyncio.sleep(0.02)
        for task in [self._housekeeper, *(s.task for s in self.shippers)]:
            # Cancelled until it is done: on Python 3.11 `wait_for` (inside a sink) can swallow
            # a cancellation that meets a finished connection attempt, and a shipper that lost
            # its cancellation would retry forever.
            while task is not None and not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=0.5)
            if task is not None:
                with contextlib.suppress(BaseException):
                    task.result()
        await asyncio.to_thread(self._save_and_collect)
        for sink in self.sinks:
            with contextlib.suppress(Exception):
                await sink.close()
        await asyncio.to_thread(self.spool.close)

    # ---- the writer ------------------------------------------------------------------------

    async def _write_loop(self) -> None:
        while True:
            if not self.queue and not self._checkpoint_due:
                if self._closing:
                    break
                self._wake.clear()
                await self._wake.wait()
                continue
            if not self._closing and not self._urgent.is_set() and self.queue:
                # Batch: wait until the oldest record has waited one flush interval.
                wait = self.queue[0].queued + self.interval - time.monotonic()
                if wait > 0:
                    await _wait(self._urgent, wait)
            self._urgent.clear()
            # A bounded slice per write: the loop is never held for a long burst, and a backlog
            # is written as several fsynced batches in a row.
            n = min(len(self.queue), self.max_batch)
            batch = [self.queue.popleft() for _ in range(n)]
            try:
                await self._write_batch(batch)
            except Exception:  # a bug must not stop the trail: say so loudly and go on
                log.exception("audit writer: a batch of %d records failed", len(batch))
            if self._closing and not self.queue:
                if self._since_checkpoint:
                    self._checkpoint_due = True
                    await self._write_batch([])
                break

    async def _write_batch(self, batch: list[Item]) -> None:
        head = self.spool.head
        seq, prev = head.seq, head.hash
        lines: list[bytes] = []
        rows: list[StoreRow | None] = []
        keep_rows = self.keep_rows
        waiters: list[asyncio.Future[None]] = []
        first = seq + 1
        last_wid = 0
        for n, item in enumerate(batch):
            if n and n % 16 == 0:
                await asyncio.sleep(0)  # a long backlog must not hold the loop
            try:
                record = item.record if item.record is not None else self._build(item.ex)
            except Exception:
                log.exception("audit: could not build a record; recording the failure instead")
                record = {"v": 1, "kind": "error", "id": getattr(item.ex, "request_id", ""),
                          "ts": time.time(), "error": "record build failed"}  # fmt: skip
            seq += 1
            record["chain"], record["seq"], record["prev"] = self.spool.chain, seq, prev
            line, prev, scrubbed = encode_checked(record, self.scrubber)
            lines.append(line)
            if keep_rows:
                # Only from records built here whose line the scrub left alone: one from
                # elsewhere may hold values that read differently before and after JSON.
                clean = not scrubbed and item.record is None
                if clean:
                    record["hash"] = prev
                rows.append(store_row(record, stored_json(line)) if clean else None)
            if item.waiter is not None:
                waiters.append(item.waiter)
            last_wid = item.wid or last_wid
            self.metrics.count_record(record)
            self._since_checkpoint += 1
            if self._since_checkpoint >= self.settings.checkpoint_every:
                seq += 1
                line, prev = encode(self._checkpoint(seq, seq - 1, prev), self.scrubber)
                lines.append(line)
                rows.append(None)
                self._since_checkpoint = 0
                self._last_checkpoint = time.monotonic()
        if self._since_checkpoint and (
            self._checkpoint_due
            or time.monotonic() - self._last_checkpoint >= self.settings.checkpoint_interval_s
        ):
            seq += 1
            line, prev = encode(self._checkpoint(seq, seq - 1, prev), self.scrubber)
            lines.append(line)
            rows.append(None)
            self._since_checkpoint = 0
            self._last_checkpoint = time.monotonic()
        self._checkpoint_due = False
        if not lines:
            if last_wid and self.on_acked is not None:
                self.on_acked(last_wid)
            return
        started = time.perf_counter()
        while True:
            try:
                await asyncio.to_thread(self.spool.append, lines, first)
                break
            except OSError as exc:
                # Fail closed: while the spool cannot be written, `full` is true and the policy
                # refuses (or drops with an alarm); the batch is retried until the disk is back.
                self.broken = f"spool write failed: {exc}"
                self._changed.set()
                log.error("audit %s; retrying", self.broken)
                for w in waiters:
                    if not w.done():
                        w.set_exception(OSError(self.broken))
                waiters = []
                await asyncio.sleep(1.0)
        self.broken = None
        self._changed.set()
        self.metrics.observe("interlock_audit_fsync_seconds", time.perf_counter() - started)
        self.metrics.inc("interlock_audit_records_total", len(lines))
        self.spool.head.seq, self.spool.head.hash = seq, prev
        if self.durable_seq != first - 1:
            self.recent.clear()  # keep the tail contiguous with durable_seq
            self.recent_rows.clear()
        self.recent.extend(lines)
        if keep_rows:
            self.recent_rows.extend(rows)
        self.durable_seq = seq
        for w in waiters:
            if not w.done():
                w.set_result(None)
        if last_wid and self.on_acked is not None:
            self.on_acked(last_wid)
        for s in self.shippers:
            s.wake.set()
        for callback in self.on_durable:
            callback(seq)

    def _build(self, ex: Exchange | list[Any] | bytes | None) -> dict[str, Any]:
        assert ex is not None
        if isinstance(ex, bytes):  # a worker's message as received: [wid, "x", strict, capture]
            ex = orjson.loads(ex)[3]
        if isinstance(ex, list):
            return record_from_capture(ex, self.settings.max_text_chars)
        return build_record(ex, self.settings.max_text_chars)

    def _checkpoint(self, seq: int, covers_seq: int, covers_hash: str) -> dict[str, Any]:
        now = time.time()
        message = checkpoint_message(self.spool.chain, covers_seq, covers_hash, now)
        record = {
            "v": 1,
            "kind": "checkpoint",
            "id": f"ckpt-{self.spool.chain}-{covers_seq}",
            "chain": self.spool.chain,
            "seq": seq,
            "prev": covers_hash,
            "ts": now,
            "time": iso(now),
            "covers_seq": covers_seq,
            "covers_hash": covers_hash,
            "key_id": self.key_id,
            "signature": sign(self.signing_key, message),
        }
        record["tags"] = record_tags(record)
        return record

    # ---- housekeeping ----------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                await asyncio.to_thread(self._save_and_collect)
            except OSError as exc:
                log.warning("audit housekeeping: %s", exc)
            self._changed.set()
            if (
                self._since_checkpoint
                and time.monotonic() - self._last_checkpoint >= self.settings.checkpoint_interval_s
            ):
                self._checkpoint_due = True
                self._wake.set()

    def cursors(self) -> dict[str, int]:
        return {s.sink.name: s.cursor for s in self.shippers}

    def _save_and_collect(self) -> None:
        if self.spool.dir is None:
            return
        cursors = self.cursors()
        self.spool.save_cursors(cursors)
        # Without sinks the spool is the only copy: it is kept (and fills up, as it should).
        if cursors:
            shipped = min(cursors.values())
            if not self.spool.collectable(shipped):
                return
            # A segment goes only once what the sinks took from it is on their disks too.
            try:
                for sink in self.sinks:
                    sync = getattr(sink, "sync", None)
                    if sync is not None:
                        sync()
            except Exception as exc:
                log.warning("audit: a sink could not sync (%s); the spool keeps its records", exc)
                return
            self.spool.collect(shipped)

    def _install_gauges(self) -> None:
        def collect(m: Metrics) -> None:
            m.set("interlock_audit_queue_depth", len(self.queue))
            m.set("interlock_audit_spool_bytes", self.spool.size)
            m.set("interlock_audit_spool_full", 1 if self.full else 0)
            for s in self.shippers:
                m.set(
                    "interlock_audit_sink_lag_records",
                    self.durable_seq - s.cursor,
                    sink=s.sink.name,
                )

        self.metrics.collectors.append(collect)
