"""The SQLite store's batch insert (several rows per statement): every row lands once, with its
words and tags under its own rid, whether the batch is all new or partly a redelivery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from tests.audit.record_cases import golden

from interlock.audit.search import Query
from interlock.audit.store.base import store_row
from interlock.audit.store.sqlite import CHUNK, SQLiteAuditStore


def records(n: int) -> list[dict[str, Any]]:
    out = []
    for i, (_, body) in enumerate(golden()[:n]):
        r = orjson.loads(body)
        r.update(chain="c1", seq=i + 1, prev=f"{i:064x}", hash=f"{i + 1:064x}", kind="exchange",
                 content_level="redacted", team=f"team{i % 3}",
                 request={"messages": [{"role": "user", "text": f"unique{i}word"}]})  # fmt: skip
        out.append(r)
    return out


def test_a_batch_of_chunks_and_a_partly_redelivered_one(tmp_path: Path) -> None:
    store = SQLiteAuditStore(tmp_path / "audit.db")
    store.open()
    try:
        recs = records(3 * CHUNK + 7)
        first = recs[: 2 * CHUNK + 5]  # two full statements and five single rows
        assert store.insert_rows([store_row(r) for r in first]) == len(first)
        # The tail of the first batch again, then new ones: only the new ones are added.
        again = recs[CHUNK:]
        assert store.insert_rows([store_row(r) for r in again]) == len(recs) - len(first)
        assert store.count() == len(recs)
        for i in (0, CHUNK - 1, CHUNK, 2 * CHUNK + 4, 2 * CHUNK + 5, len(recs) - 1):
            (hit,) = store.search(Query(text=f"unique{i}word"))
            assert hit.record["seq"] == i + 1 and hit.record == recs[i]
        assert len(store.search(Query(team="team1", limit=500))) == len(recs[1::3])
        seqs = [s.record["seq"] for s in store.chain_records("c1")]
        assert seqs == list(range(1, len(recs) + 1))
        rids = [s.rid for s in store.chain_records("c1")]
        assert rids == sorted(rids)
    finally:
        store.close()
