"""The configuration file's schema: validated once at load, immutable afterwards."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Cost control's own sections (budgets, rate limits, counters, prices) live with their stage.
from interlock.budget.config import (
    BudgetPolicy,
    CountersSettings,
    ModelPrice,
    RateLimitPolicy,
    check_budget_references,
)
from interlock.dlp.config import DlpPolicy  # the dlp section's schema lives with DLP
from interlock.routing.config import (  # routes and routing policies live with routing
    Capability,
    RouteConfig,
    RoutingPolicy,
    TierName,
    check_route_references,
)

ProviderType = Literal["openai", "openai_compatible", "azure", "anthropic", "bedrock", "gemini"]


class Strict(BaseModel):
    # Unknown keys are errors: a typo in a policy file must not silently do nothing.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64)
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    total_timeout_s: float = Field(600.0, gt=0)
    reload_poll_s: float = Field(2.0, gt=0)
    # How long in-flight requests and streams may take to finish after SIGTERM.
    shutdown_grace_s: float = Field(30.0, ge=0)
    # Limits on what one client may send and hold (README "Limits"; server/limits.py).
    max_header_bytes: int = Field(8190, ge=1024, le=65536)  # the request line, and each header
    max_headers: int = Field(100, ge=16, le=1000)
    # Idle keep-alive connections, and clients still sending their headers, are closed after
    # this. Keep it above the load balancer's upstream idle timeout (nginx: 60 s).
    idle_timeout_s: float = Field(75.0, gt=0, le=3600)
    body_timeout_s: float = Field(60.0, gt=0)  # from the headers to the body's last byte
    # Per worker, streams included; beyond it a 503 with Retry-After. Worst-case memory for
    # bodies is about this times max_body_bytes.
    max_concurrent_requests: int = Field(512, ge=1)
    # GET /metrics (server/access.py): only callers in these networks, and with the token
    # when one is set (Authorization: Bearer …; use a ${ENV_VAR}). Default: this host only.
    metrics_allow_from: list[str] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])
    metrics_token: str | None = Field(None, min_length=16)

    @field_validator("metrics_allow_from")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for net in v:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"'{net}' is not an IP network (e.g. 10.0.0.0/8)") from None
        return v


class Timeouts(Strict):
    connect_s: float = Field(5.0, gt=0)
    # Per attempt: until the response headers (non-stream: the whole body) and between stream reads.
    read_s: float = Field(120.0, gt=0)


class RetryPolicy(Strict):
    max_attempts: int = Field(3, ge=1, le=10)
    backoff_base_s: float = Field(0.2, ge=0)
    backoff_max_s: float = Field(8.0, ge=0)
    retry_after_max_s: float = Field(30.0, ge=0)


class CircuitBreakerPolicy(Strict):
    failure_threshold: int = Field(5, ge=1)
    reset_after_s: float = Field(30.0, gt=0)


class ProviderConfig(Strict):
    type: ProviderType
    base_url: str | None = None
    api_key: str | None = None
    # Azure OpenAI
    api_version: str | None = None
    # AWS Bedrock
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    # Anthropic
    anthropic_version: str = "2023-06-01"
    headers: dict[str, str] = Field(default_factory=dict)
    timeouts: Timeouts = Timeouts()
    retry: RetryPolicy = RetryPolicy()
    circuit_breaker: CircuitBreakerPolicy = CircuitBreakerPolicy()
    max_connections: int = Field(256, ge=1)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/") if v else v

    @model_validator(mode="after")
    def _required_per_type(self) -> ProviderConfig:
        needs: dict[str, tuple[str, ...]] = {
            "openai": ("api_key",),
            "openai_compatible": ("base_url",),
            "azure": ("base_url", "api_key", "api_version"),
            "anthropic": ("api_key",),
            "bedrock": ("region", "access_key_id", "secret_access_key"),
            "gemini": ("api_key",),
        }
        missing = [k for k in needs[self.type] if not getattr(self, k)]
        if missing:
            raise ValueError(f"provider type '{self.type}' needs: {', '.join(missing)}")
        return self


class ModelConfig(Strict):
    provider: str
    model: str | None = None  # the provider's name for it (Azure: the deployment); default: key
    kind: Literal["chat", "embedding"] = "chat"
    aliases: list[str] = Field(default_factory=list)
    fallbacks: list[str] = Field(default_factory=list)
    price: ModelPrice | None = None  # overrides the price catalogue (cost control, issue 6)
    # Routing (issue 7): overrides of what the catalogue says or derives from the price.
    capabilities: list[Capability] | None = None
    cost_tier: TierName | None = None
    quality_tier: TierName | None = None
    region: str | None = None  # where it is served, for residency (default: the provider's)


# ---- identity, credentials and policies (issue 3) ------------------------------------------

# Signature algorithms a JWT may use: asymmetric only, so a verification key can never double as
# a signing secret (HS256-with-the-RSA-public-key confusion) and `none` is never accepted.
JwtAlgorithm = Literal[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"
]
AdminRole = Literal["org_admin", "team_admin", "auditor", "viewer"]


class DatabaseSettings(Strict):
    # sqlite:///relative/or/absolute.db (relative to the configuration file) or postgresql://…
    url: str = "sqlite:///interlock.db"
    # How often each instance checks the change counter; changes made through any instance (or
    # the CLI) reach every instance's in-memory view within about this long.
    refresh_s: float = Field(0.5, gt=0, le=30)
    # If the view could not be refreshed for this long, authentication refuses (fails closed)
    # rather than trust keys that may have been revoked meanwhile.
    max_staleness_s: float = Field(30.0, gt=0)

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not v.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite://, postgresql:// or postgres://")
        return v


class ClaimMapping(Strict):
    """Which token claims name the identity, its team, its roles and (optionally) the app."""

    identity: str = "sub"
    team: str | None = "team"
    roles: str | None = "roles"
    application: str | None = None


class JwtIssuer(Strict):
    issuer: str  # the exact `iss` value
    jwks_url: str | None = None
    discovery_url: str | None = None  # OpenID Connect discovery document (…/.well-known/…)
    audiences: list[str] = Field(min_length=1)
    algorithms: list[JwtAlgorithm] = Field(default_factory=lambda: ["RS256"], min_length=1)
    clock_skew_s: float = Field(30.0, ge=0, le=300)
    claims: ClaimMapping = ClaimMapping()
    jwks_cache_s: float = Field(300.0, gt=0)
    # An unknown `kid` triggers a refetch at most this often, so forged kids cannot hammer the IdP.
    jwks_min_refresh_s: float = Field(10.0, ge=0)

    @model_validator(mode="after")
    def _one_key_source(self) -> JwtIssuer:
        if (self.jwks_url is None) == (self.discovery_url is None):
            raise ValueError("set exactly one of jwks_url or discovery_url")
        for url in (self.jwks_url, self.discovery_url):
            if url is not None and not url.startswith(("http://", "https://")):
                raise ValueError("jwks_url/discovery_url must start with http:// or https://")
        return self


class FailureThrottle(Strict):
    """Repeated authentication failures from one source address are slowed down."""

    threshold: int = Field(10, ge=1)
    window_s: float = Field(60.0, gt=0)
    base_delay_s: float = Field(0.25, ge=0)
    max_delay_s: float = Field(5.0, ge=0)


class AuthSettings(Strict):
    # Zero trust: every request needs an identity unless a configuration turns this off by name
    # (for a gateway behind another authenticating proxy, or a test of the core alone).
    enabled: bool = True
    api_keys: bool = True  # accept gateway API keys (Authorization: Bearer, x-api-key, api-key)
    jwt: list[JwtIssuer] = Field(default_factory=list)
    app_header: str = "x-interlock-app"
    throttle: FailureThrottle = FailureThrottle()


# Sections later stages read. Typed now so policy files validate; each stage owns and extends its own.
# The audit sections (per policy and gateway-wide) live with the audit package; the injection
# section (thresholds and actions per context, external guards) and the output section
# (deny-lists, patterns, output DLP, schema check, classifier) live with their stages.
from interlock.audit.config import AuditPolicy, AuditSettings  # noqa: E402
from interlock.injection.config import InjectionPolicy  # noqa: E402
from interlock.output.config import OutputPolicy  # noqa: E402


class PolicyConfig(Strict):
    """A named bundle bound to (identity or team, application) pairs."""

    # Glob patterns over model names and aliases as clients send them ("gpt-*", "*").
    models: list[str] = Field(min_length=1)
    providers: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    dlp: DlpPolicy | None = None
    injection: InjectionPolicy | None = None
    budgets: BudgetPolicy | None = None
    rate_limits: RateLimitPolicy | None = None
    routing: RoutingPolicy | None = None
    output: OutputPolicy | None = None
    audit: AuditPolicy | None = None


class GatewayConfig(Strict):
    server: ServerSettings = ServerSettings()
    providers: dict[str, ProviderConfig]
    models: dict[str, ModelConfig]
    database: DatabaseSettings = DatabaseSettings()
    # On by default: a file without an `auth` section still refuses every unidentified request.
    auth: AuthSettings = AuthSettings()
    policies: dict[str, PolicyConfig] = Field(default_factory=dict)
    # Where spend, reservations and rate windows are counted (cost control, issue 6).
    counters: CountersSettings = CountersSettings()
    audit: AuditSettings = AuditSettings()
    # Names a client may send as `model` that routing resolves per request (issue 7).
    routes: dict[str, RouteConfig] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references_resolve(self) -> GatewayConfig:
        names: set[str] = set(self.models)
        for name, model in self.models.items():
            if model.provider not in self.providers:
                raise ValueError(
                    f"models.{name}.provider: unknown provider '{model.provider}' "
                    f"(known: {', '.join(sorted(self.providers)) or 'none'})"
                )
            for alias in model.aliases:
                if alias in names:
                    raise ValueError(
                        f"models.{name}.aliases: '{alias}' is already a model or alias"
                    )
                names.add(alias)
        for name, model in self.models.items():
            for fb in model.fallbacks:
                target = self.resolve_name(fb)
                if target is None:
                    raise ValueError(f"models.{name}.fallbacks: unknown model '{fb}'")
                if target == name:
                    raise ValueError(f"models.{name}.fallbacks: a model cannot fall back to itself")
                if self.models[target].kind != model.kind:
                    raise ValueError(f"models.{name}.fallbacks: '{fb}' is not a {model.kind} model")
        self._policies_resolve(names)
        check_budget_references(self)
        check_route_references(self)
        return self

    def _policies_resolve(self, model_names: set[str]) -> None:
        # Exact names must exist: a typo in an allow-list would otherwise silently allow nothing.
        for pname, policy in self.policies.items():
            for pattern in policy.models:
                if not any(c in pattern for c in "*?[") and pattern not in model_names:
                    raise ValueError(f"policies.{pname}.models: unknown model '{pattern}'")
            for pattern in policy.providers:
                if not any(c in pattern for c in "*?[") and pattern not in self.providers:
                    raise ValueError(f"policies.{pname}.providers: unknown provider '{pattern}'")

    def resolve_name(self, name: str) -> str | None:
        if name in self.models:
            return name
        for key, model in self.models.items():
            if name in model.aliases:
                return key
        return None
