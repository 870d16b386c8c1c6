"""The identity stage: the first thing every inference request meets.

`on_authenticate` runs before the body is read and resolves (identity, team, application,
policy) from the in-memory view, or refuses: a refused request does no other work. Once the
body is parsed, `on_request` checks the requested model against the bound policy. Every
decision, allowed or refused, is appended to the exchange for the audit trail.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from interlock.auth.authenticator import Authenticator
from interlock.auth.directory import Directory, DirectoryUnavailable
from interlock.auth.errors import AuthFailure, forbidden
from interlock.auth.jwt import JwtVerifier, close_quietly
from interlock.auth.policy import CompiledPolicies
from interlock.auth.principal import Principal
from interlock.auth.throttle import Throttle
from interlock.config.schema import AuthSettings, GatewayConfig
from interlock.exchange import Exchange
from interlock.server.runtime import RuntimeHolder
from interlock.store import open_store

log = logging.getLogger("interlock.auth")


class IdentityStage:
    def __init__(
        self, holder: RuntimeHolder, config: GatewayConfig, config_path: Path | None = None
    ) -> None:
        self.holder = holder
        self.base_dir = config_path.parent if config_path is not None else None
        self.store = open_store(config.database.url, self.base_dir)
        self.directory = Directory(
            self.store, config.database.refresh_s, config.database.max_staleness_s
        )
        self._settings: AuthSettings = config.auth
        self._config: GatewayConfig | None = None
        self._auth: Authenticator | None = None
        self._session: aiohttp.ClientSession | None = None
        self.throttle = Throttle(config.auth.throttle)

    # ---- lifecycle ---------------------------------------------------------------------------

    def install(self, app: web.Application) -> None:
        from interlock.admin.http import register_admin_routes

        register_admin_routes(app, self)
        app.on_startup.append(self._start)
        app.on_cleanup.append(self._stop)

    async def _start(self, app: web.Application) -> None:
        self._session = aiohttp.ClientSession()
        await self.directory.start()

    async def _stop(self, app: web.Application) -> None:
        await self.directory.close()
        await close_quietly(self._session)

    # ---- the authenticator of the running configuration -------------------------------------

    def authenticator(self) -> Authenticator:
        config = self.holder.current.config
        if config is not self._config or self._auth is None:
            self._rebuild(config)
        assert self._auth is not None
        return self._auth

    def _rebuild(self, config: GatewayConfig) -> None:
        settings = config.auth
        if not settings.enabled:
            # A reload must not switch identity off on a running gateway: that takes a restart.
            log.error("the reloaded configuration disables auth; keeping the previous settings")
            settings = self._settings
        previous = self._auth
        verifier = previous.verifier if previous is not None else None
        if previous is None or settings.jwt != previous.settings.jwt:
            verifier = JwtVerifier(settings.jwt, self._http()) if settings.jwt else None
        if settings.throttle != self.throttle.settings:
            self.throttle = Throttle(settings.throttle)
        if config.database != self.holder.initial.database:
            log.warning("database settings changed in the file; they take effect on restart")
        self._settings = settings
        self._auth = Authenticator(self.directory, settings, CompiledPolicies(config), verifier)
        self._config = config

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def policy_names(self) -> set[str]:
        return set(self.holder.current.config.policies)

    def readiness(self) -> tuple[str, str | None]:
        """For /readyz: the identity view must be loaded and fresh, or requests would be refused."""
        try:
            self.directory.view()
        except DirectoryUnavailable as exc:
            return "identity", str(exc)
        return "identity", None

    # ---- pipeline hooks ----------------------------------------------------------------------

    async def on_authenticate(self, request: web.Request, ex: Exchange) -> Principal:
        auth = self.authenticator()
        source = request.remote or "unknown"
        delay = self.throttle.delay_for(source)
        if delay > 0:  # a source that keeps failing waits; others pay no coroutine
            await asyncio.sleep(delay)
        try:
            principal = await auth.principal(request.headers)
        except AuthFailure as failure:
            self.count_failure(failure, source)
            ex.decide("auth", "refused", **_refusal_detail(failure))
            raise failure.to_gateway_error() from None
        compiled = auth.policies.by_name.get(principal.policy_name)
        # Routing fails over, and /v1/models lists, only what this policy allows; an unknown
        # policy name allows nothing.
        ex.model_filter = compiled.allows if compiled is not None else _nothing
        return principal

    def count_failure(self, failure: AuthFailure, source: str) -> None:
        if failure.status != 503:  # our own outage is not the caller's failure
            self.throttle.failed(source)
        failure.detail.setdefault("source", source)
        log.info("auth refused %s: %s %s", source, failure.reason, failure.detail)

    def on_request(self, ex: Exchange) -> None:
        principal: Principal = ex.principal
        if ex.request is None or principal is None:
            return
        model = ex.request.model
        policies = self.authenticator().policies
        compiled = policies.by_name.get(principal.policy_name)
        # Names the gateway does not serve fall through to routing's 404.
        if model in policies.served and (compiled is None or not compiled.allows(model)):
            failure = forbidden(
                "model_not_allowed",
                f"The policy for this application does not allow the model '{model}'",
                model=model,
            )
            ex.decide("auth", "refused", **_refusal_detail(failure), **principal.audit_fields())
            raise failure.to_gateway_error()
        ex.decide("auth", "allowed", **principal.audit_fields())

    def on_done(self, ex: Exchange) -> None:
        if ex.principal is not None and not any(d.stage == "auth" for d in ex.decisions):
            # Authenticated, but the body never parsed: still record who it was.
            ex.decide("auth", "allowed", **ex.principal.audit_fields())


def _nothing(model: str) -> bool:
    return False


def _refusal_detail(failure: AuthFailure) -> dict[str, Any]:
    return {"status": failure.status, "reason": failure.reason, **failure.detail}


def identity_stage(
    holder: RuntimeHolder, config: GatewayConfig, config_path: Path | None
) -> IdentityStage | None:
    """The identity stage; None only when the configuration switches auth off by name."""
    if not config.auth.enabled:
        log.warning("auth.enabled is false: requests are NOT authenticated by this gateway")
        return None
    return IdentityStage(holder, config, config_path)
