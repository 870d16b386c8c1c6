"""What DLP and the prompt-injection check cost a request end to end: the same authenticated
gateway with a 2 KB prompt (prose with a ticket, log, code, SQL rows or an e-mail in it, the
prompts of bench/dlp_bench.py), inspection off, DLP on (redact, e-mail pseudonymised),
injection on, both on, in one run.

    .venv/bin/python bench/inspection_gateway.py [--duration 5] [--rounds 2] [--conns 1,64]

Reuses the main harness: nginx upstream and wrk on one CPU, the gateway (one worker) pinned to
the other, a demo identity's key on every request (scripts/demo-identity.sh), audit off (its
own cost is bench/audit_latency.py's). Each variant runs `--rounds` times, interleaved, so drift
hits all alike; the floor is "inspection off" in this run. Every request carries one of
`--bodies` different prompts and `recent_scans: 0`, so every scan is a fresh scan (a client that
resends a conversation would hit the digest cache instead: bench/dlp_bench.py measures that).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from dlp_bench import prompts

OFF = "    dlp: {enabled: false}\n    injection: {enabled: false}\n"
DLP = (
    "    dlp: {actions: {default: redact, EMAIL_ADDRESS: pseudonymise}, recent_scans: 0}\n"
    "    injection: {enabled: false}\n"
)
INJECTION = "    dlp: {enabled: false}\n    injection: {user: {threshold: 0.5, action: flag}}\n"
BOTH = (
    "    dlp: {actions: {default: redact, EMAIL_ADDRESS: pseudonymise}, recent_scans: 0}\n"
    "    injection: {user: {threshold: 0.5, action: flag}}\n"
)
# A policy with neither section: what every policy gets by default (restricted types redacted,
# injection checked and flagged).
DEFAULTS = ""
VARIANTS = {
    "off": OFF, "dlp": DLP, "injection": INJECTION, "dlp+injection": BOTH, "defaults": DEFAULTS,
}  # fmt: skip

# wrk picks one of the bodies per request (round robin), so no scan is a repeat of the last.
LUA = """
local bodies = {BODIES}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer KEY"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""
# wrk's summary as one JSON line: the harness's own `done` function (its template escapes braces).
LUA += (
    harness.LUA_TEMPLATE[harness.LUA_TEMPLATE.index("-- One machine-readable line") :]
    .replace("{{", "{")
    .replace("}}", "}")
)


def config(tmp: Path, name: str, port: int, upstream: int) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(
        f"""database:
  url: "sqlite:///{(tmp / f"{name}.db").resolve()}"
server: {{host: 127.0.0.1, port: {port}}}
audit: {{enabled: false}}
providers:
  upstream: {{type: openai, base_url: "http://127.0.0.1:{upstream}/v1", api_key: {harness.API_KEY}}}
models:
  bench-model: {{provider: upstream, model: bench-model}}
policies:
  everything:
    models: ["*"]
{VARIANTS[name]}"""
    )
    return path


def lua_script(tmp: Path, key: str, n_bodies: int, tiny: bool = False) -> Path:
    texts = ["Say hello."] * n_bodies if tiny else prompts(2048, n_bodies)
    bodies = [
        json.dumps({"model": "bench-model", "messages": [{"role": "user", "content": text}]})
        for text in texts
    ]
    lua = "{" + ", ".join(f"[==[{b}]==]" for b in bodies) + "}"
    path = tmp / f"wrk-inspection-{key[:6]}.lua"
    path.write_text(LUA.replace("{BODIES}", lua).replace("KEY", key))
    return path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--conns", default="1,64")
    ap.add_argument("--bodies", type=int, default=40)
    ap.add_argument("--tiny", action="store_true", help="'Say hello.' instead of 2 KB prompts")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="off is always run")
    args = ap.parse_args()
    conns = [int(c) for c in args.conns.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="inspection-bench-"))
    s = harness.Settings(tmp=tmp)
    if not {harness.SERVER_CPU, harness.LOAD_CPU} <= os.sched_getaffinity(0):
        harness.PIN.update(server=None, load=None)
    samples: dict[tuple[str, int], list[dict[str, Any]]] = {}
    try:
        nginx, nginx_port = harness.start_nginx(s)
        why = harness.wait_ready(nginx, nginx_port, harness.DIRECT_PATHS["json"], "json", 10)
        if why:
            print(f"nginx did not start: {why}", file=sys.stderr)
            return 1
        variants = ["off", *(v for v in args.variants.split(",") if v and v != "off")]
        for r in range(args.rounds):
            for name in variants:
                port = harness.free_port()
                cfg = config(tmp, name, port, nginx_port)
                key = harness.demo_key(harness.Target(name, "gateway", auth=True), s, cfg)
                proc = harness.serve_gateway(f"{name}-{r}", cfg, port, tmp, key).proc
                url = f"http://127.0.0.1:{port}{harness.PROXY_PATH}"
                lua = lua_script(tmp, key, args.bodies, args.tiny)
                harness.run_wrk(url, lua, 16, 2)  # warm-up
                for c in conns:
                    res = harness.run_wrk(url, lua, c, args.duration, proc.pid)
                    samples.setdefault((name, c), []).append(res)
                    harness.log(
                        f"round {r + 1} {name} c={c}: {res['rps']:.0f} req/s "
                        f"p50 {res['p50_ms']:.3f} ms, errors {res['error_count']}"
                    )
                proc.stop()
    finally:
        harness.Proc.stop_all()

    rows = []
    for (name, c), runs in samples.items():
        off = samples[("off", c)]
        p50 = statistics.median(x["p50_ms"] for x in runs)
        rps = statistics.median(x["rps"] for x in runs)
        rows.append({
            "variant": name, "conns": c, "rps": rps, "p50_ms": p50,
            "p99_ms": statistics.median(x["p99_ms"] for x in runs),
            "x_off_rps": rps / statistics.median(x["rps"] for x in off),
            "worker_cpu_us": statistics.median(x["worker_cpu_us"] for x in runs),
            "added_p50_us": (p50 - statistics.median(x["p50_ms"] for x in off)) * 1000,
            "errors": sum(x["error_count"] for x in runs),
        })  # fmt: skip
    size = "'Say hello.'" if args.tiny else "2 KB prompts"
    print(f"\n{size}, authenticated gateway, audit off; floor = inspection off, same run")
    print("| inspection | c | req/s | x off | p50 ms | +p50 vs off µs | p99 ms "
          "| worker CPU µs/req | errors |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['variant']} | {row['conns']} | {row['rps']:.0f} | {row['x_off_rps']:.3f} | "
              f"{row['p50_ms']:.3f} | {row['added_p50_us']:+.0f} | {row['p99_ms']:.3f} | "
              f"{row['worker_cpu_us']:.1f} | {row['errors']} |")  # fmt: skip
    out = harness.BENCH_DIR / "results" / "inspection_gateway.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows}, indent=2) + "\n")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
