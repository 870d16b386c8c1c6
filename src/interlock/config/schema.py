"""The configuration file's schema: validated once at load, immutable afterwards."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


class GatewayConfig(Strict):
    server: ServerSettings = ServerSettings()
    providers: dict[str, ProviderConfig]
    models: dict[str, ModelConfig]

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
        return self

    def resolve_name(self, name: str) -> str | None:
        if name in self.models:
            return name
        for key, model in self.models.items():
            if name in model.aliases:
                return key
        return None
