"""The console's data on a million audit records: overview aggregation and audit search pages.

    .venv/bin/python bench/console_bench.py [--records 1000000] [--only sqlite|postgresql]

Fills a fresh audit store with `--records` exchange records the way `bench/audit_search.py`
does (its bulk loaders and record maker: GPTeacher texts, 90 days, 20 teams; here each app
belongs to one team, models map to three providers, and records carry a cost), then times,
server-side and through the same functions `GET /admin/usage` and `GET /admin/audit/records`
run:

- the first build of the usage rollup over the whole store (once per store, then incremental);
- the overview's answer per range (24h and 7d by hour, 30d and 90d by day; all teams and one
  team), including the catch-up check the route does first;
- the answer after 1,000 new records arrived (folded in by that request);
- audit search pages: a chart point's link (one hour, one team), its next page, a team over 30
  days, a request id;
- for scale, the same 30-day aggregation done without the rollup (GROUP BY over the records'
  JSON bodies): what each page view would cost otherwise.

Ratios are printed against a floor measured in the same run: the cheapest store query (one
request id). Goal: every page's data under one second. Writes bench/results/console.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import audit_search as base
from interlock.audit.record import record_tags
from interlock.audit.search import Query
from interlock.audit.store import open_audit_store
from interlock.console.aggregate import UsageRollup, window
from interlock.console.routes import Console

NOW = base.NOW
DAY = base.DAY
PROVIDERS = ["openai", "openai", "openai", "anthropic", "anthropic", "bedrock", "gemini", "azure"]
_original = base.make_record


def make_record(i: int, rng: random.Random, texts: list[str]) -> dict[str, Any]:
    record = _original(i, rng, texts)
    app = int(record["app"].split("-")[1])
    model = int(record["model"].split("-")[1])
    record["team"] = f"team-{app % 20}"  # an app belongs to one team
    record["provider"] = PROVIDERS[model]
    usage = record["usage"]
    record["cost_usd"] = round((usage["input_tokens"] + 4 * usage["output_tokens"]) * 1e-6, 9)
    record["failover"] = rng.random() < 0.01
    record["tags"] = record_tags(record)
    return record


base.make_record = make_record


def timed(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    # Wall time, and this process's CPU time (steadier on a busy machine; for SQLite it is the
    # whole cost, for PostgreSQL the server's share is not in it).
    samples, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {"median_ms": statistics.median(samples), "max_ms": max(samples),
            "cpu_median_ms": statistics.median(cpu)}  # fmt: skip


def answer(rollup: UsageRollup, range_: str, team: str | None) -> dict[str, Any]:
    # What the route runs in its worker thread.
    size, start, end = window(range_, None, NOW, None, NOW)
    return Console._answer(rollup, size, start, end, team)


def naive_30d(store: Any) -> Any:
    """The 30-day by-team aggregation straight from the records' bodies (no rollup)."""
    since = NOW - 30 * DAY
    if store.dialect == "sqlite":
        sql = (
            "SELECT team, CAST(ts / 86400 AS INTEGER), COUNT(*), "
            "SUM(json_extract(body, '$.usage.input_tokens') + "
            "json_extract(body, '$.usage.output_tokens')), SUM(json_extract(body, '$.cost_usd')) "
            "FROM audit_records WHERE kind = 'exchange' AND ts >= ? GROUP BY 1, 2"
        )
        return store._query(sql, (since,))
    sql = (
        "SELECT team, floor(ts / 86400), COUNT(*), "
        "SUM((b->'usage'->>'input_tokens')::bigint + (b->'usage'->>'output_tokens')::bigint), "
        "SUM((b->>'cost_usd')::float8) FROM (SELECT team, ts, body::json AS b FROM audit_records "
        "WHERE kind = 'exchange' AND ts >= %s) s GROUP BY 1, 2"
    )
    return store._query(sql, (since,))


def measure(store: Any, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    floor = timed(lambda: store.by_request_id("req_" + "0" * 23 + "1"), repeats)
    out["floor_request_id"] = floor
    rollup = UsageRollup(store)
    t0, c0 = time.perf_counter(), time.process_time()
    folded = rollup.catch_up()
    out["rollup_build"] = {"records": folded, "s": time.perf_counter() - t0,
                           "cpu_s": time.process_time() - c0}  # fmt: skip
    print(f"  rollup built over {folded:,} records in {out['rollup_build']['s']:.1f} s "
          f"({out['rollup_build']['cpu_s']:.1f} s CPU in this process)")  # fmt: skip
    rows = rollup._rows("SELECT COUNT(*) FROM console_rollup")[0][0]
    out["rollup_rows"] = rows
    pages: dict[str, Any] = {}
    for range_ in ("24h", "7d", "30d", "90d"):
        for team in (None, "team-3"):
            label = f"overview {range_}" + (f" team={team}" if team else "")
            pages[label] = timed(lambda r=range_, t=team: answer(rollup, r, t), repeats)
    check = answer(rollup, "90d", None)
    out["overview_90d_requests"] = check["totals"]["requests"]
    rng = random.Random(99)
    start = int(store.count()) + 10
    fresh = [make_record(start + k, rng, ["fresh record text"]) for k in range(1000)]
    fresh_chain = "bench-fresh-" + secrets.token_hex(4)  # new records on every run
    for k, r in enumerate(fresh):
        r["ts"] = NOW - 60 + k * 0.01
        r["chain"], r["seq"] = fresh_chain, k + 1
        r["hash"] = secrets.token_hex(32)
    store.insert(fresh)
    pages["overview 24h after 1,000 new records"] = timed(lambda: answer(rollup, "24h", None), 1)
    after = answer(rollup, "90d", None)["totals"]["requests"]
    assert after == check["totals"]["requests"] + 1000, (after, check["totals"]["requests"])
    # The audit search pages a chart point opens: one hour of one team, then its next page.
    point = Query(since=NOW - 5 * DAY, until=NOW - 5 * DAY + 3600, team="team-3",
                  kind="exchange", limit=50)  # fmt: skip
    first = store.search(point)
    pages["audit: chart point (1 h, team)"] = timed(lambda: store.search(point), repeats)
    if len(first) == 50:
        nxt = Query(since=point.since, until=point.until, team="team-3", kind="exchange",
                    limit=50, before=first[-1].rid)  # fmt: skip
        pages["audit: its next page"] = timed(lambda: store.search(nxt), repeats)
    month = Query(since=NOW - 30 * DAY, team="team-3", kind="exchange", limit=50)
    pages["audit: team, 30 days"] = timed(lambda: store.search(month), repeats)
    rid = first[0].record["id"] if first else "req_x"
    pages["audit: a record by request id"] = timed(lambda: store.by_request_id(rid), repeats)
    pages["without rollup: 30d by team from bodies"] = timed(lambda: naive_30d(store), 1)
    for label, t in pages.items():
        ratio = t["median_ms"] / max(1e-6, floor["median_ms"])
        print(f"  {label:<44} median {t['median_ms']:9.2f} ms  max {t['max_ms']:9.2f} ms  "
              f"cpu {t['cpu_median_ms']:9.2f} ms  {ratio:8.1f}x floor")  # fmt: skip
    print(f"  floor (one request id)                       median {floor['median_ms']:9.2f} ms")
    out["pages"] = pages
    rollup.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--pg", default=os.environ.get("INTERLOCK_TEST_PG_DSN"))
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--keep", type=Path, help="SQLite: load into DIR/audit.db once, reuse after")
    args = ap.parse_args()
    texts = base.corpus()
    print(f"{args.records:,} records, {len(texts):,} distinct texts")
    results: dict[str, Any] = {"records": args.records}
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="console-bench-") as tmp:
            folder = args.keep or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            store = open_audit_store(f"sqlite:///{folder / 'audit.db'}")
            store.open()
            if store.count() < args.records:
                t0 = time.perf_counter()
                base.load_sqlite(store, args.records, texts)
                print(f"sqlite: loaded in {time.perf_counter() - t0:.0f} s")
            else:  # a kept store: only the rollup is built again
                for table in ("console_rollup", "console_rollup_state"):
                    store.raw().execute(f"DROP TABLE IF EXISTS {table}")
                print(f"sqlite: reusing {store.count():,} records in {folder}")
            results["sqlite"] = measure(store, args.repeats)
            store.close()
    if args.only in (None, "postgresql"):
        if not args.pg:
            print("postgresql: skipped (no --pg and no $INTERLOCK_TEST_PG_DSN)", file=sys.stderr)
        else:
            name = "console_bench_" + secrets.token_hex(4)
            with psycopg.connect(args.pg, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {name}")
            url = urllib.parse.urlunsplit(urllib.parse.urlsplit(args.pg)._replace(path="/" + name))
            try:
                store = open_audit_store(url)
                store.open()
                t0 = time.perf_counter()
                base.load_postgres(store, args.records, texts)
                print(f"postgresql: loaded in {time.perf_counter() - t0:.0f} s")
                results["postgresql"] = measure(store, args.repeats)
                store.close()
            finally:
                with psycopg.connect(args.pg, autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    out = Path(__file__).resolve().parent / "results" / "console.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
