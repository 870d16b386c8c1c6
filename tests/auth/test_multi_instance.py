"""Two gateway processes on one database: a change made through either reaches the other
within about one poll interval (default 0.5 s), with no query per request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.auth.support import POLICY_NAMES, Database, IdentityProvider, gateway_yaml, seed_org
from tests.support import free_port

BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


class Instance:
    def __init__(self, config: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interlock.cli.main", "serve", "--config", str(config),
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, "INTERLOCK_LOG_LEVEL": "WARNING"},
        )  # fmt: skip
        self.http = httpx.Client(base_url=self.url, timeout=10)
        deadline = time.monotonic() + 60  # a loaded machine starts slowly
        while True:
            try:
                if self.http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gateway did not start:\n{log.read_text()}")
            time.sleep(0.05)

    def chat(self, key: str, app: str = "chat") -> int:
        headers = {"authorization": f"Bearer {key}", "x-interlock-app": app}
        return self.http.post("/v1/chat/completions", json=BODY, headers=headers).status_code

    def close(self) -> None:
        self.http.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()


@pytest.fixture()
def pair(
    database: Database, simulator, idp: IdentityProvider, tmp_path: Path
) -> Iterator[tuple[Instance, Instance, dict[str, str]]]:
    org = seed_org(database.url, POLICY_NAMES)
    config = tmp_path / "gw.yaml"
    # The shipped default poll interval: what a deployment gets.
    config.write_text(gateway_yaml(simulator.url, database.url, idp.url, database="refresh_s: 0.5"))
    a = Instance(config, tmp_path / "a.log")
    try:
        b = Instance(config, tmp_path / "b.log")
    except BaseException:
        a.close()
        raise
    try:
        yield a, b, org.keys
    finally:
        a.close()
        b.close()


def until(check, limit: float) -> float:
    start = time.monotonic()
    while not check():
        elapsed = time.monotonic() - start
        assert elapsed < limit, f"not visible on the other instance within {limit}s"
        time.sleep(0.02)
    return time.monotonic() - start


def test_changes_reach_the_other_instance(pair) -> None:
    a, b, keys = pair
    admin = {"authorization": f"Bearer {keys['root-admin']}"}
    assert a.chat(keys["alice"]) == 200 and b.chat(keys["alice"]) == 200

    made = a.http.post("/admin/keys", json={"identity_id": "alice"}, headers=admin).json()
    assert a.chat(made["key"]) == 200  # at once on the instance that made it
    created_after = until(lambda: b.chat(made["key"]) == 200, 2.0)

    assert a.http.post(f"/admin/keys/{made['id']}/revoke", headers=admin).status_code == 200
    assert a.chat(made["key"]) == 401
    revoked_after = until(lambda: b.chat(made["key"]) == 401, 2.0)

    # The other way round, for a binding: revoked through B, refused on A.
    bindings = b.http.get("/admin/bindings", headers=admin).json()
    chat_binding = next(x for x in bindings if x["app_id"] == "chat" and x["subject_id"] == "red")
    assert (
        b.http.post(f"/admin/bindings/{chat_binding['id']}/revoke", headers=admin).status_code
        == 200
    )
    unbound_after = until(lambda: a.chat(keys["alice"]) == 403, 2.0)
    print(
        f"\nvisible on the other instance after: key created {created_after:.2f}s, "
        f"key revoked {revoked_after:.2f}s, binding revoked {unbound_after:.2f}s"
    )
