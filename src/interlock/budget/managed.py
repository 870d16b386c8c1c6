"""Budgets managed in the database (`/admin/budgets`, `interlock budgets`), next to the YAML's.

A managed budget has a scope (any of team, app, model and key; one left out means "any": {team:
red} is team red's budget over every app, model and key), a period (day, week, month) in a time
zone, a limit, warning thresholds and what happens at 100 % (block, or downgrade to a cheaper
model). It compiles to the same `CompiledBudget` as a policy limit whose `per:` names the
scope's dimensions, so both count the same fact in one counter, and applies to every caller
whose values match the scope, whatever their policy.

Every change is one transaction: the write, its admin-audit record (before and after) and a
bump of `budget_state`, a one-row change counter each instance polls (the mechanism identity
uses for revocations), so a change applies on every instance within one `database.refresh_s`.

The listing gives each budget's spend and reservations in its current period — from the live
counters on a gateway, from the spend ledger in the CLI — and lists the configuration's budgets
too (read-only, `source: config`), one entry per counter that has spend this period.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from interlock.admin.rbac import Actor
from interlock.admin.service import AdminError
from interlock.budget.catalogue import NANO_PER_USD
from interlock.budget.limits import CompiledBudget, CostState
from interlock.budget.periods import Period
from interlock.store import Row, Store, StoreError, Tx
from interlock.store.repo import AuditEntry, append_audit

if TYPE_CHECKING:
    from interlock.config.schema import GatewayConfig

SCOPE = ("team", "app", "model", "key")
COLUMN = {"team": "team_id", "app": "app_id", "model": "model", "key": "key_id"}
ENTITY = "budget"


# ---- the API's bodies ------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BudgetScope(_Body):
    team: str | None = Field(None, min_length=1, max_length=200)
    app: str | None = Field(None, min_length=1, max_length=200)
    model: str | None = Field(None, min_length=1, max_length=200)
    key: str | None = Field(None, min_length=1, max_length=200, description="an API key's id")


class BudgetCreate(_Body):
    name: str | None = Field(None, min_length=1, max_length=200)
    scope: BudgetScope = Field(default_factory=BudgetScope)
    period: Literal["day", "week", "month"] = "month"
    timezone: str = "UTC"
    limit_usd: float = Field(gt=0, le=1e9)
    thresholds: list[float] = Field(default_factory=lambda: [0.8], max_length=10)
    action: Literal["block", "downgrade"] = "block"
    downgrade_to: str | None = None
    # Accepted so a listed budget can be sent back as it is; budgets made here are "admin".
    source: Literal["admin"] | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{v}' (use an IANA name like Europe/Paris)"
            ) from None
        return v

    @field_validator("thresholds")
    @classmethod
    def _fractions(cls, v: list[float]) -> list[float]:
        if any(not 0 < x < 1 for x in v):
            raise ValueError("thresholds are fractions between 0 and 1 (0.8 = 80 %)")
        return sorted(set(v))


class BudgetPatch(_Body):
    """Only the fields given change; `scope` fields given replace theirs (null: any)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    scope: BudgetScope | None = None
    period: Literal["day", "week", "month"] | None = None
    timezone: str | None = None
    limit_usd: float | None = None
    thresholds: list[float] | None = None
    action: Literal["block", "downgrade"] | None = None
    downgrade_to: str | None = None
    source: Literal["admin"] | None = None


class ScopeOut(BaseModel):
    team: str | None = None
    app: str | None = None
    model: str | None = None
    key: str | None = None
    identity: str | None = None  # only config budgets kept `per: [identity]`


class BudgetOut(BaseModel):
    id: str
    name: str
    source: Literal["config", "admin"]
    policy: str | None = None  # the policy a config budget belongs to
    scope: ScopeOut
    period: str
    timezone: str
    limit_usd: float
    thresholds: list[float]
    action: str
    downgrade_to: str | None = None
    spent_usd: float
    reserved_usd: float
    period_start: str
    period_end: str
    created_at: float | None = None
    updated_at: float | None = None


class BudgetList(BaseModel):
    data: list[BudgetOut]


# ---- rows and their compiled form ----------------------------------------------------------


async def budget_version(store: Store) -> int:
    async with store.transaction(write=False) as tx:
        row = await tx.fetchone("SELECT version FROM budget_state WHERE id = 1")
    if row is None:
        raise StoreError("budget_state row is missing: the database was not migrated")
    return int(row["version"])


async def load_rows(store: Store) -> tuple[int, list[Row]]:
    """The budgets and the counter's version, read in one consistent transaction."""
    async with store.transaction(write=False) as tx:
        row = await tx.fetchone("SELECT version FROM budget_state WHERE id = 1")
        rows = await tx.fetchall("SELECT * FROM budgets ORDER BY created_at, id")
    if row is None:
        raise StoreError("budget_state row is missing: the database was not migrated")
    return int(row["version"]), rows


def compile_row(row: Row, config: GatewayConfig) -> CompiledBudget:
    values = {d: row[COLUMN[d]] for d in SCOPE if row[COLUMN[d]] is not None}
    dims = tuple(d for d in SCOPE if d in values)
    models = None
    if "model" in values:
        # A model the configuration no longer has: the budget applies to nothing until it does.
        name = config.resolve_name(values["model"])
        models = frozenset({name}) if name else frozenset()
        values["model"] = name or values["model"]
    return CompiledBudget(
        policy="admin",
        label=row["name"],
        dims=dims,
        period=row["period"],
        timezone=row["timezone"],
        week_starts="monday",
        limit_nano=int(row["limit_nano"]),
        warn_at=tuple(orjson.loads(row["thresholds"])),
        on_exceed=row["action"],
        downgrade_to=config.resolve_name(row["downgrade_to"]) if row["downgrade_to"] else None,
        model_filter=None,
        models=models,
        scope=tuple((d, values[d]) for d in dims),
        id=row["id"],
    )


def compile_rows(rows: Iterable[Row], config: GatewayConfig) -> list[CompiledBudget]:
    return [compile_row(r, config) for r in rows]


def public(row: Row) -> dict[str, Any]:
    """A row as the API and the audit trail show it (without the computed fields)."""
    return {
        "id": row["id"],
        "name": row["name"],
        "source": "admin",
        "scope": {d: row[COLUMN[d]] for d in SCOPE},
        "period": row["period"],
        "timezone": row["timezone"],
        "limit_usd": int(row["limit_nano"]) / NANO_PER_USD,
        "thresholds": orjson.loads(row["thresholds"]),
        "action": row["action"],
        "downgrade_to": row["downgrade_to"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _iso(ts: float, tz: str) -> str:
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).isoformat()


# ---- what each budget has used -------------------------------------------------------------


@dataclass(slots=True)
class Entry:
    """One listed budget: its compiled form, the counter it uses now, and its public fields."""

    budget: CompiledBudget
    values: dict[str, str]
    period: Period
    fields: dict[str, Any]
    ledger_nano: int = 0

    @property
    def key(self) -> str:
        return self.budget.key(self.values, self.period)


# Reads (spent, reserved) in nano-dollars for counter keys: the gateway's live counters.
Peek = Callable[[list[str]], Awaitable[list[tuple[int, int]]]]


async def _ledger_rows(store: Store, start: float, end: float) -> list[Row]:
    async with store.transaction(write=False) as tx:
        return await tx.fetchall(
            "SELECT team_id, app_id, model, key_id, identity_id, SUM(cost_nano) AS cost_nano "
            "FROM spend_ledger WHERE bucket_start >= ? AND bucket_start < ? "
            "GROUP BY team_id, app_id, model, key_id, identity_id",
            (start, end),
        )


async def _bindings(store: Store) -> set[tuple[str, str, str, str]]:
    """(policy, app, subject type, subject id) of the bindings in force."""
    async with store.transaction(write=False) as tx:
        rows = await tx.fetchall(
            "SELECT policy, app_id, subject_type, subject_id FROM bindings WHERE revoked_at IS NULL"
        )
    return {(r["policy"], r["app_id"], r["subject_type"], r["subject_id"]) for r in rows}


def _under(bound: set[tuple[str, str, str, str]], policy: str, values: dict[str, str]) -> bool:
    """Whether spend by these callers was made under `policy`, as the bindings say (a token
    caller whose policy came from its claims is not seen here)."""
    app = values["app"]
    return (policy, app, "identity", values["identity"]) in bound or (
        policy,
        app,
        "team",
        values["team"],
    ) in bound


def _row_values(row: Row) -> dict[str, str]:
    return {
        "team": row["team_id"],
        "app": row["app_id"],
        "model": row["model"],
        "key": row["key_id"],
        "identity": row["identity_id"],
    }


async def entries(
    store: Store | None, state: CostState, now: float, peek: Peek | None = None
) -> list[Entry]:
    """Every budget with its use this period: admin budgets, then each config budget's counters."""
    found: list[Entry] = []
    for b in state.managed:
        period = b.current(now)
        values = dict(b.scope or ())
        fields = {"id": b.id, "source": "admin", "policy": None, "scope": dict(values)}
        found.append(Entry(b, values, period, fields))
    bound = await _bindings(store) if store is not None else set()
    for pname, policy in state.policies.items():
        for i, b in enumerate(policy.budgets):
            period = b.current(now)
            if not b.dims:
                fields = {"id": f"config:{pname}:{i}", "source": "config", "policy": pname,
                          "scope": {}}  # fmt: skip
                found.append(Entry(b, {}, period, fields))
                continue
            seen: set[tuple[str, ...]] = set()
            rows = await _ledger_rows(store, period.start, period.end) if store else []
            for row in rows:
                values = _row_values(row)
                if not b.applies(values["model"]) or not _under(bound, pname, values):
                    continue
                scope = tuple(values[d] for d in b.dims)
                if scope in seen:
                    continue
                seen.add(scope)
                picked = {d: values[d] for d in b.dims}
                ident = ",".join(f"{d}={v}" for d, v in picked.items())
                fields = {"id": f"config:{pname}:{i}:{ident}", "source": "config",
                          "policy": pname, "scope": picked}  # fmt: skip
                found.append(Entry(b, picked, period, fields))
    # Spend from the ledger (what the CLI can know), by period, each row once per entry.
    if store is not None and peek is None:
        by_span: dict[tuple[float, float], list[Row]] = {}
        for e in found:
            span = (e.period.start, e.period.end)
            if span not in by_span:
                by_span[span] = await _ledger_rows(store, *span)
            for row in by_span[span]:
                values = _row_values(row)
                if e.budget.applies(values["model"]) and all(
                    values[d] == v for d, v in e.values.items()
                ):
                    e.ledger_nano += int(row["cost_nano"] or 0)
    return found


async def present(entries_: list[Entry], peek: Peek | None) -> list[dict[str, Any]]:
    used = await peek([e.key for e in entries_]) if peek is not None and entries_ else None
    out = []
    for i, e in enumerate(entries_):
        b = e.budget
        spent, reserved = used[i] if used is not None else (e.ledger_nano, 0)
        scope = {d: e.fields["scope"].get(d) for d in (*SCOPE, "identity")}
        out.append(
            {
                **e.fields,
                "name": b.label,
                "scope": scope,
                "period": b.period,
                "timezone": b.timezone,
                "limit_usd": b.limit_nano / NANO_PER_USD,
                "thresholds": list(b.warn_at),
                "action": b.on_exceed,
                "downgrade_to": b.downgrade_to,
                "spent_usd": spent / NANO_PER_USD,
                "reserved_usd": reserved / NANO_PER_USD,
                "period_start": _iso(e.period.start, b.timezone),
                "period_end": _iso(e.period.end, b.timezone),
            }
        )
    return out


async def scope_spend(store: Store, b: CompiledBudget, period: Period) -> int:
    """What the ledger holds for a managed budget's scope in a period (flushed rows only)."""
    values = dict(b.scope or ())
    total = 0
    for row in await _ledger_rows(store, period.start, period.end):
        v = _row_values(row)
        if b.applies(v["model"]) and all(v[d] == x for d, x in values.items()):
            total += int(row["cost_nano"] or 0)
    return total


def shares_counter(b: CompiledBudget, others: Iterable[CompiledBudget]) -> bool:
    """Whether another budget in force keeps `b`'s counter up to date already."""
    return any(
        o.family == b.family and (o.scope is None or o.scope == b.scope)
        for o in others
        if not (b.id and o.id == b.id)
    )


# ---- the operations behind the API and the CLI ---------------------------------------------


def _may_read(actor: Actor) -> str | None:
    """None: every budget; a team id: that team's only. Raises for roles that read nothing."""
    if actor.org_admin or actor.roles & {"auditor", "viewer"}:
        return None
    if actor.team_admin:
        return actor.team_id
    raise PermissionError("This role cannot read budgets")


def _may_write(actor: Actor, team: str | None) -> None:
    if actor.org_admin:
        return
    if actor.team_admin and team is not None and team == actor.team_id:
        return
    if actor.team_admin:
        raise PermissionError("Team admins manage budgets scoped to their own team only")
    raise PermissionError(
        "Only organisation admins, and team admins for their team, manage budgets"
    )


class BudgetAdmin:
    """List, show, create, update and delete budgets, with permission checks and the audit."""

    def __init__(
        self,
        store: Store,
        state: Callable[[], CostState],
        peek: Peek | None = None,
        before_change: Callable[[CompiledBudget], Awaitable[None]] | None = None,
        after_change: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.state = state
        self.peek = peek
        self.before_change = before_change  # e.g. seed the shared counter from the ledger
        self.after_change = after_change  # e.g. reload this instance's budgets at once
        self.clock = clock

    async def _denied(self, actor: Actor, action: str, id: str | None, message: str) -> AdminError:
        async with self.store.transaction() as tx:
            await append_audit(
                tx,
                AuditEntry(
                    actor=actor.id, actor_roles=sorted(actor.roles), action=action,
                    entity_type=ENTITY, entity_id=id, outcome="denied", reason="budget_not_allowed",
                    request_id=actor.request_id, source=actor.source,
                ),
            )  # fmt: skip
        return AdminError(403, "forbidden", message)

    async def _read_scope(self, actor: Actor, action: str, id: str | None) -> str | None:
        try:
            return _may_read(actor)
        except PermissionError as exc:
            raise await self._denied(actor, action, id, str(exc)) from None

    async def list(self, actor: Actor) -> list[dict[str, Any]]:
        team = await self._read_scope(actor, "list_budgets", None)
        found = await entries(self.store, self.state(), self.clock(), self.peek)
        if team is not None:
            found = [e for e in found if e.fields["scope"].get("team") == team]
        return await present(found, self.peek)

    async def show(self, actor: Actor, id: str) -> dict[str, Any]:
        team = await self._read_scope(actor, "show_budget", id)
        found = await entries(self.store, self.state(), self.clock(), self.peek)
        match = [e for e in found if e.fields["id"] == id]
        if not match or (team is not None and match[0].fields["scope"].get("team") != team):
            raise AdminError(404, "not_found", f"No budget '{id}'")
        return (await present(match, self.peek))[0]

    async def _check(self, tx: Tx, body: BudgetCreate) -> dict[str, Any]:
        """The row a valid body makes; 400 for what names nothing this gateway knows."""
        config = self.state().config
        scope = body.scope
        model = None
        if scope.model is not None:
            model = config.resolve_name(scope.model)
            if model is None:
                raise AdminError(
                    400, "invalid_request", f"scope.model: unknown model '{scope.model}'"
                )
        if (body.action == "downgrade") != (body.downgrade_to is not None):
            raise AdminError(400, "invalid_request",
                             "downgrade_to: required with action downgrade, and only then")  # fmt: skip
        target = None
        if body.downgrade_to is not None:
            target = config.resolve_name(body.downgrade_to)
            if target is None or config.models[target].kind != "chat":
                raise AdminError(400, "invalid_request",
                                 f"downgrade_to: '{body.downgrade_to}' is not a configured chat model")  # fmt: skip
        for dim, table in (("team", "teams"), ("app", "applications"), ("key", "api_keys")):
            value = getattr(scope, dim)
            if value is None:
                continue
            row = await tx.fetchone(f"SELECT * FROM {table} WHERE id = ?", (value,))
            if row is None:
                raise AdminError(400, "invalid_request", f"scope.{dim}: no {dim} '{value}'")
            if dim == "app" and scope.team is not None and row["team_id"] != scope.team:
                raise AdminError(400, "invalid_request",
                                 f"scope.app: '{value}' belongs to another team")  # fmt: skip
        return {
            "name": body.name or _default_name(scope, body.period),
            "team_id": scope.team,
            "app_id": scope.app,
            "model": model,
            "key_id": scope.key,
            "period": body.period,
            "timezone": body.timezone,
            "limit_nano": round(body.limit_usd * NANO_PER_USD),
            "thresholds": orjson.dumps(body.thresholds).decode(),
            "action": body.action,
            "downgrade_to": target,
        }

    async def _write(
        self,
        actor: Actor,
        action: str,
        id: str,
        work: Callable[[Tx], Awaitable[tuple[Row | None, Row | None]]],
    ) -> Row | None:
        async with self.store.transaction() as tx:
            before, after = await work(tx)
            await append_audit(
                tx,
                AuditEntry(
                    actor=actor.id, actor_roles=sorted(actor.roles), action=action,
                    entity_type=ENTITY, entity_id=id, outcome="ok",
                    before=public(before) if before else None,
                    after=public(after) if after else None,
                    request_id=actor.request_id, source=actor.source,
                ),
            )  # fmt: skip
            await tx.execute("UPDATE budget_state SET version = version + 1 WHERE id = 1")
        if self.after_change is not None:
            await self.after_change()
        return after

    async def _seed(self, row: Row) -> None:
        if self.before_change is not None:
            await self.before_change(compile_row(row, self.state().config))

    async def create(self, actor: Actor, body: BudgetCreate) -> dict[str, Any]:
        id = "bud_" + secrets.token_hex(6)
        now = time.time()
        try:
            _may_write(actor, body.scope.team)
        except PermissionError as exc:
            raise await self._denied(actor, "create_budget", None, str(exc)) from None
        async with self.store.transaction(write=False) as tx:
            row = {"id": id, **await self._check(tx, body), "created_at": now, "updated_at": now}
        await self._seed(row)

        async def work(tx: Tx) -> tuple[Row | None, Row | None]:
            names = list(row)
            await tx.execute(
                f"INSERT INTO budgets ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                tuple(row.values()),
            )
            return None, row

        await self._write(actor, "create_budget", id, work)
        return await self.show(actor, id)

    async def _current(self, tx: Tx, id: str) -> Row:
        row = await tx.fetchone("SELECT * FROM budgets WHERE id = ?", (id,))
        if row is None:
            if id.startswith("config:"):
                raise AdminError(409, "read_only",
                                 "Budgets from the configuration file are changed in that file")  # fmt: skip
            raise AdminError(404, "not_found", f"No budget '{id}'")
        return row

    async def update(self, actor: Actor, id: str, patch: BudgetPatch) -> dict[str, Any]:
        async with self.store.transaction(write=False) as tx:
            before = await self._current(tx, id)
            merged = {k: v for k, v in public(before).items() if k in BudgetCreate.model_fields}
            changes = patch.model_dump(exclude_unset=True)
            if "scope" in changes:
                merged["scope"] = {**merged["scope"], **(changes.pop("scope") or {})}
            merged.update(changes)
            if merged.get("action") == "block" and "downgrade_to" not in changes:
                merged["downgrade_to"] = None  # switching to block drops the old target
            try:
                body = BudgetCreate.model_validate(merged)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "body"
                raise AdminError(400, "invalid_request", f"{where}: {first['msg']}") from None
        try:  # outside the read transaction: a refusal is written in its own
            _may_write(actor, before["team_id"])
            _may_write(actor, body.scope.team)
        except PermissionError as exc:
            raise await self._denied(actor, "update_budget", id, str(exc)) from None
        async with self.store.transaction(write=False) as tx:
            row = {**before, **await self._check(tx, body), "updated_at": time.time()}
        await self._seed(row)

        async def work(tx: Tx) -> tuple[Row | None, Row | None]:
            fresh = await self._current(tx, id)
            names = [k for k in row if k not in ("id", "created_at")]
            sets = ", ".join(f"{k} = ?" for k in names)
            await tx.execute(
                f"UPDATE budgets SET {sets} WHERE id = ?", (*(row[k] for k in names), id)
            )
            return fresh, row

        await self._write(actor, "update_budget", id, work)
        return await self.show(actor, id)

    async def delete(self, actor: Actor, id: str) -> dict[str, Any]:
        async with self.store.transaction(write=False) as tx:
            before = await self._current(tx, id)
        try:
            _may_write(actor, before["team_id"])
        except PermissionError as exc:
            raise await self._denied(actor, "delete_budget", id, str(exc)) from None
        shown = await self.show(actor, id)

        async def work(tx: Tx) -> tuple[Row | None, Row | None]:
            fresh = await self._current(tx, id)
            await tx.execute("DELETE FROM budgets WHERE id = ?", (id,))
            return fresh, None

        await self._write(actor, "delete_budget", id, work)
        return shown


def _default_name(scope: BudgetScope, period: str) -> str:
    parts = [f"{d}={getattr(scope, d)}" for d in SCOPE if getattr(scope, d) is not None]
    return f"{' '.join(parts) or 'organisation'} {period}ly".replace("dayly", "daily")
