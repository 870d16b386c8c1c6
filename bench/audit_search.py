"""Search latency over a million audit records, in both stores (SQLite FTS5 and PostgreSQL).

    .venv/bin/python bench/audit_search.py [--records 1000000] [--pg postgresql://…]

Fills each store with `--records` realistic exchange records (prompts and answers drawn from
the GPTeacher set in ../shared/datasets, 50 000 end users of whom 10 make 2% of the traffic, 20
teams, 100 apps, 8 models, 90 days, ~3% mention a refund, ~2% carry a DLP finding) using bulk inserts into the store's own schema
(the same tables, FTS5 index and tsvector the gateway writes), then times the searches the
admin API and `interlock audit search` run, through the store's own `search()`. The goal: a
filtered content query (end user + one day + a word) under one second.

PostgreSQL: `--pg` or $INTERLOCK_TEST_PG_DSN (scripts/test-services.sh starts a throwaway
server); a fresh database is created and dropped. Takes a few minutes; not part of the tests.
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
from pathlib import Path
from typing import Any

import orjson
import psycopg

from interlock.audit.record import record_tags
from interlock.audit.search import Query
from interlock.audit.store import open_audit_store, row_values
from interlock.audit.store.base import COLUMNS, search_text

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
DAY = 86400.0
NOW = 1_795_000_000.0  # a fixed "now": runs are comparable


def corpus() -> list[str]:
    texts: list[str] = []
    for name in ("roleplay-simple-deduped-roleplay-instruct.json", "codegen-instruct.json"):
        path = DATASETS / "gpteacher" / name
        if path.exists():
            for row in json.loads(path.read_text()):
                for key in ("instruction", "input", "response"):
                    t = (row.get(key) or "").strip()
                    if 20 <= len(t) <= 600:
                        texts.append(t)
    if not texts:  # the datasets are not there: synthetic words keep the benchmark running
        rng = random.Random(7)
        words = ["order", "account", "invoice", "shipping", "password", "weather", "python",
                 "recipe", "travel", "meeting", "report", "budget", "contract", "delivery"]  # fmt: skip
        texts = [" ".join(rng.choice(words) for _ in range(30)) for _ in range(5000)]
    return texts


HEAVY = [f"cust-{4711 + k}" for k in range(10)]  # frequent callers: ~2,000 records each


def _end_user(rng: random.Random) -> str:
    return rng.choice(HEAVY) if rng.random() < 0.02 else f"cust-{rng.randrange(50_000)}"


def make_record(i: int, rng: random.Random, texts: list[str]) -> dict[str, Any]:
    ts = NOW - rng.random() * 90 * DAY
    prompt = rng.choice(texts)
    if rng.random() < 0.03:
        prompt += " I would like a refund for my last order."
    dlp = ["EMAIL_ADDRESS"] if rng.random() < 0.02 else []
    record: dict[str, Any] = {
        "v": 1, "kind": "exchange", "id": f"req_{i:024x}", "ts": ts, "chain": "bench-0",
        "seq": i, "prev": "0" * 64, "hash": secrets.token_hex(32),
        "team": f"team-{rng.randrange(20)}", "app": f"app-{rng.randrange(100)}",
        "identity": f"svc-{rng.randrange(500)}", "end_user": _end_user(rng),
        "policy": "standard", "model": f"model-{rng.randrange(8)}", "provider": "openai",
        "status": 200 if rng.random() < 0.97 else 429, "outcome": "ok", "content_level": "redacted",
        "decisions": [{"stage": "auth", "outcome": "allowed"}]
        + ([{"stage": "dlp", "outcome": "modified", "findings": [{"type": d, "action": "redact"} for d in dlp]}] if dlp else []),
        "dlp_types": dlp,
        "usage": {"input_tokens": len(prompt) // 4, "output_tokens": 60},
        "request": {"messages": [{"role": "user", "text": prompt}]},
        "response": {"choices": [{"index": 0, "text": rng.choice(texts)}]},
    }  # fmt: skip
    record["tags"] = record_tags(record)
    return record


def batches(n: int, size: int, texts: list[str]) -> Any:
    rng = random.Random(42)
    for start in range(1, n + 1, size):
        yield [make_record(i, rng, texts) for i in range(start, min(n + 1, start + size))]


# ---- bulk loading ------------------------------------------------------------------------------


def load_sqlite(store: Any, n: int, texts: list[str]) -> None:
    conn = store.raw()
    cols = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    conn.execute("PRAGMA synchronous=OFF")
    for batch in batches(n, 50_000, texts):
        conn.execute("BEGIN")
        rows = [(*row_values(r), " ".join(r["tags"]), orjson.dumps(r).decode()) for r in batch]
        conn.executemany(
            f"INSERT INTO audit_records ({cols}, tags, body) VALUES ({marks}, ?, ?)", rows
        )
        first = conn.execute("SELECT last_insert_rowid()").fetchone()[0] - len(batch) + 1
        conn.executemany(
            "INSERT INTO audit_fts (rowid, content, tags) VALUES (?, ?, ?)",
            [(first + k, search_text(r), " ".join(r["tags"])) for k, r in enumerate(batch)],
        )
        conn.execute("COMMIT")
        print(f"  sqlite: {batch[-1]['seq']:,} records", end="\r", flush=True)
    conn.execute("PRAGMA optimize")
    conn.execute("INSERT INTO audit_fts (audit_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    print()


def load_postgres(store: Any, n: int, texts: list[str]) -> None:
    conn = store.raw()
    # Indexes are built once after the load (much faster than row by row), then analysed.
    conn.execute("DROP INDEX IF EXISTS audit_tsv, audit_tags, audit_end_user, audit_team, audit_app, "
                 "audit_identity, audit_model, audit_ts, audit_request_id")  # fmt: skip
    conn.execute(
        "CREATE UNLOGGED TABLE IF NOT EXISTS bench_stage (LIKE audit_records INCLUDING DEFAULTS)"
    )
    conn.execute("ALTER TABLE bench_stage ADD COLUMN IF NOT EXISTS content TEXT")
    cols = [*COLUMNS, "tags", "body", "content"]
    for batch in batches(n, 50_000, texts):
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY bench_stage ({', '.join(cols)}) FROM STDIN") as copy,
        ):
            for r in batch:
                copy.write_row(
                    (*row_values(r), r["tags"], orjson.dumps(r).decode(), search_text(r))
                )
        print(f"  postgresql: {batch[-1]['seq']:,} records", end="\r", flush=True)
    print()
    plain = ", ".join([*COLUMNS, "tags", "body"])
    conn.execute(
        f"INSERT INTO audit_records ({plain}, tsv) "
        f"SELECT {plain}, to_tsvector('simple', content) FROM bench_stage"
    )
    conn.execute("DROP TABLE bench_stage")
    store.close()
    store.open()  # recreates the indexes the schema declares
    store.raw().execute("VACUUM ANALYZE audit_records")


# ---- timing -------------------------------------------------------------------------------------

QUERIES = {
    "end user + 1 day + text (the issue's example)": lambda: Query(
        end_user="cust-4711", since=NOW - 30 * DAY, until=NOW - 29 * DAY, text="refund"
    ),
    "end user + 90 days + text": lambda: Query(
        end_user="cust-4711", since=NOW - 90 * DAY, text="refund"
    ),
    "team + app + 7 days + text": lambda: Query(
        team="team-3", app="app-42", since=NOW - 7 * DAY, until=NOW, text="refund order"
    ),
    "text only, rare word (newest 50)": lambda: Query(text="refund"),
    "text only, common word (newest 50)": lambda: Query(text="the"),
    "dlp type + decision + 7 days": lambda: Query(
        dlp_type="EMAIL_ADDRESS", decision="dlp:modified", since=NOW - 7 * DAY
    ),
    "model + status 4xx + 1 day": lambda: Query(
        model="model-3", status="4xx", since=NOW - 2 * DAY, until=NOW - DAY
    ),
    "end user + 90 days, no text": lambda: Query(end_user="cust-4711"),
}


def time_queries(store: Any, repeats: int) -> dict[str, Any]:
    out = {}
    rng = random.Random(1)
    for label, make in QUERIES.items():
        samples, hits = [], 0
        for k in range(repeats):
            q = make()
            if q.end_user and k:  # other frequent callers: not only a warm cache for one key
                q.end_user = rng.choice(HEAVY)
            t0 = time.perf_counter()
            found = store.search(q)
            samples.append((time.perf_counter() - t0) * 1000)
            hits += len(found)
        out[label] = {
            "median_ms": statistics.median(samples),
            "p95_ms": sorted(samples)[max(0, int(len(samples) * 0.95) - 1)],
            "max_ms": max(samples),
            "mean_hits": hits / repeats,
        }
        print(
            f"  {label:<48} median {out[label]['median_ms']:8.2f} ms  p95 {out[label]['p95_ms']:8.2f} ms  hits {hits / repeats:6.1f}"
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--pg", default=os.environ.get("INTERLOCK_TEST_PG_DSN"))
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    texts = corpus()
    print(f"{args.records:,} records, {len(texts):,} distinct texts")
    results: dict[str, Any] = {"records": args.records}
    tmp = Path(tempfile.mkdtemp(prefix="audit-search-"))
    if args.only in (None, "sqlite"):
        store = open_audit_store(f"sqlite:///{tmp / 'audit.db'}")
        store.open()
        t0 = time.perf_counter()
        load_sqlite(store, args.records, texts)
        load_s = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in tmp.glob("audit.db*"))
        print(f"sqlite: loaded in {load_s:.0f} s, {size / 1e6:.0f} MB; searches:")
        results["sqlite"] = {
            "load_s": load_s,
            "bytes": size,
            "queries": time_queries(store, args.repeats),
        }
        store.close()
    if args.only in (None, "postgresql"):
        if not args.pg:
            print("postgresql: skipped (no --pg and no $INTERLOCK_TEST_PG_DSN)", file=sys.stderr)
        else:
            name = "audit_bench_" + secrets.token_hex(4)
            with psycopg.connect(args.pg, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {name}")
            url = urllib.parse.urlunsplit(urllib.parse.urlsplit(args.pg)._replace(path="/" + name))
            try:
                store = open_audit_store(url)
                store.open()
                t0 = time.perf_counter()
                load_postgres(store, args.records, texts)
                load_s = time.perf_counter() - t0
                size = (
                    store.raw()
                    .execute("SELECT pg_database_size(current_database()) AS n")
                    .fetchone()["n"]
                )
                print(f"postgresql: loaded in {load_s:.0f} s, {size / 1e6:.0f} MB; searches:")
                results["postgresql"] = {
                    "load_s": load_s,
                    "bytes": size,
                    "queries": time_queries(store, args.repeats),
                }
                store.close()
            finally:
                with psycopg.connect(args.pg, autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    out = Path(__file__).resolve().parent / "results" / "audit_search.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
