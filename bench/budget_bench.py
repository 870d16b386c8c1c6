"""What budgets and rate limits cost per request: in-process counters and Redis counters.

    .venv/bin/python bench/budget_bench.py [--iterations 20000] [--redis redis://127.0.0.1:6379/0]

Runs the cost-control stage's two hooks as the pipeline does for one request (`on_plan`:
estimate tokens, admit against two budgets and two rate windows; `on_done`: price the usage,
record the ledger, settle) and compares, in the same run, with:

- floor: the same stage for a caller whose policy has no budget or rate limit (it still prices
  and records the exchange), so the difference is what admission and settlement cost;
- for Redis, one bare PING round trip on the same connection pool, the least any shared
  counter can cost.

Redis: $INTERLOCK_TEST_REDIS_URL or --redis; otherwise a throwaway redis-server is started on
a free loopback port (it must be installed: scripts/test-services.sh installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from interlock.auth.principal import Principal
from interlock.budget.stage import BudgetStage
from interlock.config import parse_config
from interlock.exchange import ChatRequest, ChatResponse, Choice, Exchange, Message, TextPart, Usage
from interlock.providers.base import Target
from interlock.server.runtime import RuntimeHolder

CONFIG = """
auth: {enabled: false}
providers:
  openai: {type: openai, api_key: x}
models:
  gpt-4o: {provider: openai}
  gpt-4o-mini: {provider: openai}
COUNTERS
policies:
  metered:
    models: ["*"]
    budgets:
      limits:
        - {per: [team], period: month, amount_usd: 1000000}
        - {per: [team, app], period: day, amount_usd: 1000000, warn_at: [0.5, 0.8]}
    rate_limits:
      limits:
        - {per: [key], requests_per_minute: 100000000, tokens_per_minute: 1000000000}
  free:
    models: ["*"]
"""

PROMPT = (
    "Summarise the following meeting notes for the finance team, in three bullet points, "
    "keeping every figure: revenue grew 12 % to 4.2 M EUR, costs were flat, hiring paused. "
) * 4


def principal(policy: str) -> Principal:
    cfg = parse_config(CONFIG.replace("COUNTERS", ""))
    return Principal(
        identity_id="id7", team_id="team7", app_id="app7", policy_name=policy,
        policy=cfg.policies[policy], binding_id="b7", credential="api_key", key_id="ilk_bench",
    )  # fmt: skip


async def timed(label: str, fn: Callable[[], Awaitable[Any]], n: int) -> float:
    for _ in range(min(1000, n)):
        await fn()
    samples = []
    batch = 100
    for _ in range(max(1, n // batch)):
        start = time.perf_counter_ns()
        for _ in range(batch):
            await fn()
        samples.append((time.perf_counter_ns() - start) / batch / 1000)
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)
    print(f"  {label:<58} {median:8.2f} µs  (p95 {p95:7.2f} µs)")
    return median


async def build(counters: str) -> tuple[BudgetStage, RuntimeHolder]:
    config = parse_config(CONFIG.replace("COUNTERS", counters))
    holder = RuntimeHolder(None, config)
    holder.start()
    stage = BudgetStage(holder, config)
    stage.state()
    await stage._ready()
    return stage, holder


def one_request(stage: BudgetStage, who: Principal, target: Target) -> Callable[[], Awaitable[Any]]:
    request = ChatRequest("gpt-4o", [Message("user", [TextPart(PROMPT)])], max_tokens=256)
    answer = ChatResponse("r", "gpt-4o", [Choice(0, [TextPart("ok " * 50)])], Usage(180, 60))
    counter = iter(range(10**12))

    async def run() -> None:
        ex = Exchange(f"req_{next(counter)}", "openai.chat")
        ex.principal = who
        ex.request = request
        planned = stage.on_plan(ex, [target])  # hooks may answer without a coroutine
        plan = planned if isinstance(planned, list) else await planned
        ex.served_by = ("openai", plan[0].name)
        ex.response = answer
        ex.usage = answer.usage
        settling = stage.on_done(ex)
        if settling is not None:
            await settling

    return run


def start_redis() -> tuple[str, subprocess.Popen[bytes] | None, str | None]:
    url = os.environ.get("INTERLOCK_TEST_REDIS_URL")
    if url:
        return url, None, None
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("no Redis: set INTERLOCK_TEST_REDIS_URL or install redis-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tempfile.mkdtemp(prefix="interlock-bench-redis-")
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.3)
    return f"redis://127.0.0.1:{port}/0", proc, workdir


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--redis", help="Redis URL (default: $INTERLOCK_TEST_REDIS_URL or own)")
    args = parser.parse_args()
    n = args.iterations
    target = Target("gpt-4o", "openai", "gpt-4o")
    metered, free = principal("metered"), principal("free")

    print(f"cost control per request ({n:,} requests each; 2 budgets + 2 rate windows)")
    stage, holder = await build("")
    floor = await timed("floor: no budget or rate limit (price + ledger only)",
                        one_request(stage, free, target), n)  # fmt: skip
    memory = await timed("in-process counters: admit + settle",
                         one_request(stage, metered, target), n)  # fmt: skip
    await holder.close()

    url, proc, workdir = (args.redis, None, None) if args.redis else start_redis()
    try:
        prefix = f"bench{os.urandom(3).hex()}:"
        stage, holder = await build(
            f"counters: {{backend: redis, url: '{url}', prefix: '{prefix}'}}"
        )
        shared = stage.failover.shared
        ping = await timed("Redis PING round trip (the least a shared counter costs)",
                           shared.client.ping, n // 4)  # fmt: skip
        redis_cost = await timed("Redis counters: admit (1 script) + settle (batched)",
                                 one_request(stage, metered, target), n // 4)  # fmt: skip
        if stage._pending_settles:
            await asyncio.wait(list(stage._pending_settles))
        concurrent = one_request(stage, metered, target)

        async def sixty_four() -> None:
            await asyncio.gather(*(concurrent() for _ in range(64)))

        per_batch = await timed("Redis counters, 64 concurrent requests (per batch)",
                                sixty_four, max(200, n // 100))  # fmt: skip
        keys = [k async for k in shared.client.scan_iter(match=prefix + "*")]
        if keys:
            await shared.client.delete(*keys)
        await stage.failover.close()
        await holder.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(5)
            shutil.rmtree(workdir or "", ignore_errors=True)

    print()
    print(f"in-process budgets + rate limits add {memory - floor:6.2f} µs per request "
          f"({memory / floor:.2f}x the floor)")  # fmt: skip
    print(f"Redis budgets + rate limits add      {redis_cost - floor:6.2f} µs per request "
          f"({redis_cost / floor:.2f}x the floor, {redis_cost / ping:.2f}x one PING)")  # fmt: skip
    print(f"  with 64 requests in flight:         {per_batch / 64:6.2f} µs per request "
          f"(settlements batched into pipelines)")  # fmt: skip


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    asyncio.run(main())
