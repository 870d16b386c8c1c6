"""Redis and PostgreSQL stopped and started again under load, on the cluster's own servers.

Redis: the counters' policy here is `on_unavailable: refuse` (the default, fail closed): while
Redis is away, traffic under a budget or rate limit is refused with 503 `counters_unavailable`
and traffic under neither is served as usual; spend settled meanwhile is owed to Redis and paid
when it is back; each instance notices Redis is back by itself (a probe every `flush_s`). Redis
runs with an append-only file, as a deployment that keeps budget counters in it must.

PostgreSQL: the identity view is trusted from memory for `max_staleness_s` (3 s here), then
authentication fails closed (503 `auth_unavailable`) until the database answers
again; audit records wait in each instance's spool and the spend ledger in memory, and both
reach PostgreSQL once it is back.
"""

from __future__ import annotations

import time

import psycopg
import redis

from interlock.budget.periods import period_at
from tests.cluster.harness import (
    NANO_PER_TOKEN,
    Cluster,
    Load,
    Outcome,
    recovery_after,
    tally,
    wait_until,
)


def _errors(outcomes: list[Outcome]) -> list[tuple[int, str | None]]:
    return [(o.status, o.code) for o in outcomes if o.verdict == "error"]


def test_redis_stopped_and_restarted_under_load(isolated_cluster: Cluster, own_stores, clean_sims):
    own_redis, _ = own_stores
    c = isolated_cluster
    logs = [gw.log_size() for gw in c.gateways]
    budgeted = Load(c.client("load"), 8).start()  # a budget: every admission asks Redis
    free = Load(c.client("free"), 4).start()  # neither budget nor rate limit
    t0 = time.monotonic()
    time.sleep(2)
    down_at = time.monotonic()
    own_redis.stop()
    time.sleep(3)
    restart_at = time.monotonic()
    own_redis.start()  # returns once it answers PING
    back_at = time.monotonic()
    time.sleep(3)
    end = time.monotonic()
    out_b, out_f = budgeted.stop(), free.stop()

    # Before: requests over before Redis stopped (one in flight at that moment may be refused).
    before = [o for o in budgeted.between(t0, down_at) if o.ended < down_at]
    during = budgeted.between(down_at + 0.5, restart_at)
    after = budgeted.between(back_at, end)
    recovered = recovery_after(out_b, back_at)
    print(
        f"\nRedis stopped for {back_at - down_at:.1f}s (on_unavailable: refuse)\n  "
        + tally(before).line("budgeted, before")
        + "\n  "
        + tally(during).line("budgeted, Redis down")
        + "\n  "
        + tally(after).line("budgeted, after restart")
        + "\n  "
        + tally(out_f).line("no budget, throughout")
        + f"\n  recovery: refusals ended {recovered:.2f}s after Redis was back (no gateway restart)"
    )
    assert tally(out_b).wrong == 0 and tally(out_f).wrong == 0
    assert tally(before).errors == 0, _errors(before)
    # The policy's choice: refused, fail closed, with the code that says why.
    assert tally(during).errors > 0
    assert {(s, code) for s, code in _errors(during)} == {(503, "counters_unavailable")}
    assert {(s, code) for s, code in _errors(out_b)} == {(503, "counters_unavailable")}
    # Traffic that needs no counters never noticed.
    assert tally(out_f).errors == 0, _errors(out_f)
    # One outage per instance: connections pooled before the restart must not start new ones.
    alarms = [gw.log_since(at).count("ALARM: Redis counters unavailable") for gw, at in
              zip(c.gateways, logs, strict=True)]  # fmt: skip
    print(f"  alarms: {alarms} outage(s) declared per instance")
    assert alarms == [1] * len(c.gateways)
    assert recovered < 3.0
    assert tally([o for o in after if o.started > back_at + recovered]).errors == 0

    # Nothing acknowledged lost: the shared counter holds the cost of every answer, including
    # those admitted before the outage and settled during it (paid back when Redis returned).
    billed = sum(o.tokens for o in out_b if o.verdict == "ok") * NANO_PER_TOKEN
    r = redis.Redis.from_url(own_redis.url)
    key = f"{c.settings.redis_prefix}b:team=load:{period_at('month', time.time()).id}"
    try:
        took = wait_until(lambda: int(r.hget(key, "s") or 0) == billed, 10, "spend in Redis")
        print(f"  spend: Redis counter = cost of the {tally(out_b).answered} answers "
              f"(${billed / 1e9:.3f}), {took:.1f}s after the load stopped")  # fmt: skip
    finally:
        print(f"  spend: Redis {int(r.hget(key, 's') or 0)} nano-$, answers {billed} nano-$")
        r.close()


def test_postgres_stopped_and_restarted_under_load(
    isolated_cluster: Cluster, own_stores, clean_sims
):
    _, own_pg = own_stores
    c = isolated_cluster
    staleness = c.settings.max_staleness_s
    load = Load(c.client("records"), 8).start()
    t0 = time.monotonic()
    time.sleep(2)
    down_at, down_wall = time.monotonic(), time.time()
    own_pg.stop()
    time.sleep(staleness + 3)
    restart_at = time.monotonic()
    own_pg.start()  # returns once it accepts connections
    back_at = time.monotonic()
    wait_until(
        lambda: (
            tally(load.between(time.monotonic() - 1, time.monotonic())).errors == 0
            and any(o.started > back_at + 1 for o in load.outcomes)
        ),
        30,
        "the cluster answering again",
    )
    time.sleep(2)
    outcomes = load.stop()

    cached = load.between(down_at, down_at + staleness - 1)  # the view is still trusted
    refused = load.between(down_at + staleness + 1, restart_at)  # it is too old to trust
    recovered = recovery_after(outcomes, back_at)
    print(
        f"\nPostgreSQL stopped for {back_at - down_at:.1f}s (identity max_staleness_s {staleness})"
        "\n  " + tally(load.between(t0, down_at)).line("before")
        + "\n  " + tally(cached).line("down, cached identity view")
        + "\n  " + tally(refused).line("down, view too old (fail closed)")
        + "\n  " + tally(load.between(back_at, time.monotonic())).line("after restart")
        + f"\n  recovery: errors ended {recovered:.2f}s after PostgreSQL was back (no restart)"
    )  # fmt: skip
    everything = tally(outcomes)
    assert everything.wrong == 0
    assert tally(load.between(t0, down_at)).errors == 0
    assert cached and tally(cached).errors == 0, _errors(cached)
    assert refused and tally(refused).answered == 0
    assert set(_errors(outcomes)) == {(503, "auth_unavailable")}
    assert recovered < 5.0

    # Audit: every answer and every refusal has its record in PostgreSQL, spooled meanwhile.
    ids = {o.request_id for o in outcomes if o.request_id}
    missing = set(ids)

    def all_found() -> bool:
        missing.difference_update(c.audited(missing))
        return not missing

    start = time.monotonic()
    try:
        wait_until(all_found, 30, "every request's audit record", interval=0.5)
    finally:
        print(
            f"  audit: {len(ids) - len(missing)} of {len(ids)} requests (answers and refusals) "
            f"in the store, {time.monotonic() - start:.1f}s after the load stopped"
        )
        if missing:
            print(c.audit_report(down_wall))

    # The spend ledger: what the answers cost, flushed once the database was back.
    billed = sum(o.tokens for o in outcomes if o.verdict == "ok") * NANO_PER_TOKEN

    def ledger() -> int:
        with psycopg.connect(c.settings.db_url, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT COALESCE(SUM(cost_nano), 0) FROM spend_ledger WHERE team_id = 'records'"
            ).fetchone()
        return int(row[0]) if row else 0

    try:
        wait_until(lambda: ledger() == billed, 10, "spend ledger = answers' cost", interval=0.2)
    finally:
        print(f"  ledger: {ledger()} nano-$ recorded, answers cost {billed} nano-$")
