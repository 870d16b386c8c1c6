"""The routing stage: resolves routes such as `auto` to a plan for each request, and records why.

- `on_authenticate`: keeps the caller's routing metadata headers (x-interlock-task, …) for later.
- `on_plan`: for a route name, replaces the placeholder plan by the chooser's (primary and
  fallbacks), records the decision with its facts, rules and rejected candidates, and, when
  the policy allows, names the choice in an `x-interlock-route` response header. A concrete
  model or alias passes unchanged: the client chose.
- `on_done`: feeds the live latency view from the exchange's attempts (memory only).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from interlock.config.schema import GatewayConfig
from interlock.exchange import ChatRequest, Exchange
from interlock.providers.base import Target
from interlock.routing.facts import HINT_HEADERS, NO_HINTS, Hints, derive_facts, read_hints
from interlock.routing.latency import LatencyTracker
from interlock.routing.router import Choice, Router
from interlock.server.runtime import Runtime, RuntimeHolder

STAGE = "routing"
ROUTE_HEADER = "x-interlock-route"


class RoutingStage:
    def __init__(self, holder: RuntimeHolder) -> None:
        self.holder = holder
        self.latency = LatencyTracker()  # outlives configuration reloads
        self._hints: dict[str, Hints] = {}
        self._compiled: tuple[GatewayConfig | None, Router | None] = (None, None)

    def router(self, config: GatewayConfig) -> Router:
        # Compiled lazily per configuration object: a reload swaps it atomically.
        seen, router = self._compiled
        if seen is not config or router is None:
            router = Router(config)
            self._compiled = (config, router)
        return router

    async def on_authenticate(self, request: web.Request, ex: Exchange) -> Any:
        headers = request.headers
        if any(h in headers for h in HINT_HEADERS):
            self._hints[ex.request_id] = read_hints(headers)
        return ex.principal  # the pipeline stores what authenticators return

    async def on_plan(self, ex: Exchange, plan: list[Target]) -> list[Target]:
        req = ex.request
        runtime = self.holder.current
        if not isinstance(req, ChatRequest) or req.model not in runtime.routes.routes:
            return plan
        choice = self.choose(runtime, ex, req)
        ex.decide(STAGE, "routed", **choice.detail())
        policy = getattr(ex.principal, "policy", None)
        routing_policy = getattr(policy, "routing", None)
        if routing_policy is None or routing_policy.expose_decision:
            ex.headers[ROUTE_HEADER] = f"{choice.route} -> {choice.plan[0]}"
        return [runtime.routes.targets[name] for name in choice.plan]

    def choose(self, runtime: Runtime, ex: Exchange, req: ChatRequest) -> Choice:
        router = self.router(runtime.config)
        principal = ex.principal
        policy = getattr(principal, "policy", None)
        routing_policy = getattr(policy, "routing", None)
        facts = derive_facts(
            req,
            self._hints.get(ex.request_id, NO_HINTS),
            getattr(principal, "policy_name", None),
            tuple(routing_policy.residency) if routing_policy is not None else (),
        )
        return router.choose(
            router.routes[req.model], facts, ex.model_filter, circuit_checker(runtime), self.latency
        )

    def install(self, app: web.Application) -> None:
        from interlock.routing.admin import register_routing_routes

        register_routing_routes(app, self)

    async def on_done(self, ex: Exchange) -> None:
        self._hints.pop(ex.request_id, None)
        for attempt in ex.attempts:
            if attempt.status == 200:
                self.latency.record(attempt.provider, attempt.model, attempt.duration_ms)


def circuit_checker(runtime: Runtime) -> Callable[[str], bool]:
    upstreams = runtime.dispatcher.upstreams

    def circuit_open(provider: str) -> bool:
        breaker = upstreams[provider].breaker
        # Open and not yet due for its probe: the dispatcher would skip it anyway.
        return (
            breaker.state == "open" and time.monotonic() - breaker.opened_at < breaker.reset_after_s
        )

    return circuit_open


def routing_stage(holder: RuntimeHolder) -> RoutingStage:
    return RoutingStage(holder)
