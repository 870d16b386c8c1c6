"""The admin API's bodies: validated on the way in, and the source of its OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interlock.config.schema import AdminRole

Slug = Field(
    pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", description="lower-case letters, digits, . _ -"
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamCreate(Body):
    id: str = Slug
    name: str | None = Field(None, max_length=200)


class AppCreate(Body):
    id: str = Slug
    team_id: str
    name: str | None = Field(None, max_length=200)


class IdentityCreate(Body):
    id: str = Slug
    team_id: str
    kind: Literal["person", "workload"] = "workload"
    name: str | None = Field(None, max_length=200)
    subject: str | None = Field(
        None, max_length=500, description="the `sub` (or mapped) claim of this identity's tokens"
    )
    roles: list[AdminRole] = Field(default_factory=list)


class KeyCreate(Body):
    identity_id: str
    app_id: str | None = Field(None, description="fix the key to one application")
    kind: Literal["inference", "admin"] = "inference"
    name: str = Field("", max_length=200)
    expires_in_s: float | None = Field(None, gt=0, description="lifetime in seconds")


class KeyRotate(Body):
    overlap_s: float = Field(
        3600.0, ge=0, description="how long the old key keeps working after rotation"
    )
    expires_in_s: float | None = Field(None, gt=0)


class BindingCreate(Body):
    subject_type: Literal["identity", "team"]
    subject_id: str
    app_id: str
    policy: str


Status = Literal["active", "revoked", "expired"]


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Team(Out):
    id: str
    name: str
    status: Status
    created_at: str
    revoked_at: str | None = None


class Application(Out):
    id: str
    team_id: str
    name: str
    status: Status
    created_at: str
    revoked_at: str | None = None


class Identity(Out):
    id: str
    team_id: str
    kind: str
    name: str
    subject: str | None = None
    roles: list[str]
    status: Status
    created_at: str
    revoked_at: str | None = None


class ApiKey(Out):
    id: str = Field(description="the key's visible prefix")
    kind: str
    identity_id: str
    app_id: str | None = None
    name: str
    status: Status
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None
    replaces: str | None = None
    replaced_by: str | None = None


class KeyCreated(ApiKey):
    key: str = Field(description="the secret key: shown this once, stored only as a hash")


class Binding(Out):
    id: str
    subject_type: str
    subject_id: str
    app_id: str
    policy: str
    status: Status
    created_at: str
    revoked_at: str | None = None


class AuditRecord(Out):
    id: int
    at: str
    actor: str
    actor_roles: list[str]
    action: str
    entity_type: str
    entity_id: str | None = None
    outcome: Literal["ok", "denied"]
    reason: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    request_id: str | None = None
    source: str | None = None


class WhoAmI(Out):
    identity_id: str
    team_id: str
    roles: list[str]
    credential: str


class ErrorDetail(Out):
    code: str
    message: str
    request_id: str | None = None


class ErrorBody(Out):
    error: ErrorDetail


def iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()
