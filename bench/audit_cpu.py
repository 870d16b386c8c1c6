"""What the audit costs the gateway worker, in CPU time per request and in throughput, measured
in one run: the `interlock-auth` target (audit off) against `interlock-audit` (audit on, the
default SQLite store), the two targets of bench/run.sh, interleaved over several rounds.

    .venv/bin/python bench/audit_cpu.py [--duration 8] [--rounds 3] [--writer-cpus 1]

For each run it reads the CPU time (user + system, psutil) of the gateway worker process and,
separately, of its children (the audit writer and its fork server) before and after wrk, and
divides by the requests served: CPU µs per request is far steadier than req/s on a machine
shared with other work. Prints, per round and as medians: req/s at c=64, p50 at c=1, worker
CPU µs/request, writer CPU µs/request; then the ratios audit on / audit off and the added p50.

"Keeps up": after the last round the audit-on gateway is driven at full speed for a while and
the writer's records made durable per second are compared with the gateway's requests per
second (both from /metrics), and the sink lag must come back to zero.

`--writer-cpus` (default: the load CPU of the harness) is written as `audit.writer_cpus`: the
gateway worker is pinned to CPU 0 like every server in the harness, the audit writer runs
where the operator puts it. `--writer-cpus inherit` leaves it on the worker's CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(worker, children): user + system seconds of the process and of its descendants."""
    proc = psutil.Process(pid)
    t = proc.cpu_times()
    own = t.user + t.system
    kids = 0.0
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            c = child.cpu_times()
            kids += c.user + c.system
    return own, kids


AUDIT_FAMILIES = ("interlock_audit_records_total", "interlock_requests_total",
                  "interlock_audit_sink_lag_records", "interlock_audit_dropped_total",
                  "interlock_audit_queue_depth")  # fmt: skip


def scrape(port: int) -> dict[str, float]:
    return harness.scrape_metrics(port, AUDIT_FAMILIES, by_family=True)


def start(target: harness.Target, s: harness.Settings, nginx: Any, nginx_port: int,
          writer_cpus: str) -> harness.Running:  # fmt: skip
    port = harness.free_port()
    cfg = harness.interlock_config(target, s, port, nginx_port)
    if target.audit and writer_cpus != "inherit":
        text = cfg.read_text().replace("audit:\n", f"audit:\n  writer_cpus: [{writer_cpus}]\n", 1)
        cfg.write_text(text)
    key = harness.demo_key(target, s, cfg)
    return harness.serve_gateway(target.name, cfg, port, s.tmp, key)


def measure(run: harness.Running, lua: Path, conns: int, duration: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{run.port}{run.path}"
    own0, kids0 = cpu_seconds(run.proc.pid)
    res = harness.run_wrk(url, lua, conns, duration)
    own1, kids1 = cpu_seconds(run.proc.pid)
    n = max(1, res["requests"])
    res["worker_cpu_us"] = (own1 - own0) / n * 1e6
    res["writer_cpu_us"] = (kids1 - kids0) / n * 1e6
    return res


def keeps_up(run: harness.Running, lua: Path, seconds: int) -> dict[str, float]:
    """Drive the gateway at full speed; the writer's durable records/s against its requests/s."""
    url = f"http://127.0.0.1:{run.port}{run.path}"
    before = scrape(run.port)
    t0 = time.monotonic()
    res = harness.run_wrk(url, lua, 64, seconds)
    mid = scrape(run.port)  # the moment the load stops
    elapsed = time.monotonic() - t0
    deadline = time.monotonic() + 10
    after = scrape(run.port)
    while after.get("interlock_audit_sink_lag_records", 1) > 0 and time.monotonic() < deadline:
        time.sleep(0.1)
        after = scrape(run.port)
    drained_s = time.monotonic() - t0 - elapsed
    recs = mid.get("interlock_audit_records_total", 0) - before.get(
        "interlock_audit_records_total", 0
    )
    return {
        "gateway_rps": res["rps"],
        "writer_records_per_s_during_load": recs / elapsed,
        "sink_lag_at_end_of_load": mid.get("interlock_audit_sink_lag_records", -1),
        "sink_lag_after": after.get("interlock_audit_sink_lag_records", -1),
        "seconds_to_drain": drained_s,
        "dropped": after.get("interlock_audit_dropped_total", 0),
        "errors": res["error_count"],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--writer-cpus", default=str(harness.LOAD_CPU))
    ap.add_argument("--keeps-up-s", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="audit-cpu-"))
    s = harness.Settings(tmp=tmp)
    pinned = {harness.SERVER_CPU, harness.LOAD_CPU} <= os.sched_getaffinity(0)
    if pinned:
        os.sched_setaffinity(0, {harness.LOAD_CPU})
    else:
        harness.PIN.update(server=None, load=None)
    rows: dict[str, list[dict[str, Any]]] = {}
    up: dict[str, float] = {}
    try:
        nginx, nginx_port = harness.start_nginx(s)
        why = harness.wait_ready(nginx, nginx_port, harness.DIRECT_PATHS["json"], "json", 10)
        if why:
            print(f"nginx did not start: {why}", file=sys.stderr)
            return 1
        last = None
        for r in range(args.rounds):
            for name, audit in (("audit-off", False), ("audit-on", True)):
                # Each round its own database (the demo identity is created once per database).
                t = harness.Target(f"{name}-{r}", "gateway", auth=True, audit=audit)
                run = start(t, s, nginx, nginx_port, args.writer_cpus)
                lua = harness.write_lua(s, run.key, tag=t.name)["json"]
                harness.run_wrk(f"http://127.0.0.1:{run.port}{run.path}", lua, 64, 2)  # warm-up
                c64 = measure(run, lua, 64, args.duration)
                c1 = measure(run, lua, 1, args.duration)
                row = {"rps_c64": c64["rps"], "p50_c1_ms": c1["p50_ms"],
                       "worker_cpu_us_c64": c64["worker_cpu_us"],
                       "writer_cpu_us_c64": c64["writer_cpu_us"],
                       "worker_cpu_us_c1": c1["worker_cpu_us"],
                       "errors": c64["error_count"] + c1["error_count"]}  # fmt: skip
                rows.setdefault(name, []).append(row)
                harness.log(
                    f"round {r + 1} {name}: c64 {row['rps_c64']:.0f} req/s, c1 p50 "
                    f"{row['p50_c1_ms'] * 1000:.0f} µs, worker {row['worker_cpu_us_c64']:.1f} "
                    f"µs/req (c1 {row['worker_cpu_us_c1']:.1f}), writer "
                    f"{row['writer_cpu_us_c64']:.1f} µs/req, errors {row['errors']}"
                )
                if audit and r == args.rounds - 1 and args.keeps_up_s > 0:
                    last = run
                else:
                    run.proc.stop()
        if last is not None:
            lua = harness.write_lua(s, last.key, tag="keeps-up")["json"]
            up = keeps_up(last, lua, args.keeps_up_s)
            last.proc.stop()
    finally:
        harness.Proc.stop_all()

    med = {n: {k: statistics.median(x[k] for x in rs) for k in rs[0]} for n, rs in rows.items()}
    off, on = med["audit-off"], med["audit-on"]
    summary = {
        "rps_ratio_c64": on["rps_c64"] / off["rps_c64"],
        "added_p50_c1_us": (on["p50_c1_ms"] - off["p50_c1_ms"]) * 1000,
        "worker_cpu_added_us_c64": on["worker_cpu_us_c64"] - off["worker_cpu_us_c64"],
        "worker_cpu_added_us_c1": on["worker_cpu_us_c1"] - off["worker_cpu_us_c1"],
        "writer_cpu_us_per_record": on["writer_cpu_us_c64"],
        "per_round_rps_ratio": [
            a["rps_c64"] / b["rps_c64"]
            for a, b in zip(rows["audit-on"], rows["audit-off"], strict=True)
        ],
    }
    print("\n| variant | c64 req/s | c1 p50 µs | worker CPU µs/req c64 | c1 | writer CPU µs/req |")
    print("|---|---:|---:|---:|---:|---:|")
    for n, m in med.items():
        print(f"| {n} | {m['rps_c64']:.0f} | {m['p50_c1_ms'] * 1000:.0f} | "
              f"{m['worker_cpu_us_c64']:.1f} | {m['worker_cpu_us_c1']:.1f} | "
              f"{m['writer_cpu_us_c64']:.1f} |")  # fmt: skip
    print(f"\n- rps ratio audit on/off at c=64 (median of {args.rounds} rounds): "
          f"{summary['rps_ratio_c64']:.3f}  (per round: "
          + ", ".join(f"{x:.3f}" for x in summary["per_round_rps_ratio"]) + ")")  # fmt: skip
    print(f"- added p50 at c=1: {summary['added_p50_c1_us']:+.0f} µs")
    print(f"- worker CPU added per request: {summary['worker_cpu_added_us_c64']:+.1f} µs (c=64), "
          f"{summary['worker_cpu_added_us_c1']:+.1f} µs (c=1)")  # fmt: skip
    print(f"- audit writer CPU per record: {summary['writer_cpu_us_per_record']:.1f} µs "
          f"(writer_cpus: {args.writer_cpus})")  # fmt: skip
    if up:
        print(f"- keeps up: gateway {up['gateway_rps']:.0f} req/s, writer "
              f"{up['writer_records_per_s_during_load']:.0f} records/s durable during the load; "
              f"sink lag {up['sink_lag_at_end_of_load']:.0f} at the end of it, "
              f"{up['sink_lag_after']:.0f} {up['seconds_to_drain']:.1f} s later; "
              f"dropped {up['dropped']:.0f}")  # fmt: skip
    out = harness.BENCH_DIR / "results" / "audit_cpu.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rounds": rows, "median": med, "summary": summary,
                               "keeps_up": up, "writer_cpus": args.writer_cpus,
                               "pinned": pinned}, indent=2) + "\n")  # fmt: skip
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
