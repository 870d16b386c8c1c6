"""Test support: real servers on loopback sockets, each on its own event loop thread.

The gateway and the simulator run in background threads so tests can use both the sync and
the async official SDK clients against them, exactly as an application would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from interlock.config import parse_config
from interlock.server.app import HOLDER, build_app


def free_port() -> int:
    """A loopback port nobody listens on (closed again before anyone binds it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LoopThread:
    """An event loop in a daemon thread; `run` executes a coroutine there and waits for it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Awaitable[Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class GatewayServer:
    """A real gateway on 127.0.0.1:<free port>, built from YAML text."""

    def __init__(
        self, yaml_text: str, config_path: Path | None = None, addons: list[Any] | None = None
    ) -> None:
        self.loop = LoopThread()
        if config_path is not None:
            config_path.write_text(yaml_text)
        config = parse_config(yaml_text)
        self.app: web.Application = build_app(config, config_path, addons)
        self.runner = web.AppRunner(self.app, access_log=None)

        async def start() -> int:
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        self.port: int = self.loop.run(start())
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def holder(self) -> Any:
        return self.app[HOLDER]

    def call(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        return self.loop.run(fn())

    def close(self) -> None:
        try:
            self.loop.run(self.runner.cleanup())
        finally:
            self.loop.stop()


def gateway_config(sim_url: str, extra_models: str = "", retry: str | None = None) -> str:
    """A configuration with one provider of every family, all pointing at the simulator."""
    retry = retry or "{max_attempts: 3, backoff_base_s: 0.01, backoff_max_s: 0.05}"
    return f"""
# The core suites test translation and dispatch; tests/auth tests zero trust itself.
auth: {{enabled: false}}
server:
  max_body_bytes: 200000
  total_timeout_s: 20
providers:
  openai:
    type: openai
    base_url: {sim_url}/v1
    api_key: sim-openai-key
    retry: {retry}
    timeouts: {{connect_s: 2, read_s: 3}}
  azure:
    type: azure
    base_url: {sim_url}
    api_key: sim-azure-key
    api_version: "2024-10-21"
    retry: {retry}
  anthropic:
    type: anthropic
    base_url: {sim_url}
    api_key: sim-anthropic-key
    retry: {retry}
  bedrock:
    type: bedrock
    base_url: {sim_url}
    region: us-east-1
    access_key_id: SIMULATORKEYID
    secret_access_key: sim-aws-secret
    retry: {retry}
  gemini:
    type: gemini
    base_url: {sim_url}
    api_key: sim-gemini-key
    retry: {retry}
  vllm:
    type: openai_compatible
    base_url: {sim_url}/v1
    api_key: sim-openai-key
    retry: {retry}
models:
  gpt-4o-mini: {{provider: openai, aliases: [fast]}}
  azure-gpt: {{provider: azure, model: my-deployment}}
  claude-sonnet: {{provider: anthropic, model: claude-sonnet-4-5}}
  bedrock-claude: {{provider: bedrock, model: "anthropic.claude-3-5-sonnet-20240620-v1:0"}}
  gemini-flash: {{provider: gemini, model: gemini-2.0-flash}}
  local-llama: {{provider: vllm, model: llama-3.1-8b}}
  text-embedding-3-small: {{provider: openai, kind: embedding}}
  azure-embed: {{provider: azure, model: embed-deployment, kind: embedding}}
  gemini-embed: {{provider: gemini, model: text-embedding-004, kind: embedding}}
{extra_models}"""


# Chat models by provider family, as named in `gateway_config`; tests run every ingress × these.
CHAT_MODELS = {
    "openai": "gpt-4o-mini",
    "azure": "azure-gpt",
    "anthropic": "claude-sonnet",
    "bedrock": "bedrock-claude",
    "gemini": "gemini-flash",
    "openai_compatible": "local-llama",
}
# What the simulator calls each of them in its answers ("Simulated {provider} reply from {model}").
SIM_NAMES = {
    "openai": ("openai", "gpt-4o-mini"),
    "azure": ("azure", "my-deployment"),
    "anthropic": ("anthropic", "claude-sonnet-4-5"),
    "bedrock": ("bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
    "gemini": ("gemini", "gemini-2.0-flash"),
    "openai_compatible": ("openai", "llama-3.1-8b"),
}
