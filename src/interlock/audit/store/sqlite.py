"""SQLite audit store: records in a table, their words and tags in a contentless FTS5 index.

One connection writes (the store sink), another reads (searches), so a search never waits for
a batch insert: WAL lets them run side by side. The FTS index is contentless (the text lives in
the record's JSON already); removing a row's words on retention gives the index the same text
back, recomputed from the record.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from interlock.audit.search import Query
from interlock.audit.store.base import (
    COLUMNS,
    SqlReads,
    StoredRecord,
    StoreRow,
    search_text,
    store_row,
)

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS audit_records (
        rid INTEGER PRIMARY KEY,
        chain TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
        ts REAL NOT NULL, team TEXT, app TEXT, identity TEXT, end_user TEXT, policy TEXT,
        model TEXT, provider TEXT, status INTEGER, outcome TEXT,
        hash TEXT NOT NULL, prev TEXT NOT NULL, tags TEXT, body TEXT, pruned_at REAL,
        UNIQUE (chain, seq)
    )""",
    "CREATE INDEX IF NOT EXISTS audit_ts ON audit_records(ts)",
    "CREATE INDEX IF NOT EXISTS audit_end_user ON audit_records(end_user, ts)",
    "CREATE INDEX IF NOT EXISTS audit_team ON audit_records(team, ts)",
    "CREATE INDEX IF NOT EXISTS audit_app ON audit_records(app, ts)",
    "CREATE INDEX IF NOT EXISTS audit_identity ON audit_records(identity, ts)",
    "CREATE INDEX IF NOT EXISTS audit_model ON audit_records(model, ts)",
    "CREATE INDEX IF NOT EXISTS audit_request_id ON audit_records(id)",
    # detail=column: column filters (content vs tags) work, positions are not stored (smaller).
    """CREATE VIRTUAL TABLE IF NOT EXISTS audit_fts USING fts5(
        content, tags, content='', detail=column,
        tokenize="unicode61 remove_diacritics 2 tokenchars '_'"
    )""",
    """CREATE TABLE IF NOT EXISTS audit_state (
        name TEXT PRIMARY KEY, value TEXT, holder TEXT, until REAL
    )""",
]

INSERT = (
    f"INSERT OR IGNORE INTO audit_records ({', '.join(COLUMNS)}, tags, body) "
    f"VALUES ({', '.join('?' for _ in COLUMNS)}, ?, ?)"
)
FTS_INSERT = "INSERT INTO audit_fts (rowid, content, tags) VALUES (?, ?, ?)"
# Rows per statement: one statement for 32 rows instead of one per row (executemany) costs
# ~1 µs less CPU per row, and the sqlite3 module gives up and takes back the GIL once per
# statement. 32 * 18 parameters stays under SQLite's oldest limit of 999.
CHUNK = 32
_ROW = f"({', '.join('?' for _ in range(len(COLUMNS) + 2))})"
INSERT_CHUNK = INSERT[: INSERT.index("VALUES")] + "VALUES " + ", ".join([_ROW] * CHUNK)
FTS_CHUNK = FTS_INSERT[: FTS_INSERT.index("VALUES")] + "VALUES " + ", ".join(["(?, ?, ?)"] * CHUNK)


def _insert_chunked(
    conn: sqlite3.Connection, one: str, chunk: str, rows: list[tuple[Any, ...]]
) -> None:
    """`executemany(one, rows)`, CHUNK rows per statement (multi-row VALUES keeps their order,
    so the rids they take are in order too), the rest one by one."""
    full = len(rows) - len(rows) % CHUNK
    for i in range(0, full, CHUNK):
        conn.execute(chunk, [v for row in rows[i : i + CHUNK] for v in row])
    if full < len(rows):
        conn.executemany(one, rows[full:])


def fts_match(q: Query) -> str | None:
    parts = [f'content:"{w}"' for w in q.words()]
    parts += [f'tags:"{t}"' for t in q.tags()]
    return " AND ".join(parts) or None


class SQLiteAuditStore(SqlReads):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write: sqlite3.Connection | None = None
        self._read: sqlite3.Connection | None = None
        self._wlock = threading.Lock()
        self._rlock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        # The spool is the durable copy until the store has a record: NORMAL is enough here
        # (commits reach the disk at the next checkpoint; `sync` makes them durable before the
        # spool deletes a segment).
        conn.execute("PRAGMA synchronous=NORMAL")
        # Checkpoints every 8000 WAL pages (32 MB) instead of 1000: an index page that many
        # batches changed is copied into the database once per checkpoint, and the insert costs
        # 2.5-3 us less CPU per record (19.0-20.4 -> 16.2-17.1 us, interleaved runs).
        conn.execute("PRAGMA wal_autocheckpoint=8000")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def open(self) -> None:
        if self._write is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        with self._wlock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                for stmt in SCHEMA:
                    conn.execute(stmt)
                conn.execute("COMMIT")
            except BaseException:
                conn.close()  # (an open transaction is rolled back)
                raise
        # Kept only once the schema is there: a failed open is tried again whole.
        self._read = self._connect()
        self._write = conn

    def close(self) -> None:
        for conn in (self._write, self._read):
            if conn is not None:
                conn.close()
        self._write = self._read = None

    # ---- writing ---------------------------------------------------------------------------

    def insert(self, records: list[dict[str, Any]]) -> int:
        return self.insert_rows([store_row(r) for r in records])

    def insert_rows(self, rows: list[StoreRow]) -> int:
        assert self._write is not None
        tags = [" ".join(r.tags) for r in rows]
        values = [(*r.values, t, r.body) for r, t in zip(rows, tags, strict=True)]
        with self._wlock:
            conn = self._write
            conn.execute("BEGIN IMMEDIATE")
            try:
                # One statement for the batch; the rows it really added (a redelivered record is
                # skipped) are those past the previous highest rid: only they get FTS entries.
                before = conn.execute("SELECT COALESCE(MAX(rid), 0) FROM audit_records").fetchone()[
                    0
                ]
                changes = conn.total_changes
                _insert_chunked(conn, INSERT, INSERT_CHUNK, values)
                added = conn.total_changes - changes
                if added == len(rows):
                    # All new (the usual case): they took the rids after `before`, in order.
                    fts = [
                        (before + 1 + i, r.text, t)
                        for i, (r, t) in enumerate(zip(rows, tags, strict=True))
                    ]
                else:
                    new = {
                        (chain, seq): rid
                        for rid, chain, seq in conn.execute(
                            "SELECT rid, chain, seq FROM audit_records WHERE rid > ?", (before,)
                        )
                    }
                    fts = [
                        (new[r.values[:2]], r.text, t)
                        for r, t in zip(rows, tags, strict=True)
                        if r.values[:2] in new
                    ]
                _insert_chunked(conn, FTS_INSERT, FTS_CHUNK, fts)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return added

    def sync(self) -> None:
        """Every committed insert on the disk: one commit with synchronous=FULL, which fsyncs
        the WAL file, and with it every frame committed before (a checkpoint would not sync
        while a reader holds back what it may copy)."""
        if self._write is None:
            return
        with self._wlock:
            conn = self._write
            conn.execute("PRAGMA synchronous=FULL")
            try:
                conn.execute(
                    "INSERT INTO audit_state (name, value) VALUES ('synced', ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (repr(time.time()),),
                )
            finally:
                conn.execute("PRAGMA synchronous=NORMAL")

    def prune(self, cutoffs: dict[str, float], default_cutoff: float) -> dict[str, Any]:
        assert self._write is not None
        counts: dict[str, Any] = {}
        now = time.time()
        conditions: list[tuple[str, str, tuple[Any, ...]]] = [
            (p, "policy = ? AND ts < ?", (p, c)) for p, c in cutoffs.items()
        ]
        names = list(cutoffs)
        marks = ", ".join("?" for _ in names)
        other = "(policy IS NULL" + (f" OR policy NOT IN ({marks}))" if names else ")")
        conditions.append(("*", f"{other} AND ts < ?", (*names, default_cutoff)))
        with self._wlock:
            conn = self._write
            for label, where, params in conditions:
                total = 0
                while True:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        rows = conn.execute(
                            f"SELECT rid, tags, body FROM audit_records WHERE body IS NOT NULL "
                            f"AND kind = 'exchange' AND {where} LIMIT 1000",
                            params,
                        ).fetchall()
                        for row in rows:
                            record = orjson.loads(row["body"])
                            conn.execute(
                                "INSERT INTO audit_fts (audit_fts, rowid, content, tags) "
                                "VALUES ('delete', ?, ?, ?)",
                                (row["rid"], search_text(record), row["tags"] or ""),
                            )
                            conn.execute(
                                "UPDATE audit_records SET body = NULL, tags = NULL, pruned_at = ? "
                                "WHERE rid = ?",
                                (now, row["rid"]),
                            )
                        conn.execute("COMMIT")
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    total += len(rows)
                    if len(rows) < 1000:
                        break
                if total:
                    counts[label] = total
        return counts

    # ---- reading ---------------------------------------------------------------------------

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        assert self._read is not None
        with self._rlock:
            return self._read.execute(sql, params).fetchall()

    def search(self, q: Query) -> list[StoredRecord]:
        where, params = q.column_filters("?", "r.")
        match = fts_match(q)
        if match is not None:
            where.append("r.rid IN (SELECT rowid FROM audit_fts WHERE audit_fts MATCH ?)")
            params.append(match)
        sql = (
            f"SELECT r.rid, r.body FROM audit_records r WHERE {' AND '.join(where)} "
            "ORDER BY r.rid DESC LIMIT ?"
        )
        rows = self._query(sql, (*params, q.limit))
        return [StoredRecord(row["rid"], orjson.loads(row["body"])) for row in rows]

    # ---- coordination ----------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, ttl_s: float, now: float) -> bool:
        assert self._write is not None
        with self._wlock:
            self._write.execute(
                "INSERT OR IGNORE INTO audit_state (name, holder, until) VALUES (?, '', 0)",
                (name,),
            )
            cur = self._write.execute(
                "UPDATE audit_state SET holder = ?, until = ? "
                "WHERE name = ? AND (holder = ? OR until < ?)",
                (holder, now + ttl_s, name, holder, now),
            )
            return cur.rowcount == 1

    def get_state(self, name: str) -> str | None:
        rows = self._query("SELECT value FROM audit_state WHERE name = ?", (name,))
        return rows[0]["value"] if rows else None

    def set_state(self, name: str, value: str) -> None:
        assert self._write is not None
        with self._wlock:
            self._write.execute(
                "INSERT INTO audit_state (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # ---- tampering, for the tests and the drill in the docs --------------------------------

    def raw(self) -> sqlite3.Connection:
        """The write connection itself (tests simulate an attacker with it)."""
        assert self._write is not None
        return self._write
