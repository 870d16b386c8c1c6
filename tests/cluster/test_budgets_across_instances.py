"""Budgets and rate limits across the three instances, 200 concurrent clients through nginx.

Each admission reserves the request's worst case in Redis (one script, atomic across
instances); settlement replaces it by the real cost. So a budget can be passed by at most the
reservations in flight — here not at all, since no answer costs more than its reservation — and a
shared rate limit admits its capacity plus what refilled during the burst, whatever instance
each request lands on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import openai
import redis

from interlock.budget.periods import period_at
from tests.cluster.harness import BUDGET_USD, NANO_PER_TOKEN, RATE_PER_MINUTE, Cluster

CLIENTS = 200
ROOM_USD = 0.10  # what is left of the budget when the burst starts


async def burst(client: openai.AsyncOpenAI, n: int, **params: Any) -> list[tuple[int, Any, Any]]:
    async def one(i: int) -> tuple[int, Any, Any]:
        try:
            raw = await client.chat.completions.with_raw_response.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": f"hello {i}"}], **params
            )
            return 200, raw.headers, raw.parse()
        except openai.APIStatusError as exc:
            return exc.status_code, exc.response.headers, exc.body

    try:
        return await asyncio.gather(*(one(i) for i in range(n)))
    finally:
        await client.close()


def test_200_clients_cannot_overspend_a_budget_shared_by_three_instances(
    cluster: Cluster, clean_sims
) -> None:
    r = redis.Redis.from_url(cluster.settings.redis_url)
    counter = f"{cluster.settings.redis_prefix}b:team=spend:{period_at('month', time.time()).id}"
    limit = int(BUDGET_USD * 1e9)
    pre_spent = limit - int(ROOM_USD * 1e9)
    r.hset(counter, "s", pre_spent)  # nearly spent: room for a handful of requests at once
    # Slow answers keep many requests in flight at once, each holding its reservation.
    clean_sims["primary"].control.add_fault(latency_ms=150, times=-1)

    results = asyncio.run(burst(cluster.client("spend"), CLIENTS, max_tokens=5))
    ok = [body for status, _, body in results if status == 200]
    refused = [body for status, _, body in results if status != 200]
    assert all(status in (200, 429) for status, _, _ in results), [
        (status, body) for status, _, body in results if status not in (200, 429)
    ][:3]
    assert all(body["code"] == "budget_exceeded" for body in refused)

    deadline = time.monotonic() + 10
    while any(k.startswith(b"r") for k in r.hkeys(counter)):  # every reservation settled
        assert time.monotonic() < deadline, r.hgetall(counter)
        time.sleep(0.05)
    spent = int(r.hget(counter, "s"))
    billed = sum(c.usage.total_tokens for c in ok) * NANO_PER_TOKEN
    worst = max(c.usage.total_tokens for c in ok) * NANO_PER_TOKEN
    r.close()
    print(
        f"\nbudget ${BUDGET_USD} with ${ROOM_USD} left, {CLIENTS} concurrent clients via nginx: "
        f"answered {len(ok)}, refused {len(refused)} (budget_exceeded); spent ${spent / 1e9:.4f} "
        f"of ${limit / 1e9:.4f}, overspend ${max(0, spent - limit) / 1e9:.4f} (bound: reservations "
        f"in flight, at most {CLIENTS} x ${worst / 1e9:.3f})"
    )
    assert 6 <= len(ok) < CLIENTS
    assert spent - pre_spent == billed  # every answer settled at its real cost, nothing lost
    assert spent <= limit  # never past the limit


def test_200_clients_share_one_rate_limit_across_three_instances(
    cluster: Cluster, clean_sims
) -> None:
    clean_sims["primary"].control.add_fault(latency_ms=50, times=-1)
    start = time.monotonic()
    results = asyncio.run(burst(cluster.client("burst"), CLIENTS))
    elapsed = time.monotonic() - start
    ok = [h for status, h, _ in results if status == 200]
    limited = [(h, body) for status, h, body in results if status == 429]
    refill = RATE_PER_MINUTE / 60 * elapsed
    print(
        f"\nrate limit {RATE_PER_MINUTE}/min for one team, {CLIENTS} concurrent clients via nginx "
        f"over {elapsed:.1f}s: admitted {len(ok)} (bound {RATE_PER_MINUTE} + {refill:.1f} "
        f"refilled), refused {len(limited)}"
    )
    assert len(ok) + len(limited) == CLIENTS
    assert RATE_PER_MINUTE <= len(ok) <= RATE_PER_MINUTE + refill + 1
    for headers, body in limited:
        assert body["code"] == "rate_limited"
        assert int(headers["retry-after"]) >= 1
