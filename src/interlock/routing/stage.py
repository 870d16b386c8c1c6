"""The routing stage: resolves routes such as `auto` to a plan for each request, and records why.

- `on_plan`: for a route name, reads the caller's routing metadata headers (x-interlock-task,
  …), replaces the placeholder plan by the chooser's (primary and fallbacks), records the decision with its facts, rules and rejected candidates, and, when
  the policy allows, names the choice in an `x-interlock-route` response header. A concrete
  model or alias passes unchanged: the client chose.
- `on_done`: feeds the live latency view from the exchange's attempts (memory only).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aiohttp import web

from interlock.config.schema import GatewayConfig
from interlock.exchange import ChatRequest, Exchange
from interlock.providers.base import Target
from interlock.routing.facts import NO_HINTS, derive_facts, read_hints
from interlock.routing.latency import LatencyTracker
from interlock.routing.router import Choice, Router
from interlock.server.runtime import Runtime, RuntimeHolder

STAGE = "routing"
ROUTE_HEADER = "x-interlock-route"


class RoutingStage:
    def __init__(self, holder: RuntimeHolder) -> None:
        self.holder = holder
        self.latency = LatencyTracker()  # outlives configuration reloads
        self._compiled: tuple[GatewayConfig | None, Router | None] = (None, None)

    def router(self, config: GatewayConfig) -> Router:
        # Compiled lazily per configuration object: a reload swaps it atomically.
        seen, router = self._compiled
        if seen is not config or router is None:
            router = Router(config)
            self._compiled = (config, router)
        return router

    def on_plan(self, ex: Exchange, plan: list[Target]) -> list[Target]:
        # Plain, not a coroutine: most requests name a model, not a route, and pay one call.
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
        headers = ex.client_headers
        hints = read_hints(headers) if headers is not None else NO_HINTS
        facts = derive_facts(
            req,
            hints,
            getattr(principal, "policy_name", None),
            tuple(routing_policy.residency) if routing_policy is not None else (),
        )
        return router.choose(
            router.routes[req.model], facts, ex.model_filter, circuit_checker(runtime), self.latency
        )

    def install(self, app: web.Application) -> None:
        from interlock.routing.admin import register_routing_routes

        register_routing_routes(app, self)

    def on_done(self, ex: Exchange) -> None:
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
