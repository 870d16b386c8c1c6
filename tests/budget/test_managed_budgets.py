"""Budgets managed through the admin API (and `interlock budgets`): created, changed and deleted
at run time, in force without a restart, listed with the configuration's budgets and what each
has used this period, every change in the admin audit trail."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from interlock.cli.main import main

CONFIG_BUDGET = "budgets: {limits: [{name: red-monthly, per: [team], amount_usd: 5}]}"


class Admin:
    def __init__(self, gw: Any, who: str = "root-admin") -> None:
        self.gw = gw
        self.headers = {"authorization": f"Bearer {gw.org.keys[who]}"}

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        return self.gw.http.request(method, path, json=body, headers=self.headers)


def spend_some(gw: Any, n: int) -> float:
    spent = 0.0
    for _ in range(n):
        r = gw.chat("gpt-4o", "hello", max_tokens=1)
        assert r.status_code == 200, r.text
        spent += r.json()["usage"]["total_tokens"] * 0.001
    return spent


def test_budgets_through_the_admin_api(make_gateway) -> None:
    gw = make_gateway(standard=CONFIG_BUDGET)
    root = Admin(gw)
    spent = spend_some(gw, 3)

    # A daily budget for team red's chat app that this spend nearly uses up: it counts the
    # spend made before it existed, and applies at once (no restart, no reload).
    limit = round(spent + 0.012, 4)
    r = root("POST", "/admin/budgets", {
        "name": "red-chat-daily", "scope": {"team": "red", "app": "chat"}, "period": "day",
        "timezone": "Europe/Paris", "limit_usd": limit, "thresholds": [0.5, 0.9],
    })  # fmt: skip
    assert r.status_code == 201, r.text
    made = r.json()
    bid = made["id"]
    assert made["source"] == "admin" and made["action"] == "block"
    assert made["scope"] == {"team": "red", "app": "chat", "model": None, "key": None,
                             "identity": None}  # fmt: skip
    assert made["spent_usd"] == pytest.approx(spent) and made["reserved_usd"] == 0
    assert made["period_start"].endswith(("+01:00", "+02:00"))
    assert made["thresholds"] == [0.5, 0.9]

    codes = [gw.chat("gpt-4o", "hello", max_tokens=1).status_code for _ in range(3)]
    assert codes == [200, 429, 429]
    refused = gw.chat("gpt-4o", "hello", max_tokens=1)
    assert refused.json()["error"]["code"] == "budget_exceeded"
    assert "red-chat-daily" in refused.json()["error"]["message"]
    # Another team is not under it.
    assert gw.chat("gpt-4o", "hello", key="bob", app="billing").status_code == 200

    # The list: admin budgets and the configuration's (read-only), with this period's use.
    listed = root("GET", "/admin/budgets").json()["data"]
    mine = next(b for b in listed if b["id"] == bid)
    assert mine["spent_usd"] > spent and mine["spent_usd"] <= limit
    assert mine["reserved_usd"] == 0
    config = [b for b in listed if b["source"] == "config"]
    assert [(b["policy"], b["name"], b["scope"]["team"]) for b in config] == [
        ("standard", "red-monthly", "red")
    ]
    assert config[0]["spent_usd"] == pytest.approx(mine["spent_usd"])
    assert config[0]["limit_usd"] == 5 and config[0]["thresholds"] == [0.8]
    for field in ("id", "name", "source", "scope", "period", "timezone", "limit_usd",
                  "thresholds", "action", "downgrade_to", "spent_usd", "reserved_usd",
                  "period_start", "period_end"):  # fmt: skip
        assert field in mine and field in config[0]

    # Raise the limit: in force for the next request.
    r = root("PATCH", f"/admin/budgets/{bid}", {"limit_usd": limit + 1})
    assert r.status_code == 200 and r.json()["limit_usd"] == pytest.approx(limit + 1)
    assert r.json()["name"] == "red-chat-daily" and r.json()["timezone"] == "Europe/Paris"
    assert gw.chat("gpt-4o", "hello", max_tokens=1).status_code == 200

    # Bad input: a clear 400 in the admin API's error shape.
    for body, where in (
        ({"limit_usd": 1, "scope": {"model": "gpt-9"}}, "scope.model"),
        ({"limit_usd": 1, "thresholds": [1.5]}, "thresholds"),
        ({"limit_usd": 1, "action": "downgrade"}, "downgrade_to"),
        ({"limit_usd": 1, "action": "downgrade", "downgrade_to": "text-embedding-3-small"},
         "downgrade_to"),
        ({"limit_usd": 1, "scope": {"team": "green"}}, "scope.team"),
        ({"limit_usd": 1, "scope": {"team": "blue", "app": "chat"}}, "scope.app"),
        ({"limit_usd": 0}, "limit_usd"),
        ({"limit_usd": 1, "timezone": "Mars/Olympus"}, "timezone"),
        ({"limit_usd": 1, "period": "year"}, "period"),
        ({"limit_usd": 1, "colour": "red"}, "colour"),
    ):  # fmt: skip
        r = root("POST", "/admin/budgets", body)
        assert r.status_code == 400, (body, r.text)
        err = r.json()["error"]
        assert err["code"] == "invalid_request" and where in err["message"], err
        assert err["request_id"] == r.headers["x-request-id"]
    assert root("GET", "/admin/budgets/bud_nope").status_code == 404
    r = root("PATCH", f"/admin/budgets/{config[0]['id']}", {"limit_usd": 9})
    assert r.status_code == 409 and r.json()["error"]["code"] == "read_only"
    assert root("GET", f"/admin/budgets/{config[0]['id']}").json()["source"] == "config"

    # Roles: a team admin manages their own team's budgets and sees only those.
    red = Admin(gw, "redadmin-admin")
    r = red("POST", "/admin/budgets", {"scope": {"team": "red"}, "limit_usd": 100})
    assert r.status_code == 201, r.text
    team_budget = r.json()["id"]
    r = red("POST", "/admin/budgets", {"scope": {"team": "blue"}, "limit_usd": 100})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert red("POST", "/admin/budgets", {"limit_usd": 100}).status_code == 403
    r = root("POST", "/admin/budgets", {"scope": {"team": "blue"}, "limit_usd": 100})
    blue_budget = r.json()["id"]
    assert red("DELETE", f"/admin/budgets/{blue_budget}").status_code == 403
    assert (
        red("PATCH", f"/admin/budgets/{team_budget}", {"scope": {"team": "blue"}}).status_code
        == 403
    )
    assert {b["scope"]["team"] for b in red("GET", "/admin/budgets").json()["data"]} == {"red"}
    # Auditors and viewers read everything and change nothing.
    for who in ("auditor-admin", "viewer-admin"):
        reader = Admin(gw, who)
        ids = {b["id"] for b in reader("GET", "/admin/budgets").json()["data"]}
        assert {bid, team_budget, blue_budget} <= ids
        assert reader("POST", "/admin/budgets", {"limit_usd": 1}).status_code == 403
        assert reader("DELETE", f"/admin/budgets/{bid}").status_code == 403
    assert gw.http.get("/admin/budgets", headers={
        "authorization": f"Bearer {gw.org.keys['alice']}"}).status_code in (401, 403)  # fmt: skip

    # Delete: no longer in force.
    r = root("PATCH", f"/admin/budgets/{bid}", {"limit_usd": 0.001})
    assert gw.chat("gpt-4o", "hello", max_tokens=1).status_code == 429
    assert root("DELETE", f"/admin/budgets/{bid}").status_code == 200
    assert gw.chat("gpt-4o", "hello", max_tokens=1).status_code == 200
    assert root("GET", f"/admin/budgets/{bid}").status_code == 404

    # Every change and every refusal is in the admin audit trail, with before and after.
    trail = root("GET", "/admin/audit?entity_type=budget&limit=1000").json()
    mine = [a for a in trail if a["entity_id"] == bid and a["outcome"] == "ok"]
    assert [a["action"] for a in mine] == [
        "create_budget", "update_budget", "update_budget", "delete_budget",
    ]  # fmt: skip
    assert mine[0]["before"] is None and mine[0]["after"]["name"] == "red-chat-daily"
    assert mine[1]["before"]["limit_usd"] == pytest.approx(limit)
    assert mine[1]["after"]["limit_usd"] == pytest.approx(limit + 1)
    assert mine[-1]["after"] is None and mine[-1]["before"]["id"] == bid
    assert all(a["actor"] == "root" for a in mine)
    denied = [a for a in trail if a["outcome"] == "denied"]
    assert {a["actor"] for a in denied} == {"redadmin", "auditor", "viewer"}

    doc = gw.http.get("/admin/openapi.json").json()
    assert set(doc["paths"]["/admin/budgets"]) == {"get", "post"}
    assert set(doc["paths"]["/admin/budgets/{id}"]) == {"get", "patch", "delete"}


def test_a_managed_budget_downgrades_end_to_end(make_gateway) -> None:
    gw = make_gateway()
    root = Admin(gw)
    r = root("POST", "/admin/budgets", {
        "name": "red-4o", "scope": {"team": "red", "model": "gpt-4o"}, "limit_usd": 0.02,
        "action": "downgrade", "downgrade_to": "gpt-4o-mini",
    })  # fmt: skip
    assert r.status_code == 201, r.text
    served = []
    for _ in range(6):
        r = gw.chat("gpt-4o", "hello", max_tokens=1)
        assert r.status_code == 200, r.text
        served.append(r.json()["model"])
    assert served[0] == "gpt-4o" and served[-1] == "gpt-4o-mini"
    assert r.headers["x-interlock-downgraded"] == "gpt-4o -> gpt-4o-mini"
    [routing] = gw.decisions(r.headers["x-request-id"], "routing")
    assert routing.outcome == "downgraded" and routing.detail["budget"] == "red-4o"
    [cost] = gw.decisions(r.headers["x-request-id"], "cost")
    assert cost.detail["model"] == "gpt-4o-mini"


def test_budgets_cli_local_and_remote(make_gateway, tmp_path, capsys) -> None:
    gw = make_gateway()
    config = str(tmp_path / "gateway.yaml")

    def cli(*args: str, code: int = 0) -> Any:
        assert main(["budgets", *args]) == code
        out, err = capsys.readouterr()
        if code:
            return err
        return json.loads(out) if out.strip().startswith(("{", "[")) else out

    made = cli("create", "--config", config, "--name", "cli-red", "--team", "red",
               "--period", "week", "--limit-usd", "0.5", "--threshold", "0.5",
               "--threshold", "0.75", "--json")  # fmt: skip
    assert made["name"] == "cli-red" and made["thresholds"] == [0.5, 0.75]
    assert made["period"] == "week" and made["scope"]["team"] == "red"
    # The running gateway sees the change made straight in the database within its poll.
    deadline = time.monotonic() + 20
    while not any(b.id == made["id"] for b in gw.stage.state().managed):
        assert time.monotonic() < deadline, "the gateway never loaded the budget"
        time.sleep(0.05)

    key = gw.org.keys["root-admin"]
    remote = ["--url", gw.url, "--admin-key", key]
    listed = cli("list", *remote, "--json")
    assert [b["name"] for b in listed if b["source"] == "admin"] == ["cli-red"]
    table = cli("list", *remote)
    assert "cli-red" in table and "week" in table and "0.50" in table

    changed = cli("update", made["id"], *remote, "--limit-usd", "2", "--action", "downgrade",
                  "--downgrade-to", "gpt-4o-mini", "--json")  # fmt: skip
    assert changed["limit_usd"] == 2 and changed["downgrade_to"] == "gpt-4o-mini"
    assert changed["period"] == "week"

    assert "scope.team" in cli("create", *remote, "--limit-usd", "1", "--team", "green", code=1)
    assert "limit-usd" in cli("create", "--config", config, "--team", "red", code=1)
    cli("delete", made["id"], "--config", config, "--json")
    assert [b for b in cli("list", "--config", config, "--json") if b["source"] == "admin"] == []
    trail = gw.http.get(
        "/admin/audit", params={"entity_type": "budget"}, headers={"authorization": f"Bearer {key}"}
    ).json()
    assert [(a["action"], a["actor"].split(":")[0]) for a in trail] == [
        ("create_budget", "cli"), ("update_budget", "root"), ("delete_budget", "cli"),
    ]  # fmt: skip


def test_managed_budgets_on_two_redis_instances(simulator, sim, tmp_path) -> None:
    """A budget made through one instance is enforced by the other within about a second; its
    Redis counter starts from the spend already in the ledger; the list shows the fleet's
    spend and reservations, read from Redis on either instance."""
    import os
    import threading

    import httpx
    import redis

    from tests.budget.support import GatewayProcess, budget_yaml, new_org, redis_url

    db_url, org = new_org(tmp_path)
    prefix = f"t{os.urandom(4).hex()}:"
    config = tmp_path / "gateway.yaml"
    config.write_text(
        budget_yaml(
            simulator.url, db_url,
            counters=f"counters: {{backend: redis, url: '{redis_url()}', prefix: '{prefix}', "
            "flush_s: 0.2, timeout_ms: 1000}",
        )
    )  # fmt: skip
    a = GatewayProcess(config, tmp_path / "a.log")
    b = GatewayProcess(config, tmp_path / "b.log")
    r = redis.Redis.from_url(redis_url())
    alice = {"authorization": f"Bearer {org.keys['alice']}", "x-interlock-app": "chat"}
    root = {"authorization": f"Bearer {org.keys['root-admin']}"}
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}

    def chat(gw: GatewayProcess) -> httpx.Response:
        return httpx.post(f"{gw.url}/v1/chat/completions", json=body, headers=alice, timeout=20)

    try:
        spent = 0.0
        for gw in (a, b, a, b):
            resp = chat(gw)
            assert resp.status_code == 200, resp.text
            spent += resp.json()["usage"]["total_tokens"] * 0.001

        def until(check: Any, what: str, timeout: float = 30) -> None:
            # Instances flush and poll every 0.2 s; a loaded machine can take far longer.
            deadline = time.monotonic() + timeout
            while not check():
                assert time.monotonic() < deadline, what
                time.sleep(0.05)

        def in_ledger() -> int:
            rows = httpx.get(f"{a.url}/admin/spend", params={"by": "team"}, headers=root).json()
            return sum(x["requests"] for x in rows if x["team"] == "red")  # type: ignore[no-any-return]

        # The new budget is seeded from the ledger: wait until both instances' answers are in.
        until(lambda: in_ledger() == 4, "the ledger never got all four answers")

        made = httpx.post(f"{a.url}/admin/budgets", headers=root, json={
            "name": "red-chat", "scope": {"team": "red", "app": "chat"}, "period": "day",
            "limit_usd": round(spent + 0.004, 4),
        })  # fmt: skip
        created_at = time.monotonic()
        assert made.status_code == 201, made.text
        bid = made.json()["id"]
        assert made.json()["spent_usd"] == pytest.approx(spent)  # seeded from the ledger

        # The other instance refuses within about a second, without a restart.
        while chat(b).status_code != 429:
            assert time.monotonic() - created_at < 1.5, "instance b never applied the budget"
            time.sleep(0.05)
        assert chat(a).status_code == 429
        assert time.monotonic() - created_at < 1.5

        # Spend and reservations in flight, from Redis, whichever instance is asked.
        httpx.patch(f"{b.url}/admin/budgets/{bid}", headers=root, json={"limit_usd": 10})
        until(lambda: chat(a).status_code == 200, "instance a never applied the new limit")
        asked = len(sim.requests())
        sim.add_fault(provider="openai", latency_ms=1500, times=1)
        slow = threading.Thread(target=chat, args=(a,))
        slow.start()
        # Admitted (its reservation made) and waiting on the slow upstream.
        until(lambda: len(sim.requests()) > asked, "the slow request never reached the upstream")
        listed = httpx.get(f"{b.url}/admin/budgets", headers=root).json()["data"]
        [mine] = [x for x in listed if x["id"] == bid]
        assert mine["reserved_usd"] > 0 and mine["spent_usd"] >= spent
        assert mine["limit_usd"] == 10
        slow.join()
        [counter] = list(r.scan_iter(match=prefix + "b:*"))
        again = httpx.get(f"{a.url}/admin/budgets/{bid}", headers=root).json()
        assert again["reserved_usd"] == 0
        assert again["spent_usd"] == pytest.approx(int(r.hget(counter, "s")) / 1e9)

        # Deleted on one instance: no longer enforced by the other.
        httpx.patch(f"{a.url}/admin/budgets/{bid}", headers=root, json={"limit_usd": 0.001})
        until(lambda: chat(b).status_code == 429, "instance b never applied the lower limit")
        assert httpx.delete(f"{b.url}/admin/budgets/{bid}", headers=root).status_code == 200
        until(lambda: chat(a).status_code == 200, "instance a still enforces a deleted budget")
    finally:
        a.close()
        b.close()
        keys = list(r.scan_iter(match=prefix + "*"))
        if keys:
            r.delete(*keys)
        r.close()


def test_cli_seeds_the_redis_counter_from_the_ledger(make_gateway, tmp_path, capsys) -> None:
    """With Redis counters, a budget made with `--config` starts its shared counter from the
    spend already in the ledger, as one made through the API does."""
    import os

    import redis

    from tests.budget.support import redis_url

    prefix = f"t{os.urandom(4).hex()}:"
    gw = make_gateway(
        counters=f"counters: {{backend: redis, url: '{redis_url()}', prefix: '{prefix}'}}"
    )
    spent = spend_some(gw, 3)
    gw.call(gw.stage.ledger.flush)
    r = redis.Redis.from_url(redis_url())
    try:
        assert main(["budgets", "create", "--config", str(tmp_path / "gateway.yaml"), "--team",
                     "red", "--app", "chat", "--period", "day", "--limit-usd", "1",
                     "--json"]) == 0  # fmt: skip
        made = json.loads(capsys.readouterr().out)
        assert made["spent_usd"] == pytest.approx(spent)  # from the ledger (the CLI's view)
        [key] = list(r.scan_iter(match=prefix + "b:team=red;app=chat:day:*"))
        assert int(r.hget(key, "s")) / 1e9 == pytest.approx(spent)
        # The gateway picks it up and counts on from there.
        deadline = time.monotonic() + 20
        while not gw.stage.state().managed:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        more = spend_some(gw, 1)
        deadline = time.monotonic() + 20
        while int(r.hget(key, "s")) / 1e9 < spent + more - 1e-9:
            assert time.monotonic() < deadline, r.hgetall(key)
            time.sleep(0.05)
    finally:
        keys = list(r.scan_iter(match=prefix + "*"))
        if keys:
            r.delete(*keys)
        r.close()
