"""Routing with identities on: the policy's residency and header setting, and a budget that
downgrades what routing chose (the cost stage's `on_plan` runs after routing's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.budget.support import Gateway, budget_yaml, new_org

ROUTES = """
routes:
  auto:
    candidates: [gpt-4o-mini, claude-sonnet]
  premium:
    candidates: [gpt-4o]
"""


@pytest.fixture()
def gateway(simulator: Any, tmp_path: Path) -> Iterator[Gateway]:
    db_url, org = new_org(tmp_path)
    text = budget_yaml(
        simulator.url,
        db_url,
        standard="""
        budgets:
          limits:
            - {name: gpt-4o budget, per: [team], models: [gpt-4o], period: month,
               amount_usd: 0.05, on_exceed: downgrade, downgrade_to: gpt-4o-mini}
        """,
        open_policy="routing: {residency: [eu-west-1], expose_decision: false}",
    )
    # The test catalogue prices gpt-4o-mini far above claude-sonnet; only it is served in the EU.
    text = text.replace(
        "gpt-4o-mini:\n    provider: openai\n",
        "gpt-4o-mini:\n    provider: openai\n    region: eu-west-1\n",
    )
    assert "region: eu-west-1" in text
    gw = Gateway(text + ROUTES, org, tmp_path)
    yield gw
    gw.close()


def test_residency_removes_models_served_elsewhere(gateway: Gateway, sim: Any) -> None:
    # alice on `chat` has the standard policy: the cheapest model, named in a header.
    r = gateway.chat("auto", "hello", app="chat")
    assert r.status_code == 200, r.text
    assert r.headers["x-interlock-route"] == "auto -> claude-sonnet"
    # alice on `search` has the open policy: EU residency, decisions kept out of headers.
    r = gateway.chat("auto", "hello", app="search")
    assert r.status_code == 200, r.text
    assert "reply from gpt-4o-mini" in r.json()["choices"][0]["message"]["content"]
    assert "x-interlock-route" not in r.headers
    [routing] = gateway.decisions(r.headers["x-request-id"], "routing")
    assert routing.detail["model"] == "gpt-4o-mini"
    assert routing.detail["facts"]["policy"] == "open"
    assert routing.detail["rejected"] == {
        "claude-sonnet": "region unknown is outside the residency ['eu-west-1']"
    }


def test_a_budget_downgrade_replaces_the_routed_model(gateway: Gateway, sim: Any) -> None:
    served = []
    for _ in range(8):
        r = gateway.chat("premium", "hello", max_tokens=5)
        assert r.status_code == 200, r.text
        served.append(r)
    assert served[0].headers["x-interlock-route"] == "premium -> gpt-4o"
    assert "x-interlock-downgraded" not in served[0].headers
    last = served[-1]
    assert "reply from gpt-4o-mini." in last.json()["choices"][0]["message"]["content"]
    assert last.headers["x-interlock-downgraded"] == "gpt-4o -> gpt-4o-mini"
    routed, downgraded = gateway.decisions(last.headers["x-request-id"], "routing")
    assert (routed.outcome, routed.detail["model"]) == ("routed", "gpt-4o")
    assert (downgraded.outcome, downgraded.detail["model"]) == ("downgraded", "gpt-4o-mini")


def test_admin_api_shows_the_live_catalogue_and_explains(gateway: Gateway, sim: Any) -> None:
    assert gateway.chat("claude-sonnet", "hello").status_code == 200  # measured once
    admin = {"authorization": f"Bearer {gateway.org.keys['viewer-admin']}"}
    models = gateway.http.get("/admin/routing/models", headers=admin)
    assert models.status_code == 200, models.text
    body = models.json()
    assert body["routes"] == ["auto", "premium"]
    sonnet = body["models"]["claude-sonnet"]
    assert sonnet["latency"]["samples"] == 1 and sonnet["circuit"] == "closed"
    assert body["models"]["gpt-4o-mini"]["region"] == "eu-west-1"
    request = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
    explained = gateway.http.post(
        "/admin/routing/explain", headers=admin, json={"request": request, "policy": "open"}
    )
    assert explained.status_code == 200, explained.text
    decision = explained.json()
    assert decision["decision"] == "routed" and decision["model"] == "gpt-4o-mini"
    assert decision["rejected"]["claude-sonnet"].startswith("region unknown")
    # Nothing was sent: the simulator saw only the one measured request.
    assert len(sim.requests()) == 1
    assert gateway.http.get("/admin/routing/models").status_code == 401
    paths = gateway.http.get("/admin/openapi.json").json()["paths"]
    assert {"/admin/routing/models", "/admin/routing/explain"} <= set(paths)
