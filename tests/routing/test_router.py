"""The chooser, the schema and the explain command, without a gateway."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from interlock.config import ConfigError, parse_config
from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, Message, TextPart
from interlock.routing.explain import explain
from interlock.routing.facts import Hints, derive_facts, read_hints
from interlock.routing.latency import LatencyTracker
from interlock.routing.router import Router
from tests.routing.support import routed_config

SIM = "http://127.0.0.1:9"


def request(text: str = "hello", **kw: Any) -> ChatRequest:
    return ChatRequest(model="auto", messages=[Message("user", [TextPart(text)])], **kw)


def router_with(routes: str) -> Router:
    text = routed_config(SIM).split("\nroutes:\n")[0] + "\nroutes:\n" + routes
    return Router(parse_config(text))


def pick(router: Router, route: str = "r", task: str | None = None, **kw: Any) -> Any:
    facts = derive_facts(request(), Hints(task=task))
    return router.choose(router.routes[route], facts, **kw)


def test_rules_apply_in_order_and_stop_ends_the_reading() -> None:
    only_then_exclude = """
  r:
    candidates: [tiny, small, sage]
    rules:
      - {name: code only on sage, when: {task: code}, only: [sage], stop: true}
      - {name: never sage, exclude: [sage]}
"""
    router = router_with(only_then_exclude)
    choice = pick(router, task="code")
    assert choice.plan[0] == "sage" and choice.rules == ["code only on sage"]
    assert choice.rejected["tiny"] == "not among the models of rule 'code only on sage'"
    # For other tasks the first rule does not hold; the second does.
    choice = pick(router, task="chat")
    assert choice.plan == ["tiny", "small"] and choice.rules == ["never sage"]
    # Without `stop`, both rules apply and together nothing is left: a clear refusal.
    router = router_with(only_then_exclude.replace(", stop: true", ""))
    with pytest.raises(GatewayError) as err:
        pick(router, task="code")
    assert err.value.status == 400 and err.value.code == "no_model_available"
    assert "sage: excluded by rule 'never sage'" in err.value.message


def test_constraints_combine_to_the_stricter() -> None:
    router = router_with("""
  r:
    candidates: [tiny, seer, sage]
    rules:
      - {name: at least medium, min_quality: medium}
      - {name: at least low, min_quality: low}
      - {name: cheap only, max_cost_tier: medium}
""")
    choice = pick(router)
    assert choice.plan[0] == "seer"
    assert choice.constraints.min_quality == "medium"
    assert choice.rejected == {
        "tiny": "quality tier low below the minimum medium",
        "sage": "cost tier high above the limit medium",
    }


def test_policy_filter_and_open_circuits_remove_candidates() -> None:
    router = router_with("  r: {candidates: [tiny, small, sage]}\n")
    choice = pick(router, allowed=lambda m: m != "tiny", circuit_open=lambda p: p == "openai")
    assert choice.plan == ["sage"]
    assert choice.rejected == {
        "tiny": "not allowed by the caller's policy",
        "small": "circuit open for provider openai",
    }
    # Every candidate behind an open circuit: the upstreams are down, not the request wrong.
    with pytest.raises(GatewayError) as err:
        pick(router, circuit_open=lambda p: True)
    assert err.value.code == "upstream_unavailable" and err.value.status == 503


def test_measured_latency_ranks_ties_and_enforces_limits() -> None:
    router = router_with("  r: {candidates: [small, twin]}\n")
    latency = LatencyTracker()
    for ms in (50, 60, 400):
        latency.record("openai", "small", ms)
    for ms in (30, 35, 40):
        latency.record("azure", "twin", ms)
    assert latency.model("small").p50_ms == 60  # type: ignore[union-attr]
    assert latency.model("small").p95_ms == 400  # type: ignore[union-attr]
    assert latency.provider("azure").samples == 3  # type: ignore[union-attr]
    choice = pick(router, latency=latency)
    assert choice.plan == ["twin", "small"]
    assert choice.reason.endswith("tie broken by measured latency")
    facts = derive_facts(request(), Hints(max_latency_ms=100))
    choice = router.choose(router.routes["r"], facts, latency=latency)
    assert choice.rejected == {"small": "p95 latency 400 ms above the limit 100 ms"}


def test_split_follows_its_weights_among_survivors() -> None:
    router = router_with("""
  r:
    candidates: [small, twin, seer]
    rules: [{name: ab, split: {small: 1, seer: 3}}]
""")
    # The draw is the only randomness: a low draw lands on the first weighted survivor.
    assert pick(router, rng=lambda: 0.1).plan[0] == "small"
    assert pick(router, rng=lambda: 0.9).plan[0] == "seer"
    # A split model that fails a constraint is not drawn.
    facts = derive_facts(request(), Hints(cost_tier="low"))
    choice = router.choose(router.routes["r"], facts, rng=lambda: 0.9)
    assert choice.plan[0] == "small"


def test_derived_facts() -> None:
    req = request("the quick brown fox jumps " * 200, max_tokens=100, n=2)  # 5200 chars
    facts = derive_facts(req, Hints(task="summarisation"), "standard", ("eu",))
    assert 800 < facts.input_tokens < 2000
    assert facts.needed_context() == facts.input_tokens + 200
    assert facts.describe()["task"] == "summarisation"
    assert read_hints({"x-interlock-task": "Summarization"}).task == "summarisation"
    for bad in (
        {"x-interlock-task": "poetry"},
        {"x-interlock-max-latency-ms": "-5"},
        {"x-interlock-cost-tier": "free"},
    ):
        with pytest.raises(GatewayError):
            read_hints(bad)


@pytest.mark.parametrize(
    ("routes", "error"),
    [
        ("  tiny: {}\n", "already a model or alias"),
        ("  r: {rules: [{name: x, split: {nope: 1}}]}\n", "not a configured chat model"),
        ("  r: {rules: [{name: x, when: {task: poetry}}]}\n", "unknown task"),
        ("  r: {rules: [{name: x, require: [telepathy]}]}\n", "require"),
    ],
)
def test_the_schema_refuses_bad_routes(routes: str, error: str) -> None:
    text = routed_config(SIM).split("\nroutes:\n")[0] + "\nroutes:\n" + routes
    with pytest.raises((ConfigError, ValueError)) as err:
        parse_config(text)
    assert error in str(err.value)


def test_explain_shows_the_decision_without_sending(tmp_path: Path) -> None:
    config = parse_config(routed_config(SIM))
    body = {"model": "auto", "messages": [{"role": "user", "content": "2+2?"}]}
    result = explain(config, body, headers={"x-interlock-task": "reasoning"})
    assert result["decision"] == "routed" and result["model"] == "sage"
    assert result["rules"] == ["hard reasoning goes to a high-quality reasoning model"]
    assert explain(config, {**body, "model": "fast"})["decision"] == "as_requested"
    # Through the command line, as an operator would run it.
    path = tmp_path / "gateway.yaml"
    path.write_text(routed_config(SIM))
    tool = {"type": "function", "function": {"name": "f", "parameters": {}}}
    run = subprocess.run(
        [sys.executable, "-m", "interlock.cli.main", "route", "explain", "--config", str(path),
         "--header", "x-interlock-task: classification"],
        input=orjson.dumps({**body, "tools": [tool]}), capture_output=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = orjson.loads(run.stdout)
    assert out["model"] == "small"
    assert out["rejected"]["tiny"] == "lacks capability: tools"
    assert out["rejected"]["sage"] == "cost tier high above the limit low"
    refused = subprocess.run(
        [sys.executable, "-m", "interlock.cli.main", "route", "explain", "--config", str(path),
         "--header", "x-interlock-cost-tier: low"],
        input=orjson.dumps({**body, "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}]}),
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 1
    assert orjson.loads(refused.stdout)["code"] == "no_model_available"


def test_the_catalogue_view_joins_config_and_price_catalogue() -> None:
    catalogue = Router(parse_config(routed_config(SIM))).catalogue
    # From the shipped price catalogue: gpt-4o-mini's price, window and capabilities.
    mini = catalogue["gpt-4o-mini"]
    assert mini.price is not None and mini.price.base.input == 0.15
    assert mini.context_window == 128000 and {"vision", "tools", "json"} <= mini.capabilities
    assert mini.cost_tier == "low" and mini.quality_tier == "low"
    # Config overrides: capabilities, tiers; the region defaults to the provider's.
    assert catalogue["sage"].quality_tier == "high" and catalogue["sage"].cost_tier == "high"
    assert catalogue["tiny"].capabilities == frozenset({"chat"})
    assert catalogue["bedrock-claude"].region == "us-east-1"
    # Unpriced and unknown to the catalogue: dearest tier, lowest quality, a small window.
    unknown = catalogue["local-llama"]
    assert (unknown.cost_tier, unknown.quality_tier, unknown.context_known) == (
        "high",
        "low",
        False,
    )
    assert "text-embedding-3-small" not in catalogue  # routing picks among chat models
