"""Redis faults short of what test_redis_unavailable.py covers, on a redis-server of the test's
own (no persistence) on a free loopback port:

- one slow reply (every command held by `CLIENT PAUSE`, as when the gateway's event loop or
  Redis stalls for a moment) fails the requests that waited on it, but declares no outage;
- Redis restarted empty: the budget counters come back to the ledger's spend (one instance
  seeds, under a lock), and a budget nearly spent stays enforced across two gateway processes.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from interlock.budget.periods import period_at
from tests.budget.support import GatewayProcess, RedisServer, budget_yaml, new_org

BUDGET = """
budgets:
  limits: [{name: red-monthly, per: [team], amount_usd: 0.10}]
"""
LIMIT_NANO = 100_000_000


@pytest.fixture()
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    if server.proc is not None:
        os.kill(server.proc.pid, signal.SIGCONT)
    server.close()


def counters(url: str, mode: str = "refuse") -> str:
    return (
        f"counters: {{backend: redis, url: '{url}', on_unavailable: {mode}, timeout_ms: 200, "
        "flush_s: 0.2}"
    )


def wait_until(check: Any, timeout: float = 20.0) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "condition not met in time"
        time.sleep(0.02)
    return time.monotonic() - started


def test_one_slow_reply_is_not_an_outage_but_a_frozen_redis_is(
    make_gateway: Any, own_redis: RedisServer
) -> None:
    gw = make_gateway(standard=BUDGET, counters=counters(own_redis.url))
    admin = {"authorization": f"Bearer {gw.org.keys['root-admin']}"}

    def status() -> dict[str, Any]:
        return gw.http.get("/admin/spend/status", headers=admin).json()["redis"]  # type: ignore[no-any-return]

    def chat(_: object = None) -> int:
        return gw.chat("gpt-4o", "hello", max_tokens=1).status_code

    assert chat() == 200
    r = redis.Redis.from_url(own_redis.url)
    # Every reply held for 500 ms, with the timeout at 200 ms: eight requests in flight time out
    # together, as they do when the event loop stalls. Each fails alone; none is an outage (the
    # probe sent after the first failure times out once, the next one is answered).
    r.execute_command("CLIENT", "PAUSE", 500, "ALL")
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(chat, range(8)))
    assert set(codes) <= {200, 503} and codes.count(503) >= 1, codes
    time.sleep(1.0)  # long enough for three probes to fail, had Redis stayed away
    s = status()
    print(
        f"\none slow reply: {codes.count(503)}/8 in flight refused (503), "
        f"{s['failed_calls']} failed call(s), {s['outages']} outage(s) declared"
    )
    assert s["available"] is True and s["outages"] == 0 and s["failed_calls"] >= 1
    assert [chat() for _ in range(3)] == [200] * 3

    # Frozen for real: the next failed call is confirmed by probes failing in a row.
    assert own_redis.proc is not None
    os.kill(own_redis.proc.pid, signal.SIGSTOP)
    frozen = time.monotonic()
    assert chat() == 503
    wait_until(lambda: not status()["available"], timeout=20)
    declared = time.monotonic() - frozen
    print(f"frozen Redis: outage declared {declared:.2f} s after it froze (3 probes x 200 ms)")
    assert status()["outages"] == 1
    os.kill(own_redis.proc.pid, signal.SIGCONT)
    wait_until(lambda: status()["available"])
    assert chat() == 200
    r.close()


@pytest.fixture()
def pair_on_own_redis(
    simulator: Any, own_redis: RedisServer, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    db_url, org = new_org(tmp_path)
    config = tmp_path / "gateway.yaml"
    config.write_text(
        budget_yaml(simulator.url, db_url, standard=BUDGET, counters=counters(own_redis.url))
    )
    a = GatewayProcess(config, tmp_path / "a.log")
    try:
        b = GatewayProcess(config, tmp_path / "b.log")
    except BaseException:
        a.close()
        raise
    try:
        yield {"gateways": [a, b], "org": org, "redis": own_redis}
    finally:
        a.close()
        b.close()


def test_redis_restarted_empty_is_reseeded_from_the_ledger(pair_on_own_redis, sim) -> None:
    gateways = pair_on_own_redis["gateways"]
    org = pair_on_own_redis["org"]
    server: RedisServer = pair_on_own_redis["redis"]
    headers = {"authorization": f"Bearer {org.keys['alice']}", "x-interlock-app": "chat"}
    admin = {"authorization": f"Bearer {org.keys['root-admin']}"}
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 1}
    clients = [httpx.Client(base_url=g.url, timeout=20) for g in gateways]
    billed = 0

    def chat(i: int) -> int:
        nonlocal billed
        r = clients[i % 2].post("/v1/chat/completions", json=body, headers=headers)
        if r.status_code == 200:
            billed += r.json()["usage"]["total_tokens"] * 1_000_000  # $0.001 a token, in nano-$
        return r.status_code

    key = f"interlock:b:team=red:{period_at('month', time.time()).id}"
    r = redis.Redis.from_url(server.url)
    try:
        assert [chat(i) for i in range(16)] == [200] * 16
        wait_until(lambda: int(r.hget(key, "s") or 0) == billed)
        before = billed

        def in_ledger() -> int:
            rows = clients[0].get("/admin/spend", params={"by": "team"}, headers=admin).json()
            return sum(x["requests"] for x in rows if x["team"] == "red")  # type: ignore[no-any-return]

        # Both instances flush their ledger every 0.2 s (later on a loaded machine): the reseed
        # below reads it, so wait until all 16 answers are there.
        wait_until(lambda: in_ledger() == 16, 30)
        seeded = [c.get("/admin/spend/status", headers=admin).json()["redis"] for c in clients]

        server.stop()
        server.start()  # empty: no persistence
        assert not r.exists(key)
        restarted = time.monotonic()
        # One request on each instance at once: both are held while one of them seeds the
        # counters from the ledger, then admitted against the ledger's spend.
        with ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(chat, range(2)))
        reseeded = time.monotonic() - restarted
        assert codes == [200, 200], codes
        statuses = [c.get("/admin/spend/status", headers=admin).json()["redis"] for c in clients]
        reseeds = [s["reseeds"] - t["reseeds"] for s, t in zip(statuses, seeded, strict=True)]
        assert sum(reseeds) == 1, statuses  # one instance seeded, the other waited for it
        wait_until(lambda: int(r.hget(key, "s") or 0) == billed)
        print(
            f"\nRedis restarted empty: counter back to the ledger's ${before / 1e9:.4f} (+ the 2 "
            f"requests admitted after) in {reseeded:.2f} s; reseeds per instance {reseeds}, "
            f"outages {[s['outages'] for s in statuses]}, failed calls "
            f"{[s['failed_calls'] for s in statuses]}"
        )

        # The budget is still nearly spent: only what is left of it is admitted, not a fresh
        # $0.10 (about 33 requests at $0.003).
        room = LIMIT_NANO - billed
        codes = []
        while len(codes) < 60 and (not codes or codes[-1] == 200):
            codes.append(chat(len(codes)))
        assert codes[-1] == 429, codes
        served = codes.count(200)
        # $0.003 spent and $0.011 reserved (input + 50 tokens of answer at most) each.
        assert served <= room // 3_000_000 + 1, (served, room)
        wait_until(lambda: int(r.hget(key, "s") or 0) == billed)
        assert billed <= LIMIT_NANO
        print(f"after the reseed: {served} more admitted for ${room / 1e9:.4f} left, then 429")
    finally:
        r.close()
        for c in clients:
            c.close()


def test_settlement_that_meets_the_empty_redis_is_not_lost(pair_on_own_redis, sim) -> None:
    """A request in flight while Redis restarts empty settles onto counters that lost their
    data: kept until the reseed, then dropped if the ledger it read holds it, else added."""
    gateways = pair_on_own_redis["gateways"]
    org = pair_on_own_redis["org"]
    server: RedisServer = pair_on_own_redis["redis"]
    headers = {"authorization": f"Bearer {org.keys['alice']}", "x-interlock-app": "chat"}
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 1}
    key = f"interlock:b:team=red:{period_at('month', time.time()).id}"
    r = redis.Redis.from_url(server.url)
    a = httpx.Client(base_url=gateways[0].url, timeout=20)
    try:
        first = a.post("/v1/chat/completions", json=body, headers=headers)
        assert first.status_code == 200
        cost = first.json()["usage"]["total_tokens"] * 1_000_000
        wait_until(lambda: int(r.hget(key, "s") or 0) == cost)
        sim.add_fault(provider="openai", latency_ms=1500, times=1)
        asked = len(sim.requests())
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(a.post, "/v1/chat/completions", json=body, headers=headers)
            # Admitted and waiting on the provider: it has reached the (slow) upstream.
            wait_until(lambda: len(sim.requests()) > asked, 30)
            server.stop()
            server.start()
            assert slow.result().status_code == 200
        # Nothing admits meanwhile, so the settlement itself (or the watcher) starts the reseed.
        total = 2 * cost
        took = wait_until(lambda: int(r.hget(key, "s") or 0) >= total)
        time.sleep(0.5)
        spent = int(r.hget(key, "s") or 0)
        print(f"\nin-flight settlement over a restart: Redis {spent} nano-$ for {total} in "
              f"the ledger, {took:.2f} s after the answer")  # fmt: skip
        # Never less than the ledger; at most this one settlement counted twice.
        assert total <= spent <= total + cost
    finally:
        r.close()
        a.close()


def test_outage_ending_in_an_empty_redis_counts_every_answer_once(pair_on_own_redis, sim) -> None:
    """Redis stops under load (an outage: settlements of requests in flight are owed to it) and
    comes back empty: the counters are reseeded from the ledger, and the owed settlements the
    ledger already holds are dropped rather than counted twice."""
    gateways = pair_on_own_redis["gateways"]
    org = pair_on_own_redis["org"]
    server: RedisServer = pair_on_own_redis["redis"]
    headers = {"authorization": f"Bearer {org.keys['alice']}", "x-interlock-app": "chat"}
    admin = {"authorization": f"Bearer {org.keys['root-admin']}"}
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 1}
    key = f"interlock:b:team=red:{period_at('month', time.time()).id}"
    clients = [httpx.Client(base_url=g.url, timeout=20) for g in gateways]
    sim.add_fault(provider="openai", latency_ms=800, times=-1)  # requests in flight at the stop
    billed = 0
    codes: list[int] = []
    stop = False

    def load(i: int) -> None:
        nonlocal billed
        while not stop:
            r = clients[i].post("/v1/chat/completions", json=body, headers=headers)
            codes.append(r.status_code)
            if r.status_code == 200:
                billed += r.json()["usage"]["total_tokens"] * 1_000_000
            time.sleep(0.05)

    r = redis.Redis.from_url(server.url)
    try:
        with ThreadPoolExecutor(2) as pool:
            workers = [pool.submit(load, i) for i in range(2)]
            # Both first requests admitted (they reached the upstream), answers 0.8 s away.
            wait_until(lambda: len(sim.requests()) >= 2, 30)
            server.stop()
            time.sleep(1.5)
            server.start()  # empty
            time.sleep(1.5)
            stop = True
            for w in workers:
                w.result()
        statuses = [c.get("/admin/spend/status", headers=admin).json()["redis"] for c in clients]
        wait_until(lambda: int(r.hget(key, "s") or 0) >= billed)
        time.sleep(0.5)
        spent = int(r.hget(key, "s") or 0)
        print(
            f"\nRedis stopped 1.5 s under load, back empty: {codes.count(200)} answered, "
            f"{codes.count(503)} refused (503); outages {[s['outages'] for s in statuses]}, "
            f"reseeds {[s['reseeds'] for s in statuses]}; Redis {spent} nano-$ for {billed} "
            "answered"
        )
        assert set(codes) <= {200, 503} and codes.count(503) >= 1
        assert billed < LIMIT_NANO
        assert spent == billed
        # The two requests in flight at the stop settled during the outage: owed, then found in
        # the ledger the reseed read.
        logs = "".join(g.log.read_text() for g in gateways)
        assert "owed to Redis are in the ledger it was reseeded from: dropped" in logs
    finally:
        stop = True
        r.close()
        for c in clients:
            c.close()
