"""The injection check on the other OpenAI APIs: the Responses API (string input, message
items, function-call outputs as indirect content, trusted instructions) and legacy completions."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.injection.conftest import InjectionEnv
from tests.injection.test_gateway import ATTACK, INDIRECT, MODEL


def test_responses_input_as_a_string_or_as_message_items_is_checked(
    inj: InjectionEnv, sim: Any
) -> None:
    client = inj.openai()
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL, input=ATTACK)
    items = [{"role": "user", "content": [{"type": "input_text", "text": ATTACK}]}]
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL, input=items)  # type: ignore[arg-type]
    assert sim.requests() == []
    assert inj.last_decision().detail["context"] == "user"


def test_a_function_call_output_is_indirect_content(inj: InjectionEnv, sim: Any) -> None:
    # On the `open` policy user turns need 0.95, indirect content 0.3 (see test_gateway.py).
    items = [
        {"role": "user", "content": "Summarise my latest e-mail."},
        {"type": "function_call", "call_id": "c1", "name": "read_mail", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": INDIRECT},
    ]
    with pytest.raises(openai.BadRequestError):
        inj.openai(app="search").responses.create(model=MODEL, input=items)  # type: ignore[arg-type]
    assert sim.requests() == []
    detail = inj.last_decision().detail
    assert (detail["context"], detail["threshold"]) == ("indirect", 0.3)
    assert detail["where"].endswith(".tool_result")


def test_responses_instructions_are_the_applications_own_and_trusted(
    inj: InjectionEnv, sim: Any
) -> None:
    inj.openai().responses.create(model=MODEL, instructions=ATTACK, input="hello")
    assert len(sim.requests()) == 1


def test_a_legacy_completion_prompt_is_checked(inj: InjectionEnv, sim: Any) -> None:
    with pytest.raises(openai.BadRequestError):
        inj.openai().completions.create(model=MODEL, prompt=ATTACK)
    assert sim.requests() == []
