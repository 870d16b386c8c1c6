"""PostgreSQL audit store: records with a `tsvector` of their words (GIN) and an array of tags
(GIN), shared by every gateway instance. Each instance writes its own chains; a record already
stored (same chain and seq, after a redelivery) is skipped."""

from __future__ import annotations

import threading
import time
from typing import Any

import orjson
import psycopg
from psycopg.rows import dict_row

from interlock.audit.search import Query
from interlock.audit.store.base import (
    COLUMNS,
    SqlReads,
    StoredRecord,
    StoreRow,
    store_row,
)

_LOCK_ID = 0x1D3_A0D1  # serialises schema creation between instances

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS audit_records (
        rid BIGSERIAL PRIMARY KEY,
        chain TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
        ts DOUBLE PRECISION NOT NULL, team TEXT, app TEXT, identity TEXT, end_user TEXT,
        policy TEXT, model TEXT, provider TEXT, status INTEGER, outcome TEXT,
        hash TEXT NOT NULL, prev TEXT NOT NULL, tags TEXT[], body TEXT, tsv TSVECTOR,
        pruned_at DOUBLE PRECISION,
        UNIQUE (chain, seq)
    )""",
    "CREATE INDEX IF NOT EXISTS audit_ts ON audit_records(ts)",
    "CREATE INDEX IF NOT EXISTS audit_end_user ON audit_records(end_user, ts)",
    "CREATE INDEX IF NOT EXISTS audit_team ON audit_records(team, ts)",
    "CREATE INDEX IF NOT EXISTS audit_app ON audit_records(app, ts)",
    "CREATE INDEX IF NOT EXISTS audit_identity ON audit_records(identity, ts)",
    "CREATE INDEX IF NOT EXISTS audit_model ON audit_records(model, ts)",
    "CREATE INDEX IF NOT EXISTS audit_request_id ON audit_records(id)",
    "CREATE INDEX IF NOT EXISTS audit_tsv ON audit_records USING GIN (tsv)",
    "CREATE INDEX IF NOT EXISTS audit_tags ON audit_records USING GIN (tags)",
    """CREATE TABLE IF NOT EXISTS audit_state (
        name TEXT PRIMARY KEY, value TEXT, holder TEXT, until DOUBLE PRECISION
    )""",
]

INSERT = (
    f"INSERT INTO audit_records ({', '.join(COLUMNS)}, tags, body, tsv) "
    f"VALUES ({', '.join('%s' for _ in COLUMNS)}, %s, %s, to_tsvector('simple', %s)) "
    "ON CONFLICT (chain, seq) DO NOTHING"
)


class PostgresAuditStore(SqlReads):
    P = "%s"
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self._write: psycopg.Connection[dict[str, Any]] | None = None
        self._read: psycopg.Connection[dict[str, Any]] | None = None
        self._wlock = threading.Lock()
        self._rlock = threading.Lock()

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        return psycopg.connect(
            self.url,
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=5,
            application_name="interlock-audit",
            # A database that vanishes without closing the socket (a host gone, a cut network)
            # must fail the insert, not hang the shipper's thread (and its lock) forever.
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
            tcp_user_timeout=15000,
        )

    def open(self) -> None:
        if self._write is not None:
            return
        conn = self._connect()
        try:
            with self._wlock, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
                for stmt in SCHEMA:
                    conn.execute(stmt)
            self._read = self._connect()
        except BaseException:
            conn.close()
            raise
        # Kept only once the schema is there: a failed open is tried again whole.
        self._write = conn

    def close(self) -> None:
        for conn in (self._write, self._read):
            if conn is not None:
                conn.close()
        self._write = self._read = None

    def _writer(self) -> psycopg.Connection[dict[str, Any]]:
        if self._write is None or self._write.closed or self._write.broken:
            self._write = self._connect()
        return self._write

    def _reader(self) -> psycopg.Connection[dict[str, Any]]:
        if self._read is None or self._read.closed or self._read.broken:
            self._read = self._connect()
        return self._read

    # ---- writing ---------------------------------------------------------------------------

    def insert(self, records: list[dict[str, Any]]) -> int:
        return self.insert_rows([store_row(r) for r in records])

    def insert_rows(self, rows: list[StoreRow]) -> int:
        values = [(*r.values, list(r.tags), r.body, r.text) for r in rows]
        with self._wlock:
            conn = self._writer()
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(INSERT, values, returning=False)
                return max(0, cur.rowcount)

    def prune(self, cutoffs: dict[str, float], default_cutoff: float) -> dict[str, Any]:
        counts: dict[str, Any] = {}
        now = time.time()
        conditions: list[tuple[str, str, tuple[Any, ...]]] = [
            (p, "policy = %s AND ts < %s", (p, c)) for p, c in cutoffs.items()
        ]
        names = list(cutoffs)
        other = "(policy IS NULL OR NOT (policy = ANY(%s)))"
        conditions.append(("*", f"{other} AND ts < %s", (names, default_cutoff)))
        with self._wlock:
            conn = self._writer()
            for label, where, params in conditions:
                with conn.transaction():
                    cur = conn.execute(
                        "UPDATE audit_records SET body = NULL, tags = NULL, tsv = NULL, "
                        f"pruned_at = %s WHERE body IS NOT NULL AND kind = 'exchange' AND {where}",
                        (now, *params),
                    )
                if cur.rowcount:
                    counts[label] = cur.rowcount
        return counts

    # ---- reading ---------------------------------------------------------------------------

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._rlock:
            return self._reader().execute(sql, params).fetchall()

    def search(self, q: Query) -> list[StoredRecord]:
        where, params = q.column_filters("%s", "")
        words = q.words()
        if words:
            # Each word as its own lexeme, all required: the same meaning as the SQLite search.
            where.append("tsv @@ to_tsquery('simple', %s)")
            params.append(" & ".join(f"'{w}'" for w in words))
        tags = q.tags()
        if tags:
            where.append("tags @> %s")
            params.append(tags)
        sql = (
            f"SELECT rid, body FROM audit_records WHERE {' AND '.join(where)} "
            "ORDER BY rid DESC LIMIT %s"
        )
        rows = self._query(sql, (*params, q.limit))
        return [StoredRecord(row["rid"], orjson.loads(row["body"])) for row in rows]

    # ---- coordination ----------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, ttl_s: float, now: float) -> bool:
        with self._wlock:
            conn = self._writer()
            conn.execute(
                "INSERT INTO audit_state (name, holder, until) VALUES (%s, '', 0) "
                "ON CONFLICT (name) DO NOTHING",
                (name,),
            )
            cur = conn.execute(
                "UPDATE audit_state SET holder = %s, until = %s "
                "WHERE name = %s AND (holder = %s OR until < %s)",
                (holder, now + ttl_s, name, holder, now),
            )
            return cur.rowcount == 1

    def get_state(self, name: str) -> str | None:
        rows = self._query("SELECT value FROM audit_state WHERE name = %s", (name,))
        return rows[0]["value"] if rows else None

    def set_state(self, name: str, value: str) -> None:
        with self._wlock:
            self._writer().execute(
                "INSERT INTO audit_state (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def raw(self) -> psycopg.Connection[dict[str, Any]]:
        return self._writer()
