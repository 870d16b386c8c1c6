"""What the audit costs on the request path: the same gateway with audit off, on (batched, the
default) and on (strict), against the same nginx upstream, in one run.

    .venv/bin/python bench/audit_latency.py [--duration 10] [--rounds 2]

Reuses the main harness (nginx upstream, wrk, CPU pinning: gateway on CPU 0, nginx and wrk on
CPU 1). Each configuration is measured `--rounds` times, interleaved (off, on, strict, off, …),
so drift hits all alike; the floor is audit off in this run. Prints p50/p99 latency and req/s
at c=1 and c=64, and the ratios against the floor. `16@4` in `--conns` is a paced load: 16
connections that each wait 4 ms between an answer and their next request (wrk's `delay`), a
steady load below saturation, where a latency the audit added would show in p50 and p99
without the machine's spare CPU deciding the throughput. Each run also reads the gateway
worker's own CPU time per request (the writer process is a child, not counted): the request
path's cost, apart from what the load generator or the writer take on a small machine. Every
gateway here has auth off (as the `interlock` target of bench/run.sh), so the difference is the
audit alone. Audit on keeps the store sink (SQLite FTS5) running: "keeps up" is checked from
the spool's sink lag at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

VARIANTS = {
    "audit-off": "audit: {enabled: false}\n",
    # The same gateway again: how far two identical runs drift apart on this machine, the band
    # inside which a difference is not measurable.
    "audit-off-again": "audit: {enabled: false}\n",
    "audit-on": "audit: {spool_dir: spool-on, store: {url: 'sqlite:///audit-on.db'}}\n",
    # The writer process on the load's core instead of the worker's: what the request path
    # itself pays when the writer has a core of its own (a deployment gives it one; this
    # 2-core VM lends it wrk's, so at c=64 the writer slows the load, not the gateway).
    "audit-on-writer-apart": (
        "audit: {spool_dir: spool-apart, store: {url: 'sqlite:///audit-apart.db'}, "
        "writer_cpus: [WRITER_CPU]}\n"
    ),
    "audit-on-nice": (
        "audit: {spool_dir: spool-nice, store: {url: 'sqlite:///audit-nice.db'}, writer_nice: 10}\n"
    ),
    "audit-on-writer-apart-nice": (
        "audit: {spool_dir: spool-apart-nice, store: {url: 'sqlite:///audit-apart-nice.db'}, "
        "writer_cpus: [WRITER_CPU], writer_nice: 19}\n"
    ),
    # ...at SCHED_IDLE instead: wrk and nginx take the CPU back the moment they wake (a niced
    # writer first finishes its time slice, which shows in their p99).
    "audit-on-writer-apart-idle": (
        "audit: {spool_dir: spool-apart-idle, store: {url: 'sqlite:///audit-apart-idle.db'}, "
        "writer_cpus: [WRITER_CPU], writer_idle: true}\n"
    ),
    # ...without the store: the writer's SQLite work is most of its memory traffic; a worker
    # slower beside it than beside this one pays for the cache they share, not for its own work.
    "audit-on-writer-apart-idle-no-store": (
        "audit: {spool_dir: spool-apart-idle-ns, store: null, "
        "writer_cpus: [WRITER_CPU], writer_idle: true}\n"
    ),
    "audit-spool-only": "audit: {spool_dir: spool-only, store: null}\n",
    "audit-strict": (
        "audit: {spool_dir: spool-strict, durability: strict, "
        "store: {url: 'sqlite:///audit-strict.db'}}\n"
    ),
}


def config(tmp: Path, name: str, port: int, upstream: int, tree: str = "") -> Path:
    path = tmp / f"{name}{tree}.yaml"
    # Another tree's gateway keeps its own spool and store.
    audit = VARIANTS[name].replace("spool-", f"spool-{tree}").replace(".db'", f"{tree}.db'")
    path.write_text(
        f"""auth: {{enabled: false}}
server: {{host: 127.0.0.1, port: {port}}}
providers:
  upstream: {{type: openai, base_url: "http://127.0.0.1:{upstream}/v1", api_key: {harness.API_KEY}}}
models:
  bench-model: {{provider: upstream, model: bench-model}}
{audit.replace("WRITER_CPU", str(harness.LOAD_CPU))}"""
    )
    return path


def metrics(port: int) -> dict[str, float]:
    return harness.scrape_metrics(port, (
        "interlock_audit_sink_lag_records", "interlock_audit_records_total",
        "interlock_audit_dropped_total", "interlock_audit_queue_depth",
    ))  # fmt: skip


def _user_sys(pid: int) -> tuple[int, int]:
    """The process's user and system CPU time so far, in clock ticks (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


PERF_EVENTS = {"raw_syscalls:sys_enter": "syscalls", "sched:sched_wakeup": "wakeups_caused"}


def _perf_start(pid: int) -> subprocess.Popen[str] | None:
    """`perf stat` of the worker's system calls and of the wake-ups of other tasks it causes
    (a write that wakes its writer on another CPU, a send that wakes nginx): counts, steady
    however busy the machine is. None without perf or tracepoints."""
    if shutil.which("perf") is None:
        return None
    argv = ["perf", "stat", "-x", ",", "-e", ",".join(PERF_EVENTS), "-p", str(pid)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _perf_stop(perf: subprocess.Popen[str] | None, requests: int) -> dict[str, float]:
    out = {name: float("nan") for name in PERF_EVENTS.values()}
    if perf is None:
        return out
    perf.send_signal(signal.SIGINT)
    _, err = perf.communicate(timeout=10)
    for line in err.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2] in PERF_EVENTS and fields[0].isdigit():
            out[PERF_EVENTS[fields[2]]] = int(fields[0]) / requests
    return out


def _counts(pid: int) -> dict[str, float]:
    """Counts that do not depend on how busy the machine is: the worker's read and write
    system calls (/proc/PID/io), its context switches, and its audit writer's wake-ups (the
    voluntary context switches of its child processes)."""
    io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    me = psutil.Process(pid)
    writer_wakeups = 0
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            writer_wakeups += child.num_ctx_switches().voluntary
    switches = me.num_ctx_switches()
    return {
        "syscalls_rw": float(int(io["syscr"]) + int(io["syscw"])),
        "worker_switches": float(switches.voluntary + switches.involuntary),
        "writer_wakeups": float(writer_wakeups),
    }


def paced(lua: Path, delay_ms: int) -> Path:
    """The same requests, each connection waiting `delay_ms` before its next one."""
    path = lua.with_name(f"{lua.stem}-paced-{delay_ms}.lua")
    path.write_text(lua.read_text() + f"\ndelay = function() return {delay_ms} end\n")
    return path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--conns", default="1,16@4,64")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="audit-off is always run")
    ap.add_argument(
        "--baseline-src",
        default=None,
        help="another tree's src/ (e.g. `git archive HEAD~3 src | tar -x -C /tmp/base`): a "
        "variant named NAME@base runs NAME with that code, in the same run",
    )
    args = ap.parse_args()
    variants = ["audit-off", *(v for v in args.variants.split(",") if v and v != "audit-off")]
    conns = args.conns.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    s = harness.Settings(tmp=tmp)
    pinned = {harness.SERVER_CPU, harness.LOAD_CPU} <= os.sched_getaffinity(0)
    if not pinned:
        harness.PIN.update(server=None, load=None)
    lua = harness.write_lua(s)["json"]
    samples: dict[tuple[str, int], list[dict[str, Any]]] = {}
    lag: dict[str, dict[str, float]] = {}
    try:
        nginx, nginx_port = harness.start_nginx(s)
        why = harness.wait_ready(nginx, nginx_port, harness.DIRECT_PATHS["json"], "json", 10)
        if why:
            print(f"nginx did not start: {why}", file=sys.stderr)
            return 1
        for r in range(args.rounds):
            for name in variants:
                port = harness.free_port()
                base, _, tree = name.partition("@")
                cfg = config(tmp, base, port, nginx_port, tree)
                env = {"PYTHONPATH": args.baseline_src} if tree == "base" else None
                if tree == "base" and not args.baseline_src:
                    ap.error(f"{name} needs --baseline-src")
                proc = harness.serve_gateway(f"{name}-{r}", cfg, port, tmp, env=env).proc
                url = f"http://127.0.0.1:{port}{harness.PROXY_PATH}"
                harness.run_wrk(url, lua, 16, 2)  # warm-up
                for c in conns:
                    n, _, delay = c.partition("@")
                    script = paced(lua, int(delay)) if delay else lua
                    ticks0, counts0 = _user_sys(proc.pid), _counts(proc.pid)
                    perf = _perf_start(proc.pid)
                    res = harness.run_wrk(url, script, int(n), args.duration, proc.pid)
                    res.update(_perf_stop(perf, max(res["requests"], 1)))
                    ticks = [b - a for a, b in zip(ticks0, _user_sys(proc.pid), strict=True)]
                    requests = max(res["requests"], 1)
                    per_req = 1e6 / os.sysconf("SC_CLK_TCK") / requests
                    res["worker_user_us"], res["worker_sys_us"] = (t * per_req for t in ticks)
                    counts = _counts(proc.pid)
                    for key, value in counts.items():
                        res[key] = (value - counts0[key]) / requests
                    samples.setdefault((name, c), []).append(res)
                    harness.log(
                        f"round {r + 1} {name} c={c}: {res['rps']:.0f} req/s p50 {res['p50_ms']:.3f} ms"
                    )
                time.sleep(1.5)  # let the shippers catch up, then read the lag
                lag[name] = metrics(port)
                proc.stop()
    finally:
        harness.Proc.stop_all()

    rows = []
    floor = {c: samples[("audit-off", c)] for c in conns}
    for (name, c), runs in samples.items():
        p50 = statistics.median(x["p50_ms"] for x in runs)
        p99 = statistics.median(x["p99_ms"] for x in runs)
        rps = statistics.median(x["rps"] for x in runs)
        f50 = statistics.median(x["p50_ms"] for x in floor[c])
        frps = statistics.median(x["rps"] for x in floor[c])
        cpu = statistics.median(x["worker_cpu_us"] for x in runs)
        user = statistics.median(x["worker_user_us"] for x in runs)
        sys_us = statistics.median(x["worker_sys_us"] for x in runs)
        counts = {k: statistics.median(x[k] for x in runs)
                  for k in ("syscalls_rw", "worker_switches", "writer_wakeups", *PERF_EVENTS.values())}  # fmt: skip
        rows.append({"variant": name, "conns": c, "rps": rps, "p50_ms": p50, "p99_ms": p99,
                     "worker_cpu_us": cpu, "worker_user_us": user, "worker_sys_us": sys_us,
                     **counts,
                     "x_floor_rps": rps / frps, "added_p50_us": (p50 - f50) * 1000,
                     "errors": sum(x["error_count"] for x in runs)})  # fmt: skip
    print("\n| variant | c | req/s | x floor req/s | p50 ms | +p50 vs off µs | p99 ms "
          "| worker CPU µs/req | user | sys | r/w syscalls/req | worker switches/req "
          "| writer wake-ups/req | syscalls/req | wake-ups caused/req | errors |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['variant']} | {row['conns']} | {row['rps']:.0f} | {row['x_floor_rps']:.3f} | "
              f"{row['p50_ms']:.3f} | {row['added_p50_us']:+.0f} | {row['p99_ms']:.3f} | "
              f"{row['worker_cpu_us']:.1f} | {row['worker_user_us']:.1f} | "
              f"{row['worker_sys_us']:.1f} | {row['syscalls_rw']:.3f} | "
              f"{row['worker_switches']:.3f} | {row['writer_wakeups']:.4f} | "
              f"{row['syscalls']:.3f} | {row['wakeups_caused']:.3f} | {row['errors']} |")  # fmt: skip
    print("\naudit pipeline state after the last round (lag 0 = the sinks kept up):")
    for name, m in lag.items():
        if m:
            print(f"  {name}: " + ", ".join(f"{k}={v:g}" for k, v in sorted(m.items())))
    out = harness.BENCH_DIR / "results" / "audit_latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "lag": lag, "pinned": pinned}, indent=2) + "\n")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
