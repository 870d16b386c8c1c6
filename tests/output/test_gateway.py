"""Output filtering through a real gateway (auth on, SQLite store, the provider simulator
upstream, a classifier service on loopback) with the official SDKs as clients.

The simulator streams one word per chunk and echoes the user's text, so a deny-listed phrase in
the prompt comes back split across chunks; tool-call arguments stream in 8-character pieces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest

from interlock.exchange import Exchange
from tests.auth.support import POLICY_NAMES, Capture, Database, IdentityProvider, seed_org, wait_for
from tests.dlp.support import github_token
from tests.output.support import REPLACED, ClassifierService, output_gateway_yaml
from tests.support import GatewayServer

EMAIL = "jane.doe@example.com"


class Env:
    def __init__(
        self,
        gateway: GatewayServer,
        capture: Capture,
        keys: dict[str, str],
        classifier: ClassifierService,
    ) -> None:
        self.gateway = gateway
        self.capture = capture
        self.classifier = classifier
        self.alice_key = keys["alice-chat"]
        chat = {"x-interlock-app": "chat"}
        self.openai = openai.OpenAI(
            base_url=f"{gateway.url}/v1",
            api_key=keys["alice-chat"],
            default_headers=chat,
            max_retries=0,
        )
        self.anthropic = anthropic.Anthropic(
            base_url=gateway.url, api_key=keys["alice-chat"], default_headers=chat, max_retries=0
        )
        # bob (team blue, app billing) is bound to `open`: output DLP and a pattern rule
        self.bob = openai.OpenAI(
            base_url=f"{gateway.url}/v1",
            api_key=keys["bob"],
            default_headers={"x-interlock-app": "billing"},
            max_retries=0,
        )

    def next_exchange(self, before: int, said: str | None = None) -> Exchange:
        """The first exchange finished after `before` others (whose prompt has `said`): a
        stream the client gave up on may finish after the next request has started."""

        def find() -> Exchange | None:
            for ex in list(self.capture.exchanges.values())[before:]:
                text = ex.request.messages[-1].text() if ex.request else ""  # type: ignore[union-attr]
                if said is None or said in text:
                    return ex
            return None

        wait_for(lambda: find() is not None)
        found = find()
        assert found is not None
        return found

    def output_decisions(self, ex: Exchange) -> list[Any]:
        return [d for d in ex.decisions if d.stage == "output"]


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    yield provider
    provider.close()


@pytest.fixture(scope="module")
def env(
    simulator: Any, idp: IdentityProvider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Env]:
    db = Database("sqlite", tmp_path_factory.mktemp("output"))
    org = seed_org(db.url, POLICY_NAMES)
    capture = Capture()
    classifier = ClassifierService()
    gw = GatewayServer(
        output_gateway_yaml(simulator.url, db.url, idp.url, classifier.url), addons=[capture]
    )
    try:
        yield Env(gw, capture, org.keys, classifier)
    finally:
        gw.close()
        classifier.close()


def openai_deltas(client: openai.OpenAI, text: str, **kw: Any) -> list[str]:
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], stream=True, **kw
    )
    return [c.choices[0].delta.content or "" for c in stream if c.choices]


def the_decision(env: Env, before: int, said: str | None = None) -> Any:
    ex = env.next_exchange(before, said)
    found = env.output_decisions(ex)
    assert len(found) == 1, ex.decisions
    return found[0]


# ---- streams: where the match falls ------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "term", "where"),
    [
        ("we beat Fabrikam on price", "Fabrikam", "inside one chunk"),
        ("we beat Contoso Ltd on price", "Contoso Ltd", "split across two chunks"),
        ("ask Northwind Global Trading today", "Northwind Global Trading", "across many chunks"),
        ("the best one is Fabrikam", "Fabrikam", "at the very end of the stream"),
        ("call Zürich Versicherung ☎️ now", "Zürich Versicherung", "multi-byte Unicode"),
    ],
)
def test_openai_stream_redacts_before_the_client_sees_it(
    env: Env, said: str, term: str, where: str
) -> None:
    before = len(env.capture.exchanges)
    deltas = openai_deltas(env.openai, said)
    text = "".join(deltas)
    assert term not in text, where
    # No prefix of the term's second half reached the client on its own either.
    assert not any(term.split()[0] in d for d in deltas), deltas
    assert text.endswith("You said: " + said.replace(term, "[REDACTED]"))
    # Request DLP may pseudonymise the term as a name: find the prompt by what precedes it.
    decision = the_decision(env, before, said[: said.index(term)])
    assert decision.outcome == "redacted"
    [finding] = decision.detail["findings"]
    assert finding["rule"] == "competitors" and finding["action"] == "redact"
    start = text.index("[REDACTED]")
    assert (finding["start"], finding["end"]) == (start, start + len(term))
    assert decision.detail["stream"] is True and decision.detail["held_max_chars"] < 30
    assert term not in repr(decision.detail)  # the audit keeps where and why, not the text


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet"])
def test_anthropic_stream_redacts_a_split_term(env: Env, model: str) -> None:
    pieces: list[str] = []
    with env.anthropic.messages.stream(
        model=model,
        max_tokens=200,
        messages=[{"role": "user", "content": "we beat Contoso Ltd on price"}],
    ) as stream:
        pieces.extend(stream.text_stream)
    text = "".join(pieces)
    assert text.endswith("You said: we beat [REDACTED] on price")
    assert "Contoso" not in text


def test_responses_api_stream_redacts_a_split_term(env: Env) -> None:
    with env.openai.responses.stream(
        model="gpt-4o-mini", input="we beat Contoso Ltd on price"
    ) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    text = "".join(deltas)
    assert text.endswith("You said: we beat [REDACTED] on price")
    assert "Contoso" not in final.output_text and final.output_text == text


def test_clean_stream_is_passed_on_byte_for_byte(env: Env) -> None:
    before = len(env.capture.exchanges)
    body = {
        "model": "gpt-4o-mini",
        "stream": True,
        "messages": [{"role": "user", "content": "hello there"}],
    }
    headers = {"authorization": f"Bearer {env.alice_key}", "x-interlock-app": "chat"}
    with httpx.stream(
        "POST", f"{env.gateway.url}/v1/chat/completions", json=body, headers=headers
    ) as resp:
        raw = resp.read()
    frames = [f[6:] for f in raw.split(b"\n\n") if f.startswith(b"data: ")]
    assert frames[-1] == b"[DONE]"
    # Every frame is the provider's own bytes (its ids), none re-encoded by the gateway.
    assert all(f.startswith(b'{"id":"chatcmpl-sim') for f in frames[:-1]), frames[:3]
    text = "".join(
        c["delta"].get("content") or "" for f in frames[:-1] for c in json.loads(f)["choices"]
    )
    decision = env.output_decisions(env.next_exchange(before, "hello there"))[0]
    assert decision.outcome == "clean" and decision.detail["held_max_chars"] == 0
    whole = env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hello there"}]
    )
    assert text == whole.choices[0].message.content


def test_a_redacted_stream_is_re_encoded(env: Env) -> None:
    """The byte-for-byte check above can fail: a changed chunk is encoded by the gateway."""
    body = {
        "model": "gpt-4o-mini",
        "stream": True,
        "messages": [{"role": "user", "content": "Fabrikam"}],
    }
    headers = {"authorization": f"Bearer {env.alice_key}", "x-interlock-app": "chat"}
    with httpx.stream(
        "POST", f"{env.gateway.url}/v1/chat/completions", json=body, headers=headers
    ) as resp:
        raw = resp.read()
    frames = [f[6:] for f in raw.split(b"\n\n") if f.startswith(b"data: ")]
    assert not all(f.startswith(b'{"id":"chatcmpl-sim') for f in frames[:-1])


# ---- streams: ending, replacing -----------------------------------------------------------------


def test_block_ends_the_openai_stream_with_an_error_event(env: Env) -> None:
    before = len(env.capture.exchanges)
    received: list[str] = []
    stream = env.openai.chat.completions.create(
        model="gpt-4o-mini",
        stream=True,
        messages=[{"role": "user", "content": "you get a guaranteed refund today"}],
    )
    with pytest.raises(openai.APIError, match="output policy"):
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    text = "".join(received)
    assert text.endswith("You said: you get a ")
    assert "guaranteed" not in text
    ex = env.next_exchange(before, "you get a guaranteed")
    assert (ex.status, ex.error_code) == (403, "output_blocked")
    decision = env.output_decisions(ex)[0]
    assert decision.outcome == "blocked"
    [finding] = decision.detail["findings"]
    assert finding["rule"] == "promises" and finding["action"] == "block"
    assert finding["start"] == len(text)  # right after what went out


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet"])
def test_block_ends_the_anthropic_stream_with_an_error_event(env: Env, model: str) -> None:
    pieces: list[str] = []
    with pytest.raises(anthropic.APIError, match="output policy"):  # noqa: SIM117
        with env.anthropic.messages.stream(
            model=model,
            max_tokens=200,
            messages=[{"role": "user", "content": "a guaranteed refund for all"}],
        ) as stream:
            for piece in stream.text_stream:
                pieces.append(piece)
    assert "guaranteed" not in "".join(pieces)
    assert "".join(pieces).endswith("You said: a ")


def test_replace_ends_the_text_with_the_configured_message(env: Env) -> None:
    before = len(env.capture.exchanges)
    text = "".join(openai_deltas(env.openai, "one two lawsuit three four"))
    assert text.endswith("You said: one two " + REPLACED)
    assert "three" not in text and "lawsuit" not in text
    assert the_decision(env, before, "lawsuit three").outcome == "replaced"


# ---- tool-call argument deltas and pseudonyms ------------------------------------------------------


def _tool(value: str) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {
                "type": "object",
                "properties": {"topic": {"type": "string", "enum": [value]}},
            },
        },
    }


def test_tool_call_argument_deltas_are_redacted(env: Env) -> None:
    stream = env.openai.chat.completions.create(
        model="gpt-4o-mini",
        stream=True,
        messages=[{"role": "user", "content": "look it up"}],
        tools=[_tool("the Contoso Ltd roadmap")],  # type: ignore[list-item]
    )
    pieces = [
        tc.function.arguments or ""
        for c in stream
        if c.choices and c.choices[0].delta.tool_calls
        for tc in c.choices[0].delta.tool_calls
        if tc.function
    ]
    assert len(pieces) > 3  # streamed in pieces, the term across several of them
    assert json.loads("".join(pieces)) == {"topic": "the [REDACTED] roadmap"}
    assert not any("Contoso" in p for p in pieces)


def test_pseudonyms_come_back_in_streamed_text_and_split_tool_arguments(env: Env, sim: Any) -> None:
    before = len(env.capture.exchanges)
    stream = env.openai.chat.completions.create(
        model="gpt-4o-mini",
        stream=True,
        messages=[{"role": "user", "content": f"mail {EMAIL} please"}],
        # The model "uses" the pseudonym in its arguments: 8-character pieces split the token.
        tools=[_tool("to [EMAIL_ADDRESS_1]")],  # type: ignore[list-item]
    )
    pieces = [
        tc.function.arguments or ""
        for c in stream
        if c.choices and c.choices[0].delta.tool_calls
        for tc in c.choices[0].delta.tool_calls
        if tc.function
    ]
    assert EMAIL not in json.dumps([r["body"] for r in sim.requests()])
    assert json.loads("".join(pieces)) == {"topic": f"to {EMAIL}"}
    assert not any("[EMAIL" in p or "DRESS_1" in p for p in pieces)
    text = "".join(openai_deltas(env.openai, f"mail {EMAIL} please"))
    assert text.endswith(f"You said: mail {EMAIL} please")
    assert "EMAIL_ADDRESS" not in text
    decisions = env.output_decisions(env.next_exchange(before, "please"))
    assert decisions[0].detail["restored"] == 1


# ---- whole answers ----------------------------------------------------------------------------------


def test_whole_answer_redacted_for_both_sdks(env: Env) -> None:
    reply = env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "we beat Contoso Ltd"}]
    )
    assert reply.choices[0].message.content.endswith("You said: we beat [REDACTED]")  # type: ignore[union-attr]
    message = env.anthropic.messages.create(
        model="gpt-4o-mini",
        max_tokens=100,
        messages=[{"role": "user", "content": "we beat Contoso Ltd"}],
    )
    assert message.content[0].text.endswith("You said: we beat [REDACTED]")  # type: ignore[union-attr]


def test_whole_answer_block_is_an_error_in_the_callers_format(env: Env) -> None:
    with pytest.raises(openai.PermissionDeniedError) as oe:
        env.openai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "a guaranteed refund"}]
        )
    assert oe.value.code == "output_blocked"
    with pytest.raises(anthropic.PermissionDeniedError, match="output policy"):
        env.anthropic.messages.create(
            model="gpt-4o-mini",
            max_tokens=100,
            messages=[{"role": "user", "content": "a guaranteed refund"}],
        )


def test_whole_answer_replace_flag_and_log(env: Env) -> None:
    reply = env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "that lawsuit"}]
    )
    assert reply.choices[0].message.content == REPLACED
    before = len(env.capture.exchanges)
    raw = env.openai.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "a stupid idea"}]
    )
    assert raw.headers["x-interlock-output-flag"] == "tone"
    assert raw.parse().choices[0].message.content.endswith("a stupid idea")  # type: ignore[union-attr]
    assert the_decision(env, before, "stupid idea").outcome == "flagged"
    before = len(env.capture.exchanges)
    raw = env.openai.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "project Kestrel"}]
    )
    assert "x-interlock-output-flag" not in raw.headers
    decision = the_decision(env, before, "project Kestrel")
    assert decision.outcome == "logged"
    assert decision.detail["findings"][0]["rule"] == "internal"


# ---- structured output ------------------------------------------------------------------------------


def test_structured_output_is_checked_against_the_schema(env: Env) -> None:
    # json_object: the simulator answers {"answer": ...}; the policy's schema wants "summary".
    with pytest.raises(openai.PermissionDeniedError, match="json_schema"):
        env.openai.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "json please"}],
            response_format={"type": "json_object"},
        )
    with pytest.raises(openai.APIError, match="json_schema"):
        openai_deltas(env.openai, "json please", response_format={"type": "json_object"})
    # A schema with "summary" that the answer fills: passes both schemas.
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string"}},
        "required": ["summary"],
    }
    reply = env.openai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "json please"}],
        response_format={"type": "json_schema", "json_schema": {"name": "s", "schema": schema}},
    )
    assert json.loads(reply.choices[0].message.content or "") == {"summary": "sim"}
    # Plain text answers are not structured output: never checked.
    plain = env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "plain words"}]
    )
    assert plain.choices[0].message.content.endswith("plain words")  # type: ignore[union-attr]


# ---- classifier hook -------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["a banana split", "slowpoke here", "brokenwire here"])
def test_classifier_flags_or_fails_closed(env: Env, said: str) -> None:
    before = len(env.capture.exchanges)
    reply = env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": said}]
    )
    assert reply.choices[0].message.content == REPLACED
    decision = the_decision(env, before, said)
    [finding] = decision.detail["findings"]
    kind = "classifier" if "banana" in said else "classifier_unavailable"
    assert finding["kind"] == kind and finding["action"] == "replace"
    assert env.classifier.calls[-1]["text"].endswith(said)


# ---- output DLP (bob's `open` policy) -------------------------------------------------------------


def test_output_dlp_secret_ends_the_stream(env: Env) -> None:
    token = github_token()
    received: list[str] = []
    stream = env.bob.chat.completions.create(
        model="gpt-4o-mini",
        stream=True,
        messages=[{"role": "user", "content": f"my token is {token} ok"}],
    )
    with pytest.raises(openai.APIError, match="output policy"):
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert token[:6] not in "".join(received)


def test_output_dlp_made_up_personal_data_is_redacted_echoed_is_logged(env: Env) -> None:
    before = len(env.capture.exchanges)
    reply = env.bob.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"write to {EMAIL} with a tool"}],
        tools=[_tool("ceo.private@invented-mail.org")],  # type: ignore[list-item]
    )
    call = reply.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert json.loads(call.function.arguments) == {"topic": "[REDACTED]"}  # type: ignore[union-attr]
    decision = the_decision(env, before, "with a tool")
    [finding] = decision.detail["findings"]
    assert finding["kind"] == "hallucinated_pii" and finding["entity"] == "EMAIL_ADDRESS"
    assert finding["part"] == "tool_call"
    before = len(env.capture.exchanges)
    reply = env.bob.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"just write to {EMAIL}"}]
    )
    assert reply.choices[0].message.content.endswith(EMAIL)  # type: ignore[union-attr]
    decision = the_decision(env, before, "just write")
    assert decision.outcome == "logged"
    assert decision.detail["findings"][0]["kind"] == "dlp"


def test_pattern_rule_in_a_stream(env: Env) -> None:
    text = "".join(openai_deltas(env.bob, "order ORD-123456 shipped"))
    assert text.endswith("You said: order [REDACTED] shipped")
