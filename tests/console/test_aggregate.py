"""The usage rollup behind the overview's charts, on both audit store engines: its sums equal a
brute-force count of the same records, a chart cell finds exactly its records in the paginated
audit search, new records are folded in incrementally, and on PostgreSQL a record committed
below the watermark (two writers at once) is still counted, once."""

from __future__ import annotations

import random
import secrets
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interlock.audit.record import record_tags
from interlock.audit.search import Query
from interlock.audit.store import AuditStore, open_audit_store
from interlock.console.aggregate import (
    CHUNK,
    DAY,
    HOUR,
    UsageError,
    UsageRollup,
    overview,
    window,
)
from tests.auth.support import create_pg_database, drop_pg_database

NOW = 1_795_000_000.0
N = 20_000
TEAMS = ["red", "blue", "green"]
MODELS = ["gpt-4o-mini", "claude-3-5-haiku", "llama-3.1-8b"]
PROVIDERS = ["openai", "anthropic", "backup"]


def make_record(i: int, rng: random.Random, ts: float | None = None) -> dict[str, Any]:
    team = rng.choice(TEAMS)
    k = rng.randrange(3)
    status = 200 if rng.random() < 0.9 else rng.choice([403, 429, 502])
    outcome = "ok" if status == 200 else ("failed" if status == 502 else "refused")
    dlp = ["EMAIL_ADDRESS"] if rng.random() < 0.05 else []
    if rng.random() < 0.02:
        dlp.append("CREDIT_CARD")
    injection = rng.choice(["passed"] * 8 + ["flagged", "blocked"])
    failover = rng.random() < 0.03
    record: dict[str, Any] = {
        "v": 1, "kind": "exchange", "id": f"req_{i:08d}", "ts": ts or NOW - rng.random() * 10 * DAY,
        "chain": "agg-0", "seq": i, "prev": "0" * 64, "hash": secrets.token_hex(32),
        "team": team, "app": f"{team}-app-{rng.randrange(4)}", "identity": "svc",
        "policy": "standard", "model": MODELS[k], "provider": PROVIDERS[k], "status": status,
        "outcome": outcome, "content_level": "metadata",
        "decisions": [{"stage": "auth", "outcome": "allowed"},
                      {"stage": "injection", "outcome": injection}],
        "attempts": [{"provider": PROVIDERS[k], "model": MODELS[k], "status": 502}] * failover,
        "failover": failover, "dlp_types": dlp,
        "usage": {"input_tokens": rng.randrange(1, 500), "output_tokens": rng.randrange(0, 200)},
        "cost_usd": round(rng.random() / 1000, 9) if status == 200 else None,
        "request": {"messages": 1}, "response": {"choices": 1},
    }  # fmt: skip
    record["tags"] = record_tags(record)
    return record


def admin_record(i: int) -> dict[str, Any]:
    # Other kinds in the same table are not usage.
    return {"v": 1, "kind": "admin", "id": f"adm_{i}", "ts": NOW - 5, "chain": "agg-admin",
            "seq": i, "prev": "0" * 64, "hash": secrets.token_hex(32), "action": "create",
            "actor": "root", "tags": ["k_admin"]}  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
    tuple[AuditStore, list[dict[str, Any]]]
]:  # fmt: skip
    pg = None
    if request.param == "postgresql":
        pg = url = create_pg_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('agg') / 'audit.db'}"
    store = open_audit_store(url)
    store.open()
    rng = random.Random(11)
    records = [make_record(i, rng) for i in range(1, N + 1)]
    for start in range(0, N, 5000):
        store.insert(records[start : start + 5000])
    store.insert([admin_record(i) for i in range(1, 4)])
    try:
        yield store, records
    finally:
        store.close()
        if pg:
            drop_pg_database(pg)


def brute(records: list[dict[str, Any]], size: int, dim: str, team: str | None = None) -> Any:
    out: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for r in records:
        if team and r["team"] != team:
            continue
        cell = out[(int(r["ts"] // size) * size, r[dim])]
        cell[0] += 1
        cell[1] += r["usage"]["input_tokens"] + r["usage"]["output_tokens"]
        cell[2] += r["cost_usd"] or 0.0
    return out


def as_cells(answer: dict[str, Any], dim: str) -> dict[tuple[int, str], list[float]]:
    cells = {}
    for s in answer["series"][dim]:
        assert not s["other"]
        for b, req, tok, cost in zip(
            answer["starts"], s["requests"], s["tokens"], s["cost_usd"], strict=True
        ):
            if req:
                cells[(b, s["value"])] = [req, tok, cost]
    return cells


def test_sums_equal_a_brute_force_count(filled: tuple[AuditStore, list[dict[str, Any]]]) -> None:
    store, records = filled
    rollup = UsageRollup(store)
    try:
        assert rollup.catch_up() == N  # in CHUNK steps; the admin records are not usage
        assert rollup.backlog() == 0 and N > CHUNK - 1
        assert rollup.catch_up() == 0  # nothing new: nothing counted twice
        for size in (HOUR, DAY):
            size_, start, end = window(
                None, NOW - 11 * DAY, NOW + 1, "day" if size == DAY else "hour", NOW
            )
            answer = overview(rollup, size_, start, end, None)
            assert answer["totals"]["requests"] == N
            for dim in ("team", "model", "provider"):
                want = brute(records, size, dim)
                got = as_cells(answer, dim)
                assert got.keys() == want.keys()
                for k, (req, tok, cost) in want.items():
                    assert got[k][0] == req and got[k][1] == tok
                    assert got[k][2] == pytest.approx(cost, abs=1e-6)
        # A team admin's view: only their team's records, in every dimension.
        size, start, end = window("30d", None, NOW + 1, "day", NOW)
        blue = overview(rollup, size, start, end, "blue")
        n_blue = sum(1 for r in records if r["team"] == "blue")
        assert blue["totals"]["requests"] == n_blue
        assert {s["value"] for s in blue["series"]["team"]} == {"blue"}
        assert sum(s["total"]["requests"] for s in blue["series"]["model"]) == n_blue
        # Apps: 12 values, the top 8 by cost shown and the rest as one series.
        apps = blue["series"]["app"]
        assert len(apps) == 4 and not any(s["other"] for s in apps)
        everyone = overview(rollup, size, start, end, None)
        assert everyone["series"]["app"][-1]["other"] and len(everyone["series"]["app"]) == 9
        assert sum(s["total"]["requests"] for s in everyone["series"]["app"]) == N
        # The incident panels.
        top = {d: {t["value"]: t["requests"] for t in everyone["top"][d]} for d in everyone["top"]}
        dlp = Counter(t for r in records for t in r["dlp_types"])
        assert top["dlp"] == dict(dlp)
        inj = Counter(r["decisions"][1]["outcome"] for r in records)
        assert {k: v for k, v in top["decision"].items() if k.startswith("injection:")} == {
            f"injection:{k}": v for k, v in inj.items()
        }
        assert top["decision"]["auth:allowed"] == N
        failovers = Counter(r["provider"] for r in records if r["failover"])
        assert top["failover"] == dict(failovers)
        assert top["error"] == {f"{p} 502": n for p, n in failovers.items()}
        assert everyone["totals"]["refused"] == sum(r["outcome"] == "refused" for r in records)
        assert everyone["totals"]["failed"] == sum(r["outcome"] == "failed" for r in records)
    finally:
        rollup.close()


def test_a_chart_cell_finds_its_records_in_the_paginated_search(
    filled: tuple[AuditStore, list[dict[str, Any]]],
) -> None:
    store, records = filled
    rollup = UsageRollup(store)
    try:
        rollup.catch_up()
        size, start, end = window("30d", None, NOW + 1, "day", NOW)
        answer = overview(rollup, size, start, end, None)
        for dim in ("team", "model"):
            series = answer["series"][dim][0]
            i = max(range(len(series["requests"])), key=lambda k: series["requests"][k])
            since = answer["starts"][i]
            # The link the console draws: since/until of the bucket, the series' value.
            q = {"since": since, "until": since + size, dim: series["value"], "kind": "exchange"}
            ids: list[str] = []
            before = None
            while True:
                page = store.search(Query(**q, limit=200, before=before))
                ids += [s.record["id"] for s in page]
                if len(page) < 200:
                    break
                before = page[-1].rid
            assert len(ids) == len(set(ids)) == series["requests"][i] > 200
            want = {
                r["id"] for r in records
                if since <= r["ts"] < since + size and r[dim] == series["value"]
            }  # fmt: skip
            assert set(ids) == want
    finally:
        rollup.close()


def test_new_records_are_folded_in_once(filled: tuple[AuditStore, list[dict[str, Any]]]) -> None:
    store, _ = filled
    first, second = UsageRollup(store), UsageRollup(store)  # two instances, one store
    try:
        first.catch_up()
        size, start, end = window("24h", None, NOW + HOUR, "hour", NOW)
        before = overview(first, size, start, end, None)["totals"]
        rng = random.Random(5)
        extra = [make_record(N + 100 + i, rng, ts=NOW - 60) for i in range(50)]
        store.insert(extra)
        threads = [threading.Thread(target=r.catch_up) for r in (first, second, first)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = overview(second, size, start, end, None)["totals"]
        assert after["requests"] == before["requests"] + 50
        tokens = sum(r["usage"]["input_tokens"] + r["usage"]["output_tokens"] for r in extra)
        assert after["tokens"] == before["tokens"] + tokens
    finally:
        first.close()
        second.close()


def test_postgresql_counts_a_record_committed_below_the_watermark(tmp_path: Path) -> None:
    import psycopg

    url = create_pg_database()
    store = open_audit_store(url)
    store.open()
    rollup = UsageRollup(store)
    try:
        rng = random.Random(3)
        store.insert([make_record(1, rng, ts=NOW)])
        slow = psycopg.connect(url)  # a writer whose batch commits late
        slow.execute("INSERT INTO audit_records (chain, seq, id, kind, ts, team, hash, prev, body) "
                     "VALUES ('slow', 1, 'req_slow', 'exchange', %s, 'red', 'h', 'p', %s)",
                     (NOW, '{"usage": {"input_tokens": 7, "output_tokens": 0}}'))  # fmt: skip
        store.insert([make_record(2, rng, ts=NOW)])  # a higher id, committed first
        rollup.catch_up()
        size, start, end = window(None, NOW - 10, NOW + 10, "hour", NOW)
        assert overview(rollup, size, start, end, None)["totals"]["requests"] == 2
        assert len(rollup.watermark().holes) == 1
        slow.commit()
        slow.close()
        rollup.catch_up()
        totals = overview(rollup, size, start, end, None)["totals"]
        assert totals["requests"] == 3 and rollup.watermark().holes == {}
        rollup.catch_up()
        assert overview(rollup, size, start, end, None)["totals"]["requests"] == 3
    finally:
        rollup.close()
        store.close()
        drop_pg_database(url)


def test_a_page_folds_in_a_little_and_the_rest_follows(tmp_path: Path) -> None:
    # A first look at a store with a backlog: the page's request folds in one small step and
    # says how many records are still to come; the background catch-up does the rest.
    from interlock.console.routes import Console

    store = open_audit_store(f"sqlite:///{tmp_path / 'audit.db'}")
    store.open()
    rollup = UsageRollup(store)
    try:
        rng = random.Random(8)
        store.insert([make_record(i, rng, ts=NOW - i) for i in range(1, 7001)])
        size, start, end = window("24h", None, NOW + 1, None, NOW)
        first = Console._answer(rollup, size, start, end, None)
        assert first["totals"]["requests"] == 5000 and first["backlog"] == 2000
        assert rollup.catch_up() == 2000
        again = Console._answer(rollup, size, start, end, None)
        assert again["totals"]["requests"] == 7000 and again["backlog"] == 0
        # While another thread folds in, a page does not wait for it.
        assert rollup._locks["fold"].acquire()
        try:
            store.insert([make_record(8000, rng, ts=NOW)])
            assert Console._answer(rollup, size, start, end, None)["backlog"] == 1
        finally:
            rollup._locks["fold"].release()
    finally:
        rollup.close()
        store.close()


def test_windows() -> None:
    assert window("24h", None, None, None, NOW)[0] == HOUR
    assert window("30d", None, None, None, NOW)[0] == DAY
    size, start, end = window(None, NOW - 3 * HOUR - 5, NOW, None, NOW)
    assert size == HOUR and start % HOUR == 0 and end >= NOW and (end - start) // HOUR == 4
    for bad in (
        lambda: window("1y", None, None, None, NOW),
        lambda: window(None, NOW, NOW - 1, None, NOW),
        lambda: window(None, NOW - 90 * DAY, NOW, "hour", NOW),
        lambda: window(None, None, None, "week", NOW),
        lambda: window(None, float("nan"), None, None, NOW),
        lambda: window(None, None, float("inf"), None, NOW),
        lambda: window(None, -1e300, NOW, None, NOW),
    ):
        with pytest.raises(UsageError):
            bad()
