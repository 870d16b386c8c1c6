"""Policies compiled once per configuration: is this model allowed for this policy?"""

from __future__ import annotations

from fnmatch import fnmatchcase

from interlock.config.schema import GatewayConfig, PolicyConfig


class CompiledPolicy:
    """Answers per model name in O(1): every name the gateway serves is decided at load."""

    def __init__(self, name: str, policy: PolicyConfig, config: GatewayConfig) -> None:
        self.name = name
        self.config = policy
        self._allowed: set[str] = set()
        for canonical, model in config.models.items():
            provider_ok = any(fnmatchcase(model.provider, p) for p in policy.providers)
            for served_as in (canonical, *model.aliases):
                # Naming a model allows it under all its aliases; naming an alias allows that alias.
                names = (served_as, canonical)
                if provider_ok and any(fnmatchcase(n, p) for n in names for p in policy.models):
                    self._allowed.add(served_as)

    def allows(self, model: str) -> bool:
        return model in self._allowed


class CompiledPolicies:
    """Every policy of one configuration, plus the names the gateway serves at all."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.by_name = {
            name: CompiledPolicy(name, p, config) for name, p in config.policies.items()
        }
        self.served: set[str] = set(config.models)
        for model in config.models.values():
            self.served.update(model.aliases)
