"""Pseudonyms across provider families: whichever upstream serves the request (OpenAI,
Anthropic, Bedrock, Gemini in their own wire formats, all from the simulator), the provider
sees tokens and the client, streamed or not, in either SDK, gets its real values back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.auth.support import POLICY_NAMES, Capture, Database, seed_org
from tests.dlp import test_gateway as base
from tests.dlp.support import dlp_gateway_yaml
from tests.dlp.test_gateway import EMAIL, Env, upstream_text
from tests.support import GatewayServer

idp = base.idp
FAMILIES = ["gpt-4o-mini", "claude-haiku", "claude-sonnet", "gemini-flash"]
PROMPT = f"Please write to {EMAIL} today."


@pytest.fixture(scope="module")
def env(simulator: Any, idp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    db = Database("sqlite", tmp_path_factory.mktemp("dlp-providers"))
    org = seed_org(db.url, POLICY_NAMES)
    config = yaml.safe_load(dlp_gateway_yaml(simulator.url, db.url, idp.url))
    config["providers"].update(
        {
            "anthropic": {
                "type": "anthropic", "base_url": simulator.url, "api_key": "sim-anthropic-key",
            },
            "bedrock": {
                "type": "bedrock", "base_url": simulator.url, "region": "us-east-1",
                "access_key_id": "SIMULATORKEYID", "secret_access_key": "sim-aws-secret",
            },
            "gemini": {"type": "gemini", "base_url": simulator.url, "api_key": "sim-gemini-key"},
        }
    )  # fmt: skip
    config["models"].update(
        {
            "claude-haiku": {"provider": "anthropic", "model": "claude-haiku-4-5"},
            "claude-sonnet": {
                "provider": "bedrock", "model": "anthropic.claude-sonnet-4-5-20250929-v1:0",
            },
            "gemini-flash": {"provider": "gemini", "model": "gemini-2.5-flash"},
        }
    )  # fmt: skip
    capture = Capture()
    gw = GatewayServer(yaml.safe_dump(config), addons=[capture])
    try:
        yield Env(gw, capture, org.keys)
    finally:
        gw.close()


@pytest.mark.parametrize("model", FAMILIES)
def test_openai_sdk_streamed_and_whole(env: Env, sim: Any, model: str) -> None:
    messages: Any = [{"role": "user", "content": PROMPT}]
    stream = env.openai.chat.completions.create(model=model, stream=True, messages=messages)
    streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    whole = env.openai.chat.completions.create(model=model, messages=messages)
    assert EMAIL not in upstream_text(sim) and "[EMAIL_ADDRESS_1]" in upstream_text(sim)
    assert EMAIL in streamed and EMAIL in (whole.choices[0].message.content or "")


@pytest.mark.parametrize("model", FAMILIES)
def test_anthropic_sdk_streamed(env: Env, sim: Any, model: str) -> None:
    with env.anthropic.messages.stream(
        model=model, max_tokens=200, messages=[{"role": "user", "content": PROMPT}]
    ) as stream:
        text = "".join(stream.text_stream)
    assert EMAIL not in upstream_text(sim)
    assert EMAIL in text and "[EMAIL_ADDRESS_" not in text
