"""Budgets and rate limits compiled once per configuration, and the counters a request meets.

A counter is named by what it counts: the limit's dimensions with this request's values
(`team=red;model=gpt-4o`), its model filter if any, and for budgets the period
(`month:2025-11@Europe/Paris`). Two limits that count the same thing share one counter, in
every policy: a team's spend this month is one fact, whatever each policy allows it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING
from urllib.parse import quote

from interlock.budget.catalogue import NANO_PER_USD, Price, price_book
from interlock.budget.config import BudgetLimit, RateLimit, WebhookSettings
from interlock.budget.periods import Period, period_at

if TYPE_CHECKING:
    from interlock.auth.principal import Principal
    from interlock.config.schema import GatewayConfig

# Settlements can arrive after the period ends (a long stream started at 23:59): counters are
# kept this long past their period.
GRACE_S = 2 * 86400

_FAMILY = {"openai": "openai", "azure": "openai", "openai_compatible": "openai_compatible",
           "anthropic": "anthropic", "bedrock": "bedrock", "gemini": "gemini"}  # fmt: skip


def dimension_values(principal: Principal, model: str) -> dict[str, str]:
    return {
        "team": principal.team_id,
        "app": principal.app_id,
        "model": model,
        # A caller with a token has no key: its identity is what a per-key limit counts.
        "key": principal.key_id or f"jwt:{principal.identity_id}",
        "identity": principal.identity_id,
    }


def _models_matching(patterns: list[str] | None, config: GatewayConfig) -> frozenset[str] | None:
    if patterns is None:
        return None
    return frozenset(
        name
        for name, model in config.models.items()
        if any(fnmatchcase(n, p) for n in (name, *model.aliases) for p in patterns)
    )


_SCOPES: dict[tuple[object, ...], str] = {}


def _scope(dims: tuple[str, ...], values: dict[str, str], models: tuple[str, ...] | None) -> str:
    # Memoised: the same callers come back, and quoting costs more than a dict lookup.
    memo = (dims, *[values[d] for d in dims], models)
    scope = _SCOPES.get(memo)
    if scope is None:
        parts = [f"{d}={quote(values[d], safe='')}" for d in dims]
        if models is not None:
            parts.append("models=" + quote(",".join(models), safe=""))
        scope = ";".join(parts) or "all"
        if len(_SCOPES) > 100_000:
            _SCOPES.clear()
        _SCOPES[memo] = scope
    return scope


@dataclass(slots=True)
class CompiledBudget:
    policy: str
    label: str
    dims: tuple[str, ...]
    period: str
    timezone: str
    week_starts: str
    limit_nano: int
    warn_at: tuple[float, ...]
    on_exceed: str
    downgrade_to: str | None
    model_filter: tuple[str, ...] | None
    models: frozenset[str] | None  # configured names it applies to; None: all
    _period: Period | None = None
    # A managed budget (budget/managed.py): the values a caller must have, and its id. Config
    # budgets have none: their policy is what brings a caller under them.
    scope: tuple[tuple[str, str], ...] | None = None
    id: str = ""

    def applies(self, model: str) -> bool:
        return self.models is None or model in self.models

    def matches(self, values: dict[str, str]) -> bool:
        return self.scope is None or all(values[d] == v for d, v in self.scope)

    def current(self, now: float) -> Period:
        p = self._period
        if p is None or not p.start <= now < p.end:
            p = self._period = period_at(self.period, now, self.timezone, self.week_starts)
        return p

    def key(self, values: dict[str, str], period: Period) -> str:
        return f"b:{_scope(self.dims, values, self.model_filter)}:{period.id}"

    @property
    def family(self) -> tuple[tuple[str, ...], str, str, str, str]:
        """Budgets with the same family share counters (and are rebuilt together)."""
        filt = ",".join(self.model_filter) if self.model_filter is not None else ""
        return (self.dims, filt, self.period, self.timezone, self.week_starts)


@dataclass(slots=True)
class RateWindow:
    unit: str  # "requests" or "tokens"
    limit: int
    window_s: int
    suffix: str  # rpm, tpm, rpd, tpd


@dataclass(slots=True)
class CompiledRate:
    dims: tuple[str, ...]
    model_filter: tuple[str, ...] | None
    models: frozenset[str] | None
    windows: list[RateWindow]

    def applies(self, model: str) -> bool:
        return self.models is None or model in self.models

    def key(self, values: dict[str, str], window: RateWindow) -> str:
        return f"r:{_scope(self.dims, values, self.model_filter)}:{window.suffix}"


@dataclass(slots=True)
class PolicyCost:
    name: str
    budgets: list[CompiledBudget]
    rates: list[CompiledRate]
    webhook: WebhookSettings | None

    @property
    def active(self) -> bool:
        return bool(self.budgets or self.rates)


@dataclass(slots=True)
class CostState:
    """Everything cost control compiled from one configuration."""

    config: GatewayConfig
    prices: dict[str, Price | None]
    families: dict[str, str]  # provider name -> tokenizer family
    policies: dict[str, PolicyCost]
    compiled_at: float = field(default_factory=time.time)
    managed: list[CompiledBudget] = field(default_factory=list)  # from the database

    def family_of(self, provider: str) -> str:
        return self.families.get(provider, "openai_compatible")


def _budget(policy: str, limit: BudgetLimit, budgets_tz: str, week: str, config: GatewayConfig) -> CompiledBudget:  # fmt: skip
    return CompiledBudget(
        policy=policy,
        label=limit.label(),
        dims=tuple(limit.per),
        period=limit.period,
        timezone=budgets_tz,
        week_starts=week,
        limit_nano=round(limit.amount_usd * NANO_PER_USD),
        warn_at=tuple(limit.warn_at),
        on_exceed=limit.on_exceed,
        downgrade_to=config.resolve_name(limit.downgrade_to) if limit.downgrade_to else None,
        model_filter=tuple(limit.models) if limit.models is not None else None,
        models=_models_matching(limit.models, config),
    )


def _rate(limit: RateLimit, config: GatewayConfig) -> CompiledRate:
    windows = [
        RateWindow(unit, value, window, suffix)
        for unit, value, window, suffix in (
            ("requests", limit.requests_per_minute, 60, "rpm"),
            ("tokens", limit.tokens_per_minute, 60, "tpm"),
            ("requests", limit.requests_per_day, 86400, "rpd"),
            ("tokens", limit.tokens_per_day, 86400, "tpd"),
        )
        if value is not None
    ]
    return CompiledRate(
        tuple(limit.per),
        tuple(limit.models) if limit.models is not None else None,
        _models_matching(limit.models, config),
        windows,
    )


def compile_cost(config: GatewayConfig) -> CostState:
    policies: dict[str, PolicyCost] = {}
    for name, policy in config.policies.items():
        b = policy.budgets
        budgets = (
            [_budget(name, lim, b.timezone, b.week_starts, config) for lim in b.limits] if b else []
        )
        rates = (
            [_rate(lim, config) for lim in policy.rate_limits.limits] if policy.rate_limits else []
        )
        policies[name] = PolicyCost(name, budgets, rates, b.webhook if b else None)
    families = {
        name: _FAMILY.get(p.type, "openai_compatible") for name, p in config.providers.items()
    }
    return CostState(config, price_book(config), families, policies)
