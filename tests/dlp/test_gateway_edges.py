"""DLP through the gateway on the less travelled paths: Anthropic streams and content blocks,
obfuscated values, several choices, multi-turn conversations, large bodies.
Same set-up as test_gateway.py (auth on, the simulator upstream, the official SDKs)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.dlp import test_gateway as base
from tests.dlp.support import luhn_complete
from tests.dlp.test_gateway import EMAIL, Env, upstream_text

env, idp = base.env, base.idp  # the same fixtures: a gateway of this module's own

OTHER = "raj.patel@example.org"


def test_anthropic_stream_gets_the_real_values_back(env: Env, sim: Any) -> None:
    with env.anthropic.messages.stream(
        model="gpt-4o-mini",
        max_tokens=200,
        messages=[{"role": "user", "content": f"Please write to {EMAIL} today."}],
    ) as stream:
        text = "".join(stream.text_stream)
    assert EMAIL not in upstream_text(sim)
    assert EMAIL in text and "[EMAIL_ADDRESS_1]" not in text


def test_anthropic_blocks_tool_use_and_tool_results_are_scanned(env: Env, sim: Any) -> None:
    ssn = "536-22-8726"
    env.anthropic.messages.create(
        model="gpt-4o-mini",
        max_tokens=100,
        system=[{"type": "text", "text": f"Escalate to {OTHER}."}],
        messages=[
            {"role": "user", "content": [{"type": "text", "text": f"I am {EMAIL}"}]},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "tu_1", "name": "lookup", "input": {"ssn": ssn}}
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "tu_1",
                        "content": [{"type": "text", "text": f"Owner: {EMAIL}, SSN {ssn}"}],
                    }
                ],
            },
        ],
    )
    sent = upstream_text(sim)
    assert EMAIL not in sent and OTHER not in sent and ssn not in sent
    # (gpt-4o-mini is served by the OpenAI provider: the turns arrive in OpenAI's shape)
    messages = sim.requests()[-1]["body"]["messages"]
    user = next(m for m in messages if m["role"] == "user")
    tool = next(m for m in messages if m["role"] == "tool")
    # one token per address: the user turn's and the tool result's are the same, the system
    # block's other address has its own
    token = re.search(r"\[EMAIL_ADDRESS_\d+\]", user["content"])
    assert token is not None and token.group() in json.dumps(tool)
    assert (
        token.group() not in json.dumps(messages[0]) and "[EMAIL_ADDRESS_" in messages[0]["content"]
    )


@pytest.mark.parametrize(
    "disguised",
    [
        "jane.doe@exam\u200bple.com",  # a zero-width space inside
        "jane.doe\uff20example.com",  # a fullwidth at sign (NFKC folds it)
    ],
)
def test_obfuscated_values_are_found_and_removed_whole(env: Env, sim: Any, disguised: str) -> None:
    env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"mail {disguised} now"}]
    )
    body = sim.requests()[-1]["body"]
    sent = body["messages"][0]["content"]
    assert "jane.doe" not in sent and "example.com" not in sent, sent
    assert sent.startswith("mail [EMAIL_ADDRESS_") and sent.endswith("] now")


def test_fullwidth_card_digits_are_masked(env: Env, sim: Any) -> None:
    card = luhn_complete("4", 16)
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in card)
    env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"card {fullwidth} declined"}]
    )
    sent = sim.requests()[-1]["body"]["messages"][0]["content"]
    assert fullwidth not in sent and card not in sent
    assert sent.startswith("card ") and sent.endswith(" declined")


def test_every_choice_is_restored(env: Env, sim: Any) -> None:
    resp = env.openai.chat.completions.create(
        model="gpt-4o-mini", n=2, messages=[{"role": "user", "content": f"Reply to {EMAIL}"}]
    )
    assert EMAIL not in upstream_text(sim)
    assert len(resp.choices) == 2
    assert all(EMAIL in (c.message.content or "") for c in resp.choices)


def test_a_resent_conversation_keeps_one_token_per_value(env: Env, sim: Any) -> None:
    history: list[dict[str, Any]] = [{"role": "user", "content": f"I am {EMAIL}"}]
    first = env.openai.chat.completions.create(model="gpt-4o-mini", messages=history)  # type: ignore[arg-type]
    history += [
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": f"My colleague is {OTHER}; cc {EMAIL} too."},
    ]
    env.openai.chat.completions.create(model="gpt-4o-mini", messages=history)  # type: ignore[arg-type]
    body = sim.requests()[-1]["body"]
    sent = json.dumps(body)
    assert EMAIL not in sent and OTHER not in sent
    turns = [m["content"] for m in body["messages"]]
    assert "[EMAIL_ADDRESS_1]" in turns[0] and "[EMAIL_ADDRESS_1]" in turns[2]
    assert "[EMAIL_ADDRESS_2]" in turns[2]


def test_a_value_at_the_end_of_a_large_body_is_found(env: Env, sim: Any) -> None:
    filler = "The quarterly report covers revenue, costs and outlook. " * 3400  # ~190 KB
    env.openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": filler + f"Reach {EMAIL}."}]
    )
    sent = sim.requests()[-1]["body"]["messages"][0]["content"]
    assert EMAIL not in sent and sent.endswith("Reach [EMAIL_ADDRESS_1].")
