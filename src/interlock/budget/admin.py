"""`/admin/spend`: spend reports for organisation admins, auditors and team admins.

Served through the admin API's own routing (same credentials, request ids, error shape and
audit of refusals). Org admins and auditors see every team; a team admin sees their own team
only; other roles are refused, and the refusal is recorded in the admin audit trail.

    GET /admin/spend?by=team,app,model&period=this-month&tz=Europe/Paris[&team=red][&format=csv]
    GET /admin/spend?by=day,team&period=last-month&tz=Europe/Paris   spend over time, in order
    GET /admin/spend/status      the counters' backend and health, the ledger's backlog

and `/admin/budgets` (GET, POST) and `/admin/budgets/{id}` (GET, PATCH, DELETE): budgets managed
in the database, listed with the configuration's and what each used this period
(budget/managed.py has the rules: who may do what, validation, the audit of every change).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel

from interlock.admin.rbac import Actor
from interlock.admin.service import AdminError, AdminService
from interlock.budget.report import ReportError, parse_groups, parse_period, spend_report, to_csv
from interlock.store import StoreError

if TYPE_CHECKING:
    from interlock.budget.stage import BudgetStage


class SpendRow(BaseModel):
    day: str | None = None  # with by=day: YYYY-MM-DD in the report's time zone
    hour: str | None = None  # with by=hour: ISO 8601 with the zone's offset
    team: str | None = None
    app: str | None = None
    model: str | None = None
    provider: str | None = None
    key: str | None = None
    identity: str | None = None
    requests: int
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    reasoning_tokens: int
    cost_usd: float


class SpendStatus(BaseModel):
    backend: str
    persisted: bool
    ledger: dict[str, int]
    webhooks: dict[str, int]
    in_flight: int
    redis: dict[str, Any] | None = None


def _spend_scope(actor: Actor) -> str | None:
    """None: every team; a team id: that team only. Raises if the role may not read spend."""
    if actor.org_admin or "auditor" in actor.roles:
        return None
    if actor.team_admin:
        return actor.team_id
    raise PermissionError("Only organisation admins, auditors and team admins read spend")


def register_spend_routes(app: web.Application, stage: BudgetStage) -> None:
    from interlock.admin.http import ADMIN_ROUTES, Route

    add = app.get(ADMIN_ROUTES)
    if add is None:
        return  # no admin API on a gateway without identity: use `interlock spend --config`

    async def allowed(svc: AdminService, actor: Actor, what: str) -> str | None:
        try:
            return _spend_scope(actor)
        except PermissionError as exc:
            await svc.record_denied(actor, "read", what, None, "spend_not_allowed")
            raise AdminError(403, "forbidden", str(exc)) from None

    async def spend(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        scope = await allowed(svc, actor, "spend")
        q = req.query
        if stage.store is None:
            raise AdminError(404, "not_found", "This gateway keeps no spend ledger")
        try:
            groups = parse_groups(q.get("by", "team,app,model"))
            span = parse_period(q.get("period", "this-month"), q.get("tz", "UTC"))
        except ReportError as exc:
            raise AdminError(400, "invalid_request", str(exc)) from None
        team = q.get("team")
        if scope is not None:
            if team not in (None, scope):
                await svc.record_denied(actor, "read", "spend", team, "other_team")
                raise AdminError(403, "forbidden", "Team admins can only read their own team")
            team = scope
        await stage.ledger.flush()  # what this instance settled a moment ago is in the report
        rows = await spend_report(stage.store, groups, span, team)
        if q.get("format") == "csv":
            return web.Response(
                body=to_csv(rows, groups).encode(),
                content_type="text/csv",
                headers={
                    "content-disposition": f'attachment; filename="spend-{span.label}.csv"',
                    "x-request-id": actor.request_id or "",
                },
            )
        return rows

    async def status(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        await allowed(svc, actor, "spend_status")
        return stage.status()

    add(Route("GET", "/admin/spend", "spend_report",
              "Spend per day or hour, team, app, model, provider, key or identity over a period (?by=&period=&tz=&team=&format=csv)",
              spend, None, SpendRow, True, tag="spend"))  # fmt: skip
    add(Route("GET", "/admin/spend/status", "spend_status",
              "Cost control health: counters backend, Redis availability, ledger backlog",
              status, None, SpendStatus, tag="spend"))  # fmt: skip


def register_budget_routes(app: web.Application, stage: BudgetStage) -> None:
    """`/admin/budgets`: budgets managed in the database, listed with the configuration's."""
    from interlock.admin.http import ADMIN_ROUTES, Route
    from interlock.budget.managed import (
        BudgetAdmin,
        BudgetCreate,
        BudgetList,
        BudgetOut,
        BudgetPatch,
    )

    add = app.get(ADMIN_ROUTES)
    if add is None or stage.store is None:
        return
    store = stage.store

    async def reload() -> None:
        # This instance applies its own change at once; the others within one refresh_s.
        with contextlib.suppress(StoreError):
            await stage.load_managed()

    budgets = BudgetAdmin(
        store,
        stage.state,
        peek=stage.peek,
        before_change=stage.seed_shared,
        after_change=reload,
        clock=lambda: stage.clock(),
    )

    async def ready() -> None:
        try:
            await stage.ledger.ensure_ready()
            # Config budgets are listed per counter with spend in the ledger: include the last.
            await stage.ledger.flush()
        except StoreError:
            raise AdminError(
                503, "store_unavailable", "The budget database is unavailable"
            ) from None

    async def list_(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        await ready()
        return {"data": await budgets.list(actor)}

    async def show(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        await ready()
        return await budgets.show(actor, req.match_info["id"])

    async def create(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        await ready()
        return await budgets.create(actor, body)

    async def update(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        await ready()
        return await budgets.update(actor, req.match_info["id"], body)

    async def delete(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        await ready()
        return await budgets.delete(actor, req.match_info["id"])

    add(Route("GET", "/admin/budgets", "list_budgets",
              "Budgets (configuration and admin) with spend and reservations this period",
              list_, None, BudgetList, tag="budget"))  # fmt: skip
    add(Route("POST", "/admin/budgets", "create_budget", "Create a budget",
              create, BudgetCreate, BudgetOut, status=201, tag="budget"))  # fmt: skip
    add(Route("GET", "/admin/budgets/{id}", "show_budget", "Show a budget with its use",
              show, None, BudgetOut, tag="budget"))  # fmt: skip
    add(Route("PATCH", "/admin/budgets/{id}", "update_budget",
              "Change a budget (the fields given)", update, BudgetPatch, BudgetOut,
              tag="budget"))  # fmt: skip
    add(Route("DELETE", "/admin/budgets/{id}", "delete_budget", "Delete a budget",
              delete, None, BudgetOut, tag="budget"))  # fmt: skip
