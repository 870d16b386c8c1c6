"""The `routes:` section and the per-policy `routing:` section: what people write, validated.

A route (such as `auto`) is a name a client may send as `model`; its rules, read top to bottom,
narrow the candidate models or tighten the constraints, and the chooser then takes the cheapest
candidate that meets them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from interlock.config.schema import GatewayConfig

TierName = Literal["low", "medium", "high"]
Capability = Literal["chat", "vision", "tools", "json", "reasoning", "embedding"]
TASKS = ("classification", "extraction", "summarisation", "reasoning", "code", "chat")
TIER_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2}


def normalise_task(task: str) -> str:
    task = task.strip().lower()
    return "summarisation" if task == "summarization" else task


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleWhen(_Strict):
    """Facts a rule tests; every condition given must hold (an empty `when` always holds)."""

    task: list[str] | None = None
    input_tokens_above: int | None = Field(None, ge=0)
    input_tokens_below: int | None = Field(None, ge=1)
    tools: bool | None = None
    images: bool | None = None
    json_schema: bool | None = None
    policy: list[str] | None = None  # the caller's policy name

    @field_validator("task", "policy", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator("task")
    @classmethod
    def _known_tasks(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        tasks = [normalise_task(t) for t in v]
        unknown = [t for t in tasks if t not in TASKS]
        if unknown:
            raise ValueError(f"unknown task {unknown[0]!r} (known: {', '.join(TASKS)})")
        return tasks


class RouteRule(_Strict):
    """When `when` holds: narrow the candidates and/or tighten the constraints."""

    name: str
    when: RuleWhen = RuleWhen()
    only: list[str] | None = None  # model name globs: keep only these candidates
    exclude: list[str] = Field(default_factory=list)  # model name globs: drop these
    require: list[Capability] = Field(default_factory=list)
    min_quality: TierName | None = None
    max_cost_tier: TierName | None = None
    max_latency_ms: int | None = Field(None, gt=0)
    # A/B comparison: the first matching rule with a split picks among these by weight.
    split: dict[str, int] | None = None
    stop: bool = False  # no later rule is read once this one matched

    @field_validator("split")
    @classmethod
    def _weights(cls, v: dict[str, int] | None) -> dict[str, int] | None:
        if v is not None and (not v or any(w < 0 for w in v.values()) or sum(v.values()) <= 0):
            raise ValueError("split needs at least one model and positive weights")
        return v


class RouteConfig(_Strict):
    # Model name globs over configured chat models, in order; the default is every chat model.
    candidates: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    fallbacks: int = Field(2, ge=0, le=10)  # how many next-cheapest candidates follow the choice
    # Output tokens assumed when the request gives no max_tokens, to rank candidates by cost.
    expected_output_tokens: int = Field(300, ge=0)
    rules: list[RouteRule] = Field(default_factory=list)


class RoutingPolicy(_Strict):
    """A policy's routing section."""

    profile: str = "default"
    # Regions a request may be served from; empty: any. A model with no known region is refused
    # when this is set (residency fails closed).
    residency: list[str] = Field(default_factory=list)
    # The chosen model and route in an `x-interlock-route` response header.
    expose_decision: bool = True


def check_route_references(config: GatewayConfig) -> None:
    """Route names must not shadow models; models named in rules must exist and be chat."""
    names = set(config.models)
    for model in config.models.values():
        names.update(model.aliases)
    for route, rc in config.routes.items():
        if route in names:
            raise ValueError(f"routes.{route}: the name is already a model or alias")
        for i, rule in enumerate(rc.rules):
            for model in rule.split or {}:
                resolved = config.resolve_name(model)
                if resolved is None or config.models[resolved].kind != "chat":
                    raise ValueError(
                        f"routes.{route}.rules[{i}].split: '{model}' is not a configured chat model"
                    )
