"""From the model a client names to a plan: the target first, then its fallbacks in order."""

from __future__ import annotations

from fnmatch import fnmatchcase

from interlock.config.schema import GatewayConfig
from interlock.errors import GatewayError
from interlock.providers.base import Target


class RoutingTable:
    """Compiled once per configuration: every name and alias maps to a ready plan."""

    def __init__(self, config: GatewayConfig) -> None:
        self._plans: dict[str, list[Target]] = {}
        targets = {
            name: Target(name, m.provider, m.model or name, m.kind)
            for name, m in config.models.items()
        }
        for name, model in config.models.items():
            plan = [targets[name]]
            for fb in model.fallbacks:
                resolved = config.resolve_name(fb)
                if resolved and targets[resolved] not in plan:
                    plan.append(targets[resolved])
            self._plans[name] = plan
            for alias in model.aliases:
                self._plans[alias] = plan
        self.names = sorted(self._plans)
        self.targets = targets
        # A route (`auto`) resolves per request in the routing stage's `on_plan`; until then its
        # plan is its chat candidates in order, so the name is served and policy-filtered here.
        self.routes = set(config.routes)
        chat = [name for name, m in config.models.items() if m.kind == "chat"]
        for route, rc in config.routes.items():
            members = [n for g in rc.candidates for n in chat if fnmatchcase(n, g)]
            self._plans[route] = [targets[n] for n in dict.fromkeys(members)]

    def plan(self, model: str, kind: str) -> list[Target]:
        plan = self._plans.get(model)
        if plan is None:
            raise GatewayError(
                "model_not_found",
                f"The model '{model}' does not exist or is not served here",
                param="model",
            )
        if not plan:
            raise GatewayError(
                "no_model_available", f"The route '{model}' has no candidate models", status=400
            )
        if plan[0].kind != kind:
            raise GatewayError(
                "invalid_value",
                f"The model '{model}' is a {plan[0].kind} model, not {kind}",
                param="model",
            )
        return plan
