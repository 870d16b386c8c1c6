"""Where the organisation lives: SQLite by default, PostgreSQL when instances share it."""

from __future__ import annotations

from pathlib import Path

from interlock.store.base import Conflict, Row, Store, StoreError, Tx, migrate


def open_store(url: str, base_dir: Path | None = None) -> Store:
    """A store for a database URL; relative SQLite paths are relative to `base_dir`."""
    if url.startswith(("postgresql://", "postgres://")):
        from interlock.store.postgres import PostgresStore

        return PostgresStore(url)
    if url.startswith("sqlite://"):
        from interlock.store.sqlite import SQLiteStore

        raw = url.removeprefix("sqlite://").removeprefix("/")
        # sqlite:///rel.db is relative, sqlite:////abs/path.db absolute (SQLAlchemy's convention).
        path = Path(raw)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        return SQLiteStore(path)
    raise StoreError(f"unsupported database URL: {url.split(':', 1)[0]}://…")


__all__ = ["Conflict", "Row", "Store", "StoreError", "Tx", "migrate", "open_store"]
