"""The SQLite store's batch insert (several rows per statement): every row lands once, with its
words and tags under its own rid, whether the batch is all new or partly a redelivery. Its
commits are checkpointed less often, so the spool deletes a segment only after the store
synced what it took from it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tests.audit.record_cases import golden

from interlock.audit.config import AuditSettings
from interlock.audit.pipeline import AuditPipeline, Shipper
from interlock.audit.scrub import Scrubber
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


class SyncingSink:
    """A sink whose `sync` is counted (and fails when told to)."""

    def __init__(self) -> None:
        self.name = "store"
        self.batch = 10
        self.syncs = 0
        self.fail = False

    def sync(self) -> None:
        if self.fail:
            raise sqlite3.OperationalError("disk I/O error")
        self.syncs += 1


def test_the_spool_deletes_a_segment_only_after_the_store_synced(tmp_path: Path) -> None:
    sink = SyncingSink()
    settings = AuditSettings(segment_bytes=4096)
    p = AuditPipeline(
        settings, tmp_path / "spool", Scrubber(), Ed25519PrivateKey.generate(), [sink]
    )  # type: ignore[list-item]
    p.spool.open()
    try:
        line = b'{"seq":%d,"hash":"x","r":{"pad":"' + b"p" * 1000 + b'"}}\n'
        for seq in range(1, 13):
            p.spool.append([line % seq], seq)
        segments = p.spool.segments()
        assert len(segments) >= 3
        p.shippers = [Shipper(p, sink, 0)]  # type: ignore[arg-type]
        p._save_and_collect()  # nothing shipped: no sync, nothing deleted
        assert sink.syncs == 0 and p.spool.segments() == segments
        p.shippers[0].cursor = 12
        sink.fail = True  # the store cannot make its commits durable: the spool keeps them
        p._save_and_collect()
        assert p.spool.segments() == segments
        sink.fail = False
        p._save_and_collect()
        assert sink.syncs == 1 and p.spool.segments() == segments[-1:]
    finally:
        p.spool.close()


def test_sqlite_sync_commits_with_a_wal_fsync_and_goes_back_to_normal(tmp_path: Path) -> None:
    store = SQLiteAuditStore(tmp_path / "audit.db")
    store.open()
    try:
        conn = store.raw()
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 8000
        store.insert_rows([store_row(r) for r in records(40)])
        store.sync()
        assert store.get_state("synced") is not None  # the synchronous=FULL commit was made
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL again
        assert store.count() == 40
    finally:
        store.close()
