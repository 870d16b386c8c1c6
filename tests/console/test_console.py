"""The console in a real headless Chromium: sign-in per role, the overview from the spend API,
audit search and a record's detail, creating and revoking a key, and role gating."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.audit.support import AuditEnv, start_env
from tests.auth.support import wait_for
from tests.console.support import launch_chromium, screenshot

LAPTOP = {"width": 1366, "height": 768}


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

    def open_as(key_name: str | None) -> Any:
        context = browser.new_context(viewport=LAPTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.on("request", lambda req: page.requests.append(req.url))
        page.goto(env.gateway.url + "/console")
        if key_name is not None:
            sign_in(page, env.org.keys[key_name])
        return page

    yield open_as
    for context in contexts:
        context.close()


def sign_in(page: Any, key: str) -> None:
    # With the keyboard, as a user would: the field has focus, Enter submits.
    field = page.get_by_label("Admin key")
    field.wait_for()
    field.fill("")
    field.focus()
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    page.locator("#who").filter(has_text="·").wait_for()


def nav_links(page: Any) -> list[str]:
    return [a.inner_text() for a in page.locator("#nav a:visible").all()]


def test_org_admin_reads_the_overview_and_follows_a_chart_to_the_records(
    env: AuditEnv, open_console: Any
) -> None:
    page = open_console("root-admin")
    assert nav_links(page) == ["Overview", "Audit", "Manage keys"]
    table = page.locator("#spend-table")
    table.wait_for()
    rows = {r.locator("td").first.inner_text(): r for r in table.locator("tbody tr").all()}
    assert set(rows) == {"red", "blue"}
    assert rows["red"].locator("td").nth(1).inner_text() == "4"  # four answered requests by red
    assert rows["blue"].locator("td").nth(1).inner_text() == "1"
    tile = page.locator(".tile").filter(has_text="Requests").locator(".n")
    assert tile.inner_text() == "5"
    # Spend is shown, not rounded away: the tile is the API's total.
    spend = env.http.get(
        "/admin/spend",
        params={"by": "team", "period": "today"},
        headers={"authorization": f"Bearer {env.org.keys['root-admin']}"},
    ).json()
    total = sum(r["cost_usd"] for r in spend)
    assert total > 0
    shown = page.locator(".tile").filter(has_text="Spend").locator(".n").inner_text()
    assert float(shown.lstrip("$").replace(",", "")) == pytest.approx(total, rel=0.01)
    # Incidents from the audit: the refused request, the DLP finding and its type.
    incidents = page.locator("#incident-table")
    incidents.wait_for()
    counts = dict(r.locator("td").all_inner_texts() for r in incidents.locator("tbody tr").all())
    assert counts["Refused requests"] == "1" and counts["Upstream failures"] == "0"
    assert int(counts["DLP redacted or pseudonymised"]) + int(counts["DLP blocked"]) == 1
    dlp_chart = page.get_by_role("img", name="Top DLP finding types")
    assert "EMAIL_ADDRESS" in dlp_chart.locator("text").all_text_contents()
    charts = page.locator("figure svg.chart")
    assert charts.count() == 7  # six from spend, one of DLP types
    by_model = page.get_by_role("img", name="Spend by model").locator("text").all_text_contents()
    assert "gpt-4o-mini" in by_model
    screenshot(page, "overview-org-admin")

    # Every request the page made stayed on the gateway (no external assets at run time), and
    # the key is in this tab's session storage, never in a URL.
    origin = env.gateway.url
    assert page.requests and all(u.startswith(origin) for u in page.requests)
    key = env.org.keys["root-admin"]
    assert not any(key in u for u in page.requests) and key not in page.url
    assert page.evaluate("sessionStorage.getItem('interlock.console.key')") == key
    assert page.evaluate("localStorage.length") == 0

    # A chart bar links to the records behind it.
    page.locator('svg.chart a[aria-label^="blue:"]').first.click()
    page.locator("#audit-results").wait_for()
    assert "team=blue" in page.url
    teams = page.locator("#audit-results tbody tr td:nth-child(4)").all_inner_texts()
    assert teams and set(teams) == {"blue"}
    # And the incident count links to the refused record.
    page.go_back()
    page.get_by_role("link", name="Refused requests").click()
    page.locator("#result-count").filter(has_text="1 record").wait_for()
    assert page.locator("#audit-results tbody td:nth-child(8)").inner_text() == "403"


def test_auditor_searches_the_audit_and_opens_a_record(env: AuditEnv, open_console: Any) -> None:
    page = open_console("auditor-admin")
    assert nav_links(page) == ["Overview", "Audit"]  # no management for auditors
    page.get_by_role("link", name="Audit").click()
    page.get_by_label("Text").fill("parcel")
    page.get_by_label("Team").fill("red")
    page.get_by_role("button", name="Search").click()
    page.locator("#result-count").filter(has_text="1 record").wait_for()
    rows = page.locator("#audit-results tbody tr")
    assert rows.count() == 1
    assert rows.locator("td:nth-child(5)").inner_text() == "search"
    screenshot(page, "audit-search")

    rows.locator("a").first.click()
    page.locator("#decisions").wait_for()
    stages = page.locator("#decisions tbody tr td:first-child").all_inner_texts()
    assert "auth" in stages
    facts = page.locator("#record-facts").inner_text()
    assert "alice" in facts and "red" in facts and "gpt-4o-mini" in facts
    # Full content level for `search`: what alice sent is in the stored request.
    assert "hello console please find my parcel" in page.locator("#request-content").inner_text()
    screenshot(page, "audit-record")

    # A search that matches nothing says so; a bad filter shows the API's message.
    page.goto(env.gateway.url + "/console/#/audit?text=nothing-matches-this")
    page.locator("#result-count").filter(has_text="0 record").wait_for()
    page.goto(env.gateway.url + "/console/#/audit?status=teapot")
    alert = page.get_by_role("alert").filter(has_text="status must be")
    alert.wait_for()


def test_org_admin_creates_a_key_sees_its_secret_once_and_revokes_it(
    env: AuditEnv, open_console: Any
) -> None:
    page = open_console("root-admin")
    page.get_by_role("link", name="Manage keys").click()
    page.get_by_label("Identity").select_option("alice")
    page.get_by_label("Application (optional)").select_option("search")
    page.get_by_label("Name").fill("made-in-console")
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("#new-secret")
    secret.wait_for()
    key = secret.inner_text().strip()
    row = page.locator("#keys-table tbody tr").filter(has_text="made-in-console")
    assert row.locator(".tag").inner_text() == "active"
    key_id = row.locator("code").inner_text()
    assert key.startswith(key_id) or len(key) > len(key_id)
    screenshot(page, "keys-created")

    # The secret works for inference, and is not shown again once the page is reloaded.
    assert env.chat(key, "search", "from a console key").status_code == 200
    page.reload()
    page.locator("#keys-table").wait_for()
    assert page.locator("#new-secret").count() == 0 and key not in page.content()

    # Rotate with no overlap: a new secret, shown once; the old key stops at once.
    page.get_by_label("On rotate, the old key keeps working for (seconds)").fill("0")
    page.get_by_role("button", name=f"Rotate key {key_id}").click()
    page.locator("#new-secret").filter(
        has_text=re.compile("^(?!" + re.escape(key) + ")")
    ).wait_for()
    new_key = page.locator("#new-secret").inner_text().strip()
    new_id = page.locator("#new-secret").get_attribute("data-key")
    assert new_key != key and new_id and new_id != key_id
    wait_for(lambda: env.chat(key, "search", "old key").status_code == 401)
    assert env.chat(new_key, "search", "new key").status_code == 200
    screenshot(page, "keys-rotated")

    page.get_by_role("button", name=f"Revoke key {new_id}").click()
    revoked = page.locator("#keys-table tbody tr").filter(has=page.locator("code", has_text=new_id))
    revoked.locator(".tag", has_text="revoked").wait_for()
    assert revoked.get_by_role("button").count() == 0
    wait_for(lambda: env.chat(new_key, "search", "after revoke").status_code == 401)

    # Every change went through the admin API and is in the admin audit trail, by root.
    root = {"authorization": f"Bearer {env.org.keys['root-admin']}"}
    trail = env.http.get("/admin/audit", params={"entity_type": "key"}, headers=root).json()
    mine = {(a["entity_id"], a["action"]) for a in trail if a["entity_id"] in (key_id, new_id)}
    assert {(key_id, "create"), (key_id, "rotate"), (new_id, "revoke")} <= mine, mine
    assert all(a["actor"] == "root" for a in trail if a["entity_id"] in (key_id, new_id))


def test_team_admin_manages_only_their_team_and_reads_their_spend(
    env: AuditEnv, open_console: Any
) -> None:
    page = open_console("redadmin-admin")
    assert nav_links(page) == ["Overview", "Manage keys"]
    page.locator("#spend-table").wait_for()
    assert page.locator("#spend-table tbody tr td:first-child").all_inner_texts() == ["red"]
    # No audit access: charts are not links for this role, and the page refuses.
    assert page.locator("svg.chart a").count() == 0
    page.goto(env.gateway.url + "/console/#/audit")
    page.locator("#forbidden").wait_for()
    page.goto(env.gateway.url + "/console/#/keys")
    page.locator("#keys-table").wait_for()
    identities = page.locator("#keys-table tbody tr td:nth-child(3)").all_inner_texts()
    assert identities and set(identities) <= {"alice", "root", "redadmin", "carol"}


def test_viewer_cannot_reach_management_or_audit(env: AuditEnv, open_console: Any) -> None:
    page = open_console("viewer-admin")
    assert nav_links(page) == ["Overview"]
    page.locator(".tile").first.wait_for()
    assert page.locator(".tile").filter(has_text="Teams").locator(".n").inner_text() == "2"
    screenshot(page, "overview-viewer")
    for where in ("keys", "audit", "audit/some-request"):
        page.goto(f"{env.gateway.url}/console/#/{where}")
        page.locator("#forbidden").wait_for()
        assert page.locator("#create-key-form").count() == 0
        assert page.get_by_role("button", name=re.compile("Revoke|Create")).count() == 0
    screenshot(page, "viewer-refused")
    # The browser is not the guard: the admin API refuses the viewer's key itself.
    headers = {"authorization": f"Bearer {env.org.keys['viewer-admin']}"}
    made = env.http.post("/admin/keys", json={"identity_id": "bob"}, headers=headers)
    assert made.status_code == 403


def test_sign_in_refuses_inference_keys_and_sign_out_forgets_the_key(
    env: AuditEnv, open_console: Any
) -> None:
    page = open_console(None)
    page.get_by_label("Admin key").fill(env.org.keys["alice"])
    page.get_by_role("button", name="Sign in").click()
    page.locator("#signin-error").filter(has_text="refused").wait_for()
    assert page.locator("#nav").is_hidden()
    assert page.evaluate("sessionStorage.length") == 0

    sign_in(page, env.org.keys["root-admin"])
    page.reload()  # the session survives a reload of the tab
    page.locator("#spend-table").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Admin key").wait_for()
    assert page.evaluate("sessionStorage.length") == 0


def test_console_assets_are_served_with_a_strict_policy(env: AuditEnv) -> None:
    with httpx.Client(base_url=env.gateway.url) as http:
        page = http.get("/console/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "http" not in page.text.replace("http-equiv", "")  # no external references
        assert http.get("/console/static/console.js").status_code == 200
        for bad in ("/console/static/nope.js", "/console/static/..%2f__init__.py"):
            assert http.get(bad).status_code == 404
        assert http.get("/console", follow_redirects=False).status_code == 302


def test_screenshots_were_written() -> None:
    # Ordered last in this module: the pages above saved their screenshots.
    from tests.console.support import ARTIFACTS

    names = {p.stem for p in Path(ARTIFACTS).glob("*.png")}
    assert {"overview-org-admin", "audit-search", "audit-record", "keys-created"} <= names
