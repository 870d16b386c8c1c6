"""One gateway SIGKILLed under load, then started again (as an orchestrator would).

Audit mode: `durability: strict` (gateway-wide). In strict mode a non-streamed answer leaves only
after its record is fsynced in the instance's spool, and a stream's `stream_open` record is
fsynced before the upstream is called (audit/README.md); batched mode may lose the last flush
interval on a kill. So every answered request has a durable record somewhere, and the killed
instance's records reach the shared store when it starts again on its own spool. The audit store
is held back (a table lock) for the second before the kill, so some of the killed instance's
records exist only in its spool when it dies.
"""

from __future__ import annotations

import time

import psycopg

from tests.cluster.harness import Cluster, Load, tally, wait_until

CONCURRENCY = 16


def test_sigkill_under_load_gives_no_wrong_answer_and_loses_no_audit_record(
    cluster: Cluster, clean_sims
) -> None:
    victim = cluster.gateways[1]
    load = Load(cluster.client("free"), CONCURRENCY, stream_every=4).start()
    time.sleep(2)
    # A slow audit store at the moment of the kill: inserts wait on a table lock, so the last
    # second of every instance's records is durable only in its own spool when gw2 dies.
    with psycopg.connect(cluster.settings.db_url) as blocker:
        blocker.execute("LOCK TABLE audit_records IN EXCLUSIVE MODE")  # reads still pass
        time.sleep(1)
        killed_at = time.monotonic()
        killed_wall = time.time()
        victim.kill()
        answered_then = {o.request_id for o in list(load.outcomes) if o.verdict == "ok"}
        stored_then = set(cluster.audited(answered_then))
    time.sleep(3)
    victim.spawn()
    victim.wait_ready()
    back_at = time.monotonic()
    restarted_wall = time.time()
    # nginx sends it traffic again once its fail_timeout (2 s) has passed.
    serving = wait_until(
        lambda: cluster.records_since("gw2", restarted_wall) > 0, 15, "gw2 serving"
    )
    time.sleep(1)
    outcomes = load.stop()

    total = tally(outcomes)
    print("\n" + total.line("SIGKILL gw2 (strict audit)"))
    print(
        f"  restart: ready {back_at - killed_at:.1f}s after the kill, answering through nginx "
        f"{serving:.1f}s later"
    )
    assert total.sent > 200, total
    assert total.wrong == 0, [o for o in outcomes if o.verdict == "wrong"][:3]
    # Only requests in flight on the killed instance may fail (nginx does not re-send a POST
    # that reached a gateway): at most one per client, and each overlapping the kill.
    errors = [o for o in outcomes if o.verdict == "error"]
    assert len(errors) <= CONCURRENCY, total
    assert all(o.started <= killed_at + 0.5 and o.ended >= killed_at - 0.5 for o in errors), [
        (o.started - killed_at, o.ended - killed_at, o.status, o.code) for o in errors
    ]

    # Every answer has its audit record in the shared store, the killed instance's included.
    answered = {o.request_id for o in outcomes if o.verdict == "ok"}
    assert None not in answered
    missing: set[str] = set(answered)

    def all_found() -> bool:
        missing.difference_update(cluster.audited(missing))
        return not missing

    try:
        took = wait_until(all_found, 30, "every answered request's audit record", interval=0.5)
    finally:
        print(f"  audit: {len(answered) - len(missing)} of {len(answered)} answered requests found")
    records = cluster.audited(answered)
    by_victim_before = sum(
        1 for r in records.values() if r.chain.startswith("gw2-") and r.ts < killed_wall
    )
    by_victim_after = sum(
        1 for r in records.values() if r.chain.startswith("gw2-") and r.ts >= restarted_wall
    )
    late = [rid for rid in answered_then - stored_then if records[rid].chain.startswith("gw2-")]
    print(
        f"  audit: all {len(answered)} found {took:.1f}s after the load stopped; gw2 answered "
        f"{by_victim_before} before the kill ({len(late)} of those reached the store only from "
        f"its spool after the restart) and {by_victim_after} after it"
    )
    assert by_victim_before > 0 and by_victim_after > 0
    assert late  # the killed instance's spool was shipped after its restart
