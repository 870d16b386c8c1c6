"""The simulator's configuration and the mutable state shared by all of its handlers."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from interlock.simulator.faults import FaultRegistry

# A long-running `interlock simulate` would otherwise grow the log without bound.
REQUEST_LOG_LIMIT = 10_000


@dataclass
class SimulatorConfig:
    openai_key: str = "sim-openai-key"
    azure_key: str = "sim-azure-key"
    anthropic_key: str = "sim-anthropic-key"
    gemini_key: str = "sim-gemini-key"
    aws_access_key_id: str = "SIMULATORKEYID"
    aws_secret_access_key: str = "sim-aws-secret"
    aws_region: str = "us-east-1"
    chunk_latency_ms: int = 0


@dataclass
class SimulatorState:
    config: SimulatorConfig
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_LIMIT))
    # Set when the server shuts down, so that "hang" faults let go of their handlers.
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self, prefix: str) -> str:
        """Response ids: unique per server, readable, and stable across runs of one test."""
        return f"{prefix}{next(self._ids):06d}"

    def record(
        self,
        request: web.Request,
        provider: str,
        model: str | None,
        body: Any,
    ) -> None:
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self.requests.append(
            {
                "provider": provider,
                "model": model,
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "headers": headers,
                "body": body,
                "timestamp": time.time(),
            }
        )


STATE: web.AppKey[SimulatorState] = web.AppKey("interlock_simulator_state", SimulatorState)
