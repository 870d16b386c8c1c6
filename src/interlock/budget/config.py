"""The configuration of cost control: budgets and rate limits per policy, counters, prices.

Imported by `config/schema.py`, so this module imports nothing from the rest of the gateway.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from interlock.config.schema import GatewayConfig

# What a budget or a rate limit can be kept per: one counter for each distinct combination of
# these values (`per: [team, model]` keeps one counter per team and model). `key` is the API
# key's visible id; a caller with a JWT has no key, so its identity stands in for it.
Dimension = Literal["team", "app", "model", "key", "identity"]
DIMENSIONS: tuple[str, ...] = ("team", "app", "model", "key", "identity")
PeriodKind = Literal["day", "week", "month"]


class _Strict(BaseModel):
    # The same rule as config.schema.Strict (kept separate to avoid an import cycle).
    model_config = ConfigDict(extra="forbid", frozen=True)


def _dimensions(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("a dimension is named twice")
    # One canonical order, so [model, team] and [team, model] share their counters.
    return sorted(values, key=DIMENSIONS.index)


class ModelPrice(_Strict):
    """`models.<name>.price`: overrides the shipped catalogue (negotiated or internal prices)."""

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(0.0, ge=0)
    cached_input_per_mtok: float | None = Field(None, ge=0)  # default: the input price
    cache_write_per_mtok: float | None = Field(None, ge=0)  # default: the input price
    context_window: int | None = Field(None, ge=1)
    max_output_tokens: int | None = Field(None, ge=1)


class WebhookSettings(_Strict):
    """Where threshold warnings are POSTed, signed with HMAC-SHA256 over `<timestamp>.<body>`."""

    url: str
    secret: str = Field(min_length=16)
    timeout_s: float = Field(5.0, gt=0)
    max_attempts: int = Field(5, ge=1, le=20)

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v


class BudgetLimit(_Strict):
    name: str | None = None  # how messages and reports call it; default: derived from the rest
    per: list[Dimension] = Field(default_factory=lambda: ["team"])
    period: PeriodKind = "month"
    amount_usd: float = Field(gt=0)
    # Only requests for these models (globs over configured names) count and are checked.
    models: list[str] | None = None
    warn_at: list[float] = Field(default_factory=lambda: [0.8])
    on_exceed: Literal["block", "downgrade"] = "block"
    downgrade_to: str | None = None  # a configured chat model, with on_exceed: downgrade

    @field_validator("per")
    @classmethod
    def _per(cls, v: list[str]) -> list[str]:
        return _dimensions(v)

    @field_validator("warn_at")
    @classmethod
    def _fractions(cls, v: list[float]) -> list[float]:
        if any(not 0 < x < 1 for x in v):
            raise ValueError("thresholds are fractions between 0 and 1 (0.8 = 80 %)")
        return sorted(set(v))

    @model_validator(mode="after")
    def _downgrade_target(self) -> BudgetLimit:
        if (self.on_exceed == "downgrade") != (self.downgrade_to is not None):
            raise ValueError("downgrade_to is required with on_exceed: downgrade, and only then")
        return self

    def label(self) -> str:
        if self.name:
            return self.name
        scope = "+".join(self.per) or "all"
        models = f" [{','.join(self.models)}]" if self.models else ""
        return f"{scope} {self.period}ly{models}".replace("dayly", "daily")


class BudgetPolicy(_Strict):
    # Calendar periods (day, week, month) begin at midnight in this time zone.
    timezone: str = "UTC"
    week_starts: Literal["monday", "sunday"] = "monday"
    limits: list[BudgetLimit] = Field(default_factory=list)
    webhook: WebhookSettings | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{v}' (use an IANA name like Europe/Paris)"
            ) from None
        return v


class RateLimit(_Strict):
    per: list[Dimension] = Field(default_factory=lambda: ["key"])
    models: list[str] | None = None
    requests_per_minute: int | None = Field(None, ge=1)
    tokens_per_minute: int | None = Field(None, ge=1)
    requests_per_day: int | None = Field(None, ge=1)
    tokens_per_day: int | None = Field(None, ge=1)

    @field_validator("per")
    @classmethod
    def _per(cls, v: list[str]) -> list[str]:
        return _dimensions(v)

    @model_validator(mode="after")
    def _some_limit(self) -> RateLimit:
        if not any(
            (
                self.requests_per_minute,
                self.tokens_per_minute,
                self.requests_per_day,
                self.tokens_per_day,
            )
        ):
            raise ValueError("set at least one of requests/tokens per minute/day")
        return self


class RateLimitPolicy(_Strict):
    limits: list[RateLimit] = Field(default_factory=list)


class CountersSettings(_Strict):
    """Where spend, reservations and rate windows are counted."""

    # memory: this process only, persisted to the database off the request path.
    # redis: shared by every instance, one atomic script per request.
    backend: Literal["memory", "redis"] = "memory"
    url: str | None = None  # redis://[:password@]host:port/db
    # When Redis cannot be reached: refuse traffic under budgets and rate limits (fail closed),
    # or count locally in this process, with an alarm, until it is back.
    on_unavailable: Literal["refuse", "local"] = "refuse"
    # Each Redis call must answer within this; a call that does not fails its own request
    # (503 counters_unavailable, in both modes) but does not by itself declare an outage.
    timeout_ms: float = Field(250.0, gt=0)
    # An outage is declared (and the policy above applies to every request) only after a failed
    # call is confirmed by this many consecutive failed probes (PING, one at a time, each within
    # `timeout_ms`): a stalled event loop or one slow reply is not an outage.
    outage_after_failures: int = Field(3, ge=1, le=20)
    prefix: str = "interlock:"
    # How often settled spend is written to the database (and Redis is probed when down).
    flush_s: float = Field(1.0, gt=0, le=60)

    @model_validator(mode="after")
    def _redis_url(self) -> CountersSettings:
        if self.backend == "redis" and not (
            self.url and self.url.startswith(("redis://", "rediss://", "unix://"))
        ):
            raise ValueError("backend redis needs url: redis://host:port (or rediss://, unix://)")
        return self


def check_budget_references(config: GatewayConfig) -> None:
    """Downgrade targets must be chat models the same policy allows: a typo must not load."""
    for pname, policy in config.policies.items():
        for i, limit in enumerate(policy.budgets.limits if policy.budgets else []):
            if limit.downgrade_to is None:
                continue
            where = f"policies.{pname}.budgets.limits[{i}].downgrade_to"
            target = config.resolve_name(limit.downgrade_to)
            if target is None:
                raise ValueError(f"{where}: unknown model '{limit.downgrade_to}'")
            model = config.models[target]
            if model.kind != "chat":
                raise ValueError(f"{where}: '{limit.downgrade_to}' is not a chat model")
            # The same rule as the identity stage's allow-list (auth/policy.py).
            provider_ok = any(fnmatchcase(model.provider, p) for p in policy.providers)
            names = (target, *model.aliases)
            if not provider_ok or not any(fnmatchcase(n, p) for n in names for p in policy.models):
                raise ValueError(f"{where}: the policy does not allow '{limit.downgrade_to}'")
