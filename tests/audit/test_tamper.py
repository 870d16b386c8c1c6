"""Tamper evidence: a changed, deleted, inserted or reordered record, or a rewritten chain, is
found by `interlock audit verify`, which says where."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from tests.audit.support import cli, fake_exchange_record, minimal_config, write_records

from interlock.audit.chain import canonical, load_public, public_path
from interlock.audit.http import verify_store
from interlock.audit.store import open_audit_store


@pytest.fixture()
async def trail(tmp_path: Path) -> Path:
    config = minimal_config(tmp_path, every=10)
    await write_records(config, [fake_exchange_record(i) for i in range(1, 31)])
    return tmp_path


def _verify(tmp: Path) -> list[dict]:
    store = open_audit_store("sqlite:///store.db", tmp)
    store.open()
    try:
        return verify_store(store, load_public(public_path(tmp / "checkpoint.pem")))
    finally:
        store.close()


def _problems(tmp: Path) -> list[tuple[str, int]]:
    return [(p["kind"], p["seq"]) for r in _verify(tmp) for p in r["problems"]]


def _body(db: sqlite3.Connection, seq: int) -> dict:
    return orjson.loads(
        db.execute("SELECT body FROM audit_records WHERE seq = ?", (seq,)).fetchone()[0]
    )


def _set_body(db: sqlite3.Connection, seq: int, record: dict) -> None:
    db.execute(
        "UPDATE audit_records SET body = ? WHERE seq = ?", (orjson.dumps(record).decode(), seq)
    )


def _rehash(record: dict) -> dict:
    record["hash"] = hashlib.sha256(canonical(record)).hexdigest()
    return record


def change(db: sqlite3.Connection) -> None:
    r = _body(db, 5)
    r["response"]["choices"][0]["text"] = "a different answer"
    _set_body(db, 5, r)


def delete(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM audit_records WHERE seq = 7")


def insert(db: sqlite3.Connection) -> None:
    # A forged record between 12 and 13, linked and hashed correctly; the rows after it move.
    prev = _body(db, 12)
    forged = _rehash(fake_exchange_record(999, chain=prev["chain"], seq=13, prev=prev["hash"]))
    for seq in range(40, 12, -1):
        db.execute("UPDATE audit_records SET seq = seq + 1 WHERE seq = ?", (seq,))
    db.execute(
        "INSERT INTO audit_records (chain, seq, id, kind, ts, hash, prev, body) "
        "VALUES (?, 13, ?, 'exchange', 0, ?, ?, ?)",
        (
            forged["chain"],
            forged["id"],
            forged["hash"],
            forged["prev"],
            orjson.dumps(forged).decode(),
        ),
    )


def reorder(db: sqlite3.Connection) -> None:
    three, four = _body(db, 3), _body(db, 4)
    _set_body(db, 3, four)
    _set_body(db, 4, three)


def rewrite(db: sqlite3.Connection) -> None:
    # Change record 15 and recompute every hash and link after it: only the signature can tell.
    last = db.execute("SELECT MAX(seq) FROM audit_records").fetchone()[0]
    prev = None
    for seq in range(15, last + 1):
        r = _body(db, seq)
        if seq == 15:
            r["request"]["messages"][0]["text"] = "rewritten history"
        else:
            r["prev"] = prev
        _set_body(db, seq, _rehash(r))
        prev = r["hash"]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (change, [("changed", 5)]),
        (delete, [("deleted", 7)]),
        (insert, [("inserted", 13)]),
        (reorder, [("reordered", 3)]),
        (rewrite, [("rewritten", 21)]),  # the first checkpoint after 15 covers 21
    ],
)
def test_verify_finds_and_locates_tampering(
    trail: Path, tamper: Callable[[sqlite3.Connection], None], expected: list[tuple[str, int]]
) -> None:
    assert _problems(trail) == []
    reports = _verify(trail)
    assert reports[0]["records"] == 33 and reports[0]["signed_through"] == 32  # 30 + 3 checkpoints
    db = sqlite3.connect(trail / "store.db", isolation_level=None)
    tamper(db)
    db.close()
    found = _problems(trail)
    assert found[: len(expected)] == expected, found


def test_cli_verify_reports_where_and_fails(trail: Path, tmp_path: Path) -> None:
    cmd = ["audit", "verify", "--config", str(trail / "audit.yaml"),
           "--public-key", str(public_path(trail / "checkpoint.pem"))]  # fmt: skip
    ok = cli(cmd)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    db = sqlite3.connect(trail / "store.db", isolation_level=None)
    change(db)
    delete(db)
    db.close()
    bad = cli(cmd)
    assert bad.returncode == 1
    assert "changed" in bad.stdout and "seq 5" in bad.stdout
    assert "deleted" in bad.stdout and "seq 7" in bad.stdout
    assert "TAMPERING DETECTED" in bad.stderr

    # A checkpoint signed by another key is not accepted.
    other = tmp_path / "other.pem"
    assert cli(["audit", "keygen", str(other)]).returncode == 0
    cmd[-1] = str(public_path(other))
    foreign = cli(cmd)
    assert foreign.returncode == 1 and "unknown_key" in foreign.stdout


def test_verify_an_exported_file_finds_reordered_lines(tmp_path: Path) -> None:
    import asyncio

    config = minimal_config(
        tmp_path, every=5, extra="  sinks:\n    - {type: jsonl, path: export/audit.jsonl}\n"
    )
    asyncio.run(write_records(config, [fake_exchange_record(i) for i in range(1, 13)]))
    export = tmp_path / "export" / "audit.jsonl"
    lines = export.read_bytes().splitlines(keepends=True)
    cmd = ["audit", "verify", "--file", str(export),
           "--public-key", str(public_path(tmp_path / "checkpoint.pem"))]  # fmt: skip
    assert cli(cmd).returncode == 0
    lines[7], lines[8] = lines[8], lines[7]
    shutil.copy(export, tmp_path / "original.jsonl")
    export.write_bytes(b"".join(lines))
    bad = cli(cmd)
    assert bad.returncode == 1 and "reordered" in bad.stdout, bad.stdout
