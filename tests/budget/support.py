"""Test support for cost control: gateways with auth on over a seeded organisation, budgets and
rate limits in their policies, a real webhook receiver, real Redis servers."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import orjson
import pytest
import redis
from aiohttp import web

from interlock.budget.stage import BUDGET_STAGE, BudgetStage
from interlock.budget.webhook import SIGNATURE_HEADER, verify_signature
from tests.auth.support import POLICY_NAMES, Capture, Org, seed_org
from tests.support import GatewayServer, LoopThread, free_port

REDIS_ENV = "INTERLOCK_TEST_REDIS_URL"
WEBHOOK_SECRET = "whsec-test-" + os.urandom(8).hex()

# Prices chosen so costs are easy to read: gpt-4o costs $0.001 per token in or out, gpt-4o-mini
# a tenth of that. Answers are capped at 50 tokens, so a worst case is small and exact.
MODELS = """
  gpt-4o:
    provider: openai
    price: {input_per_mtok: 1000, output_per_mtok: 1000, max_output_tokens: 50}
  gpt-4o-mini:
    provider: openai
    price: {input_per_mtok: 100, output_per_mtok: 100, max_output_tokens: 50}
  gpt-cache:
    provider: openai
    model: gpt-4o-cache
    price: {input_per_mtok: 1000, output_per_mtok: 2000, cached_input_per_mtok: 100}
  claude-sonnet: {provider: anthropic, model: claude-sonnet-4-5}
  local-llama: {provider: vllm, model: llama-3.1-8b}
  text-embedding-3-small: {provider: openai, kind: embedding}
"""


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.fail(
            f"{REDIS_ENV} is not set: the cost-control tests need a real Redis server. Start one "
            f'with `eval "$(scripts/test-services.sh)"` (installs redis-server from Debian '
            "packages if missing and starts a throwaway server on loopback), then run again.",
            pytrace=False,
        )
    return url


def budget_yaml(
    sim_url: str,
    db_url: str,
    standard: str = "",
    open_policy: str = "",
    counters: str = "",
    total_timeout_s: float = 20,
) -> str:
    """A gateway with auth on (API keys), the test models, and the two seeded policies:
    `standard` (team red, app chat) and `open` (alice on search, team blue on billing)."""
    return f"""
server: {{max_body_bytes: 200000, total_timeout_s: {total_timeout_s}}}
providers:
  openai:
    type: openai
    base_url: {sim_url}/v1
    api_key: sim-openai-key
    retry: {{max_attempts: 1}}
  anthropic:
    type: anthropic
    base_url: {sim_url}
    api_key: sim-anthropic-key
    retry: {{max_attempts: 1}}
  vllm:
    type: openai_compatible
    base_url: {sim_url}/v1
    api_key: sim-openai-key
models:{MODELS}
database: {{url: "{db_url}", refresh_s: 0.2}}
auth:
  throttle: {{threshold: 100000}}
{counters}
policies:
  standard:
    models: ["*"]
{_indent(standard, 4)}
  open:
    models: ["*"]
{_indent(open_policy, 4)}
"""


def _indent(text: str, n: int) -> str:
    lines = [line for line in text.strip("\n").splitlines()]
    if not lines:
        return ""
    common = min(len(x) - len(x.lstrip()) for x in lines if x.strip())
    return "\n".join(" " * n + x[common:] for x in lines)


class Gateway:
    """An in-process gateway (auth on) over a seeded SQLite organisation."""

    def __init__(self, yaml_text: str, org: Org, tmp: Path) -> None:
        self.capture = Capture()
        self.server = GatewayServer(yaml_text, tmp / "gateway.yaml", addons=[self.capture])
        self.org = org
        self.url = self.server.url
        self.http = httpx.Client(base_url=self.url, timeout=20)
        self.closed = False

    @property
    def stage(self) -> BudgetStage:
        return self.server.app[BUDGET_STAGE]  # type: ignore[return-value]

    def client(self, key: str = "alice", app: str = "chat") -> openai.OpenAI:
        return openai.OpenAI(
            base_url=self.url + "/v1",
            api_key=self.org.keys[key],
            default_headers={"x-interlock-app": app},
            max_retries=0,
        )

    def chat(
        self, model: str = "gpt-4o", text: str = "hello", key: str = "alice", app: str = "chat",
        **extra: Any,
    ) -> httpx.Response:  # fmt: skip
        body = {"model": model, "messages": [{"role": "user", "content": text}], **extra}
        headers = {"authorization": f"Bearer {self.org.keys[key]}", "x-interlock-app": app}
        return self.http.post("/v1/chat/completions", json=body, headers=headers)

    def decisions(self, request_id: str, stage: str | None = None) -> list[Any]:
        deadline = time.monotonic() + 20  # generous: returns as soon as the exchange is done
        while request_id not in self.capture.exchanges:
            assert time.monotonic() < deadline, f"no exchange {request_id}"
            time.sleep(0.01)
        ex = self.capture.exchanges[request_id]
        return [d for d in ex.decisions if stage is None or d.stage == stage]

    def call(self, fn: Callable[[], Any]) -> Any:
        return self.server.call(fn)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.http.close()
        self.server.close()


def new_org(tmp: Path) -> tuple[str, Org]:
    url = f"sqlite:///{tmp / 'org.db'}"
    return url, seed_org(url, POLICY_NAMES)


class WebhookReceiver:
    """A real HTTP server on loopback that checks every delivery's signature."""

    def __init__(self, secret: str = WEBHOOK_SECRET, fail_first: int = 0) -> None:
        self.secret = secret
        self.events: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.fail_first = fail_first
        self.attempts = 0
        self.loop = LoopThread()
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self.runner = web.AppRunner(app, access_log=None)

        async def start() -> int:
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        self.url = f"http://127.0.0.1:{self.loop.run(start())}/hook"

    async def _hook(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return web.Response(status=503)
        body = await request.read()
        if not verify_signature(self.secret, body, request.headers.get(SIGNATURE_HEADER, "")):
            self.bad_signatures += 1
            return web.Response(status=401)
        self.events.append(orjson.loads(body))
        return web.Response(status=204)

    def wait_for(self, n: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events) < n:
            assert time.monotonic() < deadline, f"{len(self.events)} webhook events, wanted {n}"
            time.sleep(0.02)
        return self.events

    def close(self) -> None:
        self.loop.run(self.runner.cleanup())
        self.loop.stop()


class RedisServer:
    """A Redis server of our own on a free loopback port, to stop and start at will."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "redis-server is not installed: run scripts/test-services.sh", pytrace=False
            )
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="interlock-redis-test-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except Exception:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)


class GatewayProcess:
    """`interlock serve` in its own process, as a deployment runs it."""

    def __init__(self, config: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interlock.cli.main", "serve", "--config", str(config),
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, "INTERLOCK_LOG_LEVEL": "WARNING"},
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gateway did not start:\n{log.read_text()}")
            time.sleep(0.05)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()
