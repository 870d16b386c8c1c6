"""The audit store: SQLite with FTS5 by default, PostgreSQL (tsvector) for several instances.

Synchronous on purpose: it is used from the store sink's worker thread, the search API (in a
worker thread), the CLI and the benchmark, never from the event loop directly.
"""

from __future__ import annotations

from pathlib import Path

from interlock.audit.store.base import AuditStore, StoredRecord, row_values


def open_audit_store(url: str, base_dir: Path | None = None) -> AuditStore:
    if url.startswith(("postgresql://", "postgres://")):
        from interlock.audit.store.postgres import PostgresAuditStore

        return PostgresAuditStore(url)
    if url.startswith("sqlite://"):
        from interlock.audit.store.sqlite import SQLiteAuditStore

        raw = url.removeprefix("sqlite://").removeprefix("/")
        path = Path(raw)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        return SQLiteAuditStore(path)
    raise ValueError(f"unsupported audit store URL: {url.split(':', 1)[0]}://…")


__all__ = ["AuditStore", "StoredRecord", "open_audit_store", "row_values"]
