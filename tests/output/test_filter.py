"""The stream filter on its own: every way a stream can be cut gives the answer the whole-answer
path gives, the hold-back stays within the policy's window, and untouched chunks pass as is."""

from __future__ import annotations

import asyncio
import socket
from types import SimpleNamespace
from typing import Any

import pydantic
import pytest

from interlock.exchange import ChoiceEnd, StreamChunk, TextDelta, ToolCallDelta, ToolCallStart
from interlock.output.classifier import Classifier
from interlock.output.config import ClassifierHook, OutputPolicy
from interlock.output.policy import CompiledOutput, redact
from interlock.output.stream import OutputStreamFilter
from interlock.server.pipeline import EndStream

POLICY = OutputPolicy(
    rules=[
        {"name": "competitors", "terms": ["Contoso Ltd", "Fabrikam", "Zürich Versicherung"]},
        {"name": "orders", "patterns": [r"ORD-\d{4,8}"]},
        {"name": "promises", "terms": ["guaranteed refund"], "action": "block"},
    ]
)
TERMS_ONLY = OutputPolicy(rules=[{"name": "competitors", "terms": ["Contoso Ltd", "Fabrikam"]}])
TEXT = "Ask Contoso Ltd or Fabrikam about ORD-12345 and Zürich Versicherung, not Fabrikamo."


def run(
    policy: OutputPolicy, pieces: list[str], values: dict[str, str] | None = None
) -> tuple[str, OutputStreamFilter]:
    stream = OutputStreamFilter(CompiledOutput(policy), values, None, [])
    out: list[StreamChunk] = []
    for piece in pieces:
        out += stream.feed([StreamChunk([TextDelta(piece)], raw=b"provider bytes")])
    out += stream.feed([StreamChunk([ChoiceEnd("stop")])]) + stream.finish()
    text = "".join(e.text for c in out for e in c.events if isinstance(e, TextDelta))
    return text, stream


def whole(policy: OutputPolicy, text: str) -> str:
    compiled = CompiledOutput(policy)
    return redact(text, compiled.find(text, None), policy.redaction)


def test_every_two_way_cut_gives_the_whole_answer_result() -> None:
    expected = whole(POLICY, TEXT)
    assert expected.count("[REDACTED]") == 4 and "Fabrikamo" in expected
    for cut in range(1, len(TEXT)):
        text, _ = run(POLICY, [TEXT[:cut], TEXT[cut:]])
        assert text == expected, cut


def test_character_by_character_stream_gives_the_whole_answer_result() -> None:
    text, stream = run(POLICY, list(TEXT))
    assert text == whole(POLICY, TEXT)
    assert 0 < stream.held_max <= stream.compiled.window
    assert [f["rule"] for f in stream.findings] == [
        "competitors",
        "competitors",
        "orders",
        "competitors",
    ]


def test_terms_only_policy_passes_chunks_that_cannot_start_a_match_untouched() -> None:
    stream = OutputStreamFilter(CompiledOutput(TERMS_ONLY), None, None, [])
    chunk = StreamChunk([TextDelta("hello world")], raw=b"provider bytes")
    assert stream.feed([chunk]) == [chunk]  # the same object: its raw bytes go out
    held = StreamChunk([TextDelta(" and Fab")], raw=b"x")
    [out] = stream.feed([held])
    assert out.raw is None and out.events == [TextDelta(" and ")]  # only "Fab" waits
    [out] = stream.feed([StreamChunk([TextDelta("ulous")], raw=b"y")])
    assert out.events == [TextDelta("Fabulous")]


def test_pseudonym_token_split_anywhere_is_restored() -> None:
    text = "Write to [EMAIL_ADDRESS_1] and [PERSON_2] now [NOT_A_TOKEN"
    values = {"EMAIL_ADDRESS_1": "jane@example.com", "PERSON_2": "Jane Doe"}
    expected = "Write to jane@example.com and Jane Doe now [NOT_A_TOKEN"
    for cut in range(1, len(text)):
        for policy in (OutputPolicy(), POLICY):
            out, stream = run(policy, [text[:cut], text[cut:]], values)
            assert out == expected, (cut, policy.rules)
            assert stream.restored == 2


def test_tool_call_arguments_restore_as_json_and_redact() -> None:
    stream = OutputStreamFilter(
        CompiledOutput(POLICY), {"EMAIL_ADDRESS_1": 'a"b@example.com'}, None, []
    )
    args = '{"to": "[EMAIL_ADDRESS_1]", "org": "Contoso Ltd"}'
    out = stream.feed([StreamChunk([ToolCallStart(0, "call_1", "send")])])
    for i in range(0, len(args), 5):
        out += stream.feed([StreamChunk([ToolCallDelta(0, args[i : i + 5])])])
    out += stream.feed([StreamChunk([ChoiceEnd("tool_calls")])]) + stream.finish()
    joined = "".join(e.arguments for c in out for e in c.events if isinstance(e, ToolCallDelta))
    assert joined == '{"to": "a\\"b@example.com", "org": "[REDACTED]"}'
    assert stream.findings[0]["part"] == "tool_call" and stream.findings[0]["tool_call"] == 0


def test_block_ends_the_stream_with_what_came_before() -> None:
    stream = OutputStreamFilter(CompiledOutput(POLICY), None, None, [])
    out = stream.feed([StreamChunk([TextDelta("We offer a guaran")])])
    with pytest.raises(EndStream) as end:
        stream.feed([StreamChunk([TextDelta("teed refund today")])])
    sent = "".join(e.text for c in out for e in c.events if isinstance(e, TextDelta))
    sent += "".join(e.text for c in end.value.deliver for e in c.events)  # type: ignore[union-attr]
    assert sent == "We offer a "
    assert end.value.error.code == "output_blocked"
    assert stream.findings[0]["start"] == len("We offer a ")


def test_match_in_the_last_held_text_is_caught_at_finish() -> None:
    stream = OutputStreamFilter(CompiledOutput(TERMS_ONLY), None, None, [])
    out = stream.feed([StreamChunk([TextDelta("buy Fabrikam")])])
    out += stream.finish()  # no ChoiceEnd: the upstream just stopped
    assert "".join(e.text for c in out for e in c.events) == "buy [REDACTED]"  # type: ignore[union-attr]


def test_config_rejects_what_cannot_work() -> None:
    with pytest.raises(pydantic.ValidationError):
        OutputPolicy(rules=[{"name": "x", "patterns": ["a*"]}])  # matches the empty string
    with pytest.raises(pydantic.ValidationError):
        OutputPolicy(rules=[{"name": "x", "patterns": ["(unclosed"]}])
    with pytest.raises(pydantic.ValidationError):
        OutputPolicy(rules=[{"name": "x"}])
    with pytest.raises(pydantic.ValidationError):
        OutputPolicy(json_schema={"type": "no-such-type"})


def test_unbounded_pattern_window_is_capped() -> None:
    policy = OutputPolicy(rules=[{"name": "x", "patterns": [r"ID-\d+"]}], max_pattern_chars=40)
    assert CompiledOutput(policy).window == 41


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("on_failure", "blocked"), [("open", False), ("closed", True)])
def test_classifier_unreachable_fails_as_configured(on_failure: str, blocked: bool) -> None:
    hook = ClassifierHook(
        url=f"http://127.0.0.1:{_closed_port()}/classify", timeout_s=0.5, on_failure=on_failure
    )
    ex: Any = SimpleNamespace(principal=None, request_id="req_1")

    async def ask() -> Any:
        classifier = Classifier()
        try:
            return await classifier.classify(hook, "text", ex, OutputPolicy())
        finally:
            await classifier.close()

    verdict = asyncio.run(ask())
    assert (verdict.hit is not None) == blocked
    assert verdict.detail["classifier"] == "unavailable"


def test_output_dlp_in_a_stream_matches_the_whole_answer() -> None:
    policy = OutputPolicy(dlp={"actions": {"default": "redact"}})
    text = "Contact me at jane.doe@example.com or call later. Thanks!"
    expected = whole(policy, text)
    assert "jane.doe" not in expected
    out, stream = run(policy, list(text))
    assert out == expected
    assert stream.held_max <= policy.dlp.window_chars  # type: ignore[union-attr]


def test_streams_get_pseudonyms_back_without_an_output_section() -> None:
    from interlock.config.schema import PolicyConfig
    from interlock.dlp.actions import Vault
    from interlock.exchange import ChatRequest, Exchange, Message, TextPart
    from interlock.output.stage import OutputStage

    holder: Any = SimpleNamespace(current=SimpleNamespace(config=object()))
    stage = OutputStage(holder)
    ex = Exchange("req_1", "openai.chat")
    ex.request = ChatRequest("m", [Message("user", [TextPart("hi [EMAIL_ADDRESS_1]")])])
    ex.principal = SimpleNamespace(policy=PolicyConfig(models=["*"], dlp={}))
    assert stage.stream_filter(ex) is None  # no pseudonyms, no output section: untouched
    vault = Vault()
    token = vault.token("EMAIL_ADDRESS", "jane@example.com")
    ex.pseudonyms = vault
    stream = stage.stream_filter(ex)
    assert stream is not None
    out = stream.feed([StreamChunk([TextDelta("to " + token[:5])])])
    out += stream.feed([StreamChunk([TextDelta(token[5:] + "!")])]) + stream.finish()
    assert "".join(e.text for c in out for e in c.events) == "to jane@example.com!"  # type: ignore[union-attr]
    ex.principal = SimpleNamespace(
        policy=PolicyConfig(models=["*"], dlp={"restore_pseudonyms": False})
    )
    assert stage.stream_filter(ex) is None  # the DLP section said not to restore


def test_block_in_the_text_held_at_the_end_ends_the_stream() -> None:
    stream = OutputStreamFilter(CompiledOutput(POLICY), None, None, [])
    out = stream.feed([StreamChunk([TextDelta("no guaranteed refund")])])
    with pytest.raises(EndStream) as end:
        stream.finish()
    sent = "".join(e.text for c in out for e in c.events if isinstance(e, TextDelta))
    sent += "".join(e.text for c in end.value.deliver for e in c.events)  # type: ignore[union-attr]
    assert sent == "no "
