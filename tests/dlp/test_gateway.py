"""DLP through a real gateway (auth on, SQLite store, the provider simulator upstream) with the
official SDKs as clients: what reaches the provider, what the client gets back, what is
recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest

from interlock.dlp.stage import DlpStage
from interlock.server.app import PIPELINE
from tests.auth.support import POLICY_NAMES, Capture, Database, IdentityProvider, seed_org
from tests.dlp.support import (
    aws_key_id,
    dlp_gateway_yaml,
    github_token,
    luhn_complete,
    private_key_block,
)
from tests.support import GatewayServer

EMAIL = "jane.doe@example.com"


class Env:
    def __init__(self, gateway: GatewayServer, capture: Capture, keys: dict[str, str]) -> None:
        self.gateway = gateway
        self.capture = capture
        self.keys = keys
        headers = {"x-interlock-app": "chat"}
        self.openai = openai.OpenAI(
            base_url=f"{gateway.url}/v1",
            api_key=keys["alice-chat"],
            default_headers=headers,
            max_retries=0,
        )
        self.anthropic = anthropic.Anthropic(
            base_url=gateway.url, api_key=keys["alice-chat"], default_headers=headers, max_retries=0
        )
        # bob (team blue, app billing) is bound to the `open` policy: DLP fails open there
        self.open_client = openai.OpenAI(
            base_url=f"{gateway.url}/v1",
            api_key=keys["bob"],
            default_headers={"x-interlock-app": "billing"},
            max_retries=0,
        )

    def stage(self) -> DlpStage:
        hooks = self.gateway.app[PIPELINE].request_hooks
        return next(h.__self__ for h in hooks if isinstance(h.__self__, DlpStage))  # type: ignore[attr-defined]

    def dlp_decisions(self, request_id: str | None = None) -> list[Any]:
        ex = self.capture.exchanges[request_id] if request_id else self.capture.last
        assert ex is not None
        return [d for d in ex.decisions if d.stage == "dlp"]


@pytest.fixture(scope="module")
def env(
    simulator: Any, idp: IdentityProvider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Env]:
    db = Database("sqlite", tmp_path_factory.mktemp("dlp"))
    org = seed_org(db.url, POLICY_NAMES)
    capture = Capture()
    open_dlp = {"on_failure": "open", "actions": {"default": "redact"}}
    gw = GatewayServer(
        dlp_gateway_yaml(simulator.url, db.url, idp.url, open_dlp=open_dlp), addons=[capture]
    )
    try:
        yield Env(gw, capture, org.keys)
    finally:
        gw.close()


@pytest.fixture(scope="session")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    yield provider
    provider.close()


def upstream_text(sim: Any) -> str:
    """Everything the provider received, as one string."""
    return json.dumps([r["body"] for r in sim.requests()], ensure_ascii=False)


def test_pseudonymised_values_never_reach_the_provider_and_come_back_restored(
    env: Env, sim: Any
) -> None:
    card = luhn_complete("4", 16)
    spaced = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    text = f"Hi, I am Jane Doe ({EMAIL}), customer CUST-123456, card {spaced}."
    resp = env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
    )
    sent = upstream_text(sim)
    assert EMAIL not in sent and "Jane Doe" not in sent and "CUST-123456" not in sent
    assert card not in sent and spaced not in sent
    assert "[EMAIL_ADDRESS_1]" in sent and "[PERSON_1]" in sent and "[CUSTOMER_ID]" in sent
    assert "**** **** **** " + card[-4:] in sent  # masked, last four kept
    # The simulator echoes what it received: the client gets its real values back.
    answer = resp.choices[0].message.content or ""
    assert EMAIL in answer and "Jane Doe" in answer
    assert "[EMAIL_ADDRESS_1]" not in answer and "[PERSON_1]" not in answer
    assert "[CUSTOMER_ID]" in answer  # redacted, not reversible
    decisions = env.dlp_decisions()
    outcomes = [d.outcome for d in decisions]
    assert outcomes == ["modified", "restored"]
    findings = decisions[0].detail["findings"]
    by_type = {f["type"]: f for f in findings}
    assert by_type["EMAIL_ADDRESS"]["action"] == "pseudonymise"
    assert by_type["CREDIT_CARD"]["action"] == "mask"
    assert by_type["CUSTOMER_ID"]["action"] == "redact"
    loc = by_type["EMAIL_ADDRESS"]["location"]
    assert (loc["message"], loc["part"], loc["field"]) == (0, 0, "text")
    assert text[loc["start"] : loc["end"]] == EMAIL
    recorded = repr([d.detail for d in env.capture.last.decisions])
    assert EMAIL not in recorded and card not in recorded and "Jane Doe" not in recorded
    assert env.capture.last.pseudonyms is None  # the vault is wiped once the exchange is done


def test_secret_blocks_in_the_callers_error_format_without_echoing_it(env: Env, sim: Any) -> None:
    key = aws_key_id()
    with pytest.raises(openai.BadRequestError) as caught:
        env.openai.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": f"why does boto fail with {key}?"}],
        )
    err = caught.value
    assert err.status_code == 400
    assert err.code == "sensitive_data_blocked"
    assert "SECRET (aws-access-key-id)" in err.message
    assert key not in err.response.text
    assert sim.requests() == []  # nothing left the gateway
    assert [d.outcome for d in env.dlp_decisions()] == ["blocked"]

    with pytest.raises(anthropic.BadRequestError) as anth:
        env.anthropic.messages.create(
            model="gpt-4o-mini",
            max_tokens=50,
            system=f"Deploy token: {github_token()}",
            messages=[{"role": "user", "content": "hello"}],
        )
    body = anth.value.response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert "github-token" in body["error"]["message"]
    assert sim.requests() == []


def test_custom_dictionary_term_blocks(env: Env, sim: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        env.openai.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Summarise the status of project nightjar."}],
        )
    assert "PROJECT_CODENAME" in caught.value.message
    assert sim.requests() == []


def test_system_prompt_tool_calls_and_tool_results_are_scanned(env: Env, sim: Any) -> None:
    ssn = "536-22-8726"
    messages = [
        {"role": "system", "content": f"Escalations go to {EMAIL}."},
        {"role": "user", "content": "Look up the employee."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": "lookup",
                        "arguments": json.dumps({"ssn": ssn, "note": "my SSN"}),
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": f"Found: {EMAIL}, SSN {ssn}"},
    ]
    env.openai.chat.completions.create(model="gpt-4o-mini", messages=messages)  # type: ignore[arg-type]
    body = sim.requests()[-1]["body"]
    sent = json.dumps(body)
    assert EMAIL not in sent and ssn not in sent
    upstream = body["messages"]
    assert upstream[0]["content"] == "Escalations go to [EMAIL_ADDRESS_1]."
    arguments = json.loads(upstream[2]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"ssn": "[US_SSN]", "note": "my SSN"}  # still valid JSON
    assert "[EMAIL_ADDRESS_1]" in json.dumps(upstream[3])  # same value, same token
    fields = {
        (f["location"]["message"], f["location"]["field"])
        for f in env.dlp_decisions()[0].detail["findings"]
    }
    assert {(0, "text"), (2, "arguments"), (3, "content[0]")} <= fields


def test_streams_get_request_side_dlp(env: Env, sim: Any) -> None:
    stream = env.openai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "user", "content": f"Write to {EMAIL} about card {luhn_complete('5', 16)}"}
        ],
        stream=True,
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    sent = upstream_text(sim)
    assert EMAIL not in sent and "[EMAIL_ADDRESS_1]" in sent
    assert text  # the stream completed
    with pytest.raises(openai.BadRequestError):
        env.openai.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": private_key_block()}],
            stream=True,
        )


def test_embeddings_responses_and_completions_are_scanned(env: Env, sim: Any) -> None:
    env.openai.embeddings.create(
        model="text-embedding-3-small", input=[f"contact {EMAIL}", "plain"]
    )
    assert EMAIL not in upstream_text(sim)
    sim.clear_requests()
    resp = env.openai.responses.create(model="gpt-4o-mini", input=f"Email {EMAIL} please")
    assert EMAIL not in upstream_text(sim)
    assert EMAIL in resp.output_text  # restored on the Responses API too
    sim.clear_requests()
    done = env.openai.completions.create(model="gpt-4o-mini", prompt=f"Reply to {EMAIL}")
    assert EMAIL not in upstream_text(sim)
    assert EMAIL in done.choices[0].text


def test_an_engine_failure_fails_closed_unless_the_policy_says_open(
    env: Env, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = env.stage()
    policies = env.gateway.holder.current.config.policies
    for name in ("standard", "open"):
        engine = stage.compiled(policies[name].dlp).engine

        def broken(text: str) -> list[Any]:
            raise RuntimeError("detector crashed")

        monkeypatch.setattr(engine, "scan", broken)
    with pytest.raises(openai.InternalServerError) as caught:
        env.openai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
        )
    assert caught.value.status_code == 503
    assert caught.value.code == "dlp_unavailable"
    assert sim.requests() == []
    assert [d.outcome for d in env.dlp_decisions()] == ["failed_closed"]
    ok = env.open_client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
    )
    assert ok.choices[0].message.content
    assert [d.outcome for d in env.dlp_decisions()] == ["failed_open"]


def test_a_clean_request_is_sent_as_the_client_wrote_it(env: Env, sim: Any) -> None:
    http = httpx.Client(timeout=20)
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "What is 2+2?"}],
        "x_extra": 1,
    }
    resp = http.post(
        f"{env.gateway.url}/v1/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {env.keys['alice-chat']}", "x-interlock-app": "chat"},
    )
    assert resp.status_code == 200
    assert sim.requests()[-1]["body"].get("x_extra") == 1  # untouched raw body on the fast path
    assert [d.outcome for d in env.dlp_decisions()] == ["clean"]
