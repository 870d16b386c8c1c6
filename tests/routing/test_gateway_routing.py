"""Routing through a real gateway and the simulator, with the official openai SDK as client."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from tests.routing.support import Recorder, routed_config, routing_decision
from tests.support import GatewayServer

PNG_1PX = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class Routed:
    def __init__(self, sim_url: str) -> None:
        self.recorder = Recorder()
        self.gw = GatewayServer(routed_config(sim_url), addons=[self.recorder])
        self.client = openai.OpenAI(base_url=self.gw.url + "/v1", api_key="unused", max_retries=0)

    def ask(self, model: str = "auto", headers: dict[str, str] | None = None, **kw: Any) -> Any:
        messages = kw.pop("messages", None) or [{"role": "user", "content": "Is this spam?"}]
        raw = self.client.chat.completions.with_raw_response.create(
            model=model, messages=messages, extra_headers=headers or {}, **kw
        )
        return raw

    def last_decision(self) -> dict[str, Any]:
        return routing_decision(self.recorder.exchanges, self.recorder.exchanges[-1].request_id)

    def close(self) -> None:
        self.gw.close()


@pytest.fixture(scope="module")
def routed(simulator: Any) -> Iterator[Routed]:
    r = Routed(simulator.url)
    yield r
    r.close()


@pytest.fixture()
def fresh(simulator: Any) -> Iterator[Routed]:
    """A gateway of its own, for tests that change measured latency or circuit state."""
    r = Routed(simulator.url)
    yield r
    r.close()


def chosen(raw: Any) -> str:
    return raw.headers["x-interlock-route"].split(" -> ")[1]


def test_auto_picks_the_cheapest_model_and_records_why(routed: Routed, sim: Any) -> None:
    raw = routed.ask()
    answer = raw.parse()
    assert raw.headers["x-interlock-route"] == "auto -> tiny"
    assert answer.choices[0].message.content.startswith("Simulated openai reply from tiny-1b")
    d = routed.last_decision()
    assert d["outcome"] == "routed" and d["route"] == "auto"
    assert d["model"] == "tiny" and d["fallbacks"] == ["small", "twin"]
    assert d["reason"].startswith("cheapest candidate meeting every constraint")
    assert [r["model"] for r in d["ranking"]] == ["tiny", "small", "twin", "seer", "sage"]
    assert d["rejected"] == {}
    # A concrete model is the client's choice: routing leaves it alone.
    raw = routed.ask(model="sage")
    assert "x-interlock-route" not in raw.headers
    assert raw.parse().choices[0].message.content.startswith("Simulated anthropic reply")


def test_long_input_skips_models_whose_context_is_too_small(routed: Routed, sim: Any) -> None:
    words = "lorem ipsum dolor sit amet " * 3000  # ~ 20k tokens: past tiny's 4k window
    raw = routed.ask(messages=[{"role": "user", "content": words}])
    assert chosen(raw) == "small"
    d = routed.last_decision()
    assert d["rejected"]["tiny"].startswith("context window 4000 <")
    assert d["facts"]["input_tokens"] > 4000
    # Past 32k too: small and twin drop out, the million-token model takes it.
    raw = routed.ask(messages=[{"role": "user", "content": words * 2}], max_tokens=200)
    assert chosen(raw) == "seer"
    d = routed.last_decision()
    assert {"small", "twin", "tiny"} <= set(d["rejected"])
    assert "context window 32000" in d["rejected"]["small"]


def test_capabilities_tools_images_and_json_schema(routed: Routed, sim: Any) -> None:
    tool = {
        "type": "function",
        "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
    }
    raw = routed.ask(tools=[tool])
    assert chosen(raw) == "small"
    assert routed.last_decision()["rejected"] == {"tiny": "lacks capability: tools"}

    image = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": PNG_1PX}},
            ],
        }
    ]
    raw = routed.ask(messages=image)
    assert chosen(raw) == "seer"
    d = routed.last_decision()
    assert d["facts"]["images"] is True
    assert d["rejected"]["small"] == "lacks capability: vision"
    assert d["rejected"]["twin"] == "lacks capability: vision"

    schema = {
        "type": "json_schema",
        "json_schema": {"name": "verdict", "schema": {"type": "object"}},
    }
    raw = routed.ask(response_format=schema)
    assert chosen(raw) == "small"
    d = routed.last_decision()
    assert d["rejected"] == {"tiny": "lacks capability: json"}
    assert "json" in d["constraints"]["capabilities"]


def test_rules_from_the_task_header(routed: Routed, sim: Any) -> None:
    raw = routed.ask(headers={"x-interlock-task": "reasoning"})
    assert chosen(raw) == "sage"
    d = routed.last_decision()
    assert d["rules"] == ["hard reasoning goes to a high-quality reasoning model"]
    assert d["facts"]["task"] == "reasoning"
    assert d["rejected"]["seer"] == "lacks capability: reasoning"
    # Code: the `strict` route's rule drops tiny even though it is cheapest.
    raw = routed.ask(model="strict", headers={"x-interlock-task": "code"})
    assert chosen(raw) == "small"
    assert routed.last_decision()["rejected"] == {
        "tiny": "excluded by rule 'never the tiny one for code'"
    }


def test_cost_tier_header_and_a_request_no_model_can_serve(routed: Routed, sim: Any) -> None:
    image = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Classify this picture"},
                {"type": "image_url", "image_url": {"url": PNG_1PX}},
            ],
        }
    ]
    # Vision is only on seer (medium) and sage (high); the classification rule allows only low.
    with pytest.raises(openai.BadRequestError) as err:
        routed.ask(messages=image, headers={"x-interlock-task": "classification"})
    message = err.value.body["message"]  # type: ignore[index]
    assert err.value.body["code"] == "no_model_available"  # type: ignore[index]
    assert "seer: cost tier medium above the limit low" in message
    assert "sage: cost tier high above the limit low" in message
    assert "tiny: lacks capability: vision" in message
    assert sim.requests() == []  # nothing was sent upstream
    # The header alone sets the same ceiling.
    with pytest.raises(openai.BadRequestError):
        routed.ask(messages=image, headers={"x-interlock-cost-tier": "low"})
    raw = routed.ask(messages=image, headers={"x-interlock-cost-tier": "medium"})
    assert chosen(raw) == "seer"
    # A malformed routing header is refused, not ignored.
    with pytest.raises(openai.BadRequestError):
        routed.ask(headers={"x-interlock-max-latency-ms": "soon"})


def test_a_latency_limit_skips_models_measured_slow(fresh: Routed, sim: Any) -> None:
    sim.add_fault(model="tiny-1b", latency_ms=250, times=-1)
    for _ in range(3):  # live traffic to tiny measures it
        fresh.ask(model="tiny")
    fresh.ask(model="small")
    raw = fresh.ask(headers={"x-interlock-max-latency-ms": "150"})
    assert chosen(raw) == "small"
    d = fresh.last_decision()
    assert d["rejected"]["tiny"].startswith("p95 latency 2")
    assert d["rejected"]["tiny"].endswith("above the limit 150 ms")
    assert d["constraints"]["max_latency_ms"] == 150
    # Without a limit, price decides again.
    assert chosen(fresh.ask()) == "tiny"


def test_ties_on_price_are_broken_by_measured_latency(fresh: Routed, sim: Any) -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    assert chosen(fresh.ask(tools=[tool])) == "small"  # unmeasured: configuration order
    sim.add_fault(model="small-model", latency_ms=80, times=-1)
    for _ in range(3):
        fresh.ask(model="small")
        fresh.ask(model="twin")
    raw = fresh.ask(tools=[tool])
    assert chosen(raw) == "twin"
    d = fresh.last_decision()
    assert d["reason"].endswith("tie broken by measured latency")
    assert d["ranking"][0]["model"] == "twin" and d["ranking"][1]["model"] == "small"


def test_an_open_circuit_reroutes(fresh: Routed, sim: Any) -> None:
    sim.add_fault(provider="openai", model="tiny-1b", status=500, times=5)
    for _ in range(5):  # five failures open the vllm provider's breaker (threshold 5)
        with pytest.raises(openai.InternalServerError):
            fresh.ask(model="tiny")
    breaker = fresh.gw.holder.current.dispatcher.upstreams["vllm"].breaker
    assert breaker.state == "open"
    raw = fresh.ask()
    assert chosen(raw) == "small"
    assert raw.parse().choices[0].message.content.startswith("Simulated openai reply from small")
    assert fresh.last_decision()["rejected"] == {"tiny": "circuit open for provider vllm"}


def test_weighted_split_holds_its_ratio(routed: Routed, sim: Any) -> None:
    n = 300
    before = len(routed.recorder.exchanges)
    headers = Counter(chosen(routed.ask(model="ab")) for _ in range(n))
    assert set(headers) == {"small", "twin"}
    decisions = [
        routing_decision(routed.recorder.exchanges, ex.request_id)
        for ex in routed.recorder.exchanges[before:]
    ]
    # The split draws among the models that met every constraint; count the draws where both
    # did (an upstream breaker opening under load would take one out of the draw, rightly).
    draws = Counter(d["model"] for d in decisions if not d["rejected"])
    assert sum(draws.values()) >= 0.9 * n, [d["rejected"] for d in decisions if d["rejected"]]
    share = draws["small"] / sum(draws.values())
    assert abs(share - 0.75) < 0.08, draws  # binomial sd is 0.025 at n=300: > 3 sd
    d = decisions[-1]
    assert d["reason"] == "weighted split of rule 'compare small and twin'"
    assert len(d["fallbacks"]) == 1


def test_streams_and_the_anthropic_api_are_routed_too(routed: Routed, sim: Any) -> None:
    with routed.client.chat.completions.with_streaming_response.create(
        model="auto", messages=[{"role": "user", "content": "hi"}], stream=True
    ) as response:
        assert response.headers["x-interlock-route"] == "auto -> tiny"
        text = "".join(
            chunk.choices[0].delta.content or "" for chunk in response.parse() if chunk.choices
        )
    assert text.startswith("Simulated openai reply from tiny-1b")
    client = anthropic.Anthropic(base_url=routed.gw.url, api_key="unused", max_retries=0)
    raw = client.messages.with_raw_response.create(
        model="auto",
        max_tokens=50,
        messages=[{"role": "user", "content": "Summarise: cats sleep a lot."}],
        tools=[{"name": "f", "input_schema": {"type": "object"}}],
    )
    # small and twin cost the same: whichever this gateway has measured faster takes it.
    upstream = {"small": "small-model", "twin": "twin-model"}[chosen(raw)]
    assert raw.parse().content  # the simulator answers with a call of the tool
    assert sim.requests()[-1]["model"] == upstream
