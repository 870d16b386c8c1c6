"""Fixtures of the console's browser tests: a gateway over a seeded organisation with traffic
from two teams (one refused request, one DLP finding), one Chromium per module, and a fresh
browser context per page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.audit.support import AuditEnv, start_env
from tests.auth.support import wait_for
from tests.console.support import LAPTOP, launch_chromium, sign_in


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, simulator: Any) -> Iterator[AuditEnv]:
    e = start_env(tmp_path_factory.mktemp("console"), simulator.url)
    # Traffic from two teams: red's alice on `search` (full content) and `chat` (metadata),
    # blue's bob on `billing` (full content).
    for key, app, text in (
        ("alice", "search", "hello console please find my parcel"),
        ("alice", "search", "second question"),
        ("alice", "chat", "a chat message"),
        ("bob", "billing", "blue team invoice question"),
    ):
        r = e.chat(e.org.keys[key], app, text)
        assert r.status_code == 200, r.text
    # One refused (a model outside red's `standard` policy) and one with a DLP finding (email).
    assert e.chat(e.org.keys["alice"], "chat", "hi", model="local-llama").status_code == 403
    root = {"authorization": f"Bearer {e.org.keys['root-admin']}"}
    assert e.http.post(
        "/admin/apps", json={"id": "guard", "team_id": "red"}, headers=root
    ).is_success
    binding = {"subject_type": "team", "subject_id": "red", "app_id": "guard", "policy": "guarded"}
    assert e.http.post("/admin/bindings", json=binding, headers=root).is_success
    wait_for(lambda: e.chat(e.org.keys["alice"], "guard", "mail jo@example.com").status_code == 200)
    assert e.find(dlp_type="EMAIL_ADDRESS")
    assert e.find(text="invoice") and e.find(text="parcel")  # the records reached the store
    assert e.find(status="refused")
    yield e
    e.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture()
def open_console(env: AuditEnv, browser: Any) -> Iterator[Any]:
    """A fresh browser context per call (no shared session storage); every request is logged."""
    contexts: list[Any] = []

    def open_as(key_name: str | None, before: Any = None) -> Any:
        context = browser.new_context(viewport=LAPTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.on("request", lambda req: page.requests.append(req.url))
        if before is not None:
            before(page)  # e.g. routes to set up before the first request
        page.goto(env.gateway.url + "/console")
        if key_name is not None:
            sign_in(page, env.org.keys[key_name])
        return page

    yield open_as
    for context in contexts:
        context.close()
