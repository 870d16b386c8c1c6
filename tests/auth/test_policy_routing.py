"""The caller's policy limits what routing may serve and what /v1/models lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from tests.auth.fixtures import Env
from tests.auth.support import gateway_yaml
from tests.support import GatewayServer


def test_models_list_shows_only_what_the_policy_allows(env: Env) -> None:
    standard = openai.OpenAI(
        base_url=env.gateway.url + "/v1",
        api_key=env.org.keys["alice-chat"],  # red team on `chat`: the `standard` policy
    )
    # Naming a model in a policy allows its aliases too.
    assert {m.id for m in standard.models.list()} == {
        "gpt-4o-mini",
        "fast",
        "text-embedding-3-small",
    }
    everything = openai.OpenAI(
        base_url=env.gateway.url + "/v1",
        api_key=env.org.keys["alice"],
        default_headers={"x-interlock-app": "search"},  # alice's own binding: `open`
    )
    assert {m.id for m in everything.models.list()} >= {"gpt-4o", "local-llama", "fast"}
    anonymous = httpx.get(env.gateway.url + "/v1/models")
    assert anonymous.status_code == 401
    assert anonymous.headers["x-request-id"].startswith("req_")


@pytest.fixture()
def fallback_gateway(env: Env, simulator: Any) -> Iterator[GatewayServer]:
    yaml = gateway_yaml(simulator.url, env.db.url, env.idp.url).replace(
        "gpt-4o-mini: {provider: openai, aliases: [fast]}",
        "gpt-4o-mini: {provider: openai, aliases: [fast], fallbacks: [local-llama]}",
    )
    gw = GatewayServer(yaml)
    yield gw
    gw.close()


def test_failover_never_reaches_a_model_the_policy_forbids(
    env: Env, fallback_gateway: GatewayServer, sim: Any
) -> None:
    sim.add_fault(provider="openai", model="gpt-4o-mini", status=503, times=-1)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    # `standard` allows gpt-4o-mini but not local-llama: no failover, an upstream error.
    restricted = httpx.post(
        fallback_gateway.url + "/v1/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {env.org.keys['alice-chat']}"},
        timeout=20,
    )
    assert restricted.status_code == 502
    assert not [r for r in sim.requests() if r.get("model") == "llama-3.1-8b"]
    # `open` allows both: the same request fails over to local-llama.
    allowed = httpx.post(
        fallback_gateway.url + "/v1/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {env.org.keys['alice']}", "x-interlock-app": "search"},
        timeout=20,
    )
    assert allowed.status_code == 200
    assert allowed.json()["choices"][0]["message"]["content"].startswith(
        "Simulated openai reply from llama-3.1-8b"
    )
