"""`/admin/routing`: the catalogue as routing sees it now, and live explanations.

Served through the admin API's own routing (same credentials, request ids and error shape);
every admin role may read it (nothing here changes anything or reveals a prompt).

    GET  /admin/routing/models    every chat model: price, window, capabilities, tiers, region,
                                  measured p50/p95 latency, and its provider's circuit state
    POST /admin/routing/explain   {"request": {...}, "policy": "...", "headers": {...}}: the
                                  decision the gateway would make now, with live latency and
                                  breakers, without sending the request
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from interlock.admin.rbac import Actor
from interlock.admin.service import AdminError, AdminService
from interlock.routing.explain import explain

if TYPE_CHECKING:
    from interlock.routing.stage import RoutingStage


class ExplainBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request: dict[str, Any]  # a chat request body, as a client would send it
    policy: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    format: Literal["openai", "anthropic"] = "openai"


def register_routing_routes(app: web.Application, stage: RoutingStage) -> None:
    from interlock.admin.http import ADMIN_ROUTES, Route
    from interlock.routing.stage import circuit_checker

    add = app.get(ADMIN_ROUTES)
    if add is None:
        return  # no admin API on a gateway without identity: use `interlock route …`

    async def models(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        runtime = stage.holder.current
        router = stage.router(runtime.config)
        out = {}
        for name, entry in router.catalogue.items():
            measured = stage.latency.model(name)
            breaker = runtime.dispatcher.upstreams[entry.provider].breaker
            out[name] = {
                **entry.describe(),
                "latency": None
                if measured is None
                else {
                    "p50_ms": round(measured.p50_ms, 1),
                    "p95_ms": round(measured.p95_ms, 1),
                    "samples": measured.samples,
                },
                "circuit": breaker.state,
            }
        return {"models": out, "routes": sorted(router.routes)}

    async def explain_now(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
        assert isinstance(body, ExplainBody)
        runtime = stage.holder.current
        headers = {k.lower(): v for k, v in body.headers.items()}
        try:
            return explain(
                runtime.config, body.request, body.policy, headers, body.format,
                stage.router(runtime.config), stage.latency, circuit_checker(runtime),
            )  # fmt: skip
        except ValueError as exc:
            raise AdminError(400, "invalid_request", str(exc)) from None

    add(Route("GET", "/admin/routing/models", "routing_models",
              "The model catalogue as routing sees it, with live latency and circuit state",
              models, tag="routing"))  # fmt: skip
    add(Route("POST", "/admin/routing/explain", "routing_explain",
              "The routing decision for a request body, now, without sending it",
              explain_now, ExplainBody, tag="routing"))  # fmt: skip
