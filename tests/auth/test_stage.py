"""The identity stage in the gateway: throttling, failing closed, reloads, on by default and
off only when the configuration says so by name."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from interlock.auth.directory import Directory, DirectoryUnavailable
from interlock.store import open_store
from tests.auth.support import (
    POLICY_NAMES,
    Capture,
    Database,
    IdentityProvider,
    gateway_yaml,
    open_migrated,
    seed_org,
)
from tests.support import GatewayServer, gateway_config

BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}
HTTP = httpx.Client(timeout=20)


def post(gw: GatewayServer, key: str | None, app: str = "chat", model: str = "gpt-4o-mini"):
    headers = {"x-interlock-app": app}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return HTTP.post(
        f"{gw.url}/v1/chat/completions", json={**BODY, "model": model}, headers=headers
    )


def test_repeated_failures_are_slowed_down(
    database: Database, simulator, idp: IdentityProvider
) -> None:
    org = seed_org(database.url, POLICY_NAMES)
    yaml = gateway_yaml(
        simulator.url, database.url, idp.url,
        throttle="{threshold: 3, window_s: 60, base_delay_s: 0.3, max_delay_s: 0.6}",
    )  # fmt: skip
    gw = GatewayServer(yaml)
    try:
        HTTP.get(f"{gw.url}/healthz")  # a warm connection: time the gateway, not the handshake
        timings = []
        for _ in range(5):
            start = time.monotonic()
            assert post(gw, "ilk_guessguessgu_" + "x" * 43).status_code == 401
            timings.append(time.monotonic() - start)
        assert max(timings[:3]) < 0.3  # under the threshold: no delay
        assert timings[3] >= 0.3  # past it: base_delay_s
        assert timings[4] >= 0.6  # then doubling, capped at max_delay_s
        # The source is slowed, not locked out: a valid key still gets through (after the delay).
        start = time.monotonic()
        assert post(gw, org.keys["alice"]).status_code == 200
        assert time.monotonic() - start >= 0.6
    finally:
        gw.close()


def test_unreachable_database_fails_closed(simulator, idp: IdentityProvider) -> None:
    for url in ("postgresql://nobody@127.0.0.1:9/none", "sqlite:////proc/version/ids.db"):
        capture = Capture()
        gw = GatewayServer(gateway_yaml(simulator.url, url, idp.url), addons=[capture])
        try:
            resp = post(gw, "ilk_aaaaaaaaaaaa_" + "x" * 43)
            assert resp.status_code == 503, resp.text
            assert resp.json()["error"]["code"] == "auth_unavailable"
            decision = capture.auth_decision(resp.json()["error"]["request_id"])
            assert decision.detail["reason"] == "identity_store_unavailable"
            # The admin API is closed too.
            admin = httpx.get(f"{gw.url}/admin/teams", headers={"authorization": "Bearer ilk_x"})
            assert admin.status_code == 503
            # And the gateway says so to its load balancer, while it stays alive.
            ready = httpx.get(f"{gw.url}/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["identity"] != "ok"
            assert httpx.get(f"{gw.url}/healthz").status_code == 200
        finally:
            gw.close()


async def test_stale_view_fails_closed_and_recovers(database: Database) -> None:
    store = await open_migrated(database.url)
    await store.close()
    directory = Directory(open_store(database.url), refresh_s=0.05, max_staleness_s=0.3)
    await directory.start()
    try:
        assert directory.view().version >= 1
        await directory.store.close()  # the database "goes away" (every refresh now fails)
        directory.store.open = _failing_open  # type: ignore[method-assign]
        await asyncio.sleep(0.5)
        try:
            directory.view()
            raise AssertionError("a stale view must not be trusted")
        except DirectoryUnavailable:
            pass
        del directory.store.open  # the database is back
        deadline = time.monotonic() + 20  # the next successful refresh, however late under load
        while True:
            try:
                assert directory.view() is not None
                break
            except DirectoryUnavailable:
                assert time.monotonic() < deadline, "the view never recovered"
                await asyncio.sleep(0.02)
    finally:
        await directory.close()


async def _failing_open() -> None:
    from interlock.store import StoreError

    raise StoreError("connection refused")


def test_policies_reload_with_the_configuration(
    database: Database, simulator, idp: IdentityProvider, tmp_path: Path
) -> None:
    org = seed_org(database.url, POLICY_NAMES)
    yaml = gateway_yaml(simulator.url, database.url, idp.url)
    path = tmp_path / "gw.yaml"
    gw = GatewayServer(yaml, config_path=path)
    try:
        assert post(gw, org.keys["alice"], model="gpt-4o").status_code == 403
        path.write_text(
            yaml.replace("models: [gpt-4o-mini, text-embedding-3-small]", 'models: ["gpt-*"]')
        )
        assert gw.call(gw.holder.reload) is True
        assert post(gw, org.keys["alice"], model="gpt-4o").status_code == 200
        # Dropping the auth section from a running gateway does not switch identity off.
        path.write_text(yaml[: yaml.index("auth:")] + yaml[yaml.index("policies:") :])
        assert gw.call(gw.holder.reload) is True
        assert post(gw, None).status_code == 401
        assert post(gw, org.keys["alice"]).status_code == 200
    finally:
        gw.close()


def test_auth_switched_off_by_name_means_no_identity_stage(simulator) -> None:
    gw = GatewayServer(gateway_config(simulator.url))  # says `auth: {enabled: false}`
    try:
        assert post(gw, None, model="gpt-4o-mini").status_code == 200
        assert httpx.get(f"{gw.url}/admin/openapi.json").status_code == 404
    finally:
        gw.close()


def test_a_file_without_auth_section_refuses_unidentified_requests(
    simulator, tmp_path: Path
) -> None:
    """Zero trust is the default: forgetting the section does not open the gateway."""
    yaml = gateway_config(simulator.url).replace("auth: {enabled: false}", "")
    yaml += f'database: {{url: "sqlite:///{tmp_path / "fresh.db"}"}}\n'
    gw = GatewayServer(yaml)
    try:
        refused = post(gw, None, model="gpt-4o-mini")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
        assert post(gw, "ilk_unknown_" + "x" * 43, model="gpt-4o-mini").status_code == 401
        listed = HTTP.get(f"{gw.url}/v1/models")
        assert listed.status_code == 401
    finally:
        gw.close()


def test_org_changes_reach_the_view_without_restart(
    database: Database, simulator, idp: IdentityProvider
) -> None:
    """A change written straight to the database (as the CLI does) is picked up by polling."""
    from tests.auth.support import ROOT

    org = seed_org(database.url, POLICY_NAMES)
    gw = GatewayServer(gateway_yaml(simulator.url, database.url, idp.url))
    try:
        assert post(gw, org.keys["alice"]).status_code == 200

        async def revoke() -> None:
            from interlock.admin.service import AdminService

            store = await open_migrated(database.url)
            try:
                await AdminService(store, lambda: POLICY_NAMES).revoke_key(
                    ROOT, org.key_ids["alice"]
                )
            finally:
                await store.close()

        asyncio.run(revoke())
        start = time.monotonic()
        while post(gw, org.keys["alice"]).status_code == 200:
            assert time.monotonic() - start < 2.0, "revocation not visible within 2 s"
            time.sleep(0.02)
        assert (
            post(gw, org.keys["alice"]).json()["error"]["message"]
            == "This API key has been revoked"
        )
    finally:
        gw.close()
