"""Soak: one gateway configured like production under sustained load; does it stay flat?

    .venv/bin/python bench/soak.py [--duration 600] [--window 10] [--connections 32]

Starts the provider simulator and one `interlock serve` worker with zero trust on, the audit
trail on (spool + SQLite store + metrics) and a policy with DLP, injection checks, output
filtering, a budget and rate limits (limits high enough never to refuse: the point is the
bookkeeping, not the refusal). A demo key comes from `scripts/demo-identity.sh`.

Load: wrk, one run per window, rotating through a mix of requests (OpenAI chat plain, chat
with PII for DLP to redact, chat streamed, Anthropic messages plain and streamed, embeddings,
responses). A fresh wrk per window also churns connections, which is where descriptor and
socket leaks show. After each window, with the load paused for a moment, it samples the
gateway's RSS, open file descriptors and open inet connections (psutil; summed over the worker
and its children, such as the audit writer process), next to that window's
p50/p99 latency and request rate.

Verdict (after a warm-up, default 60 s): RSS flat (least-squares slope times the measured span
below max(8 MiB, 5 % of the mean)), no growth in descriptors or connections (the last third's
maximum no higher than the first third's plus a small slack), and latency stable (p50 of the
last third within 1.5x, p99 within 2x of the first third's median; the machine is shared, so
latency is the noisiest of the three). Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

REPO = harness.REPO
MIB = 1024 * 1024


def write_config(tmp: Path, port: int, sim_port: int) -> Path:
    sim = f"http://127.0.0.1:{sim_port}"
    path = tmp / "soak.yaml"
    path.write_text(
        f"""\
server: {{host: 127.0.0.1, port: {port}}}
database: {{url: "sqlite:///{tmp / "identity.db"}"}}
audit:
  spool_dir: "{tmp / "spool"}"
  store: {{url: "sqlite:///{tmp / "audit.db"}"}}
policies:
  everything:   # the name scripts/demo-identity.sh binds its key to
    models: ["*"]
    dlp:
      actions: {{default: redact, EMAIL_ADDRESS: pseudonymise, CREDIT_CARD: mask}}
    injection: {{}}
    output: {{deny_list: [forbidden-brand]}}
    budgets:
      limits: [{{name: soak-daily, per: [team], period: day, amount_usd: 1000000}}]
    rate_limits:
      limits: [{{per: [key], requests_per_minute: 10000000, tokens_per_minute: 1000000000}}]
    audit: {{content: redacted}}
providers:
  openai: {{type: openai, base_url: "{sim}/v1", api_key: sim-openai-key}}
  anthropic: {{type: anthropic, base_url: "{sim}", api_key: sim-anthropic-key}}
models:
  gpt-4o-mini: {{provider: openai}}
  claude-haiku: {{provider: anthropic, model: claude-haiku-4-5}}
  text-embedding-3-small: {{provider: openai, kind: embedding}}
"""
    )
    return path


def _chat(content: str, stream: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": content}],
        "max_tokens": 32,
    }
    if stream:
        body |= {"stream": True, "stream_options": {"include_usage": True}}
    return body


def _messages(stream: bool = False) -> dict[str, Any]:
    return {
        "model": "claude-haiku",
        "max_tokens": 32,
        "stream": stream,
        "messages": [{"role": "user", "content": "Summarise the meeting notes in one line."}],
    }


# (path, body): the mix wrk rotates through.
MIX: list[tuple[str, dict[str, Any]]] = [
    ("/v1/chat/completions", _chat("Say hello to the team.")),
    (
        "/v1/chat/completions",
        _chat("Mail jane.doe@example.com or call +44 20 7946 0958 about card 4111 1111 1111 1111."),
    ),
    ("/v1/chat/completions", _chat("Write a haiku about autumn.", stream=True)),
    ("/v1/messages", _messages()),
    ("/v1/messages", _messages(stream=True)),
    ("/v1/embeddings", {"model": "text-embedding-3-small", "input": ["a", "quick brown fox"]}),
    ("/v1/responses", {"model": "gpt-4o-mini", "input": "One word for joy?"}),
]

LUA = """
local reqs = {{}}
local i = 0
init = function(args)
  local h = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {key}",
             ["anthropic-version"] = "2023-06-01"}}
{lines}
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {{"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f,"mean_us":%.1f,"max_us":%.1f,' ..
    '"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f}}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def write_lua(tmp: Path, key: str) -> Path:
    lines = "\n".join(
        f'  reqs[#reqs + 1] = wrk.format("POST", "{path}", h, [==[{json.dumps(body)}]==])'
        for path, body in MIX
    )
    path = tmp / "soak.lua"
    path.write_text(LUA.format(key=key, lines=lines))
    return path


def check_mix(port: int, key: str) -> None:
    """Every request of the mix answers 200 before the soak starts (else the soak means little)."""
    for path, body in MIX:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            data=json.dumps(body).encode(),
            headers={
                "content-type": "application/json",
                "authorization": f"Bearer {key}",
                "anthropic-version": "2023-06-01",
            },
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            if resp.status != 200:
                raise RuntimeError(f"{path}: HTTP {resp.status}")


def sample(pid: int) -> dict[str, float]:
    """The gateway's process tree: the worker and its children (the audit writer process)."""
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    out = {"rss_mib": 0.0, "fds": 0, "conns": 0}
    for proc in procs:
        try:
            out["rss_mib"] += proc.memory_info().rss / MIB
            out["fds"] += proc.num_fds()
            out["conns"] += len(proc.net_connections(kind="inet"))
        except psutil.Error:
            continue  # a child that just exited
    out["procs"] = len(procs)
    return out


def slope_per_s(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def verdict(rows: list[dict[str, Any]], warmup: float) -> list[tuple[str, bool, str]]:
    steady = [r for r in rows if r["t"] >= warmup]
    if len(steady) < 6:
        return [("enough samples after warm-up", False, f"{len(steady)} < 6")]
    third = len(steady) // 3
    first, last = steady[:third], steady[-third:]
    ts = [r["t"] for r in steady]
    rss = [r["rss_mib"] for r in steady]
    slope = slope_per_s(ts, rss)
    span = ts[-1] - ts[0]
    growth = slope * span
    allowed = max(8.0, 0.05 * statistics.fmean(rss))
    checks = [
        (
            "RSS flat after warm-up",
            growth < allowed,
            f"slope {slope * 60:+.3f} MiB/min, fitted growth {growth:+.1f} MiB over {span:.0f} s "
            f"(allowed {allowed:.1f}); {rss[0]:.1f} -> {rss[-1]:.1f} MiB",
        )
    ]
    for name, slack in (("fds", 4), ("conns", 4)):
        a = max(r[name] for r in first)
        b = max(r[name] for r in last)
        checks.append(
            (f"no growth in {name}", b <= a + slack, f"first third max {a}, last third max {b}")
        )
    for name, factor in (("p50_ms", 1.5), ("p99_ms", 2.0)):
        a = statistics.median(r[name] for r in first)
        b = statistics.median(r[name] for r in last)
        checks.append(
            (
                f"{name[:3]} stable",
                b <= a * factor,
                f"first third median {a:.2f} ms, last third {b:.2f} ms (x{b / a:.2f}, max x{factor})",
            )
        )
    errors = sum(r["errors"] for r in steady)
    checks.append(("no errors", errors == 0, f"{errors} errors in {len(steady)} windows"))
    return checks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=600, help="seconds of load (default 600)")
    ap.add_argument("--window", type=int, default=10, help="seconds per sample window")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections")
    ap.add_argument("--warmup", type=float, default=60.0, help="seconds left out of the verdict")
    ap.add_argument("--json", type=Path, help="also write the rows and checks here")
    args = ap.parse_args()
    # TERM (timeout, Ctrl-C from a wrapper) unwinds through the `finally` that stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="interlock-soak-") as tmpdir:
        tmp = Path(tmpdir)
        sim_port, port = harness.free_port(), harness.free_port()
        exe = str(harness.VENV_BIN / "interlock")
        try:
            harness.Proc("simulator", [exe, "simulate", "--port", str(sim_port)], tmp, None, None)
            config = write_config(tmp, port, sim_port)
            key = harness.demo_key(harness.Target("soak", "gateway", auth=True), _S(tmp), config)
            gw = harness.Proc("gateway", [exe, "serve", "--config", str(config)], tmp, None, None)
            deadline = time.monotonic() + 30
            while True:
                try:
                    check_mix(port, key)
                    break
                except Exception as exc:
                    if time.monotonic() > deadline or not gw.alive():
                        print(f"gateway not ready: {exc}\n{gw.log_tail()}", file=sys.stderr)
                        return 2
                    time.sleep(0.3)
            lua = write_lua(tmp, key)
            rows = run(args, gw.pid, port, lua)
        finally:
            harness.Proc.stop_all()
        checks = verdict(rows, args.warmup)
        report(rows, checks, args)
        if args.json:
            args.json.write_text(json.dumps({"rows": rows, "checks": checks}, indent=1))
        return 0 if all(ok for _, ok, _ in checks) else 1


class _S:
    """The slice of harness.Settings that demo_key reads."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp


def run(args: argparse.Namespace, pid: int, port: int, lua: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url = f"http://127.0.0.1:{port}"
    start = time.monotonic()
    print(f"{'t s':>6} {'rss MiB':>8} {'fds':>5} {'conns':>5} {'req/s':>7} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6}", flush=True)  # fmt: skip
    while time.monotonic() - start < args.duration:
        try:
            w = harness.run_wrk(url, lua, args.connections, args.window)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            w = {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "error_count": 1, "failed": str(exc)}
        time.sleep(0.5)  # wrk's sockets closed: count what the gateway still holds
        row = {
            "t": round(time.monotonic() - start, 1),
            **sample(pid),
            "rps": round(w["rps"], 1),
            "p50_ms": round(w["p50_ms"], 2),
            "p99_ms": round(w["p99_ms"], 2),
            "errors": w["error_count"],
        }
        rows.append(row)
        print(f"{row['t']:>6.0f} {row['rss_mib']:>8.1f} {row['fds']:>5} {row['conns']:>5} "
              f"{row['rps']:>7.0f} {row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} "
              f"{row['errors']:>6}", flush=True)  # fmt: skip
    return rows


def report(rows: list[dict[str, Any]], checks: list[tuple[str, bool, str]], args: Any) -> None:
    total = sum(r["rps"] * args.window for r in rows)
    print(f"\n{len(rows)} windows of {args.window} s, c={args.connections}, "
          f"~{total:,.0f} requests; warm-up {args.warmup:.0f} s left out of the verdict")  # fmt: skip
    for name, ok, detail in checks:
        print(f"- {'PASS' if ok else 'FAIL'} {name}: {detail}")
    print("verdict:", "flat" if all(ok for _, ok, _ in checks) else "NOT flat")


if __name__ == "__main__":
    sys.exit(main())
