"""A cluster on loopback: nginx in front of three `interlock serve` processes sharing one
PostgreSQL database and one Redis, with two provider simulators (one per provider) upstream.

Everything is a real process, started and stopped the way an operator would: the gateways with
`.venv/bin/interlock serve --config …`, the simulators with `interlock simulate`, nginx from the
Debian package with a generated configuration, and — for the store-outage tests — a Redis server
and a PostgreSQL cluster of the test's own (so stopping them cannot disturb anything else).

Used by the tests in this folder and by `bench/cluster.py` for a longer manual run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openai
import psycopg

from interlock.admin.schemas import AppCreate, BindingCreate, IdentityCreate, KeyCreate, TeamCreate
from interlock.admin.service import AdminService
from interlock.simulator import SimulatorClient
from tests.auth.support import ROOT, create_pg_database, drop_pg_database, open_migrated
from tests.support import LoopThread, free_port

REPO = Path(__file__).resolve().parents[2]
INSTANCES = 3

# Every model costs $0.001 per token in or out, so spend is easy to check: nano-dollars = tokens
# x 1e6. Answers are capped at 50 tokens, which bounds each request's reservation.
PRICE = "{input_per_mtok: 1000, output_per_mtok: 1000, max_output_tokens: 50}"
NANO_PER_TOKEN = 1_000_000

# (team, application, policy): one workload identity and one key per team.
ORG = [
    ("load", "loadgen", "steady"),  # a budget, so Redis is in the path (Redis outage, bench)
    # No budget or rate limit, so never needs Redis: the SIGKILL and upstream tests' traffic (a
    # Redis answer slower than `timeout_ms` on a busy machine would refuse budgeted requests).
    ("free", "freeloader", "free"),
    ("spend", "spender", "budgeted"),  # a nearly spent budget, for the overspend test
    ("burst", "burster", "limited"),  # a shared rate limit
    ("records", "recorder", "free"),  # the PostgreSQL outage's traffic: its own ledger rows
]
POLICIES = {policy for _, _, policy in ORG}
BUDGET_USD = 2.0
RATE_PER_MINUTE = 50


def interlock_command() -> list[str]:
    exe = REPO / ".venv" / "bin" / "interlock"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "interlock.cli.main"]


def wait_until(check: Any, timeout: float, what: str, interval: float = 0.05) -> float:
    """Seconds until `check()` is true; AssertionError naming `what` after `timeout`."""
    start = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - start
        except Exception:  # not up yet
            pass
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} not within {timeout}s")
        time.sleep(interval)


# Starting a process takes seconds on an idle 2-core machine, far longer when it is shared.
START_TIMEOUT_S = 120


def _wait_process(proc: subprocess.Popen[bytes] | None, log: Path, ready: Any, what: str) -> None:
    """Wait until `ready()`; fail at once, with the end of its log, if the process exits."""

    def check() -> bool:
        assert proc is not None
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        return bool(ready())

    start = time.monotonic()
    while True:
        try:
            if check():
                return
        except RuntimeError as exc:
            raise AssertionError(str(exc)) from None
        except Exception:  # not listening yet
            pass
        if time.monotonic() - start > START_TIMEOUT_S:
            raise AssertionError(
                f"{what} not ready within {START_TIMEOUT_S}s:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.05)


def _terminate(proc: subprocess.Popen[bytes] | None, grace: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# ---- upstream: the provider simulator as its own process ---------------------------------------


class Simulator:
    """`interlock simulate` on a fixed loopback port; stop() and start() model a provider outage."""

    def __init__(self, workdir: Path, name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.control = SimulatorClient(self.url, timeout=5)
        self.spawn()  # wait_ready() next: several processes start at once

    def start(self) -> None:
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*interlock_command(), "simulate", "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_ready(self) -> None:
        _wait_process(self.proc, self.log, lambda: self.control.faults() == [], "simulator")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # a provider that vanishes: connections refused from now on
            self.proc.wait(10)
            self.proc = None

    def close(self) -> None:
        _terminate(self.proc)
        self.proc = None


# ---- stores of the test's own, to stop and start at will ------------------------------------


class OwnRedis:
    """A redis-server on a free port with an append-only file, as a deployment that keeps budget
    counters runs it: stopped (SIGTERM) and started again, it comes back with its data."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/test-services.sh")
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="interlock-cluster-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        wait_until(lambda: redis.Redis.from_url(self.url).ping(), 10, "redis-server")

    def stop(self) -> None:
        _terminate(self.proc)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _pg_bindir() -> Path:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "initdb").exists():
            return d
    found = shutil.which("initdb")
    if found is None:
        raise RuntimeError("PostgreSQL is not installed: run scripts/test-services.sh")
    return Path(found).parent


class OwnPostgres:
    """A throwaway PostgreSQL cluster (initdb, trust auth, loopback, a free port) made the way
    scripts/test-services.sh makes the shared one; pg_ctl stops and starts it."""

    def __init__(self) -> None:
        self.bin = _pg_bindir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="interlock-cluster-pg-"))
        self.data = self.root / "data"
        self.root.chmod(0o755)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.root, "postgres")
        self._as_postgres(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-locale"]
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
                "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n"
            )
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _as_postgres(self, argv: list[str]) -> None:
        if os.geteuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._as_postgres(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "pg.log"),
             "-w", "-t", "60", "start"]
        )  # fmt: skip

    def stop(self) -> None:
        # Fast shutdown: clients are disconnected at once, as in a failover or a restart.
        self._as_postgres(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
        )

    def create_database(self) -> str:
        name = "il_" + secrets.token_hex(6)
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.dsn.rsplit("/", 1)[0] + "/" + name

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
            )
        shutil.rmtree(self.root, ignore_errors=True)


# ---- the organisation ---------------------------------------------------------------------------


def seed_organisation(db_url: str) -> dict[str, str]:
    """Teams, applications, bindings and one inference key per team (ORG); returns team -> key."""

    async def run() -> dict[str, str]:
        store = await open_migrated(db_url)
        try:
            service = AdminService(store, lambda: POLICIES)
            keys: dict[str, str] = {}
            for team, app, policy in ORG:
                await service.create_team(ROOT, TeamCreate(id=team))
                await service.create_app(ROOT, AppCreate(id=app, team_id=team))
                await service.create_identity(ROOT, IdentityCreate(id=f"{team}-bot", team_id=team))
                await service.create_binding(
                    ROOT,
                    BindingCreate(subject_type="team", subject_id=team, app_id=app, policy=policy),
                )
                made = await service.create_key(
                    ROOT, KeyCreate(identity_id=f"{team}-bot", app_id=app)
                )
                keys[team] = made["key"]
            return keys
        finally:
            await store.close()

    return asyncio.run(run())


# ---- configuration ----------------------------------------------------------------------------


@dataclass
class ClusterSettings:
    """What differs between the clusters the tests build; the rest is one fixed configuration."""

    primary_url: str  # the simulator serving provider `primary` (OpenAI)
    secondary_url: str  # the simulator serving provider `secondary` (Azure, same model)
    db_url: str  # identity, spend ledger and audit store
    redis_url: str
    redis_prefix: str = field(default_factory=lambda: f"c{secrets.token_hex(4)}:")
    on_redis_unavailable: str = "refuse"
    max_staleness_s: float = 30.0
    durability: str = "strict"
    read_timeout_s: float = 1.0


def gateway_yaml(s: ClusterSettings, node: str) -> str:
    return f"""
# Instance {node} of the loopback cluster (tests/cluster/harness.py).
server: {{max_body_bytes: 200000, total_timeout_s: 20, shutdown_grace_s: 3}}
providers:
  primary:
    type: openai
    base_url: {s.primary_url}/v1
    api_key: sim-openai-key
    timeouts: {{connect_s: 0.5, read_s: {s.read_timeout_s}}}
    retry: {{max_attempts: 2, backoff_base_s: 0.02, backoff_max_s: 0.1, retry_after_max_s: 0.5}}
    circuit_breaker: {{failure_threshold: 5, reset_after_s: 2}}
  secondary:
    type: azure
    base_url: {s.secondary_url}
    api_key: sim-azure-key
    api_version: "2024-10-21"
    timeouts: {{connect_s: 0.5, read_s: 5}}
    retry: {{max_attempts: 2, backoff_base_s: 0.02, backoff_max_s: 0.1}}
models:
  # One model, two providers: OpenAI first, the same model as an Azure deployment behind it.
  gpt-4o-mini: {{provider: primary, fallbacks: [gpt-4o-mini-azure], price: {PRICE}}}
  gpt-4o-mini-azure: {{provider: secondary, model: gpt-4o-mini, price: {PRICE}}}
database: {{url: "{s.db_url}", refresh_s: 0.5, max_staleness_s: {s.max_staleness_s}}}
auth:
  throttle: {{threshold: 1000000}}
counters:
  backend: redis
  url: "{s.redis_url}"
  prefix: "{s.redis_prefix}"
  on_unavailable: {s.on_redis_unavailable}
  # Generous for a shared 2-core machine: one slow answer counts as an outage (and refuses).
  timeout_ms: 1000
  flush_s: 0.5
policies:
  steady:
    models: ["*"]
    budgets: {{limits: [{{name: load-monthly, per: [team], amount_usd: 1000000}}]}}
  free:
    models: ["*"]
  budgeted:
    models: ["*"]
    budgets: {{limits: [{{name: spend-monthly, per: [team], amount_usd: {BUDGET_USD}}}]}}
  limited:
    models: ["*"]
    rate_limits: {{limits: [{{per: [team], requests_per_minute: {RATE_PER_MINUTE}}}]}}
audit:
  durability: {s.durability}
  flush_interval_ms: 20
  spool_dir: spool
  node: {node}
  store: {{url: "{s.db_url}"}}
"""


# ---- processes ----------------------------------------------------------------------------------


class Gateway:
    """One `interlock serve` process with its own configuration file and audit spool."""

    def __init__(self, workdir: Path, node: str, yaml_text: str) -> None:
        self.node = node
        self.dir = workdir / node
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config = self.dir / "gateway.yaml"
        self.config.write_text(yaml_text)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.dir / "gateway.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def spawn(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*interlock_command(), "serve", "--config", str(self.config),
                 "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, cwd=self.dir,
                env={**os.environ, "INTERLOCK_LOG_LEVEL": "WARNING"},
            )  # fmt: skip

    def wait_ready(self) -> None:
        ready = lambda: httpx.get(self.url + "/readyz", timeout=2).status_code == 200  # noqa: E731
        _wait_process(self.proc, self.log, ready, self.node)
        self.started_at = time.monotonic()

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def close(self) -> None:
        _terminate(self.proc, grace=15)


NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream interlock {{
{servers}
    keepalive 64;  # a warm pool of connections to the gateways
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 1m;
    location / {{
      proxy_pass http://interlock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;  # server-sent events go out as they arrive
      proxy_connect_timeout 1s;
      proxy_read_timeout 60s;
      # Another gateway is tried only when nothing reached this one (connect refused or timed
      # out): nginx never re-sends a POST that was sent (no `non_idempotent`), so a request that
      # may have run is not run twice, and a gateway's own 429/503 is its answer, not a fault.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      proxy_next_upstream_timeout 5s;
    }}
  }}
}}
"""


class Nginx:
    def __init__(self, workdir: Path, backends: Iterable[int]) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed: run scripts/test-services.sh")
        self.dir = workdir / "nginx"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in backends
        )
        # As root, keep the worker root too: the temp paths live in the test's private folder.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.dir, user=user, servers=servers, port=self.port))
        self.proc = subprocess.Popen(
            [nginx, "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log"),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(
            lambda: httpx.get(self.url + "/healthz", timeout=2).status_code == 200, 20, "nginx"
        )

    def close(self) -> None:
        _terminate(self.proc)


@dataclass(frozen=True, slots=True)
class AuditRow:
    kind: str
    chain: str  # <node>-<slot>: which gateway wrote it
    ts: float


class Cluster:
    """Three gateways on one database and one Redis behind nginx; `keys` are team -> API key."""

    def __init__(self, workdir: Path, settings: ClusterSettings) -> None:
        self.workdir = workdir
        self.settings = settings
        self.keys = seed_organisation(settings.db_url)
        self.gateways = [
            Gateway(workdir, f"gw{i}", gateway_yaml(settings, f"gw{i}"))
            for i in range(1, INSTANCES + 1)
        ]
        self.nginx: Nginx | None = None
        try:
            for gw in self.gateways:
                gw.spawn()  # all three start at once
            for gw in self.gateways:
                gw.wait_ready()
            self.nginx = Nginx(workdir, [gw.port for gw in self.gateways])
        except BaseException:
            self.close()
            raise
        self.url = self.nginx.url

    def client(self, team: str, **options: Any) -> openai.AsyncOpenAI:
        app = next(a for t, a, _ in ORG if t == team)
        return openai.AsyncOpenAI(
            base_url=self.url + "/v1",
            api_key=self.keys[team],
            default_headers={"x-interlock-app": app},
            max_retries=0,
            timeout=options.pop("timeout", 30),
            **options,
        )

    def audited(self, request_ids: Iterable[str]) -> dict[str, AuditRow]:
        """The audit store's records of these requests: request id -> (kind, chain, ts)."""
        ids = list(request_ids)
        with psycopg.connect(self.settings.db_url, connect_timeout=3) as conn:
            rows = conn.execute(
                "SELECT id, kind, chain, ts FROM audit_records WHERE id = ANY(%s)", (ids,)
            ).fetchall()
        found: dict[str, AuditRow] = {}
        for rid, kind, chain, ts in rows:
            if rid not in found or kind == "exchange":  # a stream has `stream_open` and `exchange`
                found[rid] = AuditRow(kind, chain, ts)
        return found

    def records_since(self, node: str, since: float) -> int:
        """Exchange records a gateway wrote at or after `since` (wall time) that reached the store."""
        with psycopg.connect(self.settings.db_url, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT count(*) FROM audit_records WHERE chain LIKE %s AND ts >= %s "
                "AND kind = 'exchange'",
                (f"{node}-%", since),
            ).fetchone()
        return int(row[0]) if row else 0

    def audit_report(self, since: float) -> str:
        """Per gateway: records stored since `since` (wall time) and its last audit log lines,
        printed when a test finds records missing (a stuck shipper shows in one gateway)."""
        out = []
        for gw in self.gateways:
            try:
                stored = str(self.records_since(gw.node, since))
            except psycopg.Error as exc:
                stored = f"? ({exc})"
            lines = [ln for ln in gw.log_since(0).splitlines() if "audit" in ln.lower()]
            out.append(f"  {gw.node}: {stored} exchange records stored since then")
            out.extend(f"    {ln[:300]}" for ln in lines[-15:])
        return "\n".join(out)

    def close(self) -> None:
        if self.nginx is not None:
            self.nginx.close()
        for gw in self.gateways:  # all three drain at once (graceful SIGTERM)
            if gw.proc is not None and gw.proc.poll() is None:
                gw.proc.terminate()
        for gw in self.gateways:
            gw.close()


# ---- load: the official SDK, many concurrent requests ------------------------------------------


@dataclass(slots=True)
class Outcome:
    started: float
    ended: float
    status: int  # HTTP status; 0: no HTTP answer (connection reset), -1: stream broke mid-way
    request_id: str | None
    stream: bool
    verdict: str  # "ok", "wrong" (an answer that does not match its question) or "error"
    code: str | None = None  # the error code the gateway gave
    tokens: int = 0  # usage.total_tokens of an answer


@dataclass
class Tally:
    sent: int
    answered: int
    errors: int
    wrong: int
    codes: dict[str, int]
    p50_ms: float  # latency of the answers
    p99_ms: float

    @property
    def error_rate(self) -> float:
        return self.errors / self.sent if self.sent else 0.0

    def line(self, label: str) -> str:
        codes = ", ".join(f"{k} {v}" for k, v in sorted(self.codes.items()))
        return (
            f"{label}: sent {self.sent}, answered {self.answered}, errors {self.errors} "
            f"({self.error_rate:.2%}), wrong answers {self.wrong}, "
            f"p50 {self.p50_ms:.0f} ms, p99 {self.p99_ms:.0f} ms" + (f" [{codes}]" if codes else "")
        )


def tally(outcomes: Iterable[Outcome]) -> Tally:
    out = list(outcomes)
    codes: dict[str, int] = {}
    for o in out:
        if o.verdict == "error":
            name = o.code or str(o.status)
            codes[name] = codes.get(name, 0) + 1
    took = sorted((o.ended - o.started) * 1000 for o in out if o.verdict != "error")

    def pct(q: float) -> float:
        return took[min(len(took) - 1, int(q * len(took)))] if took else 0.0

    return Tally(
        sent=len(out),
        answered=sum(o.verdict != "error" for o in out),
        errors=sum(o.verdict == "error" for o in out),
        wrong=sum(o.verdict == "wrong" for o in out),
        codes=codes,
        p50_ms=pct(0.5),
        p99_ms=pct(0.99),
    )


def expected_tail(prompt: str) -> str:
    # The simulator answers "Simulated <provider> reply from <model>. You said: <prompt>".
    return f"You said: {prompt}"


class Load:
    """`concurrency` workers, each sending requests back to back until `stop()`; every answer is
    checked against its own question, and every request's outcome is kept with its times."""

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        concurrency: int,
        stream_every: int = 4,
        model: str = "gpt-4o-mini",
        pause_s: float = 0.0,
    ) -> None:
        self.client = client
        self.concurrency = concurrency
        self.stream_every = stream_every
        self.model = model
        self.pause_s = pause_s
        self.outcomes: list[Outcome] = []
        self._loop = LoopThread()
        self._stopping = False
        self._tag = secrets.token_hex(3)
        self._future: Any = None

    def start(self) -> Load:
        async def main() -> None:
            await asyncio.gather(*(self._worker(i) for i in range(self.concurrency)))

        self._future = asyncio.run_coroutine_threadsafe(main(), self._loop.loop)
        return self

    def stop(self) -> list[Outcome]:
        self._stopping = True
        self._future.result(60)
        self._loop.run(self.client.close())
        self._loop.stop()
        return self.outcomes

    def between(self, start: float, end: float) -> list[Outcome]:
        return [o for o in list(self.outcomes) if start <= o.started < end]

    async def _worker(self, worker: int) -> None:
        n = 0
        while not self._stopping:
            n += 1
            stream = self.stream_every > 0 and n % self.stream_every == 0
            prompt = f"q-{self._tag}-{worker}-{n}"
            self.outcomes.append(await self._one(prompt, stream))
            if self.pause_s:
                await asyncio.sleep(self.pause_s)

    async def _one(self, prompt: str, stream: bool) -> Outcome:
        started = time.monotonic()
        messages = [{"role": "user", "content": prompt}]
        rid: str | None = None
        try:
            if stream:
                async with self.client.chat.completions.with_streaming_response.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    stream=True,
                    stream_options={"include_usage": True},
                ) as resp:
                    rid = resp.headers.get("x-request-id")
                    text, finished, tokens = [], False, 0
                    try:
                        async for chunk in await resp.parse():
                            if chunk.usage is not None:
                                tokens = chunk.usage.total_tokens
                            for choice in chunk.choices:
                                text.append(choice.delta.content or "")
                                finished = finished or choice.finish_reason is not None
                    except openai.APIError as exc:  # an error event: the stream did not finish
                        code = getattr(exc, "code", None) or "stream_error"
                        return Outcome(started, time.monotonic(), -1, rid, True, "error", code)
                content = "".join(text)
                ok = finished and content.endswith(expected_tail(prompt))
                verdict = "ok" if ok else "wrong"
                return Outcome(started, time.monotonic(), 200, rid, True, verdict, None, tokens)
            raw = await self.client.chat.completions.with_raw_response.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
            )
            rid = raw.headers.get("x-request-id")
            completion = raw.parse()
            content = completion.choices[0].message.content or ""
            ok = content.endswith(expected_tail(prompt))
            tokens = completion.usage.total_tokens if completion.usage else 0
            return Outcome(
                started, time.monotonic(), 200, rid, False, "ok" if ok else "wrong", None, tokens
            )
        except openai.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            code = body.get("code") or (body.get("error") or {}).get("code")
            return Outcome(
                started, time.monotonic(), exc.status_code,
                exc.response.headers.get("x-request-id"), stream, "error", code,
            )  # fmt: skip
        except (openai.APIConnectionError, openai.APIError) as exc:
            return Outcome(started, time.monotonic(), 0, rid, stream, "error", type(exc).__name__)


def recovery_after(outcomes: Iterable[Outcome], back_at: float) -> float:
    """Seconds from `back_at` until the end of the last failed request that began after it:
    0 when nothing failed once the fault was over."""
    late = [o.ended for o in outcomes if o.verdict == "error" and o.started >= back_at]
    return max(late) - back_at if late else 0.0


def new_work_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"interlock-{prefix}-"))


def shared_database() -> tuple[str, Any]:
    """A fresh database in the test PostgreSQL server; returns (url, drop)."""
    url = create_pg_database()
    return url, lambda: drop_pg_database(url)
