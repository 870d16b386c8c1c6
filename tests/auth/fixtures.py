"""Fixtures shared by tests/auth, tests/store and tests/admin (imported by their conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from interlock.store import Store
from tests.auth.support import (
    BACKENDS,
    POLICY_NAMES,
    Capture,
    Database,
    IdentityProvider,
    Org,
    gateway_yaml,
    open_migrated,
    seed_org,
)
from tests.support import GatewayServer


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """A fresh empty database, once per backend: every test using it runs on both."""
    db = Database(request.param, tmp_path)
    yield db
    db.drop()


@pytest.fixture()
async def store(database: Database) -> AsyncIterator[Store]:
    s = await open_migrated(database.url)
    yield s
    await s.close()


@pytest.fixture(scope="session")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    yield provider
    provider.close()


@dataclass
class Env:
    backend: str
    db: Database
    org: Org
    gateway: GatewayServer
    capture: Capture
    http: httpx.Client
    idp: IdentityProvider

    def chat(
        self,
        key: str | None,
        app: str | None = None,
        model: str = "gpt-4o-mini",
        headers: dict[str, str] | None = None,
        path: str = "/v1/chat/completions",
    ) -> httpx.Response:
        h = dict(headers or {})
        if key is not None:
            h["authorization"] = f"Bearer {key}"
        if app is not None:
            h["x-interlock-app"] = app
        body = {"model": model, "messages": [{"role": "user", "content": "hello"}]}
        return self.http.post(path, json=body, headers=h)

    def admin(self, key: str, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.http.request(
            method, path, json=body, headers={"authorization": f"Bearer {key}"}
        )


@pytest.fixture(scope="module", params=BACKENDS)
def env(
    request: pytest.FixtureRequest,
    simulator: Any,
    idp: IdentityProvider,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Env]:
    """A gateway with auth on, over a seeded organisation, on each backend in turn."""
    db = Database(request.param, tmp_path_factory.mktemp("identity"))
    try:
        org = seed_org(db.url, POLICY_NAMES)
        capture = Capture()
        gw = GatewayServer(gateway_yaml(simulator.url, db.url, idp.url), addons=[capture])
        try:
            with httpx.Client(base_url=gw.url, timeout=20) as http:
                yield Env(request.param, db, org, gw, capture, http, idp)
        finally:
            gw.close()
    finally:
        db.drop()
