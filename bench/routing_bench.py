"""What routing costs per request, in µs, against a floor measured in the same run.

The floor is what every request already pays for routing: the compiled table lookup of a
concrete model name and the policy filter. `auto` adds the routing stage's `on_plan`: facts
(token estimate, tools, images, schema), rules, constraint checks over 8 candidates with live
latency and breaker state, ranking, and the decision recorded on the exchange.

    .venv/bin/python bench/routing_bench.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interlock.budget.tokens import estimate_input_tokens
from interlock.config import parse_config
from interlock.exchange import ChatRequest, Exchange, Message, TextPart, Tool
from interlock.routing.stage import RoutingStage
from interlock.server.runtime import Runtime
from routing_org import org_config

ROUNDS = 7
ITERATIONS = 3000


class _Holder:
    def __init__(self, runtime: Runtime) -> None:
        self.current = runtime


def _request(text: str, tools: bool = False) -> ChatRequest:
    return ChatRequest(
        model="auto",
        messages=[
            Message("system", [TextPart("You are terse.")]),
            Message("user", [TextPart(text)]),
        ],
        tools=[Tool("lookup", "find a record", {"type": "object"})] if tools else [],
    )


def _per_call_us(fn: Any) -> float:
    samples = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        for _ in range(ITERATIONS):
            fn()
        samples.append((time.perf_counter() - t0) / ITERATIONS * 1e6)
    return statistics.median(samples)


async def main() -> None:
    config = parse_config(org_config("http://127.0.0.1:9"))
    runtime = Runtime(config)
    stage = RoutingStage(_Holder(runtime))  # type: ignore[arg-type]
    for i in range(200):  # live latency for every model, as after some traffic
        for name, model in config.models.items():
            stage.latency.record(model.provider, name, 200 + (i * 37 + len(name)) % 300)

    def floor() -> None:
        plan = runtime.routes.plan("gpt-5", "chat")
        [t for t in plan if t.name]

    def routed(req: ChatRequest) -> Any:
        def once() -> None:
            ex = Exchange("req_bench", "openai.chat", request=req)
            stage.on_plan(ex, runtime.routes.plan("auto", "chat"))  # a plain call, no coroutine

        return once

    short = _request("Is this message spam? 'You won a prize, click here'")
    tools = _request("Extract the invoice number from: INV-2291 dated 3 May", tools=True)
    long = _request("The quarterly report says revenue grew. " * 2500)  # ~20k tokens
    floor_us = _per_call_us(floor)
    rows = [("floor: concrete model lookup + policy filter", floor_us)]
    for label, req in (("auto, short prompt", short), ("auto, tools", tools),
                       ("auto, 100 kB prompt", long)):  # fmt: skip
        rows.append((label, _per_call_us(routed(req))))
    est_us = _per_call_us(lambda: estimate_input_tokens(long))
    rows.append(("  of which token estimate of the 100 kB prompt", est_us))
    print(f"{'what':<50} {'µs/request':>11} {'× floor':>9}")
    for label, us in rows:
        print(f"{label:<50} {us:>11.2f} {us / floor_us:>9.1f}")
    await runtime.dispatcher.close()


if __name__ == "__main__":
    asyncio.run(main())
