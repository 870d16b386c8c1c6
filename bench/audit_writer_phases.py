"""The audit writer's CPU per record, phase by phase, in-process (no gateway, no network).

    .venv/bin/python bench/audit_writer_phases.py [--records 20000] [--content redacted]

Feeds N captured exchanges (the bytes a gateway worker sends, `capture.encode_exchange`)
through the same functions the writer process runs, in its order and batch sizes: parse the
message, build the record from the capture, chain + canonical JSON + scrub + hash (the spool
line), the store's row, metrics (these per record, taking turns every 16 records, as the writer
goes record by record: a phase run over a whole batch of 512 at once reads every record from
memory again and looks dearer than it is), spool write with one fdatasync per batch, the SQLite
store insert (with FTS). Each phase is timed with process CPU time over the whole run and
divided by N: steady on a machine shared with other work. Prints a per-phase table, the total,
and records/s on one core. `PYTHONPATH=<another tree>/src` runs another version's code.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_worker_cost import exchange
from interlock.audit import pipeline as pl
from interlock.audit.capture import encode_exchange
from interlock.audit.config import AuditSettings
from interlock.audit.metrics import Metrics
from interlock.audit.record import Notes
from interlock.audit.scrub import Scrubber
from interlock.audit.spool import Spool
from interlock.audit.store.base import store_row
from interlock.audit.store.sqlite import SQLiteAuditStore

SPOOL_BATCH = 512  # records per fsync in the writer at a steady load of a few thousand req/s
STORE_BATCH = 500  # the default store batch
TURN = 16  # records per turn of the per-record phases


def captures(n: int, content: str) -> list[bytes]:
    out = []
    for i in range(n):
        ex = exchange(i)
        t = time.perf_counter()
        ex.audit = Notes(
            end_user=f"cust-{i % 100}", source="127.0.0.1", user_agent="wrk",
            path="/v1/chat/completions", content=content,  # type: ignore[arg-type]
            marks={"parsed": t, "inspected": t, "planned": t, "answered": t,
                   "response_inspected": t, "done": t},
        )  # fmt: skip
        out.append(encode_exchange(i + 1, False, ex, None, 0.0))
    return out


class Phases:
    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.process_time()
        yield
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - t0


def run(tmp: Path, n: int, content: str) -> dict[str, float]:
    settings = AuditSettings()
    scrubber = Scrubber(["bench-provider-key-0123456789"])
    lines = captures(n, content)
    spool = Spool(tmp / "spool", "bench", settings.segment_bytes, 1 << 40)
    spool.open()
    store = SQLiteAuditStore(tmp / "audit.db")
    store.open()
    metrics = Metrics()
    ph = Phases()
    writer = pl.AuditPipeline.__new__(pl.AuditPipeline)  # only `_build` and its settings
    writer.settings = settings
    chain, prev, seq = spool.chain, spool.head.hash, spool.head.seq
    # As in the writer process (writer.py): start-up frozen, no per-allocation collections.
    gc.collect()
    gc.freeze()
    gc.disable()
    for start in range(0, n, SPOOL_BATCH):
        out: list[bytes] = []
        rows = []
        first = seq + 1
        # The writer goes record by record; here the per-record phases take turns every few
        # records (TURN), so each is timed apart yet works on what is still in the CPU's cache.
        for at in range(start, min(n, start + SPOOL_BATCH), TURN):
            with ph("parse message"):
                msgs = [orjson.loads(x) for x in lines[at : at + TURN]]
            with ph("build the record from the capture"):
                records = [writer._build(m[3]) for m in msgs]
            encoded: list[tuple[bytes, str, bool]] = []
            with ph("chain + encode + scrub + hash"):
                for r in records:
                    seq += 1
                    r["chain"], r["seq"], r["prev"] = chain, seq, prev
                    line, prev, scrubbed = pl.encode_checked(r, scrubber)
                    out.append(line)
                    encoded.append((line, prev, scrubbed))
            with ph("store row (columns, tags, words, JSON cut from the line)"):
                # As `_write_batch` does while it holds the record (pipeline.store_rows otherwise).
                for r, (line, digest, scrubbed) in zip(records, encoded, strict=True):
                    if scrubbed:
                        rows.append(store_row(pl.decode(line)))
                    else:
                        r["hash"] = digest
                        rows.append(store_row(r, pl.stored_json(line)))
            with ph("metrics"):
                for r in records:
                    metrics.count_record(r)
        with ph("spool write + fdatasync"):
            spool.append(out, first)
        for s in range(0, len(rows), STORE_BATCH):
            with ph("store insert (SQLite + FTS)"):
                store.insert_rows(rows[s : s + STORE_BATCH])
    gc.enable()
    assert store.count() == n, store.count()
    store.close()
    spool.close()
    return {k: v / n * 1e6 for k, v in ph.cpu.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--content", choices=["metadata", "redacted", "full"], default="redacted")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="audit-writer-phases-"))
    us = run(tmp, args.records, args.content)
    total = sum(us.values())
    print(f"\n{args.records} records, content {args.content}\n")
    print("| phase | CPU µs/record | share |")
    print("|---|---:|---:|")
    for k, v in us.items():
        print(f"| {k} | {v:.1f} | {v / total:.0%} |")
    print(f"| **total** | **{total:.1f}** | |")
    print(f"\n- {1e6 / total:.0f} records/s on one core")
    out = Path(__file__).resolve().parent / "results" / "audit_writer_phases.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"content": args.content, "per_phase_us": us, "total_us": total},
                              indent=2) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
