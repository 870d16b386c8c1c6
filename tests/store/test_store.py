"""The identity database on SQLite and PostgreSQL: migrations, transactions, the change counter
and what is (not) stored."""

from __future__ import annotations

import asyncio

import pytest

from interlock.admin.schemas import AppCreate, TeamCreate
from interlock.admin.service import AdminError, AdminService
from interlock.auth.keys import hash_key
from interlock.auth.view import IdentityView
from interlock.store import Conflict, Store, StoreError, migrate, open_store, repo
from interlock.store.base import bump_version, read_version
from interlock.store.migrations import LATEST
from tests.auth.support import POLICY_NAMES, ROOT, Database, seed


async def test_migrations_apply_once_and_are_recorded(store: Store) -> None:
    assert await migrate(store) == LATEST  # second run: nothing to do, no error
    async with store.transaction(write=False) as tx:
        rows = await tx.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in rows] == list(range(1, LATEST + 1))
        assert await read_version(tx) == 1


async def test_concurrent_migrations_from_several_instances(database: Database) -> None:
    stores = [open_store(database.url) for _ in range(4)]
    for s in stores:
        await s.open()
    try:
        assert await asyncio.gather(*(migrate(s) for s in stores)) == [LATEST] * 4
        async with stores[0].transaction(write=False) as tx:
            rows = await tx.fetchall("SELECT version FROM schema_migrations")
        assert len(rows) == LATEST
    finally:
        for s in stores:
            await s.close()


async def test_newer_schema_is_refused(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
            (LATEST + 1, "from the future", 0.0),
        )
    with pytest.raises(StoreError, match="newer than this gateway"):
        await migrate(store)


async def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await repo.insert(tx, "teams", {"id": "t", "name": "t", "created_at": 1.0})
            await bump_version(tx)
            raise RuntimeError("boom")
    async with store.transaction(write=False) as tx:
        assert await repo.get(tx, "teams", "t") is None
        assert await read_version(tx) == 1


async def test_constraints_become_conflicts(store: Store) -> None:
    async with store.transaction() as tx:
        await repo.insert(tx, "teams", {"id": "t", "name": "t", "created_at": 1.0})
    with pytest.raises(Conflict):
        async with store.transaction() as tx:
            await repo.insert(tx, "teams", {"id": "t", "name": "again", "created_at": 2.0})
    with pytest.raises(Conflict):  # foreign key: no such team
        async with store.transaction() as tx:
            await repo.insert(
                tx, "applications", {"id": "a", "team_id": "nope", "name": "a", "created_at": 1.0}
            )


async def test_every_change_bumps_the_counter(store: Store) -> None:
    service = AdminService(store, lambda: POLICY_NAMES)
    versions = [await repo.current_version(store)]
    await service.create_team(ROOT, TeamCreate(id="t1"))
    versions.append(await repo.current_version(store))
    await service.create_app(ROOT, AppCreate(id="a1", team_id="t1"))
    versions.append(await repo.current_version(store))
    await service.revoke_app(ROOT, "a1")
    versions.append(await repo.current_version(store))
    assert versions == sorted(set(versions)) and len(versions) == 4
    # A refused change does not move it.
    with pytest.raises(AdminError):
        await service.create_app(ROOT, AppCreate(id="a2", team_id="missing"))
    assert await repo.current_version(store) == versions[-1]


async def test_keys_are_stored_only_as_hashes(store: Store) -> None:
    service = AdminService(store, lambda: POLICY_NAMES)
    org = await seed(service)
    secret = org.keys["alice"]
    async with store.transaction(write=False) as tx:
        rows = await tx.fetchall("SELECT * FROM api_keys")
        audit = await tx.fetchall("SELECT * FROM admin_audit")
    dump = repr(rows) + repr(audit)
    for key in org.keys.values():
        assert key not in dump
        assert key.split("_", 2)[2] not in dump  # not even the secret part
    row = next(r for r in rows if r["id"] == org.key_ids["alice"])
    assert row["hash"] == hash_key(secret) and len(row["hash"]) == 64
    assert secret.startswith(row["id"] + "_")  # the visible prefix is the id


async def test_snapshot_builds_the_view(store: Store) -> None:
    org = await seed(AdminService(store, lambda: POLICY_NAMES))
    view = IdentityView(await repo.load_snapshot(store))
    key = view.keys[org.key_ids["alice-chat"]]
    assert key.app_id == "chat" and key.identity_id == "alice"
    assert view.by_subject["carol@corp"].id == "carol"
    assert view.binding_for("alice", "red", "search").policy == "open"
    assert view.binding_for("alice", "red", "chat").policy == "standard"  # via the team
    assert view.binding_for(None, "blue", "chat") is None
    assert view.identities["root"].roles == ("org_admin",)


async def test_audit_records_who_what_before_after(store: Store) -> None:
    service = AdminService(store, lambda: POLICY_NAMES)
    await service.create_team(ROOT, TeamCreate(id="t1", name="First"))
    await service.create_app(ROOT, AppCreate(id="a1", team_id="t1"))
    await service.revoke_app(ROOT, "a1")
    async with store.transaction(write=False) as tx:
        rows = await repo.list_audit(tx, entity_id="a1")
    assert [(r["action"], r["outcome"]) for r in rows] == [("create", "ok"), ("revoke", "ok")]
    create, revoke = rows
    assert create["actor"] == "test:root" and create["actor_roles"] == ["org_admin"]
    assert create["before"] is None and create["after"]["status"] == "active"
    assert revoke["before"]["status"] == "active" and revoke["after"]["status"] == "revoked"
    assert revoke["after"]["revoked_at"] is not None


def test_database_urls() -> None:
    from pathlib import Path

    rel = open_store("sqlite:///ids.db", Path("/etc/interlock"))
    assert rel.path == Path("/etc/interlock/ids.db")  # type: ignore[attr-defined]
    absolute = open_store("sqlite:////var/lib/ids.db", Path("/etc"))
    assert absolute.path == Path("/var/lib/ids.db")  # type: ignore[attr-defined]
    assert open_store("postgresql://u@h/db").dialect == "postgresql"
    with pytest.raises(StoreError):
        open_store("mysql://x")
