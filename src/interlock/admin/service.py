"""Managing the organisation: the same operations behind the admin API and the local CLI.

Each change is one transaction: the permission check, the write, its audit record (who, what,
before, after) and the bump of the change counter that tells every instance to reload.
A refused operation is recorded too, in its own transaction.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from interlock.admin import rbac
from interlock.admin.rbac import Actor, Denied
from interlock.admin.schemas import (
    AppCreate,
    BindingCreate,
    IdentityCreate,
    KeyCreate,
    KeyRotate,
    TeamCreate,
    iso,
)
from interlock.auth.keys import hash_key, new_key
from interlock.store import Conflict, Row, Store, Tx, repo
from interlock.store.base import bump_version
from interlock.store.repo import AuditEntry, append_audit

ENTITY_TABLES = {
    "team": "teams",
    "application": "applications",
    "identity": "identities",
    "key": "api_keys",
    "binding": "bindings",
}


class AdminError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(entity: str, id: str) -> AdminError:
    return AdminError(404, "not_found", f"No {entity} '{id}'")


def present(entity: str, row: Row, now: float | None = None) -> dict[str, Any]:
    """A row as the API shows it: times in ISO 8601, a status, never a key's hash."""
    out = {k: v for k, v in row.items() if k != "hash"}
    now = time.time() if now is None else now
    status = "active"
    if row.get("revoked_at") is not None:
        status = "revoked"
    elif row.get("expires_at") is not None and row["expires_at"] <= now:
        status = "expired"
    out["status"] = status
    for k in ("created_at", "revoked_at", "expires_at"):
        if k in out:
            out[k] = iso(out[k])
    if entity == "identity":
        out["roles"] = orjson.loads(row["roles"]) if isinstance(row["roles"], str) else row["roles"]
    return out


class AdminService:
    def __init__(
        self,
        store: Store,
        policy_names: Callable[[], set[str]],
        on_change: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.store = store
        self.policy_names = policy_names
        self.on_change = on_change

    # ---- plumbing --------------------------------------------------------------------------

    async def _change(
        self,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: str | None,
        work: Callable[[Tx], Awaitable[tuple[Row | None, Row, dict[str, Any]]]],
    ) -> dict[str, Any]:
        """Run `work` (returning before, after, result) with its audit record, atomically."""
        try:
            async with self.store.transaction() as tx:
                before, after, result = await work(tx)
                await append_audit(
                    tx,
                    AuditEntry(
                        actor=actor.id,
                        actor_roles=sorted(actor.roles),
                        action=action,
                        entity_type=entity,
                        entity_id=entity_id or after.get("id"),
                        outcome="ok",
                        before=present(entity, before) if before else None,
                        after=present(entity, after),
                        request_id=actor.request_id,
                        source=actor.source,
                    ),
                )
                await bump_version(tx)
        except Denied as denied:
            await self.record_denied(actor, action, entity, entity_id, denied.reason)
            raise AdminError(403, "forbidden", denied.message) from None
        except Conflict as exc:
            raise AdminError(409, "conflict", f"Conflicts with existing data: {exc}") from None
        if self.on_change is not None:
            await self.on_change()
        return result

    async def record_denied(
        self, actor: Actor, action: str, entity: str, entity_id: str | None, reason: str
    ) -> None:
        async with self.store.transaction() as tx:
            await append_audit(
                tx,
                AuditEntry(
                    actor=actor.id,
                    actor_roles=sorted(actor.roles),
                    action=action,
                    entity_type=entity,
                    entity_id=entity_id,
                    outcome="denied",
                    reason=reason,
                    request_id=actor.request_id,
                    source=actor.source,
                ),
            )

    async def _read(self, actor: Actor, action: str, entity: str, entity_id: str | None) -> None:
        try:
            rbac.may_read(actor)
        except Denied as denied:
            await self.record_denied(actor, action, entity, entity_id, denied.reason)
            raise AdminError(403, "forbidden", denied.message) from None

    @staticmethod
    async def _must(tx: Tx, entity: str, id: str) -> Row:
        row = await repo.get(tx, ENTITY_TABLES[entity], id)
        if row is None:
            raise not_found(entity, id)
        return row

    @staticmethod
    async def _live(tx: Tx, entity: str, id: str) -> Row:
        row = await AdminService._must(tx, entity, id)
        if row["revoked_at"] is not None:
            raise AdminError(409, "revoked", f"The {entity} '{id}' is revoked")
        return row

    @staticmethod
    async def _insert_new(tx: Tx, entity: str, row: Row) -> tuple[None, Row, dict[str, Any]]:
        """Insert an entity that must not exist yet (409 if it does); its change's result."""
        if await repo.get(tx, ENTITY_TABLES[entity], row["id"]) is not None:
            raise AdminError(409, "conflict", f"The {entity} '{row['id']}' already exists")
        await repo.insert(tx, ENTITY_TABLES[entity], row)
        after = await AdminService._must(tx, entity, row["id"])
        return None, after, present(entity, after)

    async def _revoke(self, actor: Actor, entity: str, id: str) -> dict[str, Any]:
        table = ENTITY_TABLES[entity]
        team_of = self._team_of(entity)

        async def work(tx: Tx) -> tuple[Row, Row, dict[str, Any]]:
            before = await self._must(tx, entity, id)
            if entity == "team":
                rbac.may_manage_org(actor)
            else:
                rbac.may_write_team(actor, await team_of(tx, before))
            if entity in ("identity", "key"):
                await self._may_act_for_identity(tx, actor, before, entity)
            if before["revoked_at"] is not None:
                raise AdminError(409, "revoked", f"The {entity} '{id}' is already revoked")
            await repo.update(tx, table, id, {"revoked_at": time.time()})
            after = await self._must(tx, entity, id)
            return before, after, present(entity, after)

        return await self._change(actor, "revoke", entity, id, work)

    async def _may_act_for_identity(self, tx: Tx, actor: Actor, row: Row, entity: str) -> None:
        identity = (
            row if entity == "identity" else await self._must(tx, "identity", row["identity_id"])
        )
        rbac.may_grant(actor, orjson.loads(identity["roles"]))

    async def _list(self, actor: Actor, entity: str) -> list[dict[str, Any]]:
        await self._read(actor, "list", entity, None)
        async with self.store.transaction(write=False) as tx:
            rows = await repo.select(tx, ENTITY_TABLES[entity])
            scope = rbac.read_scope(actor)
            if scope is not None:
                team_of = self._team_of(entity)
                rows = [r for r in rows if await team_of(tx, r) == scope]
        now = time.time()
        return [present(entity, r, now) for r in rows]

    async def _show(self, actor: Actor, entity: str, id: str) -> dict[str, Any]:
        await self._read(actor, "show", entity, id)
        async with self.store.transaction(write=False) as tx:
            row = await self._must(tx, entity, id)
            scope = rbac.read_scope(actor)
            team = await self._team_of(entity)(tx, row)
        if scope is not None and team != scope:
            await self.record_denied(actor, "show", entity, id, "other_team")
            raise AdminError(403, "forbidden", "Team admins can only see their own team")
        return present(entity, row)

    @staticmethod
    def _team_of(entity: str) -> Callable[[Tx, Row], Awaitable[str]]:
        """The team an entity belongs to, for scope checks (keys and bindings via their parent,
        whose team ids are read once per call rather than once per row)."""
        parents: dict[str, str] | None = None

        async def team_of(tx: Tx, row: Row) -> str:
            nonlocal parents
            if entity == "team":
                return str(row["id"])
            if entity in ("application", "identity"):
                return str(row["team_id"])
            if parents is None:
                table = "identities" if entity == "key" else "applications"
                rows = await tx.fetchall(f"SELECT id, team_id FROM {table}")
                parents = {r["id"]: r["team_id"] for r in rows}
            return parents.get(row["identity_id" if entity == "key" else "app_id"], "")

        return team_of

    # ---- teams -----------------------------------------------------------------------------

    async def create_team(self, actor: Actor, body: TeamCreate) -> dict[str, Any]:
        async def work(tx: Tx) -> tuple[None, Row, dict[str, Any]]:
            rbac.may_manage_org(actor)
            row = {"id": body.id, "name": body.name or body.id, "created_at": time.time()}
            return await self._insert_new(tx, "team", row)

        return await self._change(actor, "create", "team", body.id, work)

    async def list_teams(self, actor: Actor) -> list[dict[str, Any]]:
        return await self._list(actor, "team")

    async def show_team(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._show(actor, "team", id)

    async def revoke_team(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._revoke(actor, "team", id)

    # ---- applications ----------------------------------------------------------------------

    async def create_app(self, actor: Actor, body: AppCreate) -> dict[str, Any]:
        async def work(tx: Tx) -> tuple[None, Row, dict[str, Any]]:
            rbac.may_write_team(actor, body.team_id)
            await self._live(tx, "team", body.team_id)
            row = {
                "id": body.id,
                "team_id": body.team_id,
                "name": body.name or body.id,
                "created_at": time.time(),
            }
            return await self._insert_new(tx, "application", row)

        return await self._change(actor, "create", "application", body.id, work)

    async def list_apps(self, actor: Actor) -> list[dict[str, Any]]:
        return await self._list(actor, "application")

    async def show_app(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._show(actor, "application", id)

    async def revoke_app(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._revoke(actor, "application", id)

    # ---- identities ------------------------------------------------------------------------

    async def create_identity(self, actor: Actor, body: IdentityCreate) -> dict[str, Any]:
        async def work(tx: Tx) -> tuple[None, Row, dict[str, Any]]:
            rbac.may_write_team(actor, body.team_id)
            rbac.may_grant(actor, body.roles)
            await self._live(tx, "team", body.team_id)
            row = {
                "id": body.id,
                "team_id": body.team_id,
                "kind": body.kind,
                "name": body.name or body.id,
                "subject": body.subject,
                "roles": orjson.dumps(sorted(set(body.roles))).decode(),
                "created_at": time.time(),
            }
            return await self._insert_new(tx, "identity", row)

        return await self._change(actor, "create", "identity", body.id, work)

    async def list_identities(self, actor: Actor) -> list[dict[str, Any]]:
        return await self._list(actor, "identity")

    async def show_identity(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._show(actor, "identity", id)

    async def revoke_identity(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._revoke(actor, "identity", id)

    # ---- keys ------------------------------------------------------------------------------

    async def _key_owner_checks(
        self, tx: Tx, actor: Actor, identity_id: str, app_id: str | None, kind: str
    ) -> None:
        identity = await self._live(tx, "identity", identity_id)
        rbac.may_write_team(actor, identity["team_id"])
        roles = orjson.loads(identity["roles"])
        rbac.may_grant(actor, roles)
        if kind == "admin" and not roles:
            raise AdminError(
                400, "invalid_request", f"The identity '{identity_id}' has no admin role"
            )
        if app_id is not None:
            app = await self._live(tx, "application", app_id)
            rbac.may_write_team(actor, app["team_id"])

    async def create_key(self, actor: Actor, body: KeyCreate) -> dict[str, Any]:
        async def work(tx: Tx) -> tuple[None, Row, dict[str, Any]]:
            await self._key_owner_checks(tx, actor, body.identity_id, body.app_id, body.kind)
            now = time.time()
            key_id, secret = new_key()
            row = {
                "id": key_id,
                "hash": hash_key(secret),
                "kind": body.kind,
                "identity_id": body.identity_id,
                "app_id": body.app_id,
                "name": body.name,
                "created_at": now,
                "expires_at": now + body.expires_in_s if body.expires_in_s else None,
            }
            await repo.insert(tx, "api_keys", row)
            after = await self._must(tx, "key", key_id)
            return None, after, {**present("key", after), "key": secret}

        return await self._change(actor, "create", "key", None, work)

    async def rotate_key(self, actor: Actor, id: str, body: KeyRotate) -> dict[str, Any]:
        async def work(tx: Tx) -> tuple[Row, Row, dict[str, Any]]:
            old = await self._must(tx, "key", id)
            await self._key_owner_checks(tx, actor, old["identity_id"], None, old["kind"])
            now = time.time()
            if old["revoked_at"] is not None or (
                old["expires_at"] is not None and old["expires_at"] <= now
            ):
                raise AdminError(409, "inactive", f"The key '{id}' is revoked or expired")
            if old["replaced_by"] is not None:
                raise AdminError(
                    409, "already_rotated", f"The key '{id}' was rotated to {old['replaced_by']}"
                )
            lifetime = body.expires_in_s
            if lifetime is None and old["expires_at"] is not None:
                lifetime = old["expires_at"] - old["created_at"]
            key_id, secret = new_key()
            await repo.insert(
                tx,
                "api_keys",
                {
                    "id": key_id,
                    "hash": hash_key(secret),
                    "kind": old["kind"],
                    "identity_id": old["identity_id"],
                    "app_id": old["app_id"],
                    "name": old["name"],
                    "created_at": now,
                    "expires_at": now + lifetime if lifetime else None,
                    "replaces": id,
                },
            )
            # The old key keeps working through the overlap, then expires on its own.
            overlap_end = now + body.overlap_s
            if old["expires_at"] is not None:
                overlap_end = min(overlap_end, old["expires_at"])
            await repo.update(
                tx, "api_keys", id, {"expires_at": overlap_end, "replaced_by": key_id}
            )
            after = await self._must(tx, "key", id)
            fresh = await self._must(tx, "key", key_id)
            return old, after, {**present("key", fresh), "key": secret}

        return await self._change(actor, "rotate", "key", id, work)

    async def list_keys(self, actor: Actor) -> list[dict[str, Any]]:
        return await self._list(actor, "key")

    async def show_key(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._show(actor, "key", id)

    async def revoke_key(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._revoke(actor, "key", id)

    # ---- bindings --------------------------------------------------------------------------

    async def create_binding(self, actor: Actor, body: BindingCreate) -> dict[str, Any]:
        async def work(tx: Tx) -> tuple[None, Row, dict[str, Any]]:
            app = await self._live(tx, "application", body.app_id)
            rbac.may_write_team(actor, app["team_id"])
            if body.subject_type == "team":
                await self._live(tx, "team", body.subject_id)
                rbac.may_write_team(actor, body.subject_id)
            else:
                identity = await self._live(tx, "identity", body.subject_id)
                rbac.may_write_team(actor, identity["team_id"])
            if body.policy not in self.policy_names():
                known = ", ".join(sorted(self.policy_names())) or "none"
                raise AdminError(
                    400,
                    "unknown_policy",
                    f"No policy '{body.policy}' in the configuration (known: {known})",
                )
            existing = await tx.fetchone(
                "SELECT id FROM bindings WHERE subject_type = ? AND subject_id = ? AND app_id = ?"
                " AND revoked_at IS NULL",
                (body.subject_type, body.subject_id, body.app_id),
            )
            if existing is not None:
                raise AdminError(
                    409,
                    "conflict",
                    f"A live binding already exists: {existing['id']}; revoke it first",
                )
            binding_id = "bnd_" + secrets.token_hex(8)
            await repo.insert(
                tx,
                "bindings",
                {
                    "id": binding_id,
                    "subject_type": body.subject_type,
                    "subject_id": body.subject_id,
                    "app_id": body.app_id,
                    "policy": body.policy,
                    "created_at": time.time(),
                },
            )
            after = await self._must(tx, "binding", binding_id)
            return None, after, present("binding", after)

        return await self._change(actor, "create", "binding", None, work)

    async def list_bindings(self, actor: Actor) -> list[dict[str, Any]]:
        return await self._list(actor, "binding")

    async def show_binding(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._show(actor, "binding", id)

    async def revoke_binding(self, actor: Actor, id: str) -> dict[str, Any]:
        return await self._revoke(actor, "binding", id)

    # ---- audit -----------------------------------------------------------------------------

    async def list_audit(self, reader: Actor, **filters: Any) -> list[dict[str, Any]]:
        try:
            rbac.may_read_audit(reader)
        except Denied as denied:
            await self.record_denied(reader, "list", "audit", None, denied.reason)
            raise AdminError(403, "forbidden", denied.message) from None
        async with self.store.transaction(write=False) as tx:
            rows = await repo.list_audit(tx, **filters)
        for row in rows:
            row["at"] = iso(row["at"])
        return rows
