"""From request headers to a principal: credential → identity → application → binding → policy.

No I/O on the normal path: keys are checked against the in-memory view, tokens against cached
signing keys. Every refusal is an AuthFailure carrying the status, the caller's message and a
precise reason for the audit trail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from interlock.auth.directory import Directory, DirectoryUnavailable
from interlock.auth.errors import AuthFailure, forbidden, unauthorized, unavailable
from interlock.auth.jwt import JwtVerifier, looks_like_jwt
from interlock.auth.keys import hash_key, hash_matches, key_id_of, looks_like_key
from interlock.auth.policy import CompiledPolicies
from interlock.auth.principal import Principal
from interlock.auth.view import IdentityView
from interlock.config.schema import AuthSettings

log = logging.getLogger("interlock.auth")

ADMIN_ROLES = frozenset({"org_admin", "team_admin", "auditor", "viewer"})
# Compared against when the key id is unknown, so an unknown id costs the same hash as a known one.
_DUMMY_HASH = hash_key("ilk_000000000000_unknown")


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated identity, before any application or policy is considered."""

    identity_id: str
    team_id: str
    roles: tuple[str, ...]
    credential: str  # "api_key" or "jwt"
    key_id: str | None = None
    key_kind: str | None = None  # "inference" or "admin" for keys
    fixed_app: str | None = None  # the application a key is scoped to, or a token names
    subject: str | None = None
    issuer: str | None = None
    has_record: bool = True  # False for a token subject with no identity record


def presented_credential(headers: Mapping[str, str]) -> str | None:
    """The credential from `Authorization: Bearer`, `x-api-key` (Anthropic) or `api-key` (Azure)."""
    found: list[str] = []
    auth = headers.get("authorization")
    if auth:
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise unauthorized(
                "unsupported_auth_scheme", "Send credentials as 'Authorization: Bearer …'"
            )
        found.append(value.strip())
    for name in ("x-api-key", "api-key"):
        value = headers.get(name)
        if value:
            found.append(value.strip())
    if not found:
        return None
    if any(f != found[0] for f in found[1:]):
        raise unauthorized(
            "conflicting_credentials", "Send one credential, not several different ones"
        )
    return found[0]


class Authenticator:
    def __init__(
        self,
        directory: Directory,
        settings: AuthSettings,
        policies: CompiledPolicies,
        verifier: JwtVerifier | None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.settings = settings
        self.policies = policies
        self.verifier = verifier
        self._now = now

    # ---- identity -------------------------------------------------------------------------

    async def caller(self, headers: Mapping[str, str]) -> tuple[Caller, IdentityView]:
        token = presented_credential(headers)
        if token is None:
            raise unauthorized(
                "missing_credentials",
                "Missing credentials: send a gateway API key or a token as 'Authorization: Bearer …'",
            )
        try:
            view = self.directory.view()
        except DirectoryUnavailable as exc:
            raise unavailable("identity_store_unavailable", detail=str(exc)) from None
        if self.settings.api_keys and looks_like_key(token):
            return self._key_caller(view, token), view
        if self.verifier is not None and looks_like_jwt(token):
            return await self._token_caller(view, token), view
        raise unauthorized("unrecognised_credential")

    def _key_caller(self, view: IdentityView, presented: str) -> Caller:
        key_id = key_id_of(presented)
        record = view.keys.get(key_id) if key_id else None
        if record is None:
            hash_matches(presented, _DUMMY_HASH)
            raise unauthorized("unknown_key", key=(key_id or presented[:16]))
        if not hash_matches(presented, record.hash):
            raise unauthorized("bad_secret", key=key_id)
        # Past this point the caller has proven they hold the key: telling them why it no longer
        # works gives nothing away.
        if record.revoked_at is not None:
            raise unauthorized("key_revoked", "This API key has been revoked", key=key_id)
        if record.expires_at is not None and record.expires_at <= self._now():
            raise unauthorized("key_expired", "This API key has expired", key=key_id)
        identity = view.identities.get(record.identity_id)
        if identity is None or identity.revoked_at is not None:
            raise unauthorized(
                "identity_disabled", "The identity that owns this key is disabled", key=key_id
            )
        team = view.teams.get(identity.team_id)
        if team is None or team.revoked_at is not None:
            raise unauthorized(
                "team_disabled", "The team that owns this key is disabled", key=key_id
            )
        return Caller(
            identity_id=identity.id,
            team_id=identity.team_id,
            roles=identity.roles,
            credential="api_key",
            key_id=record.id,
            key_kind=record.kind,
            fixed_app=record.app_id,
        )

    async def _token_caller(self, view: IdentityView, token: str) -> Caller:
        assert self.verifier is not None
        verified = await self.verifier.verify(token)
        claims = verified.issuer.claims
        issuer = verified.issuer.issuer
        sub = verified.claim(claims.identity)
        if not isinstance(sub, str) or not sub:
            raise unauthorized("missing_subject", "The token names no subject", issuer=issuer)
        record = view.by_subject.get(sub)
        if record is not None and record.revoked_at is not None:
            raise unauthorized("identity_disabled", "This identity is disabled", subject=sub)
        # An identity record (managed by admins) fixes the team; otherwise the token's claim does.
        team_id = record.team_id if record is not None else verified.claim(claims.team)
        if not isinstance(team_id, str) or not team_id:
            raise forbidden("no_team", "The token names no team", subject=sub)
        team = view.teams.get(team_id)
        if team is None or team.revoked_at is not None:
            raise forbidden(
                "unknown_team",
                "This identity's team is not allowed to use the gateway",
                subject=sub,
            )
        claim_roles = verified.claim(claims.roles)
        roles = set(record.roles) if record is not None else set()
        if isinstance(claim_roles, list):
            roles.update(r for r in claim_roles if isinstance(r, str))
        elif isinstance(claim_roles, str):
            roles.update(claim_roles.split())
        fixed_app = verified.claim(claims.application)
        return Caller(
            identity_id=record.id if record is not None else f"jwt:{sub}",
            team_id=team_id,
            roles=tuple(sorted(roles)),
            credential="jwt",
            fixed_app=fixed_app if isinstance(fixed_app, str) and fixed_app else None,
            subject=sub,
            issuer=issuer,
            has_record=record is not None,
        )

    # ---- inference: identity + application + binding + policy -------------------------------

    async def principal(self, headers: Mapping[str, str]) -> Principal:
        caller, view = await self.caller(headers)
        if caller.key_kind == "admin":
            raise forbidden(
                "admin_key_for_inference",
                "Admin keys cannot call models; use an inference key",
                key=caller.key_id,
            )
        requested = headers.get(self.settings.app_header)
        if caller.fixed_app is not None:
            if requested and requested != caller.fixed_app:
                raise forbidden(
                    "app_mismatch",
                    "This credential is scoped to another application",
                    identity=caller.identity_id,
                    key=caller.key_id,
                    app=requested[:100],
                )
            app_id = caller.fixed_app
        elif requested:
            app_id = requested
        else:
            raise forbidden(
                "missing_app",
                f"Name the application in the '{self.settings.app_header}' header",
                identity=caller.identity_id,
                key=caller.key_id,
            )

        def denied(reason: str) -> AuthFailure:
            # Unknown, disabled and unbound applications read the same to the caller; built
            # only on refusal (this runs on every request).
            return forbidden(
                reason,
                f"This identity is not allowed to use the application '{app_id[:100]}'",
                identity=caller.identity_id,
                key=caller.key_id,
                app=app_id[:100],
            )

        app = view.apps.get(app_id)
        if app is None or app.revoked_at is not None:
            raise denied("unknown_app" if app is None else "app_disabled")
        app_team = view.teams.get(app.team_id)
        if app_team is None or app_team.revoked_at is not None:
            raise denied("app_team_disabled")
        identity_id = caller.identity_id if caller.has_record else None
        binding = view.binding_for(identity_id, caller.team_id, app_id)
        if binding is None:
            raise denied("no_binding")
        compiled = self.policies.by_name.get(binding.policy)
        if compiled is None:
            # The binding names a policy the configuration no longer has: refuse, loudly.
            log.error("binding %s names unknown policy %r; refusing", binding.id, binding.policy)
            raise denied("unknown_policy")
        return Principal(
            identity_id=caller.identity_id,
            team_id=caller.team_id,
            app_id=app_id,
            policy_name=binding.policy,
            policy=compiled.config,
            binding_id=binding.id,
            credential=caller.credential,  # type: ignore[arg-type]
            key_id=caller.key_id,
            subject=caller.subject,
            issuer=caller.issuer,
            roles=caller.roles,
        )

    # ---- admin API -------------------------------------------------------------------------

    async def admin_caller(self, headers: Mapping[str, str]) -> Caller:
        caller, _ = await self.caller(headers)
        if caller.key_kind == "inference":
            raise forbidden(
                "inference_key_for_admin",
                "Inference keys cannot use the admin API; use an admin key",
                key=caller.key_id,
            )
        if not ADMIN_ROLES.intersection(caller.roles):
            raise forbidden(
                "no_admin_role", "This identity has no admin role", identity=caller.identity_id
            )
        return caller
