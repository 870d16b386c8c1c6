"""The chooser: a route's candidates, its rules and a request's facts → a plan, with reasons.

Compiled once per configuration. Per request: the matching rules fold into one set of
constraints (always the stricter of two), every candidate is checked against them in a fixed
order (the first unmet constraint is its reason), and the survivors are ranked by estimated
cost for this request, then measured p50 latency. A weighted split, when a rule sets one,
picks the primary among its surviving models; the next cheapest survivors are the fallbacks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from interlock.config.schema import GatewayConfig
from interlock.errors import GatewayError
from interlock.routing.catalogue import ModelEntry, build_catalogue
from interlock.routing.config import TIER_RANK, RouteConfig, RouteRule
from interlock.routing.facts import Facts
from interlock.routing.latency import LatencyTracker

Allowed = Callable[[str], bool]
CircuitOpen = Callable[[str], bool]  # by provider name


@dataclass(slots=True)
class Constraints:
    capabilities: set[str] = field(default_factory=lambda: {"chat"})
    min_quality: str | None = None
    max_cost_tier: str | None = None
    max_latency_ms: int | None = None
    only: frozenset[str] | None = None
    only_rule: str | None = None
    excluded: dict[str, str] = field(default_factory=dict)  # model -> rule that dropped it
    split: dict[str, int] | None = None
    split_rule: str | None = None

    def describe(self) -> dict[str, object]:
        out: dict[str, object] = {"capabilities": sorted(self.capabilities)}
        for key in ("min_quality", "max_cost_tier", "max_latency_ms"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: RouteRule
    only: frozenset[str] | None
    exclude: frozenset[str]
    split: dict[str, int] | None  # canonical model names

    def holds(self, facts: Facts) -> bool:
        w = self.rule.when
        if w.task is not None and facts.task not in w.task:
            return False
        if w.input_tokens_above is not None and facts.input_tokens <= w.input_tokens_above:
            return False
        if w.input_tokens_below is not None and facts.input_tokens >= w.input_tokens_below:
            return False
        if w.tools is not None and facts.tools != w.tools:
            return False
        if w.images is not None and facts.images != w.images:
            return False
        if w.json_schema is not None and facts.json_schema != w.json_schema:
            return False
        return w.policy is None or facts.policy in w.policy


@dataclass(slots=True)
class Choice:
    route: str
    plan: list[str]
    facts: Facts
    constraints: Constraints
    rules: list[str]
    rejected: dict[str, str]
    ranking: list[dict[str, object]]
    reason: str

    def detail(self) -> dict[str, object]:
        return {
            "route": self.route,
            "model": self.plan[0],
            "fallbacks": self.plan[1:],
            "reason": self.reason,
            "rules": self.rules,
            "facts": self.facts.describe(),
            "constraints": self.constraints.describe(),
            "rejected": self.rejected,
            "ranking": self.ranking,
        }


def _matching(names: list[str], globs: list[str]) -> list[str]:
    return [n for n in names if any(fnmatchcase(n, g) for g in globs)]


class CompiledRoute:
    def __init__(self, name: str, rc: RouteConfig, config: GatewayConfig, chat: list[str]) -> None:
        self.name = name
        self.config = rc
        self.candidates: list[str] = []
        for glob in rc.candidates:  # in the order written, each model once
            for model in _matching(chat, [glob]):
                if model not in self.candidates:
                    self.candidates.append(model)
        self.rules = [
            CompiledRule(
                rule,
                frozenset(_matching(chat, rule.only)) if rule.only is not None else None,
                frozenset(_matching(chat, rule.exclude)),
                {config.resolve_name(m) or m: w for m, w in rule.split.items()}
                if rule.split
                else None,
            )
            for rule in rc.rules
        ]


class Router:
    def __init__(self, config: GatewayConfig) -> None:
        self.catalogue: dict[str, ModelEntry] = build_catalogue(config)
        chat = list(self.catalogue)
        self.routes = {
            name: CompiledRoute(name, rc, config, chat) for name, rc in config.routes.items()
        }

    def choose(
        self,
        route: CompiledRoute,
        facts: Facts,
        allowed: Allowed | None = None,
        circuit_open: CircuitOpen | None = None,
        latency: LatencyTracker | None = None,
        rng: Callable[[], float] = random.random,
    ) -> Choice:
        cons, matched = self._constraints(route, facts)
        rejected: dict[str, str] = {}
        survivors: list[tuple[float, float, int, ModelEntry]] = []
        output_tokens = facts.max_output_tokens or route.config.expected_output_tokens
        for index, name in enumerate(route.candidates):
            entry = self.catalogue[name]
            p50 = None
            if latency is not None:
                measured = latency.model(name)
                p50 = measured.p50_ms if measured else None
                p95 = measured.p95_ms if measured else None
            else:
                p95 = None
            reason = self._unmet(entry, facts, cons, allowed, circuit_open, p95)
            if reason is not None:
                rejected[name] = reason
                continue
            cost = entry.estimated_cost_usd(facts.input_tokens, output_tokens)
            survivors.append(
                (math.inf if cost is None else cost, math.inf if p50 is None else p50, index, entry)
            )
        if not survivors:
            raise self._nothing_serves(route, rejected)
        survivors.sort(key=lambda s: s[:3])
        ordered = [s[3].name for s in survivors]
        reason = "cheapest candidate meeting every constraint"
        if len(survivors) > 1 and survivors[0][0] == survivors[1][0]:
            measured = survivors[0][1] != survivors[1][1]
            reason += ", tie broken by " + (
                "measured latency" if measured else "configuration order"
            )
        if cons.split:
            in_split = [(n, cons.split[n]) for n in ordered if cons.split.get(n, 0) > 0]
            if in_split:
                total = sum(w for _, w in in_split)
                point = rng() * total
                pick = in_split[-1][0]
                for n, w in in_split:
                    point -= w
                    if point < 0:
                        pick = n
                        break
                ordered.remove(pick)
                ordered.insert(0, pick)
                reason = f"weighted split of rule '{cons.split_rule}'"
        plan = ordered[: 1 + route.config.fallbacks]
        ranking = [
            {
                "model": s[3].name,
                "est_cost_usd": None if s[0] == math.inf else round(s[0], 8),
                "p50_ms": None if s[1] == math.inf else round(s[1], 1),
            }
            for s in survivors
        ]
        return Choice(route.name, plan, facts, cons, matched, rejected, ranking, reason)

    # ---- constraints ---------------------------------------------------------------------------

    @staticmethod
    def _constraints(route: CompiledRoute, facts: Facts) -> tuple[Constraints, list[str]]:
        cons = Constraints(max_latency_ms=facts.max_latency_ms, max_cost_tier=facts.cost_tier)
        if facts.tools:
            cons.capabilities.add("tools")
        if facts.images:
            cons.capabilities.add("vision")
        if facts.json_schema:
            cons.capabilities.add("json")
        matched: list[str] = []
        for compiled in route.rules:
            if not compiled.holds(facts):
                continue
            rule = compiled.rule
            matched.append(rule.name)
            cons.capabilities.update(rule.require)
            cons.min_quality = _stricter(cons.min_quality, rule.min_quality, max)
            cons.max_cost_tier = _stricter(cons.max_cost_tier, rule.max_cost_tier, min)
            if rule.max_latency_ms is not None:
                cons.max_latency_ms = min(cons.max_latency_ms or rule.max_latency_ms,
                                          rule.max_latency_ms)  # fmt: skip
            if compiled.only is not None:
                cons.only = compiled.only if cons.only is None else cons.only & compiled.only
                cons.only_rule = rule.name
            for model in compiled.exclude:
                cons.excluded.setdefault(model, rule.name)
            if compiled.split is not None and cons.split is None:
                cons.split, cons.split_rule = compiled.split, rule.name
            if rule.stop:
                break
        return cons, matched

    @staticmethod
    def _unmet(
        entry: ModelEntry,
        facts: Facts,
        cons: Constraints,
        allowed: Allowed | None,
        circuit_open: CircuitOpen | None,
        p95: float | None,
    ) -> str | None:
        """The first constraint this model does not meet, in words; None if it meets them all."""
        if allowed is not None and not allowed(entry.name):
            return "not allowed by the caller's policy"
        if entry.name in cons.excluded:
            return f"excluded by rule '{cons.excluded[entry.name]}'"
        if cons.only is not None and entry.name not in cons.only:
            return f"not among the models of rule '{cons.only_rule}'"
        if facts.residency and entry.region not in facts.residency:
            where = entry.region or "unknown"
            return f"region {where} is outside the residency {list(facts.residency)}"
        missing = sorted(cons.capabilities - entry.capabilities)
        if missing:
            return f"lacks capability: {', '.join(missing)}"
        needed = facts.needed_context()
        if needed > entry.context_window:
            return f"context window {entry.context_window} < {needed} tokens needed"
        if cons.max_cost_tier is not None and (
            TIER_RANK[entry.cost_tier] > TIER_RANK[cons.max_cost_tier]
        ):
            return f"cost tier {entry.cost_tier} above the limit {cons.max_cost_tier}"
        if cons.min_quality is not None and (
            TIER_RANK[entry.quality_tier] < TIER_RANK[cons.min_quality]
        ):
            return f"quality tier {entry.quality_tier} below the minimum {cons.min_quality}"
        if cons.max_latency_ms is not None and p95 is not None and p95 > cons.max_latency_ms:
            return f"p95 latency {p95:.0f} ms above the limit {cons.max_latency_ms} ms"
        if circuit_open is not None and circuit_open(entry.provider):
            return f"circuit open for provider {entry.provider}"
        return None

    @staticmethod
    def _nothing_serves(route: CompiledRoute, rejected: dict[str, str]) -> GatewayError:
        if not rejected:
            return GatewayError(
                "no_model_available", f"The route '{route.name}' has no candidate models",
                status=400, param="model",
            )  # fmt: skip
        if all(r.startswith("circuit open") for r in rejected.values()):
            return GatewayError(
                "upstream_unavailable",
                f"Every model of the route '{route.name}' is on a failing provider; "
                "try again shortly",
                retry_after=5,
            )
        reasons = "; ".join(f"{m}: {r}" for m, r in list(rejected.items())[:8])
        return GatewayError(
            "no_model_available",
            f"No model of the route '{route.name}' can serve this request ({reasons})",
            status=400,
            param="model",
            detail={"rejected": rejected},
        )


def _stricter(current: str | None, new: str | None, pick: Callable[[int, int], int]) -> str | None:
    if new is None:
        return current
    if current is None:
        return new
    return current if pick(TIER_RANK[current], TIER_RANK[new]) == TIER_RANK[current] else new
