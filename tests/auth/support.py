"""Test support for identity: a real PostgreSQL or SQLite database per test, a real OIDC
identity provider (JWKS over HTTP on loopback), an organisation seeded through the admin
service, and a gateway configuration with auth on."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import psycopg
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from interlock.admin.rbac import Actor
from interlock.admin.schemas import AppCreate, BindingCreate, IdentityCreate, KeyCreate, TeamCreate
from interlock.admin.service import AdminService
from interlock.exchange import Exchange
from interlock.store import Store, migrate, open_store
from tests.support import LoopThread

PG_ENV = "INTERLOCK_TEST_PG_DSN"
BACKENDS = ["sqlite", "postgresql"]
ISSUER = "https://idp.interlock.test"
AUDIENCE = "interlock-gateway"
ROOT = Actor("test:root", None, frozenset({"org_admin"}), "test")


# ---- databases ------------------------------------------------------------------------------


def pg_dsn() -> str:
    dsn = os.environ.get(PG_ENV)
    if not dsn:
        pytest.fail(
            f"{PG_ENV} is not set: the identity tests need a real PostgreSQL server. Start one with "
            f'`eval "$(scripts/test-services.sh)"` (installs PostgreSQL from Debian packages if '
            "missing and starts a throwaway cluster on loopback), then run the tests again.",
            pytrace=False,
        )
    return dsn


def _with_db(dsn: str, dbname: str) -> str:
    parts = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))


def create_pg_database() -> str:
    dsn = pg_dsn()
    name = "il_" + secrets.token_hex(6)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return _with_db(dsn, name)


def drop_pg_database(url: str) -> None:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(pg_dsn(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Database:
    """A fresh, empty database of one backend."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        if backend == "postgresql":
            self.url = create_pg_database()
        else:
            self.url = f"sqlite:///{tmp / ('ids-' + secrets.token_hex(4) + '.db')}"

    def store(self) -> Store:
        return open_store(self.url)

    def drop(self) -> None:
        if self.backend == "postgresql":
            drop_pg_database(self.url)


async def open_migrated(url: str) -> Store:
    store = open_store(url)
    await store.open()
    await migrate(store)
    return store


# ---- an organisation --------------------------------------------------------------------------


@dataclass
class Org:
    """What `seed_org` created; keys are the secrets, shown once."""

    keys: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)


async def seed(service: AdminService) -> Org:
    org = Org()
    for team in ("red", "blue"):
        await service.create_team(ROOT, TeamCreate(id=team))
    for app, team in (("chat", "red"), ("search", "red"), ("billing", "blue")):
        await service.create_app(ROOT, AppCreate(id=app, team_id=team))
    people = [
        ("alice", "red", []),  # a red workload
        ("bob", "blue", []),  # a blue workload
        ("root", "red", ["org_admin"]),
        ("redadmin", "red", ["team_admin"]),
        ("viewer", "blue", ["viewer"]),
        ("auditor", "blue", ["auditor"]),
    ]
    for ident, team, roles in people:
        await service.create_identity(
            ROOT,
            IdentityCreate(id=ident, team_id=team, roles=roles),  # type: ignore[arg-type]
        )
    # JWT subjects: one with an identity record, the others come from claims only.
    await service.create_identity(
        ROOT, IdentityCreate(id="carol", team_id="red", kind="person", subject="carol@corp")
    )
    await service.create_binding(
        ROOT, BindingCreate(subject_type="team", subject_id="red", app_id="chat", policy="standard")
    )
    await service.create_binding(
        ROOT,
        BindingCreate(subject_type="identity", subject_id="alice", app_id="search", policy="open"),
    )
    await service.create_binding(
        ROOT, BindingCreate(subject_type="team", subject_id="blue", app_id="billing", policy="open")
    )
    for name, ident, app, kind in (
        ("alice", "alice", None, "inference"),
        ("alice-chat", "alice", "chat", "inference"),
        ("bob", "bob", None, "inference"),
        ("root-admin", "root", None, "admin"),
        ("redadmin-admin", "redadmin", None, "admin"),
        ("viewer-admin", "viewer", None, "admin"),
        ("auditor-admin", "auditor", None, "admin"),
    ):
        made = await service.create_key(
            ROOT,
            KeyCreate(identity_id=ident, app_id=app, kind=kind),  # type: ignore[arg-type]
        )
        org.keys[name] = made["key"]
        org.key_ids[name] = made["id"]
    return org


def seed_org(url: str, policies: set[str]) -> Org:
    async def run() -> Org:
        store = await open_migrated(url)
        try:
            return await seed(AdminService(store, lambda: policies))
        finally:
            await store.close()

    return asyncio.run(run())


# ---- a real identity provider -------------------------------------------------------------


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private: Any, kid: str, alg: str | None = None) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(private, rsa.RSAPrivateKey):
        data = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
    else:
        data = jwt.algorithms.ECAlgorithm.to_jwk(public, as_dict=True)
    data.update(kid=kid, use="sig")
    if alg:
        data["alg"] = alg
    return data


class IdentityProvider:
    """Serves /jwks.json and OIDC discovery on loopback; signs tokens with its current keys."""

    def __init__(self) -> None:
        self.loop = LoopThread()
        self.keys: dict[str, Any] = {}  # kid -> private key, published
        self.fetches = 0
        self.add_key("k1")
        app = web.Application()
        app.router.add_get("/jwks.json", self._jwks)
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        self.runner = web.AppRunner(app, access_log=None)

        async def start() -> int:
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        self.url = f"http://127.0.0.1:{self.loop.run(start())}"

    def add_key(self, kid: str, private: Any = None) -> Any:
        self.keys[kid] = private or rsa_key()
        return self.keys[kid]

    async def _jwks(self, request: web.Request) -> web.Response:
        self.fetches += 1
        return web.json_response({"keys": [public_jwk(k, kid) for kid, k in self.keys.items()]})

    async def _discovery(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{self.url}/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    def token(
        self,
        sub: str = "carol@corp",
        *,
        kid: str = "k1",
        key: Any = None,
        alg: str = "RS256",
        ttl: float = 300,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        now = time.time()
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": sub,
            "iat": int(now),
            "exp": int(now + ttl),
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload, key or self.keys[kid], algorithm=alg, headers={"kid": kid, **(headers or {})}
        )

    def close(self) -> None:
        self.loop.run(self.runner.cleanup())
        self.loop.stop()


# ---- gateway configuration ----------------------------------------------------------------

POLICY_NAMES = {"standard", "open"}


def gateway_yaml(
    sim_url: str,
    db_url: str,
    idp_url: str,
    throttle: str = "{threshold: 100000}",
    database: str = "refresh_s: 0.2",
) -> str:
    return f"""
server: {{max_body_bytes: 200000, total_timeout_s: 20}}
providers:
  openai:
    type: openai
    base_url: {sim_url}/v1
    api_key: sim-openai-key
    retry: {{max_attempts: 1}}
  vllm:
    type: openai_compatible
    base_url: {sim_url}/v1
    api_key: sim-openai-key
models:
  gpt-4o-mini: {{provider: openai, aliases: [fast]}}
  gpt-4o: {{provider: openai}}
  local-llama: {{provider: vllm, model: llama-3.1-8b}}
  text-embedding-3-small: {{provider: openai, kind: embedding}}
database: {{url: "{db_url}", {database}}}
auth:
  jwt:
    - issuer: {ISSUER}
      jwks_url: {idp_url}/jwks.json
      audiences: [{AUDIENCE}]
      algorithms: [RS256, ES256]
      clock_skew_s: 5
      jwks_min_refresh_s: 0
      claims: {{identity: sub, team: team, roles: roles, application: app}}
  throttle: {throttle}
policies:
  standard:
    models: [gpt-4o-mini, text-embedding-3-small]
    audit: {{content: metadata}}
  open:
    models: ["*"]
    providers: ["*"]
"""


class Capture:
    """An addon that keeps every finished exchange: the audit trail as later stages see it."""

    def __init__(self) -> None:
        self.exchanges: dict[str, Exchange] = {}
        self.last: Exchange | None = None

    async def on_done(self, ex: Exchange) -> None:
        # on_done runs before the response leaves, so `last` is the caller's latest request.
        self.exchanges[ex.request_id] = ex
        self.last = ex

    def auth_decision(self, request_id: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ex = self.exchanges.get(request_id)
            if ex is not None:
                found = [d for d in ex.decisions if d.stage == "auth"]
                assert len(found) == 1, ex.decisions
                return found[0]
            time.sleep(0.01)
        raise AssertionError(f"no exchange recorded for {request_id}")


def wait_for(check: Callable[[], bool], timeout: float = 20.0, interval: float = 0.02) -> float:
    """Seconds until `check()` held; fails after `timeout`."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
