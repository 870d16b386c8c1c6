"""Retention by age per policy (the deletion recorded, the chain still verifiable) and the
Prometheus metrics on /metrics."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.audit.support import fake_exchange_record, minimal_config, start_env

from interlock.audit.chain import load_public, public_path
from interlock.audit.http import verify_store
from interlock.audit.search import Query
from interlock.audit.stage import AuditStage
from interlock.config import load_config
from interlock.server.runtime import RuntimeHolder

POLICIES = """
policies:
  short:
    models: ["*"]
    audit: {content: full, retention_days: 30}
  long:
    models: ["*"]
    audit: {content: full}
"""


async def _retention(tmp: Path) -> dict[str, Any]:
    config_path = minimal_config(tmp, extra="  retention_days: 365\n" + POLICIES)
    config = load_config(config_path)
    holder = RuntimeHolder(config_path, config)
    holder.start()
    stage = AuditStage(holder, config, config_path)
    await stage.pipeline.start()
    old = time.time() - 40 * 86400
    for i, (policy, ts) in enumerate(
        [("short", old), ("long", old), ("short", time.time()), (None, old)], start=1
    ):
        stage.pipeline.submit_record(fake_exchange_record(i, policy=policy, ts=ts))
    store = stage.store
    assert store is not None
    while await asyncio.to_thread(store.count) < 4:
        await asyncio.sleep(0.02)
    from interlock.audit.maintenance import Maintenance

    counts = await Maintenance(stage).apply_retention(time.time())
    await stage.pipeline.stop()
    await holder.close()
    return counts


def test_retention_drops_old_content_per_policy_and_records_it(tmp_path: Path) -> None:
    counts = asyncio.run(_retention(tmp_path))
    assert counts == {"short": 1}  # 40 days > 30 for `short`; `long` and no policy keep 365
    from interlock.audit.store import open_audit_store

    store = open_audit_store("sqlite:///store.db", tmp_path)
    store.open()
    try:
        remaining = {s.record["id"] for s in store.search(Query(kind="exchange", limit=100))}
        assert remaining == {"req_000002", "req_000003", "req_000004"}
        pruned = store.by_request_id("req_000001")
        assert pruned[0].pruned and "request" not in pruned[0].record  # the place stays
        runs = store.search(Query(kind="retention"))
        assert runs and runs[0].record["pruned"] == {"short": 1}
        reports = verify_store(store, load_public(public_path(tmp_path / "checkpoint.pem")))
        assert all(r["ok"] for r in reports), reports
        assert reports[0]["pruned"] == 1
        # content dropped without a recorded retention run is tampering
        store.raw().execute("UPDATE audit_records SET body = NULL WHERE id = 'req_000003'")
        reports = verify_store(store, load_public(public_path(tmp_path / "checkpoint.pem")))
        assert [p["kind"] for p in reports[0]["problems"]] == ["pruned_uncovered"]
    finally:
        store.close()


def test_metrics(tmp_path: Path, simulator: Any, sim: Any) -> None:
    env = start_env(tmp_path, simulator.url)
    try:
        sim.add_fault(provider="openai", status=503, times=2)
        assert env.chat(env.org.keys["alice"], "search", "hello").status_code == 200
        assert env.chat(env.org.keys["alice"], "chat", "hello").status_code == 200
        assert env.chat("ilk_bogus0000000_" + "y" * 43, "chat").status_code == 401
        env.find(status="401")
        text = env.http.get("/metrics").text
    finally:
        env.close()
    lines = text.splitlines()

    def value(prefix: str) -> float:
        return sum(float(x.rsplit(" ", 1)[1]) for x in lines if x.startswith(prefix))

    assert (
        value(
            'interlock_requests_total{wire="openai.chat",model="gpt-4o-mini",provider="openai",status="200",outcome="ok",team="red",app="chat"}'
        )
        == 1
    )
    assert (
        value(
            'interlock_requests_total{wire="openai.chat",model="",provider="",status="401",outcome="refused"'
        )
        == 1
    )
    assert value('interlock_upstream_errors_total{provider="openai",status="503"') == 2
    assert value('interlock_tokens_total{direction="input"') > 0
    assert value("interlock_cost_usd_total{") > 0
    assert value('interlock_decisions_total{stage="auth",outcome="refused"}') == 1
    assert value('interlock_stage_duration_seconds_count{stage="upstream"}') == 2
    assert 'interlock_circuit_state{provider="openai"} 0' in lines
    assert value("interlock_audit_records_total") >= 3
    assert "# TYPE interlock_request_duration_seconds histogram" in lines
