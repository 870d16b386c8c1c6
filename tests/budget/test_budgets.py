"""Budgets on a real gateway (auth on, in-process counters): block, downgrade, warnings once per
threshold per period, period roll-over, spend that survives a restart."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import anthropic
import openai
import pytest

from tests.budget.support import WEBHOOK_SECRET


def usd(decision) -> float:
    return decision.detail["usd"]


def test_cost_is_settled_on_every_exchange(make_gateway) -> None:
    gw = make_gateway()
    r = gw.chat("gpt-4o", "hello there")
    assert r.status_code == 200, r.text
    usage = r.json()["usage"]
    [cost] = gw.decisions(r.headers["x-request-id"], "cost")
    # $1000 per million tokens = $0.001 per token, input and output alike.
    expected = (usage["prompt_tokens"] + usage["completion_tokens"]) * 0.001
    assert usd(cost) == pytest.approx(expected)
    assert cost.detail["usage"] == "provider" and cost.detail["prices"] == "config"

    # Cached input at its own price: the simulator caches half the prompt of a "cache" model.
    r = gw.chat("gpt-cache", "a prompt long enough to have a cached half " * 4)
    u = r.json()["usage"]
    cached = u["prompt_tokens_details"]["cached_tokens"]
    assert cached > 0
    [cost] = gw.decisions(r.headers["x-request-id"], "cost")
    expected = (
        (u["prompt_tokens"] - cached) * 1000 + cached * 100 + u["completion_tokens"] * 2000
    ) / 1e6
    assert usd(cost) == pytest.approx(expected)

    # Embeddings are priced from the shipped catalogue ($0.02 per million tokens).
    client = gw.client()
    raw = client.embeddings.with_raw_response.create(
        model="text-embedding-3-small", input=["one", "two three"]
    )
    [cost] = gw.decisions(raw.headers["x-request-id"], "cost")
    tokens = raw.parse().usage.prompt_tokens
    assert usd(cost) == pytest.approx(tokens * 0.02 / 1e6)
    assert cost.detail["prices"].startswith("catalogue ")

    # A model nobody priced is recorded as unpriced, not as free.
    r = gw.chat("local-llama", "hi")
    assert r.status_code == 200
    [cost] = gw.decisions(r.headers["x-request-id"], "cost")
    assert cost.outcome == "unpriced"


def test_stream_usage_is_counted_and_hidden_when_not_asked(make_gateway, sim) -> None:
    gw = make_gateway()
    client = gw.client()
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o", messages=[{"role": "user", "content": "stream me"}], stream=True
    ) as resp:
        chunks = list(resp.parse())
        rid = resp.headers["x-request-id"]
    assert all(c.usage is None for c in chunks)  # the client did not ask for usage
    [cost] = gw.decisions(rid, "cost")
    assert cost.detail["usage"] == "provider" and cost.detail["output_tokens"] > 0
    # The gateway asked the provider for it all the same.
    assert sim.requests("openai")[-1]["body"]["stream_options"] == {"include_usage": True}

    # A stream cut before its usage arrived is counted locally, not recorded as free.
    sim.add_fault(provider="openai", cut_after_chunks=3)
    with (
        pytest.raises(openai.APIError),
        client.chat.completions.with_streaming_response.create(
            model="gpt-4o", messages=[{"role": "user", "content": "stream and break"}], stream=True
        ) as resp,
    ):
        rid = resp.headers["x-request-id"]
        list(resp.parse())
    [cost] = gw.decisions(rid, "cost")
    assert cost.detail["usage"] == "local" and cost.detail["input_tokens"] > 0
    assert cost.detail["usd"] > 0


def test_block_at_100_percent_in_the_callers_format(make_gateway) -> None:
    gw = make_gateway(
        standard="""
        budgets:
          limits: [{name: red-daily, per: [team], period: day, amount_usd: 0.10}]
        """
    )
    statuses = []
    for _ in range(12):
        r = gw.chat("gpt-4o", "hello")
        statuses.append(r.status_code)
        if r.status_code != 200:
            break
    assert statuses[-1] == 429 and statuses.count(200) >= 3
    err = r.json()["error"]
    assert err["code"] == "budget_exceeded" and err["type"] == "rate_limit_error"
    assert "red-daily" in err["message"] and "$0.10 per day" in err["message"]
    assert int(r.headers["retry-after"]) >= 1
    [refusal] = gw.decisions(r.headers["x-request-id"], "budget")
    assert refusal.outcome == "refused" and refusal.detail["budget"] == "red-daily"

    # Never more than the limit: each admission reserved its worst case first.
    spent = gw.stage.local.budgets
    [(settled, reserved, _)] = [v for k, v in spent.items() if k.startswith("b:")]
    assert reserved == 0 and 0 < settled <= 0.10e9

    # The Anthropic way in gets the refusal in Anthropic's shape.
    client = anthropic.Anthropic(
        base_url=gw.url, api_key=gw.org.keys["alice"], max_retries=0,
        default_headers={"x-interlock-app": "chat"},
    )  # fmt: skip
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(
            model="gpt-4o", max_tokens=50, messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.body["error"]["type"] == "rate_limit_error"
    assert "red-daily" in caught.value.body["error"]["message"]

    # Other teams' budgets are their own: bob (team blue) is not under `standard` at all.
    assert gw.chat("gpt-4o", "hi", key="bob", app="billing").status_code == 200


def test_downgrade_end_to_end(make_gateway) -> None:
    gw = make_gateway(
        standard="""
        budgets:
          limits:
            - {name: gpt-4o budget, per: [team], models: [gpt-4o], period: month,
               amount_usd: 0.05, on_exceed: downgrade, downgrade_to: gpt-4o-mini}
        """
    )
    served = []
    for _ in range(8):
        r = gw.chat("gpt-4o", "hello", max_tokens=5)
        assert r.status_code == 200, r.text
        served.append(r)
    first, last = served[0], served[-1]
    assert "reply from gpt-4o." in first.json()["choices"][0]["message"]["content"]
    assert "x-interlock-downgraded" not in first.headers
    # Once the gpt-4o budget is used up, the cheaper model answers, and says so.
    assert "reply from gpt-4o-mini." in last.json()["choices"][0]["message"]["content"]
    assert last.headers["x-interlock-downgraded"] == "gpt-4o -> gpt-4o-mini"
    rid = last.headers["x-request-id"]
    [routing] = gw.decisions(rid, "routing")
    assert routing.outcome == "downgraded"
    assert routing.detail == {
        "requested": "gpt-4o", "model": "gpt-4o-mini", "budget": "gpt-4o budget",
        "reason": "budget exhausted",
    }  # fmt: skip
    [cost] = gw.decisions(rid, "cost")
    assert cost.detail["model"] == "gpt-4o-mini"
    # The audit record, as stored and searched, says so too.
    from tests.budget.test_redis_warnings import audit_decisions

    stored = audit_decisions(gw.url, gw.org.keys["auditor-admin"], rid)
    assert {k: v for k, v in stored[[d["stage"] for d in stored].index("routing")].items()
            if k not in ("at_ms",)} == {"stage": "routing", "outcome": "downgraded",
                                        **routing.detail}  # fmt: skip
    # The mini's spend is not counted against the gpt-4o budget.
    counters = {k: v[0] for k, v in gw.stage.local.budgets.items()}
    [gpt4o_spend] = counters.values()
    assert gpt4o_spend <= 0.05e9


def test_warnings_once_per_threshold_per_period_and_roll_over(make_gateway, receiver) -> None:
    gw = make_gateway(
        standard=f"""
        budgets:
          timezone: Europe/Paris
          limits: [{{name: red-daily, per: [team], period: day, amount_usd: 0.10,
                     warn_at: [0.5, 0.8]}}]
          webhook: {{url: "{receiver.url}", secret: "{WEBHOOK_SECRET}"}}
        """
    )
    paris = ZoneInfo("Europe/Paris")
    day1 = datetime(2025, 11, 20, 23, 50, tzinfo=paris).timestamp()
    clock = {"now": day1}
    gw.stage.clock = lambda: clock["now"]

    def spend_until_blocked() -> tuple[list[int], list[str]]:
        codes, warned = [], []
        for _ in range(60):
            r = gw.chat("gpt-4o", "hello", max_tokens=1)
            codes.append(r.status_code)
            warned.append(r.headers.get("x-interlock-budget-warning", ""))
            if r.status_code == 429:
                return codes, warned
        raise AssertionError("the budget never blocked")

    codes, warned = spend_until_blocked()
    events = receiver.wait_for(3)
    time.sleep(0.3)  # nothing more arrives: once per threshold
    assert [(e["type"], e["threshold"]) for e in receiver.events] == [
        ("budget.warning", 0.5), ("budget.warning", 0.8), ("budget.exceeded", 1.0),
    ]  # fmt: skip
    assert receiver.bad_signatures == 0
    assert events[0]["budget"] == "red-daily" and events[0]["limit_usd"] == 0.1
    assert events[0]["spent_usd"] >= 0.05
    # The header warns from the first threshold on, naming the budget and the share used.
    assert not warned[0] and "red-daily: " in warned[-2] and "% of $0.10" in warned[-2]
    # More refusals in the same period send nothing more.
    assert gw.chat("gpt-4o", "hello", max_tokens=1).status_code == 429
    time.sleep(0.3)
    assert len(receiver.events) == 3
    # The warning is a decision on the exchange that crossed the threshold (the audit's input).
    crossing = [
        d for ex in gw.capture.exchanges.values() for d in ex.decisions if d.outcome == "warning"
    ]
    assert sorted(d.detail["threshold"] for d in crossing) == [0.5, 0.8]

    # Midnight in Paris: a new day, a new budget, warnings again.
    clock["now"] = day1 + timedelta(minutes=15).total_seconds()
    r = gw.chat("gpt-4o", "hello", max_tokens=1)
    assert r.status_code == 200, r.text
    assert "x-interlock-budget-warning" not in r.headers
    codes2, _ = spend_until_blocked()
    assert 1 + codes2.count(200) == codes.count(200)  # the same allowance as yesterday
    receiver.wait_for(6)
    assert [e["type"] for e in receiver.events[3:]] == [
        "budget.warning",
        "budget.warning",
        "budget.exceeded",
    ]
    assert receiver.events[3]["period_end"] > receiver.events[0]["period_end"]


def test_spend_survives_a_restart(make_gateway, receiver) -> None:
    policy = f"""
        budgets:
          limits: [{{name: red-monthly, per: [team], amount_usd: 0.10, warn_at: [0.3]}}]
          webhook: {{url: "{receiver.url}", secret: "{WEBHOOK_SECRET}"}}
        """
    gw = make_gateway(standard=policy)
    admitted = 0
    while gw.chat("gpt-4o", "hello", max_tokens=1).status_code == 200:
        admitted += 1
    assert admitted > 5
    receiver.wait_for(2)  # the 30 % warning and the exceeded event
    gw.close()  # flushes the ledger

    again = make_gateway(standard=policy)
    r = again.chat("gpt-4o", "hello", max_tokens=1)
    assert r.status_code == 429, "the restarted gateway forgot this month's spend"
    assert r.json()["error"]["code"] == "budget_exceeded"
    time.sleep(0.5)
    assert len(receiver.events) == 2, "warnings were sent again after the restart"


def test_a_budget_added_by_reload_starts_from_the_spend_so_far(
    make_gateway, simulator, org, tmp_path
) -> None:
    from tests.budget.support import budget_yaml

    gw = make_gateway()
    spent = 0.0
    for _ in range(5):
        r = gw.chat("gpt-4o", "hello", max_tokens=1)
        spent += r.json()["usage"]["total_tokens"] * 0.001
    # Add a monthly team budget that this spend nearly uses up, by editing the file.
    amount = round(spent + 0.012, 3)
    yaml_text = budget_yaml(
        simulator.url, org[0],
        standard=f"budgets: {{limits: [{{name: late, per: [team], amount_usd: {amount}}}]}}",
    )  # fmt: skip
    (tmp_path / "gateway.yaml").write_text(yaml_text)
    assert gw.call(gw.server.holder.reload)
    codes = [gw.chat("gpt-4o", "hello", max_tokens=1).status_code for _ in range(4)]
    # Room for one more request ($0.011 worst case), not for four: the new budget counted
    # the spend made before it existed.
    assert codes == [200, 429, 429, 429]
