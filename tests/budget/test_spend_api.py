"""The bill: /admin/spend for admins and auditors, and `interlock spend` with CSV export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from interlock.cli.main import main


def make_traffic(gw) -> dict[tuple[str, str, str], float]:
    """A few exchanges by two teams, apps and models; returns the cost per (team, app, model)."""
    expected: dict[tuple[str, str, str], float] = {}
    for key, app, model, n in (
        ("alice", "chat", "gpt-4o", 3),
        ("alice", "search", "gpt-4o-mini", 2),
        ("bob", "billing", "gpt-4o", 1),
    ):
        for _ in range(n):
            r = gw.chat(model, "hello", key=key, app=app)
            assert r.status_code == 200, r.text
            per_token = 0.001 if model == "gpt-4o" else 0.0001
            team = "red" if key == "alice" else "blue"
            cost = r.json()["usage"]["total_tokens"] * per_token
            expected[(team, app, model)] = expected.get((team, app, model), 0.0) + cost
    return expected


def test_spend_report_json_csv_and_roles(make_gateway) -> None:
    gw = make_gateway()
    expected = make_traffic(gw)

    def get(key: str, **query: str):
        headers = {"authorization": f"Bearer {gw.org.keys[key]}"}
        return gw.http.get("/admin/spend", params=query, headers=headers)

    rows = get("root-admin", by="team,app,model", period="today").json()
    got = {(r["team"], r["app"], r["model"]): r["cost_usd"] for r in rows}
    assert got == pytest.approx(expected)
    assert {r["requests"] for r in rows} == {3, 2, 1}
    assert all(r["input_tokens"] > 0 and r["output_tokens"] > 0 for r in rows)

    by_team = get("auditor-admin", by="team", period="this-month").json()
    assert {r["team"]: r["cost_usd"] for r in by_team} == pytest.approx(
        {
            "red": sum(v for k, v in expected.items() if k[0] == "red"),
            "blue": sum(v for k, v in expected.items() if k[0] == "blue"),
        }
    )
    keys = get("root-admin", by="key", period="today").json()
    assert {r["key"] for r in keys} == {gw.org.key_ids["alice"], gw.org.key_ids["bob"]}

    r = get("auditor-admin", by="team,app,model", period="today", format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert list(table[0]) == [
        "team", "application", "model", "requests", "input_tokens", "output_tokens",
        "cached_input_tokens", "reasoning_tokens", "cost_usd",
    ]  # fmt: skip
    assert {(t["team"], t["application"], t["model"]) for t in table} == set(expected)

    # A team admin sees their own team, and only that.
    mine = get("redadmin-admin", by="team", period="today").json()
    assert [r["team"] for r in mine] == ["red"]
    assert get("redadmin-admin", by="team", period="today", team="blue").status_code == 403
    # Viewers and inference keys do not read spend.
    denied = get("viewer-admin", by="team", period="today")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    assert get("alice", by="team").status_code in (401, 403)
    assert get("root-admin", by="colour").status_code == 400
    assert get("root-admin", period="fortnight").status_code == 400
    # Refusals are in the admin audit trail.
    audit = gw.http.get(
        "/admin/audit",
        params={"outcome": "denied"},
        headers={"authorization": f"Bearer {gw.org.keys['root-admin']}"},
    ).json()
    assert any(a["entity_type"] == "spend" and a["actor"] == "viewer" for a in audit)
    # The routes are in the admin API's OpenAPI document.
    doc = gw.http.get("/admin/openapi.json").json()
    assert "/admin/spend" in doc["paths"] and "/admin/spend/status" in doc["paths"]


def test_spend_cli_local_and_remote(make_gateway, tmp_path, capsys) -> None:
    gw = make_gateway()
    expected = make_traffic(gw)
    config = tmp_path / "gateway.yaml"

    def cli(*args: str) -> str:
        # The command as a user runs it, in this process (a subprocess would only add start-up).
        assert main(["spend", *args]) == 0
        return capsys.readouterr().out

    gw.call(gw.stage.ledger.flush)
    text = cli("--config", str(config), "--by", "team,app,model", "--period", "today", "--csv")
    table = list(csv.DictReader(io.StringIO(text)))
    got = {(t["team"], t["application"], t["model"]): float(t["cost_usd"]) for t in table}
    assert got == pytest.approx(expected, abs=1e-6)

    human = cli("--config", str(config), "--by", "model", "--period", "this-month")
    assert "TOTAL" in human and "gpt-4o-mini" in human and "cost USD" in human

    remote = cli(
        "--url", gw.url, "--admin-key", gw.org.keys["auditor-admin"], "--by", "team",
        "--period", "today", "--csv",
    )  # fmt: skip
    assert remote.splitlines()[0].startswith("team,requests,")
    assert len(remote.splitlines()) == 3


def test_spend_over_time_by_day_and_hour_in_a_time_zone(make_gateway, tmp_path, capsys) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    gw = make_gateway()
    paris = ZoneInfo("Europe/Paris")
    clock = {"now": 0.0}
    gw.stage.clock = lambda: clock["now"]
    expected: dict[tuple[str, str], float] = {}
    hours: dict[str, int] = {}
    # 23:10 and 23:40 on the 20th, 00:20 on the 21st in Paris: two UTC days would split them
    # differently (22:10, 22:40, 23:20 UTC are all the 20th in UTC).
    for (day, hour, minute), key in (
        ((20, 23, 10), "alice"), ((20, 23, 40), "bob"), ((21, 0, 20), "alice"),
        ((21, 0, 25), "alice"),
    ):  # fmt: skip
        clock["now"] = datetime(2025, 11, day, hour, minute, tzinfo=paris).timestamp()
        r = gw.chat("gpt-4o", "hello", key=key, app="chat" if key == "alice" else "billing")
        assert r.status_code == 200, r.text
        team = "red" if key == "alice" else "blue"
        d = f"2025-11-{day}"
        expected[(d, team)] = expected.get((d, team), 0) + r.json()["usage"]["total_tokens"] * 1e-3
        h = f"2025-11-{day}T{hour:02d}:00+01:00"
        hours[h] = hours.get(h, 0) + 1
    headers = {"authorization": f"Bearer {gw.org.keys['auditor-admin']}"}

    def get(**query: str):
        r = gw.http.get("/admin/spend", params=query, headers=headers)
        assert r.status_code == 200, r.text
        return r

    rows = get(by="day,team", period="2025-11-20..2025-11-21", tz="Europe/Paris").json()
    assert [r["day"] for r in rows] == sorted(r["day"] for r in rows)  # in time order
    assert {(r["day"], r["team"]): r["cost_usd"] for r in rows} == pytest.approx(expected)
    by_hour = get(by="hour", period="2025-11-20..2025-11-21", tz="Europe/Paris").json()
    assert {r["hour"]: r["requests"] for r in by_hour} == hours
    assert [r["hour"] for r in by_hour] == sorted(hours)
    # The same spend read in UTC falls on one day.
    utc = get(by="day", period="2025-11-20..2025-11-21", tz="UTC").json()
    assert [(r["day"], r["requests"]) for r in utc] == [("2025-11-20", 4)]
    # Asking for both, or for a bucket that does not exist, is a clear 400.
    r = gw.http.get("/admin/spend", params={"by": "day,hour"}, headers=headers)
    assert r.status_code == 400 and "day or by hour" in r.json()["error"]["message"]
    assert gw.http.get("/admin/spend", params={"by": "week"}, headers=headers).status_code == 400

    # CSV export and the CLI, locally and remotely.
    csv_text = get(by="team,day", period="2025-11-20..2025-11-21", tz="Europe/Paris",
                   format="csv").text  # fmt: skip
    table = list(csv.DictReader(io.StringIO(csv_text)))
    assert list(table[0])[:2] == ["day", "team"]
    assert {(t["day"], t["team"]) for t in table} == set(expected)
    gw.call(gw.stage.ledger.flush)
    config = str(tmp_path / "gateway.yaml")
    assert main(["spend", "--config", config, "--by", "day", "--period", "2025-11-20..2025-11-21",
                 "--tz", "Europe/Paris", "--csv"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("day,requests,") and [x[:10] for x in lines[1:]] == [
        "2025-11-20", "2025-11-21",
    ]  # fmt: skip
    assert main(["spend", "--url", gw.url, "--admin-key", gw.org.keys["auditor-admin"], "--by",
                 "day,team", "--period", "2025-11-20..2025-11-21", "--tz", "Europe/Paris",
                 "--json"]) == 0  # fmt: skip
    remote = json.loads(capsys.readouterr().out)
    assert {(r["day"], r["team"]) for r in remote} == set(expected)
    assert all(set(r) >= {"day", "team", "cost_usd"} and "hour" not in r for r in remote)
