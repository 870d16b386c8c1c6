"""The audit's CPU cost inside the gateway worker, per request, without the network or the rest
of the gateway: the audit hooks of one request (intake, refuse-when-full check, phase marks,
hand-off) run in a loop on realistic finished exchanges, with `writer: process` (the default)
and `writer: inline` (everything in the worker), in one run.

    .venv/bin/python bench/audit_worker_cost.py [--requests 20000] [--store sqlite|none]

CPU time, not wall time: steady on a machine shared with other work. For `process` it is the
worker's CPU for the hooks and the hand-off (the writer process's CPU is reported separately);
for `inline` it is the worker process's CPU until every record is fsynced and in the store
(the work the writer process takes off the worker). Also prints how many records per second
the writer makes durable and stores, which with the gateway's own req/s shows it keeps up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil
from multidict import CIMultiDict, CIMultiDictProxy

from interlock.audit.stage import AuditIntake, AuditStage
from interlock.auth.principal import Principal
from interlock.config import load_config
from interlock.config.schema import PolicyConfig
from interlock.exchange import (
    Attempt,
    ChatRequest,
    ChatResponse,
    Choice,
    Exchange,
    Message,
    TextPart,
    Usage,
)
from interlock.server.runtime import RuntimeHolder

CONFIG = """
auth: {{enabled: false}}
providers:
  upstream: {{type: openai, api_key: bench-provider-key}}
models:
  bench-model: {{provider: upstream}}
audit:
  writer: {writer}
  spool_dir: spool-{writer}
  store: {store}
"""

HEADERS = CIMultiDictProxy(
    CIMultiDict({"user-agent": "wrk", "content-type": "application/json", "authorization": "x"})
)
REQUEST = SimpleNamespace(headers=HEADERS, remote="127.0.0.1", path="/v1/chat/completions")
POLICY = PolicyConfig(models=["*"])
PRINCIPAL = Principal("demo-user", "demo", "demo-app", "everything", POLICY, "b1", "api_key",
                      key_id="ilk_0123456789ab")  # fmt: skip


def exchange(i: int) -> Exchange:
    """What the bench request looks like when it reaches `on_done` (auth on, one attempt)."""
    req = ChatRequest(model="bench-model", messages=[Message("user", [TextPart("Say hello.")])])
    ex = Exchange(f"req_{i:012x}", "openai.chat", request=req)
    ex.principal = PRINCIPAL
    ex.decide("auth", "allowed", binding="b1", key="ilk_0123456789ab")
    ex.attempts.append(Attempt("upstream", "bench-model", 200, None, time.time(), 0.3))
    ex.served_by = ("upstream", "bench-model")
    ex.usage = Usage(12, 9)
    ex.response = ChatResponse(
        "chatcmpl-1", "bench-model",
        [Choice(0, [TextPart("Hello! How can I help you today?")], "stop")], ex.usage,
    )  # fmt: skip
    return ex


async def run(tmp: Path, writer: str, store: str, n: int, rate: float = 0.0) -> dict[str, Any]:
    path = tmp / f"{writer}.yaml"
    path.write_text(CONFIG.format(writer=writer, store=store))
    config = load_config(path)
    holder = RuntimeHolder(path, config)
    stage = AuditStage(holder, config, path)
    intake = AuditIntake()
    await stage.pipeline.start()
    exchanges = [exchange(i) for i in range(n)]
    me = psutil.Process()
    kids0 = _children_cpu(me)
    p0 = time.process_time()
    sys0 = os.times().system
    t_start = time.perf_counter()
    hooks_thread = 0.0  # the hooks alone: the loop turns (hand-off writes, acks) are not in it
    clock = time.thread_time
    for i, ex in enumerate(exchanges):
        t = clock()
        ex.principal = intake.on_authenticate(REQUEST, ex) or PRINCIPAL  # type: ignore[arg-type]
        intake.on_request(ex)
        stage.on_request(ex)
        stage.on_plan(ex, [])
        intake.on_response(ex)
        stage.on_response(ex)
        pending = stage.on_done(ex)
        hooks_thread += clock() - t
        if pending is not None:
            await pending
        if i % 64 == 63:
            if rate:  # paced: at most `rate` exchanges a second, as a busy worker serves them
                await asyncio.sleep(max(0.0, t_start + (i + 1) / rate - time.perf_counter()))
            else:
                await asyncio.sleep(0)  # a turn of the loop: the hand-off writes, acks come in
    hooks_process = time.process_time() - p0
    # The last hand-off write: what the worker pays per request ends here (encode and send
    # included); the drain below also counts acks and this bench's own metrics polling.
    await asyncio.sleep(0.01)
    handoff_process = time.process_time() - p0
    handoff_sys = os.times().system - sys0
    started = time.monotonic()
    await _drained(stage, n)
    drained_s = time.monotonic() - started
    total_process = time.process_time() - p0
    writer_cpu = _children_cpu(me) - kids0
    await stage.pipeline.stop()
    return {
        "writer": writer,
        "requests": n,
        "hooks_us": hooks_thread / n * 1e6,  # the request path, this thread only
        "hooks_process_us": hooks_process / n * 1e6,
        "handoff_process_us": handoff_process / n * 1e6,  # hooks + encode + send, whole process
        "handoff_sys_us": handoff_sys / n * 1e6,  # of which in the kernel (hand-off syscalls)
        "worker_total_us": total_process / n * 1e6,  # until every record is durable and stored
        "writer_process_us": writer_cpu / n * 1e6,
        "drained_after_s": drained_s,
    }


def _children_cpu(proc: psutil.Process) -> float:
    total = 0.0
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            t = child.cpu_times()
            total += t.user + t.system
    return total


async def _drained(stage: AuditStage, n: int) -> None:
    """Every record fsynced and taken by every sink (the store)."""
    while True:
        text = (await stage.render_metrics()).decode()
        shipped = durable = lag = 0.0
        for line in text.splitlines():
            if line.startswith("interlock_audit_records_total"):
                durable = float(line.rsplit(" ", 1)[1])
            elif line.startswith("interlock_audit_sink_lag_records"):
                lag += float(line.rsplit(" ", 1)[1])
            elif line.startswith("interlock_audit_sink_shipped_total"):
                shipped += float(line.rsplit(" ", 1)[1])
        if durable >= n and lag == 0:
            return
        await asyncio.sleep(0.02)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--store", choices=["sqlite", "none"], default="sqlite")
    ap.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="exchanges/s (default: as fast as the loop goes, a burst the writer "
        "catches up with; e.g. 5000, what one worker serves at saturation)",
    )
    ap.add_argument("--writers", default="process,inline", help="which to run, comma-separated")
    args = ap.parse_args()
    store = "{url: 'sqlite:///audit.db'}" if args.store == "sqlite" else "null"
    tmp = Path(tempfile.mkdtemp(prefix="audit-worker-cost-"))
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    rows = [runner(run(tmp, w, store, args.requests, args.rate)) for w in args.writers.split(",")]
    print("\n| writer | request path µs/req (worker) | worker CPU until handed off µs/req "
          "| of which sys | worker CPU until stored µs/req | writer process CPU µs/req "
          "| stored after the loop s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['writer']} | {r['hooks_us']:.1f} | {r['handoff_process_us']:.1f} | "
              f"{r['handoff_sys_us']:.1f} | {r['worker_total_us']:.1f} | {r['writer_process_us']:.1f} | "
              f"{r['drained_after_s']:.2f} |")  # fmt: skip
    by = {r["writer"]: r for r in rows}
    proc, inline = by.get("process"), by.get("inline")
    if proc is not None:
        per_record = proc["writer_process_us"]
        pace = f"paced at {args.rate:.0f}/s" if args.rate else "one burst"
        print(
            f"\n- the writer process needs {per_record:.0f} µs of CPU per record: "
            f"{1e6 / per_record:.0f} records/s on one core (store: {args.store}, "
            f"{pace})"
        )
        print(
            f"- the worker's share: {proc['handoff_process_us']:.1f} µs/req with the writer "
            f"process (until handed off; {proc['worker_total_us']:.1f} until stored, which also "
            f"counts the acks and this bench's polling of the writer's metrics while it drains)"
        )
    if inline is not None:
        print(f"- inline: {inline['worker_total_us']:.1f} µs/req in the worker")
    out = Path(__file__).resolve().parent / "results" / "audit_worker_cost.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
