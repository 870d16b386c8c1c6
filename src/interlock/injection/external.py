"""External guard services as extra signals: one POST per checked text, with a deadline.

A guard that times out, answers with an error status or with something unreadable has
*failed*; its `on_failure` decides whether that refuses the request (closed, the default for a
security control) or is recorded and ignored (open).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp

from interlock.injection.config import ExternalDetector


@dataclass(slots=True)
class ExternalResult:
    name: str
    score: float | None  # None: the guard failed
    error: str | None = None


def read_path(body: Any, path: str) -> Any:
    node = body
    for key in path.split("."):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            raise KeyError(path)
    return node


def as_score(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and 0.0 <= float(value) <= 1.0:
        return float(value)
    raise ValueError(f"not a score in 0..1: {value!r}")


async def ask(
    session: aiohttp.ClientSession, guard: ExternalDetector, text: str, context: str
) -> ExternalResult:
    try:
        async with asyncio.timeout(guard.timeout_s):
            async with session.post(
                guard.url,
                json={guard.text_field: text, "context": context},
                headers=guard.headers,
            ) as resp:
                if resp.status >= 400:
                    return ExternalResult(guard.name, None, f"status {resp.status}")
                body = await resp.json(content_type=None)
        return ExternalResult(guard.name, as_score(read_path(body, guard.score_path)))
    except TimeoutError:
        return ExternalResult(guard.name, None, "timeout")
    except (aiohttp.ClientError, ValueError, KeyError, TypeError) as exc:
        return ExternalResult(guard.name, None, type(exc).__name__)
