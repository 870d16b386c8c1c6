"""HTTP routes of the audit: Prometheus `/metrics`, and the audit search for auditors.

GET /admin/audit/records?end_user=…&since=…&text=…   search (org_admin or auditor)
GET /admin/audit/records/{request_id}                 the record(s) of one request
GET /admin/audit/verify                               verify every chain in the store
Each search is itself written to the admin audit trail (who looked at what), which flows back
into this trail.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from interlock.audit.metrics_workers import gather, serve_own
from interlock.audit.search import QueryError, query_from
from interlock.server import workers
from interlock.server.access import metrics_refusal

if TYPE_CHECKING:
    from interlock.audit.stage import AuditStage

log = logging.getLogger("interlock.audit")


def register_audit_routes(app: web.Application, stage: AuditStage) -> None:
    if stage.settings.metrics:
        info = workers.current()

        async def metrics(request: web.Request) -> web.Response:
            refused = metrics_refusal(request, stage.holder.current.config.server)
            if refused is not None:  # server.metrics_allow_from / metrics_token
                return refused
            body = (
                await gather(info, stage.render_metrics)
                if info.count > 1
                else await stage.render_metrics()
            )
            return web.Response(
                body=body, headers={"content-type": "text/plain; version=0.0.4; charset=utf-8"}
            )

        app.router.add_get("/metrics", metrics)
        if info.count > 1:
            # Every worker answers the others' scrapes with its own metrics (see metrics_workers).
            async def own_metrics(app: web.Application) -> AsyncIterator[None]:
                server = await serve_own(info, stage.render_metrics)
                yield
                server.close()

            app.cleanup_ctx.append(own_metrics)
    if stage.identity is not None:
        _admin_routes(app, stage)


def _admin_routes(app: web.Application, stage: AuditStage) -> None:
    from interlock.admin.http import error_json, request_id, respond
    from interlock.admin.rbac import Actor, Denied, may_read_audit
    from interlock.auth.errors import AuthFailure
    from interlock.store.repo import AuditEntry, append_audit

    identity = stage.identity

    async def record_access(
        actor: Actor, action: str, outcome: str, detail: dict[str, Any], reason: str | None = None
    ) -> None:
        try:
            async with identity.store.transaction() as tx:
                await append_audit(
                    tx,
                    AuditEntry(
                        actor=actor.id,
                        actor_roles=sorted(actor.roles),
                        action=action,
                        entity_type="audit_records",
                        entity_id=None,
                        outcome=outcome,
                        reason=reason,
                        after=detail,
                        request_id=actor.request_id,
                        source=actor.source,
                    ),
                )
        except Exception as exc:  # the read is answered; the access log failing is logged
            log.error("could not record audit access by %s: %s", actor.id, exc)

    async def authorised(request: web.Request, action: str, detail: dict[str, Any]) -> Actor:
        source = request.remote or "unknown"
        await identity.throttle.wait(source)
        try:
            caller = await identity.authenticator().admin_caller(request.headers)
        except AuthFailure as failure:
            identity.count_failure(failure, source)
            raise
        actor = Actor(
            caller.identity_id, caller.team_id, frozenset(caller.roles), f"http:{source}",
            request_id(request),
        )  # fmt: skip
        try:
            may_read_audit(actor)
        except Denied as denied:
            await record_access(actor, action, "denied", detail, denied.reason)
            raise
        await record_access(actor, action, "ok", detail)
        return actor

    def guarded(action: str, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            detail = {"query": dict(request.query), "path": request.path}
            try:
                await authorised(request, action, detail)
                if stage.store is None:
                    return error_json(
                        503, "no_audit_store", "No audit store is configured", request
                    )
                return await handler(request)
            except AuthFailure as failure:
                err = failure.to_gateway_error()
                return error_json(failure.status, err.code, failure.message, request)
            except Denied as denied:
                return error_json(403, "forbidden", denied.message, request)
            except QueryError as exc:
                return error_json(400, "invalid_request", str(exc), request)
            except Exception:
                log.exception("audit API request %s failed", request_id(request))
                return error_json(500, "internal_error", "The audit request failed", request)

        return wrapped

    async def search(request: web.Request) -> web.StreamResponse:
        q = query_from(dict(request.query))
        found = await asyncio.to_thread(stage.store.search, q)  # type: ignore[union-attr]
        body = {
            "records": [s.record for s in found],
            "next": found[-1].rid if len(found) == q.limit else None,
        }
        return respond(request, 200, body)

    async def by_id(request: web.Request) -> web.StreamResponse:
        rid = request.match_info["request_id"]
        found = await asyncio.to_thread(stage.store.by_request_id, rid)  # type: ignore[union-attr]
        if not found:
            return error_json(404, "not_found", f"No audit record for {rid}", request)
        return respond(request, 200, {"records": [s.record for s in found]})

    async def verify(request: web.Request) -> web.StreamResponse:
        from interlock.audit.chain import load_public

        key_path = stage.spool_dir / "checkpoint-key.pem"
        if stage.settings.signing_key is not None:
            key_path = Path(stage.settings.signing_key)
            if not key_path.is_absolute():
                key_path = (stage.base_dir or Path.cwd()) / key_path
        public = load_public(key_path)
        reports = await asyncio.to_thread(verify_store, stage.store, public)
        return respond(request, 200, {"ok": all(r["ok"] for r in reports), "chains": reports})

    app.router.add_get("/admin/audit/records", guarded("search", search))
    app.router.add_get("/admin/audit/records/{request_id}", guarded("show", by_id))
    app.router.add_get("/admin/audit/verify", guarded("verify", verify))


def verify_store(store: Any, public: Any) -> list[dict[str, Any]]:
    from interlock.audit.verify import verify_records

    def items() -> Any:
        for chain in store.chains():
            for s in store.chain_records(chain):
                yield s.record, s.pruned

    return [r.as_dict() for r in verify_records(items(), public)]
