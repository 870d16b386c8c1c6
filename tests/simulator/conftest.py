"""Fixtures: a real simulator on a free loopback port, one per test module.

The simulator runs on its own event loop in a background thread, so that tests can use the
async SDKs, plain sync clients (botocore, urllib) and the sync `SimulatorClient` alike.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Iterator
from typing import Any

import pytest

from interlock.simulator import RunningSimulator, SimulatorClient, SimulatorConfig, start_simulator

OPENAI_KEY = "sim-openai-key"
AZURE_KEY = "sim-azure-key"
ANTHROPIC_KEY = "sim-anthropic-key"
GEMINI_KEY = "sim-gemini-key"
AWS_KEY_ID = "SIMULATORKEYID"
AWS_SECRET = "sim-aws-secret"
AWS_REGION = "us-east-1"


class BackgroundLoop:
    """An event loop in a daemon thread; `run` executes a coroutine there and waits for it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Awaitable[Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def sim_server() -> Iterator[RunningSimulator]:
    loop = BackgroundLoop()
    server: RunningSimulator = loop.run(start_simulator(SimulatorConfig(), port=0))
    yield server
    loop.run(server.stop())
    loop.close()


@pytest.fixture()
def sim_url(sim_server: RunningSimulator) -> str:
    return sim_server.url


@pytest.fixture()
def control(sim_server: RunningSimulator) -> Iterator[SimulatorClient]:
    """The control client, with faults and the request log cleared around each test."""
    client = SimulatorClient(sim_server.url)
    client.clear_faults()
    client.clear_requests()
    yield client
    client.clear_faults()
