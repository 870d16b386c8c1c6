"""The admin API on the gateway: JSON over HTTP under /admin, authenticated apart from inference.

Admin credentials are admin keys (kind "admin") or tokens whose roles claim names an admin role;
inference keys are refused here, and admin keys are refused on the inference endpoints.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from interlock.admin import schemas as s
from interlock.admin.rbac import Actor
from interlock.admin.service import AdminError, AdminService
from interlock.auth.errors import AuthFailure
from interlock.server.pipeline import REQUEST_ID, new_request_id
from interlock.store import StoreError

if TYPE_CHECKING:
    from interlock.auth.stage import IdentityStage

log = logging.getLogger("interlock.admin")

Handler = Callable[[AdminService, Actor, web.Request, Any], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    operation: str
    summary: str
    handler: Handler
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    many: bool = False
    status: int = 200
    tag: str = ""


def _id(request: web.Request) -> str:
    return request.match_info["id"]


def _entity_routes(
    tag: str,
    plural: str,
    create: type[BaseModel],
    out: type[BaseModel],
    ops: dict[str, Handler],
    created: type[BaseModel] | None = None,
) -> list[Route]:
    base = f"/admin/{plural}"
    return [
        Route("GET", base, f"list_{plural}", f"List {plural}", ops["list"], None, out, True, tag=tag),
        Route("POST", base, f"create_{tag}", f"Create a {tag}", ops["create"], create, created or out, status=201, tag=tag),
        Route("GET", base + "/{id}", f"show_{tag}", f"Show a {tag}", ops["show"], None, out, tag=tag),
        Route("POST", base + "/{id}/revoke", f"revoke_{tag}", f"Revoke a {tag}", ops["revoke"], None, out, tag=tag),
    ]  # fmt: skip


def _ops(name: str) -> dict[str, Handler]:
    def call(method: str, with_id: bool, with_body: bool) -> Handler:
        async def handler(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
            fn = getattr(svc, method)
            args: list[Any] = [actor]
            if with_id:
                args.append(_id(req))
            if with_body:
                args.append(body)
            return await fn(*args)

        return handler

    plural = {"team": "teams", "app": "apps", "identity": "identities", "key": "keys"}.get(
        name, name + "s"
    )
    return {
        "list": call(f"list_{plural}", False, False),
        "create": call(f"create_{name}", False, True),
        "show": call(f"show_{name}", True, False),
        "revoke": call(f"revoke_{name}", True, False),
    }


async def _whoami(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
    return {
        "identity_id": actor.id,
        "team_id": actor.team_id or "",
        "roles": sorted(actor.roles),
        "credential": actor.extra.get("credential", ""),
    }


async def _rotate(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
    return await svc.rotate_key(actor, _id(req), body)


async def _audit(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
    q = req.query
    try:
        after_id = int(q.get("after_id", "0"))
        limit = max(1, min(1000, int(q.get("limit", "100"))))
    except ValueError:
        raise AdminError(400, "invalid_request", "after_id and limit must be integers") from None
    if not 0 <= after_id < 2**63:  # a row id: beyond 64 bits the database refuses the query
        raise AdminError(400, "invalid_request", "after_id must be between 0 and 2^63-1")
    return await svc.list_audit(
        actor,
        entity_type=q.get("entity_type"),
        entity_id=q.get("entity_id"),
        actor=q.get("actor"),
        outcome=q.get("outcome"),
        after_id=after_id,
        limit=limit,
    )


ROUTES: list[Route] = [
    Route("GET", "/admin/whoami", "whoami", "Who the admin credential belongs to", _whoami, response=s.WhoAmI, tag="session"),
    *_entity_routes("team", "teams", s.TeamCreate, s.Team, _ops("team")),
    *_entity_routes("app", "apps", s.AppCreate, s.Application, _ops("app")),
    *_entity_routes("identity", "identities", s.IdentityCreate, s.Identity, _ops("identity")),
    *_entity_routes("key", "keys", s.KeyCreate, s.ApiKey, _ops("key"), created=s.KeyCreated),
    Route("POST", "/admin/keys/{id}/rotate", "rotate_key", "Rotate a key: a new key now, the old one until the overlap ends", _rotate, s.KeyRotate, s.KeyCreated, status=201, tag="key"),
    *_entity_routes("binding", "bindings", s.BindingCreate, s.Binding, _ops("binding")),
    Route("GET", "/admin/audit", "list_audit", "The admin audit trail (org admins and auditors)", _audit, None, s.AuditRecord, True, tag="audit"),
]  # fmt: skip


# `app[ADMIN_ROUTES](route)` adds a route to the admin API (set once the identity stage installs).
ADMIN_ROUTES = web.AppKey("admin_routes", Callable[[Route], None])


def request_id(request: web.Request) -> str:
    # Every admin response carries an id that finds its audit record.
    rid = request.get(REQUEST_ID)
    if rid is None:
        rid = request[REQUEST_ID] = new_request_id()
    return rid


def respond(request: web.Request, status: int, body: Any) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type="application/json",
        headers={"x-request-id": request_id(request)},
    )


def error_json(status: int, code: str, message: str, request: web.Request) -> web.Response:
    body = {"error": {"code": code, "message": message, "request_id": request_id(request)}}
    return respond(request, status, body)


def register_admin_routes(app: web.Application, stage: IdentityStage) -> AdminService:
    service = AdminService(stage.store, stage.policy_names, on_change=_refresher(stage))

    async def actor_for(request: web.Request) -> Actor:
        source = request.remote or "unknown"
        await stage.throttle.wait(source)
        try:
            caller = await stage.authenticator().admin_caller(request.headers)
        except AuthFailure as failure:
            stage.count_failure(failure, source)
            if failure.status != 503:
                # Refused admin access is part of the admin audit trail too.
                anonymous = Actor(
                    failure.detail.get("identity") or failure.detail.get("key") or "anonymous",
                    None,
                    frozenset(),
                    f"http:{source}",
                    request_id(request),
                )
                await service.record_denied(
                    anonymous, f"{request.method} {request.path}", "admin_api", None, failure.reason
                )
            raise
        return Actor(
            caller.identity_id,
            caller.team_id,
            frozenset(caller.roles),
            f"http:{source}",
            request_id(request),
            {"credential": caller.credential},
        )

    def make(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            try:
                actor = await actor_for(request)
                body = None
                if route.body is not None:
                    raw = await request.read()
                    try:
                        body = route.body.model_validate_json(raw or b"{}")
                    except ValidationError as exc:
                        first = exc.errors()[0]
                        where = ".".join(str(p) for p in first["loc"]) or "body"
                        raise AdminError(
                            400, "invalid_request", f"{where}: {first['msg']}"
                        ) from None
                result = await route.handler(service, actor, request, body)
                if isinstance(result, web.StreamResponse):
                    return result  # a handler that answers in another format (CSV)
            except AuthFailure as failure:
                err = failure.to_gateway_error()
                return error_json(failure.status, err.code, failure.message, request)
            except AdminError as exc:
                return error_json(exc.status, exc.code, exc.message, request)
            except StoreError:
                return error_json(
                    503, "store_unavailable", "The identity database is unavailable", request
                )
            except Exception:
                log.exception("admin request %s failed", request_id(request))
                return error_json(500, "internal_error", "The admin request failed", request)
            if route.response is not None:
                # The response model is the contract the OpenAPI document promises.
                if route.many:
                    result = [route.response.model_validate(r).model_dump() for r in result]
                else:
                    result = route.response.model_validate(result).model_dump()
            return respond(request, route.status, result)

        return handle

    for route in ROUTES:
        app.router.add_route(route.method, route.path, make(route))
    extra: list[Route] = []

    def add_route(route: Route) -> None:
        # Other stages' admin routes (spend: cost control), behind the same admin credentials.
        extra.append(route)
        app.router.add_route(route.method, route.path, make(route))

    app[ADMIN_ROUTES] = add_route

    from interlock.admin.openapi import openapi_document

    document: list[bytes] = []

    async def openapi(request: web.Request) -> web.Response:
        if not document:  # built on first use, once every stage has added its routes
            document.append(orjson.dumps(openapi_document([*ROUTES, *extra])))
        return web.Response(body=document[0], content_type="application/json")

    app.router.add_get("/admin/openapi.json", openapi)
    return service


def _refresher(stage: IdentityStage) -> Callable[[], Awaitable[Any]]:
    async def refresh() -> None:
        # This instance sees its own change at once; the others within one poll interval.
        with contextlib.suppress(StoreError):
            await stage.directory.refresh()

    return refresh
