"""The console in a real headless Chromium: sign-in per role, the overview's charts over time
from the audit store (and a chart point followed to its records), audit search and a record's
detail, creating and revoking a key, and role gating."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.audit.support import AuditEnv
from tests.auth.support import wait_for
from tests.console.support import admin_trail, nav_links, screenshot, sign_in

MANAGE = ["Keys", "Teams", "Applications", "Bindings", "Budgets"]
BLOCKED = re.compile(r":(blocked|refused|denied|failed_closed)$")


def exchange_records(env: AuditEnv) -> list[dict[str, Any]]:
    return env.find(kind="exchange", limit=1000)


def segments(page: Any, chart: str) -> dict[str, int]:
    """Series -> its total in a time chart, read from the links' labels ("v, bucket: n …")."""
    out: dict[str, int] = {}
    for label in page.locator(f"#{chart} a").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    ):
        m = re.match(r"^(.*), [^,]+: ([\d,]+) ", label)
        assert m, label
        out[m.group(1)] = out.get(m.group(1), 0) + int(m.group(2).replace(",", ""))
    return out


def test_org_admin_reads_the_charts_and_follows_a_point_to_its_records(
    env: AuditEnv, open_console: Any
) -> None:
    records = exchange_records(env)
    page = open_console("root-admin")
    assert nav_links(page) == ["Overview", "Audit", *MANAGE]
    page.locator("#chart-team").wait_for()
    # The tiles and the charts are the audit store's records, counted server-side.
    tile = page.locator(".tile").filter(has_text="Requests").locator(".n")
    assert tile.inner_text() == str(len(records))
    refused = page.locator(".tile").filter(has_text="Refused").locator(".n").inner_text()
    assert refused == str(sum(r["outcome"] == "refused" for r in records)) == "1"
    by_team = {t: sum(r["team"] == t for r in records) for t in ("red", "blue")}
    assert segments(page, "chart-team") == by_team
    by_model: dict[str, int] = {}
    for r in records:
        name = r.get("model") or r.get("model_requested")
        by_model[name] = by_model.get(name, 0) + 1
    assert segments(page, "chart-model") == by_model
    assert sum(segments(page, "chart-app").values()) == len(records)
    cost = sum(r.get("cost_usd") or 0 for r in records)
    assert cost > 0
    shown = page.locator(".tile").filter(has_text="Spend").locator(".n").inner_text()
    assert float(shown.lstrip("$").replace(",", "")) == pytest.approx(cost, rel=0.01)
    # The panels: DLP types, blocked requests by stage, injection verdicts.
    dlp = page.locator("#chart-dlp text").all_text_contents()
    assert "EMAIL_ADDRESS" in dlp
    blocked = {
        f"{d['stage']}:{d['outcome']}"
        for r in records
        for d in r["decisions"]
        if BLOCKED.search(f":{d['outcome']}")
    }
    assert blocked and blocked <= set(page.locator("#chart-blocked text").all_text_contents())
    verdicts = {d["outcome"] for r in records for d in r["decisions"] if d["stage"] == "injection"}
    assert verdicts <= set(page.locator("#chart-injection text").all_text_contents())
    assert page.locator("#budget-use").is_visible()
    screenshot(page, "overview-org-admin")

    # Every request the page made stayed on the gateway (no external assets at run time), and
    # the key is in this tab's session storage, never in a URL.
    origin = env.gateway.url
    assert page.requests and all(u.startswith(origin) for u in page.requests)
    key = env.org.keys["root-admin"]
    assert not any(key in u for u in page.requests) and key not in page.url
    assert page.evaluate("sessionStorage.getItem('interlock.console.key')") == key
    assert page.evaluate("localStorage.length") == 0

    # Another measure, chosen with the keyboard; then Tab reaches the first chart point and
    # Enter follows it.
    page.get_by_label("Measure").select_option("tokens")
    page.get_by_role("group", name="Tokens over time by team").wait_for()
    tokens = sum(r["usage"]["input_tokens"] + r["usage"]["output_tokens"] for r in records)
    assert sum(segments(page, "chart-team").values()) == tokens
    page.get_by_label("Measure").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "document.activeElement.closest('svg') && document.activeElement.closest('svg').id"
    )
    assert focused == "chart-team"
    page.get_by_label("Measure").select_option("requests")
    page.get_by_role("group", name="Requests over time by team").wait_for()

    # A chart point links to the records behind it: that bucket's time range and that series.
    point = page.locator('#chart-team a[aria-label^="blue,"]').first
    n = int(re.search(r": (\d+) requests", point.get_attribute("aria-label")).group(1))
    point.focus()
    page.keyboard.press("Enter")
    page.locator("#audit-results").wait_for()
    assert "team=blue" in page.url and "since=" in page.url and "until=" in page.url
    assert page.get_by_label("Since (date/time)").input_value().endswith(":00:00Z")
    page.locator("#result-count").filter(has_text=f"{n} record").wait_for()
    teams = page.locator("#audit-results tbody tr td:nth-child(4)").all_inner_texts()
    assert len(teams) == n and set(teams) == {"blue"}
    # And the blocked-requests bar links to the refused record.
    page.go_back()
    page.locator("#chart-blocked a").first.click()
    page.locator("#result-count").filter(has_text="1 record").wait_for()
    assert page.locator("#audit-results tbody td:nth-child(8)").inner_text() == "403"


def test_usage_api_refuses_other_roles_and_bad_ranges(env: AuditEnv) -> None:
    def get(key: str, **params: str) -> httpx.Response:
        headers = {"authorization": f"Bearer {env.org.keys[key]}"}
        return env.http.get("/admin/usage", params=params, headers=headers)

    viewer = get("viewer-admin")
    assert viewer.status_code == 403 and viewer.json()["error"]["request_id"]
    assert get("redadmin-admin", team="blue").status_code == 403
    denied = [a for a in admin_trail(env, outcome="denied") if a["entity_type"] == "usage"]
    assert {a["actor"] for a in denied} >= {"viewer", "redadmin"}
    bad = get("root-admin", range="1y")
    assert bad.status_code == 400 and "range must be" in bad.json()["error"]["message"]
    assert get("root-admin", since="yesterday").status_code == 400
    red = get("redadmin-admin", range="7d").json()
    assert {s["value"] for s in red["series"]["team"]} == {"red"}
    assert red["bucket_s"] == 3600 and len(red["starts"]) in (168, 169)
    month = get("auditor-admin", range="30d").json()
    assert month["bucket_s"] == 86400
    assert month["totals"]["requests"] >= red["totals"]["requests"] > 0


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
    page.get_by_role("link", name="Keys", exact=True).click()
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


def test_team_admin_manages_only_their_team_and_reads_their_usage(
    env: AuditEnv, open_console: Any
) -> None:
    page = open_console("redadmin-admin")
    assert nav_links(page) == ["Overview", *MANAGE]
    page.locator("#spend-table").wait_for()
    assert page.locator("#spend-table tbody tr td:first-child").all_inner_texts() == ["red"]
    assert (
        set(segments_or_titles(page, "chart-model"))
        and page.locator("#chart-team rect.seg").count()
    )
    # No audit access: chart points are not links for this role, and the page refuses.
    assert page.locator("svg.chart a").count() == 0
    screenshot(page, "overview-team-admin")
    page.goto(env.gateway.url + "/console/#/audit")
    page.locator("#forbidden").wait_for()
    page.goto(env.gateway.url + "/console/#/keys")
    page.locator("#keys-table").wait_for()
    identities = page.locator("#keys-table tbody tr td:nth-child(3)").all_inner_texts()
    assert identities and set(identities) <= {"alice", "root", "redadmin", "carol"}


def segments_or_titles(page: Any, chart: str) -> list[str]:
    return page.locator(f"#{chart} rect.seg").evaluate_all("els => els.map(e => e.dataset.series)")


def test_viewer_cannot_reach_management_or_audit(env: AuditEnv, open_console: Any) -> None:
    page = open_console("viewer-admin")
    assert nav_links(page) == ["Overview"]
    page.locator(".tile").first.wait_for()
    assert page.locator(".tile").filter(has_text="Teams").locator(".n").inner_text() == "2"
    screenshot(page, "overview-viewer")
    for where in ("keys", "teams", "apps", "bindings", "budgets", "audit", "audit/some-request"):
        page.goto(f"{env.gateway.url}/console/#/{where}")
        page.locator("#forbidden").wait_for()
        assert page.locator("form").filter(has_text="Create").count() == 0
        assert page.get_by_role("button", name=re.compile("Revoke|Create|Delete|Edit")).count() == 0
    screenshot(page, "viewer-refused")
    # The browser is not the guard: the admin API refuses the viewer's key itself.
    headers = {"authorization": f"Bearer {env.org.keys['viewer-admin']}"}
    assert (
        env.http.post("/admin/keys", json={"identity_id": "bob"}, headers=headers).status_code
        == 403
    )
    assert env.http.post("/admin/teams", json={"id": "nope"}, headers=headers).status_code == 403
    assert env.http.get("/admin/usage", headers=headers).status_code == 403


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
    assert {
        "overview-org-admin",
        "overview-team-admin",
        "audit-search",
        "audit-record",
        "keys-created",
        "viewer-refused",
    } <= names
