"""Who is calling, for which application, under which policy: what later stages read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from interlock.config.schema import PolicyConfig


@dataclass(frozen=True, slots=True)
class Principal:
    identity_id: str  # the identity record, or "jwt:<sub>" for a token subject with no record
    team_id: str
    app_id: str
    policy_name: str
    policy: PolicyConfig
    binding_id: str
    credential: Literal["api_key", "jwt"]
    key_id: str | None = None  # the key's visible prefix, for spend and audit per key
    subject: str | None = None  # the token's subject
    issuer: str | None = None
    roles: tuple[str, ...] = ()

    def audit_fields(self) -> dict[str, str | None]:
        return {
            "identity": self.identity_id,
            "team": self.team_id,
            "app": self.app_id,
            "policy": self.policy_name,
            "credential": self.credential,
            "key": self.key_id,
            "issuer": self.issuer,
        }
