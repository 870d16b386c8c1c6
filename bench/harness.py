"""Interlock benchmark harness (started by bench/run.sh; see bench/README.md).

Starts a fixed-response nginx upstream, then, one target at a time, the floor proxy,
Interlock and the candidate proxies, and drives each with wrk (throughput and latency)
and a small asyncio client (streaming time to first byte). Servers under test run on
CPU 0; nginx, wrk and this harness on CPU 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
import uvloop

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = sys.executable
SERVER_CPU, LOAD_CPU = 0, 1
# Cleared by main() on a machine without two usable CPUs (then nothing is pinned).
PIN: dict[str, int | None] = {"server": SERVER_CPU, "load": LOAD_CPU}
MODES = ("json", "stream")
# Sent as the provider key and as the client's bearer token to every target without auth.
API_KEY = "bench-key"
# What a gateway key from scripts/demo-identity.sh may contain (it goes into Lua and headers).
GATEWAY_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")

# --- fixed upstream answers (shape of OpenAI's chat.completion / chat.completion.chunk) ---
CREATED = 1_700_000_000
COMPLETION = {
    "id": "chatcmpl-bench0001",
    "object": "chat.completion",
    "created": CREATED,
    "model": "bench-model",
    "system_fingerprint": "fp_bench",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello! How can I help you today?"},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21},
}


def _chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench0002",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": "bench-model",
        "system_fingerprint": "fp_bench",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        "usage": None,
    }


SSE_EVENTS: list[dict[str, Any]] = [
    _chunk({"role": "assistant", "content": ""}, None),
    *(_chunk({"content": w}, None) for w in ("Hello", "!", " How", " can", " I", " help?")),
    _chunk({}, "stop"),
    {
        "id": "chatcmpl-bench0002",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": "bench-model",
        "system_fingerprint": "fp_bench",
        "choices": [],
        "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18},
    },
]
SSE_BODY = "".join(f"data: {json.dumps(e, separators=(',', ':'))}\n\n" for e in SSE_EVENTS)
SSE_BODY += "data: [DONE]\n\n"
COMPLETION_BODY = json.dumps(COMPLETION, separators=(",", ":"))

# What the load generator sends. Streaming uses the model Interlock routes to the
# /stream/v1 upstream; the floor and candidates ignore the body and just forward it.
REQUESTS = {
    "json": {
        "model": "bench-model",
        "messages": [{"role": "user", "content": "Say hello."}],
        "stream": False,
    },
    "stream": {
        "model": "bench-stream",
        "messages": [{"role": "user", "content": "Say hello."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    },
}
DIRECT_PATHS = {"json": "/v1/chat/completions", "stream": "/stream/v1/chat/completions"}
PROXY_PATH = "/v1/chat/completions"


# --- configuration from the environment ---
def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _env_list(name: str, default: str) -> list[str]:
    return (os.environ.get(name, "").strip() or default).replace(",", " ").split()


@dataclass
class Settings:
    tmp: Path
    duration: int = field(default_factory=lambda: _env_int("BENCH_DURATION", 10))
    warmup: int = field(default_factory=lambda: _env_int("BENCH_WARMUP", 2))
    conns: list[int] = field(
        default_factory=lambda: [int(c) for c in _env_list("BENCH_CONNS", "1 16 64")]
    )
    candidate_conns: list[int] = field(
        default_factory=lambda: [int(c) for c in _env_list("BENCH_CANDIDATE_CONNS", "1 64")]
    )
    ttfb_requests: int = field(default_factory=lambda: _env_int("BENCH_TTFB_REQUESTS", 300))
    targets: list[str] = field(
        default_factory=lambda: _env_list(
            "BENCH_TARGETS",
            "direct floor interlock interlock-auth interlock-audit uvicorn-aiohttp uvicorn-httpx "
            "granian-aiohttp",
        )
    )
    start_timeout: int = field(default_factory=lambda: _env_int("BENCH_START_TIMEOUT", 20))
    out: Path = field(
        default_factory=lambda: Path(
            os.environ.get("BENCH_OUT", "") or BENCH_DIR / "results" / "latest.json"
        )
    )


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    # Bind-to-0 then release: the port is ours unless something grabs it in the gap,
    # which readiness checks would catch.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- process management ---
class Proc:
    """A server we started; output goes to a log file so a full pipe never stalls it."""

    live: list[Proc] = []

    def __init__(
        self, name: str, argv: list[str], tmp: Path, cpu: int | None, env: dict[str, str] | None
    ) -> None:
        self.name = name
        self.log_path = tmp / f"{name}.log"
        pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
        with open(self.log_path, "ab") as out:
            # taskset execs the server, so this pid is the server's own.
            self.popen = subprocess.Popen(
                pin + argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=tmp,
                env={**os.environ, **(env or {})},
            )
        Proc.live.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 6) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=8)
            except subprocess.TimeoutExpired:
                # A server that ignores TERM (or its worker children) must not outlive us.
                for child in _children(self.pid):
                    with contextlib.suppress(psutil.Error):
                        child.kill()
                self.popen.kill()
                self.popen.wait(timeout=5)
        if self in Proc.live:
            Proc.live.remove(self)

    @classmethod
    def stop_all(cls) -> None:
        for p in list(reversed(cls.live)):
            with contextlib.suppress(Exception):
                p.stop()


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


class RssSampler(threading.Thread):
    """Peak resident memory of a process tree (servers may fork workers), sampled at 20 Hz."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._stop_evt = threading.Event()

    def sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        self.peak = max(self.peak, total)

    def run(self) -> None:
        self.sample()
        while not self._stop_evt.wait(0.05):
            self.sample()

    def stop(self) -> int:
        self._stop_evt.set()
        self.join(timeout=2)
        self.sample()
        return self.peak


# --- nginx upstream ---
def nginx_quote(text: str) -> str:
    """Single-quoted nginx string: nginx unescapes \\\\, \\' and \\n inside quotes."""
    if "$" in text:
        raise ValueError("'$' would be read as an nginx variable")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start_nginx(s: Settings) -> tuple[Proc, int]:
    port = free_port()
    ngx = s.tmp / "nginx"
    ngx.mkdir(exist_ok=True)
    # As root nginx would drop its worker to 'nobody'; keep root so temp paths stay usable.
    user = "user root;" if os.geteuid() == 0 else ""
    temps = "\n".join(
        f"  {kind}_temp_path {ngx}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = f"""
{user}
worker_processes 1;
daemon off;
pid {ngx}/nginx.pid;
error_log {ngx}/error.log warn;
events {{ worker_connections 4096; multi_accept on; }}
http {{
  access_log off;
{temps}
  client_body_buffer_size 64k;
  keepalive_timeout 120s;
  keepalive_requests 10000000;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location = /v1/chat/completions {{
      default_type application/json;
      return 200 {nginx_quote(COMPLETION_BODY)};
    }}
    location = /stream/v1/chat/completions {{
      default_type text/event-stream;
      add_header Cache-Control no-cache;
      return 200 {nginx_quote(SSE_BODY)};
    }}
    location / {{ return 404; }}
  }}
}}
"""
    (ngx / "nginx.conf").write_text(conf)
    argv = [
        nginx_binary(),
        "-p",
        str(ngx),
        "-e",
        str(ngx / "error.log"),
        "-c",
        str(ngx / "nginx.conf"),
    ]
    proc = Proc("nginx", argv, s.tmp, PIN["load"], None)
    return proc, port


# --- readiness ---
def probe(
    port: int, path: str, mode: str, key: str = API_KEY, timeout: float = 3.0
) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = json.dumps(REQUESTS[mode]).encode()
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def wait_ready(
    proc: Proc, port: int, path: str, mode: str, timeout: float, key: str = API_KEY
) -> str | None:
    """None once the server answers 200 with the expected body kind, else why not."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not proc.alive():
            tail = proc.log_tail(3).replace("\n", " | ")
            return f"exited with {proc.popen.returncode}: {tail}"
        try:
            status, ctype, body = probe(port, path, mode, key)
        except OSError as e:
            last = f"{type(e).__name__}: {e}"
            time.sleep(0.1)
            continue
        if status != 200:
            return f"HTTP {status}: {body[:200]!r}"
        want = b"[DONE]" if mode == "stream" else b'"chat.completion"'
        if want not in body.replace(b'": "', b'":"'):
            return f"unexpected {ctype} body: {body[:200]!r}"
        return None
    return f"not ready after {timeout:.0f}s ({last})"


# --- wrk ---
LUA_TEMPLATE = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"

-- One machine-readable line, so we need not scrape wrk's human units.
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


def write_lua(s: Settings, key: str = API_KEY, tag: str = "") -> dict[str, Path]:
    """wrk scripts per mode sending ``key`` as bearer token; ``tag`` names a target's own set."""
    paths = {}
    for mode, req in REQUESTS.items():
        p = s.tmp / f"wrk-{tag + '-' if tag else ''}{mode}.lua"
        p.write_text(LUA_TEMPLATE.format(body=json.dumps(req), key=key))
        paths[mode] = p
    return paths


def run_wrk(
    url: str, script: Path, conns: int, duration: int, server_pid: int | None = None
) -> dict[str, Any]:
    """wrk's summary; with `server_pid`, also that process's own CPU per request
    (`worker_cpu_us`)."""
    pin = [] if PIN["load"] is None else ["taskset", "-c", str(PIN["load"])]
    argv = [
        *pin, "wrk", "-t1", f"-c{conns}", f"-d{duration}s",
        "--timeout", "5s", "--latency", "-s", str(script), url,
    ]  # fmt: skip
    cpu0 = process_cpu_seconds(server_pid) if server_pid is not None else 0.0
    # wrk stops itself after -d; the subprocess timeout is the backstop.
    res = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 20, check=False)
    cpu = process_cpu_seconds(server_pid) - cpu0 if server_pid is not None else None
    out = res.stdout
    m = re.search(r"^BENCH_JSON (\{.*\})$", out, re.M)
    if res.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed ({res.returncode}): {res.stderr.strip() or out[-300:]}")
    raw = json.loads(m.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    secs = raw["duration_us"] / 1e6
    errors = {k: int(raw[k]) for k in ("connect", "read", "write", "status", "timeout")}
    if non2xx:
        errors["status"] = max(errors["status"], int(non2xx.group(1)))
    return {
        "requests": int(raw["requests"]),
        "rps": raw["requests"] / secs if secs else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
        "error_count": sum(errors.values()),
        "worker_cpu_us": None if cpu is None else cpu / max(int(raw["requests"]), 1) * 1e6,
    }


# --- streaming time to first byte ---
def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


async def _one_exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[float, float, float, bool]:
    """Send one request; return (first byte, first SSE event, complete) in seconds, keep-alive."""
    t0 = time.perf_counter()
    writer.write(request)
    buf = await reader.read(65536)
    t_first = time.perf_counter()
    if not buf:
        raise ConnectionError("closed before answering")
    while b"\r\n\r\n" not in buf:
        more = await reader.read(65536)
        if not more:
            raise ConnectionError("closed inside headers")
        buf += more
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    if status != 200:
        raise RuntimeError(f"HTTP {status}")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length = int(headers.get("content-length", "-1"))
    t_event = time.perf_counter() if b"data:" in body else 0.0
    # SSE never ends a chunk with the chunked terminator, so a suffix check is enough here.
    while not ((chunked and body.endswith(b"\r\n0\r\n\r\n")) or (0 <= length <= len(body))):
        more = await reader.read(65536)
        if not more:
            raise ConnectionError("closed inside body")
        body += more
        if not t_event and b"data:" in body:
            t_event = time.perf_counter()
    t_end = time.perf_counter()
    if b"[DONE]" not in body:
        raise RuntimeError("stream ended without [DONE]")
    keep = headers.get("connection", "").lower() != "close"
    return t_first - t0, (t_event or t_end) - t0, t_end - t0, keep


async def _ttfb_series(port: int, path: str, n: int, warmup: int, key: str) -> dict[str, Any]:
    body = json.dumps(REQUESTS["stream"]).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nAuthorization: Bearer {key}\r\n"
        f"Accept: text/event-stream\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    first: list[float] = []
    event: list[float] = []
    total: list[float] = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(warmup + n):
            f, e, t, keep = await asyncio.wait_for(_one_exchange(reader, writer, request), 5)
            if i >= warmup:
                first.append(f)
                event.append(e)
                total.append(t)
            if not keep:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()

    def ms(v: list[float], pct: float) -> float:
        return _percentile(v, pct) * 1000

    return {
        "requests": n,
        "ttfb_p50_ms": ms(first, 50),
        "ttfb_p99_ms": ms(first, 99),
        "first_event_p50_ms": ms(event, 50),
        "first_event_p99_ms": ms(event, 99),
        "complete_p50_ms": ms(total, 50),
    }


def measure_ttfb(port: int, path: str, n: int, key: str = API_KEY) -> dict[str, Any]:
    return asyncio.run(_ttfb_series(port, path, n, warmup=max(10, n // 10), key=key))


# --- targets ---
@dataclass
class Target:
    name: str
    kind: str  # direct | floor | gateway | candidate
    script: Path | None = None
    # Gateway only: zero trust on, every request carries a demo identity's API key.
    auth: bool = False
    # Gateway only: the audit trail on (spool, store, metrics), as in a default deployment.
    audit: bool = False

    def conns(self, s: Settings) -> list[int]:
        return s.candidate_conns if self.kind == "candidate" else s.conns


CANDIDATES = BENCH_DIR / "candidates"
TARGETS = {
    "direct": Target("direct", "direct"),
    "floor": Target("floor", "floor", BENCH_DIR / "floor_proxy.py"),
    "interlock": Target("interlock", "gateway"),
    "interlock-auth": Target("interlock-auth", "gateway", auth=True),
    "interlock-audit": Target("interlock-audit", "gateway", auth=True, audit=True),
    "uvicorn-aiohttp": Target("uvicorn-aiohttp", "candidate", CANDIDATES / "uvicorn_aiohttp.py"),
    "uvicorn-httpx": Target("uvicorn-httpx", "candidate", CANDIDATES / "uvicorn_httpx.py"),
    "granian-aiohttp": Target("granian-aiohttp", "candidate", CANDIDATES / "granian_aiohttp.py"),
}


def interlock_config(t: Target, s: Settings, port: int, upstream_port: int) -> Path:
    base = f"http://127.0.0.1:{upstream_port}"
    if t.auth:
        # The identity stage on (the default) with one policy allowing every model: `interlock`
        # and this target differ by authentication alone (issue 3).
        head = f"""\
database:
  url: "sqlite:///{(s.tmp / f"{t.name}.db").resolve()}"
policies:
  everything:
    models: ["*"]
"""
    else:
        # No policies and no identity stage: the core's own cost against the floor (issue 2).
        head = """\
auth:
  enabled: false
"""
    common = f"""\
server:
  host: 127.0.0.1
  port: {port}
providers:
  upstream:
    type: openai
    base_url: {base}/v1
    api_key: {API_KEY}
  upstream_stream:
    type: openai
    base_url: {base}/stream/v1
    api_key: {API_KEY}
models:
  bench-model:
    provider: upstream
    model: bench-model
  bench-stream:
    provider: upstream_stream
    model: bench-stream
"""
    if not t.audit:
        # `interlock` and `interlock-auth` measure the core and the identity stage; the audit
        # trail's own cost is what `interlock-audit` adds on top of `interlock-auth`.
        head += "audit:\n  enabled: false\n"
    else:
        head += f'audit:\n  spool_dir: "{(s.tmp / "audit-spool").resolve()}"\n'
        # The audit writer is a process of its own: where the machine has a core that neither
        # the worker nor the load uses, it gets that one, as a deployment would give it; on a
        # 2-core machine it shares the worker's core (and the row shows audit's whole CPU cost).
        spare = sorted(set(range(os.cpu_count() or 1)) - {SERVER_CPU, LOAD_CPU})
        if PIN["server"] is not None and spare:
            head += f"  writer_cpus: [{spare[0]}]\n"
    path = s.tmp / f"{t.name}.yaml"
    path.write_text(head + common)
    return path


def demo_key(t: Target, s: Settings, config: Path) -> str:
    """Creates a team, app, identity, binding and key with the repo's own script (it runs the
    `interlock` CLI against the config's database); returns the key. Never logged."""
    key_file = s.tmp / f"{t.name}.key"
    try:
        res = subprocess.run(
            [str(REPO / "scripts" / "demo-identity.sh"), str(config), str(key_file)],
            capture_output=True, text=True, timeout=60, check=False, cwd=REPO,
        )  # fmt: skip
    except subprocess.TimeoutExpired as e:
        raise RuntimeError("scripts/demo-identity.sh timed out") from e
    key = res.stdout.strip()
    if res.returncode != 0 or not GATEWAY_KEY_RE.fullmatch(key):
        # stderr only: stdout would hold the key if it were only malformed.
        tail = " | ".join(res.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"scripts/demo-identity.sh failed ({res.returncode}): {tail}")
    return key


@dataclass
class Running:
    proc: Proc
    port: int
    path: str
    key: str = API_KEY  # the bearer token this target's requests carry


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process, not its children (an audit writer is one): the
    gateway worker's own CPU, steady on a machine shared with other work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape_metrics(
    port: int, families: tuple[str, ...], by_family: bool = False
) -> dict[str, float]:
    """The samples of these metric families from a gateway's /metrics (empty when it does not
    answer): each series by its full name, or summed per family with `by_family`."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        family = name.split("{", 1)[0]
        if family in families:
            key = family if by_family else name
            out[key] = out.get(key, 0.0) + float(value)
    return out


def serve_gateway(
    label: str,
    cfg: Path,
    port: int,
    tmp: Path,
    key: str = API_KEY,
    env: dict[str, str] | None = None,
) -> Running:
    """`interlock serve` of `cfg` (one worker, pinned like every server under test), answering
    on `port`; RuntimeError with its log's tail when it does not come up."""
    argv = [str(VENV_BIN / "interlock"), "serve", "--config", str(cfg), "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1"]  # fmt: skip
    proc = Proc(label, argv, tmp, PIN["server"], {"PYTHONUNBUFFERED": "1", **(env or {})})
    why = wait_ready(proc, port, PROXY_PATH, "json", 30, key)
    if why:
        tail = proc.log_tail()
        proc.stop()
        raise RuntimeError(f"{label} did not start: {why}\n{tail}")
    return Running(proc, port, PROXY_PATH, key)


def start_target(t: Target, mode: str, s: Settings, nginx: Proc, nginx_port: int) -> Running | str:
    """Start ``t`` for ``mode``; a string says why it could not be measured."""
    if t.kind == "direct":
        return Running(nginx, nginx_port, DIRECT_PATHS[mode])
    port = free_port()
    key = API_KEY
    if t.kind == "gateway":
        exe = VENV_BIN / "interlock"
        if not exe.exists():
            return f"{exe} not found"
        cfg = interlock_config(t, s, port, nginx_port)
        if t.auth:
            # Before the server starts, so its first view of the store already holds the key.
            try:
                key = demo_key(t, s, cfg)
            except RuntimeError as e:
                return str(e)
        argv = [str(exe), "serve", "--config", str(cfg), "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1"]  # fmt: skip
    else:
        assert t.script is not None
        upstream = (
            f"http://127.0.0.1:{nginx_port}{DIRECT_PATHS[mode].removesuffix('/chat/completions')}"
        )
        argv = [PYTHON, str(t.script), "--port", str(port), "--upstream", upstream]
    proc = Proc(f"{t.name}-{mode}", argv, s.tmp, PIN["server"], {"PYTHONUNBUFFERED": "1"})
    why = wait_ready(proc, port, PROXY_PATH, mode, s.start_timeout, key)
    if why is not None:
        tail = proc.log_tail()
        proc.stop()
        return why + (f"\n    log: {tail.replace(chr(10), chr(10) + '    log: ')}" if tail else "")
    return Running(proc, port, PROXY_PATH, key)


def bench_target(
    t: Target, s: Settings, nginx: Proc, nginx_port: int, lua: dict[str, Path], results: dict
) -> None:
    running: Running | None = None
    scripts = lua
    try:
        for mode in MODES:
            # Interlock serves both modes from one process; proxies are restarted with the
            # mode's upstream base URL, so every proxy is hit on the same path.
            if running is None or t.kind != "gateway":
                if running is not None and running.proc is not nginx:
                    running.proc.stop()
                running = None
                got = start_target(t, mode, s, nginx, nginx_port)
                if isinstance(got, str):
                    results["unavailable"][f"{t.name}/{mode}"] = got
                    if t.kind == "gateway":
                        # Expected while the gateway is being written: report and move on.
                        print(f"{t.name}: not available\n  ({mode}: {got})", flush=True)
                        return
                    print(f"{t.name} failed ({mode}): {got}", flush=True)
                    continue
                running = got
                if running.key != API_KEY:
                    # This target's own wrk scripts, with its key; the shared ones stay as they are.
                    scripts = write_lua(s, running.key, tag=t.name)
            else:
                why = wait_ready(
                    running.proc, running.port, running.path, mode, s.start_timeout, running.key
                )
                if why is not None:
                    print(f"{t.name}: not available ({mode}: {why})", flush=True)
                    results["unavailable"][f"{t.name}/{mode}"] = why
                    continue
            url = f"http://127.0.0.1:{running.port}{running.path}"
            if s.warmup > 0:
                # Fills pools and JIT-free caches; a failure here shows up in the real runs.
                with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                    run_wrk(url, scripts[mode], max(t.conns(s)), s.warmup)
            for conns in t.conns(s):
                sampler = RssSampler(running.proc.pid)
                sampler.start()
                try:
                    row = run_wrk(url, scripts[mode], conns, s.duration)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    sampler.stop()
                    log(f"  {t.name} {mode} c={conns}: {e}")
                    results["unavailable"][f"{t.name}/{mode}/c{conns}"] = str(e)
                    continue
                row.update(
                    target=t.name, kind=t.kind, mode=mode, conns=conns,
                    peak_rss_mib=sampler.stop() / 2**20,
                )  # fmt: skip
                results["runs"].append(row)
                log(
                    f"  {t.name:<16} {mode:<6} c={conns:<3} {row['rps']:>9.0f} req/s  "
                    f"p50 {row['p50_ms']:.3f} ms  p99 {row['p99_ms']:.3f} ms  "
                    f"rss {row['peak_rss_mib']:.0f} MiB  errors {row['error_count']}"
                )
            if mode == "stream" and s.ttfb_requests > 0:
                try:
                    tt = measure_ttfb(running.port, running.path, s.ttfb_requests, running.key)
                except (OSError, RuntimeError, TimeoutError) as e:
                    log(f"  {t.name} ttfb failed: {e!r}")
                    results["unavailable"][f"{t.name}/ttfb"] = repr(e)
                else:
                    tt.update(target=t.name, kind=t.kind)
                    results["ttfb"].append(tt)
                    log(
                        f"  {t.name:<16} ttfb   p50 {tt['ttfb_p50_ms']:.3f} ms  "
                        f"p99 {tt['ttfb_p99_ms']:.3f} ms  (n={tt['requests']})"
                    )
    finally:
        if running is not None and running.proc is not nginx:
            running.proc.stop()


# --- report ---
def annotate(results: dict[str, Any]) -> None:
    """Add ratio-to-floor and added-latency-over-direct to each row."""
    by_key = {(r["target"], r["mode"], r["conns"]): r for r in results["runs"]}
    for r in results["runs"]:
        floor = by_key.get(("floor", r["mode"], r["conns"]))
        direct = by_key.get(("direct", r["mode"], r["conns"]))
        r["vs_floor_rps"] = r["rps"] / floor["rps"] if floor and floor["rps"] else None
        r["added_p50_ms"] = r["p50_ms"] - direct["p50_ms"] if direct else None
    direct_tt = next((x for x in results["ttfb"] if x["target"] == "direct"), None)
    for x in results["ttfb"]:
        x["added_ttfb_p50_ms"] = x["ttfb_p50_ms"] - direct_tt["ttfb_p50_ms"] if direct_tt else None
        x["added_first_event_p50_ms"] = (
            x["first_event_p50_ms"] - direct_tt["first_event_p50_ms"] if direct_tt else None
        )

    checks = {}
    il64 = by_key.get(("interlock", "json", 64))
    il1 = by_key.get(("interlock", "json", 1))
    ratio = il64["vs_floor_rps"] if il64 else None
    added = il1["added_p50_ms"] if il1 else None
    checks["rps_vs_floor_c64"] = {
        "target": ">= 0.8",
        "value": ratio,
        "pass": None if ratio is None else ratio >= 0.8,
    }
    checks["added_p50_ms_c1"] = {
        "target": "<= 0.3",
        "value": added,
        "pass": None if added is None else added <= 0.3,
    }
    results["checks"] = checks

    # What authentication adds: interlock-auth and interlock differ by the identity stage alone
    # and ran minutes apart in this run (json, the mode the checks above use).
    a1, i1 = by_key.get(("interlock-auth", "json", 1)), il1
    a64, i64 = by_key.get(("interlock-auth", "json", 64)), il64
    results["auth_stage"] = {
        "mode": "json",
        "added_p50_us_c1": (a1["p50_ms"] - i1["p50_ms"]) * 1000 if a1 and i1 else None,
        "rps_ratio_c64": a64["rps"] / i64["rps"] if a64 and i64 and i64["rps"] else None,
    }


def _f(v: float | None, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def render(results: dict[str, Any]) -> str:
    out = [
        "| target | mode | conns | req/s | x floor rps | p50 ms | +p50 vs direct ms | p99 ms "
        "| peak RSS MiB | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = {name: i for i, name in enumerate(TARGETS)}
    rows = sorted(
        results["runs"],
        key=lambda r: (MODES.index(r["mode"]), r["conns"], order.get(r["target"], 99)),
    )
    for r in rows:
        out.append(
            f"| {r['target']} | {r['mode']} | {r['conns']} | {r['rps']:.0f} "
            f"| {_f(r['vs_floor_rps'], '.2f')} | {r['p50_ms']:.3f} "
            f"| {_f(r['added_p50_ms'] if r['target'] != 'direct' else None, '+.3f')} "
            f"| {r['p99_ms']:.3f} | {r['peak_rss_mib']:.0f} | {r['error_count']} |"
        )
    if results["ttfb"]:
        out += [
            "",
            "Streaming time to first byte (c=1, sequential, keep-alive):",
            "",
            "| target | requests | TTFB p50 ms | TTFB p99 ms | +TTFB p50 vs direct ms "
            "| first event p50 ms | +first event vs direct ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for x in sorted(results["ttfb"], key=lambda x: order.get(x["target"], 99)):
            is_direct = x["target"] == "direct"
            out.append(
                f"| {x['target']} | {x['requests']} | {x['ttfb_p50_ms']:.3f} "
                f"| {x['ttfb_p99_ms']:.3f} "
                f"| {_f(None if is_direct else x['added_ttfb_p50_ms'], '+.3f')} "
                f"| {x['first_event_p50_ms']:.3f} "
                f"| {_f(None if is_direct else x['added_first_event_p50_ms'], '+.3f')} |"
            )
    c = results["checks"]

    def verdict(k: str) -> str:
        p = c[k]["pass"]
        return (
            "n/a (that interlock row was not measured)" if p is None else ("PASS" if p else "FAIL")
        )

    out += [
        "",
        f"- interlock req/s vs floor, json c=64: {_f(c['rps_vs_floor_c64']['value'], '.2f')}x "
        f"(target >= 0.8x) - {verdict('rps_vs_floor_c64')}",
        f"- interlock added p50 over direct, json c=1: "
        f"{_f(c['added_p50_ms_c1']['value'], '+.3f')} ms (target <= 0.3 ms) - "
        f"{verdict('added_p50_ms_c1')}",
    ]
    auth = results["auth_stage"]
    if auth["added_p50_us_c1"] is not None or auth["rps_ratio_c64"] is not None:
        out.append(
            f"- auth stage cost: {_f(auth['added_p50_us_c1'], '+.0f')} µs p50 at c=1, "
            f"rps ratio interlock-auth/interlock at c=64 = {_f(auth['rps_ratio_c64'], '.2f')} "
            "(json)"
        )
    for k, why in results["unavailable"].items():
        out.append(f"- not measured: {k}: {why.splitlines()[0]}")
    return "\n".join(out)


def _version(cmd: list[str]) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (r.stdout + r.stderr).strip().splitlines()[0] if (r.stdout + r.stderr).strip() else "?"


def meta(s: Settings, pinned: bool) -> dict[str, Any]:
    pkgs = {}
    for name in ("aiohttp", "uvloop", "uvicorn", "httptools", "httpx", "granian", "interlock"):
        try:
            pkgs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pkgs[name] = None
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host_cpu": cpu,
        "cpus": os.cpu_count(),
        "pinned": pinned,
        "server_cpu": SERVER_CPU if pinned else None,
        "load_cpu": LOAD_CPU if pinned else None,
        "python": platform.python_version(),
        "packages": pkgs,
        "nginx": _version([nginx_binary(), "-v"]),
        "wrk": _version(["wrk", "-v"]),
        "git": _version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "duration_s": s.duration,
        "warmup_s": s.warmup,
        "conns": s.conns,
        "candidate_conns": s.candidate_conns,
        "ttfb_requests": s.ttfb_requests,
    }


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: harness.py TMPDIR   (use bench/run.sh)", file=sys.stderr)
        return 2
    s = Settings(tmp=Path(sys.argv[1]))
    unknown = [t for t in s.targets if t not in TARGETS]
    if unknown:
        print(f"unknown BENCH_TARGETS: {unknown}; known: {list(TARGETS)}", file=sys.stderr)
        return 2
    # A TERM from run.sh's trap (or timeout) must still run the finally: below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    pinned = {SERVER_CPU, LOAD_CPU} <= os.sched_getaffinity(0)
    if pinned:
        # The harness (RSS sampler, TTFB client) shares the load generator's core.
        os.sched_setaffinity(0, {LOAD_CPU})
    else:
        log("warning: fewer than 2 CPUs available; running unpinned, numbers not comparable")
        PIN.update(server=None, load=None)
    results: dict[str, Any] = {"meta": meta(s, pinned), "runs": [], "ttfb": [], "unavailable": {}}
    lua = write_lua(s)
    try:
        nginx, nginx_port = start_nginx(s)
        why = wait_ready(nginx, nginx_port, DIRECT_PATHS["json"], "json", 10) or wait_ready(
            nginx, nginx_port, DIRECT_PATHS["stream"], "stream", 10
        )
        if why is not None:
            print(f"nginx upstream did not start: {why}", file=sys.stderr)
            return 1
        log(f"upstream nginx on 127.0.0.1:{nginx_port}; {s.duration}s per run, warm-up {s.warmup}s")
        for name in s.targets:
            log(f"[{name}]")
            bench_target(TARGETS[name], s, nginx, nginx_port, lua, results)
    finally:
        Proc.stop_all()

    annotate(results)
    table = render(results)
    s.out.parent.mkdir(parents=True, exist_ok=True)
    s.out.write_text(json.dumps(results, indent=2) + "\n")
    s.out.with_suffix(".md").write_text(table + "\n")
    print()
    print(table)
    print(f"\nresults: {s.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
