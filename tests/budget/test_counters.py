"""The counter backends behave alike: in-process, and Redis (a real server) through its Lua
scripts. All-or-nothing admission, reservations, settlement, thresholds once per counter."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from interlock.budget.counters import (
    BudgetCheck,
    BudgetSettle,
    MemoryCounters,
    RateCheck,
    Settlement,
    TokenRefund,
)
from interlock.budget.redis_counters import RedisCounters
from tests.budget.support import redis_url

FAR = 4_000_000_000.0  # expiry far in the future


@pytest.fixture(params=["memory", "redis"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[object]:
    if request.param == "memory":
        yield MemoryCounters()
        return
    prefix = f"test:{os.urandom(4).hex()}:"
    c = RedisCounters(redis_url(), 2.0, prefix)
    await c.client.set(c.epoch_key, "seeded")  # what a gateway does once it seeded from its ledger
    yield c
    keys = [k async for k in c.client.scan_iter(match=prefix + "*")]
    if keys:
        await c.client.delete(*keys)
    await c.close()


def budget(key: str, limit: int | None, reserve: int) -> BudgetCheck:
    return BudgetCheck(key, limit, reserve, FAR)


async def test_admission_is_all_or_nothing(counters) -> None:
    rates = [RateCheck("r:a:rpm", 5, 5 / 60, 1, 120)]
    # b2 cannot hold the reservation: nothing is taken, from the rate bucket or from b1.
    refused = await counters.admit(rates, [budget("b:1", 100, 60), budget("b:2", 50, 60)])
    assert not refused.admitted and refused.exceeded == [1] and refused.refused_rate is None
    ok = await counters.admit(rates, [budget("b:1", 100, 60), budget("b:2", 70, 60)])
    assert ok.admitted and ok.spent == [0, 0] and ok.reserved == [0, 0]
    assert ok.levels == [pytest.approx(4, abs=0.01)]  # one request taken, not two
    again = await counters.admit([], [budget("b:1", 100, 60)])
    assert not again.admitted and again.reserved == [60]  # 60 + 60 > 100


async def test_settle_replaces_the_reservation_and_reports_thresholds_once(counters) -> None:
    a = await counters.admit([], [budget("b:w", 1000, 400)])
    crossed = await counters.settle(
        Settlement([], [BudgetSettle("b:w", 400, 550, 1000, (0.5, 0.8), FAR)], a.ticket),
        a.backend,
    )
    assert crossed == [(0, 0.5, 550)]
    b = await counters.admit([], [budget("b:w", 1000, 400)])
    assert b.admitted and b.spent == [550] and b.reserved == [0]
    crossed = await counters.settle(
        Settlement([], [BudgetSettle("b:w", 400, 300, 1000, (0.5, 0.8), FAR)], b.ticket),
        b.backend,
    )
    assert crossed == [(0, 0.8, 850)]  # 0.5 was reported already
    # A reservation-free settlement (spend only) still counts, and reports nothing twice.
    crossed = await counters.settle(
        Settlement([], [BudgetSettle("b:w", 0, 10, 1000, (0.5, 0.8), FAR)], 0), b.backend
    )
    assert crossed == []
    assert await counters.mark_once("b:w", "exceeded", FAR) is True
    assert await counters.mark_once("b:w", "exceeded", FAR) is False


async def test_token_bucket_refund_and_retry_after(counters) -> None:
    tpm = RateCheck("r:t:tpm", 100, 100 / 60, 80, 120)
    a = await counters.admit([tpm], [])
    assert a.admitted and a.levels[0] == pytest.approx(20, abs=0.1)
    refused = await counters.admit([tpm], [])
    assert not refused.admitted and refused.refused_rate == 0
    assert refused.retry_after == pytest.approx(60 / 100 * 60, abs=0.2)  # 60 tokens at 100/min
    # The answer used 30 of the 80: 50 come back (20 + 50 = 70 in the bucket).
    await counters.settle(
        Settlement([TokenRefund("r:t:tpm", 100, 100 / 60, 50)], [], a.ticket), a.backend
    )
    b = await counters.admit([RateCheck("r:t:tpm", 100, 100 / 60, 70, 120)], [])
    assert b.admitted and b.levels[0] == pytest.approx(0, abs=0.2)


async def test_concurrent_admissions_never_pass_the_limit(counters) -> None:
    """200 concurrent admit/settle cycles against a budget with room for a handful: the settled
    spend stays within the limit because every admission reserved its worst case first."""
    limit, worst = 1_000_000, 100_000
    clients = [counters]
    if isinstance(counters, RedisCounters):  # a second connection pool, like a second instance
        clients.append(RedisCounters(redis_url(), 2.0, counters.prefix))
    # Nearly spent: 250,000 left.
    seed = await counters.admit([], [budget("b:c", limit, 0)])
    await counters.settle(
        Settlement([], [BudgetSettle("b:c", 0, 750_000, limit, (), FAR)], seed.ticket), seed.backend
    )
    admitted = 0

    async def one(i: int) -> None:
        nonlocal admitted
        c = clients[i % len(clients)]
        a = await c.admit([], [budget("b:c", limit, worst)])
        if not a.admitted:
            return
        admitted += 1
        await asyncio.sleep(random.random() * 0.01)
        real = random.randint(worst // 4, worst)  # never above the worst case
        await c.settle(
            Settlement([], [BudgetSettle("b:c", worst, real, limit, (), FAR)], a.ticket), a.backend
        )

    await asyncio.gather(*(one(i) for i in range(200)))
    final = await counters.admit([], [budget("b:c", limit, 0)])
    assert final.reserved == [0]
    assert admitted >= 2
    assert final.spent[0] <= limit
    for extra in clients[1:]:
        await extra.close()


async def test_stale_reservations_of_a_crashed_instance_expire() -> None:
    """Reservations older than the longest request are dropped by the next admission."""
    prefix = f"test:{os.urandom(4).hex()}:"
    c = RedisCounters(redis_url(), 2.0, prefix, max_request_s=60)
    await c.client.set(c.epoch_key, "seeded")
    try:
        a = await c.admit([], [budget("b:s", 100, 90)])
        assert a.admitted
        # Move the reservation back in time, as if its instance died two minutes ago.
        raw = aioredis.Redis.from_url(redis_url())
        slot = a.ticket
        value = await raw.hget(prefix + "b:s", f"r{slot}")
        await raw.hdel(prefix + "b:s", f"r{slot}")
        await raw.hset(prefix + "b:s", f"r{slot - 5}", value)
        b = await c.admit([], [budget("b:s", 100, 90)])
        assert b.admitted and b.reserved == [0]
        assert not await raw.hexists(prefix + "b:s", f"r{slot - 5}")
        await raw.delete(prefix + "b:s", c.epoch_key)
        await raw.aclose()
    finally:
        await c.close()
