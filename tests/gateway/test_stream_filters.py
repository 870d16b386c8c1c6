"""The stream-filter hook: stages see chunks before the client, may hold back, rewrite, or end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import anthropic
import openai
import pytest

from interlock.errors import GatewayError
from interlock.exchange import Exchange, StreamChunk, TextDelta
from interlock.server.pipeline import EndStream
from tests.support import GatewayServer, gateway_config


class RedactWord:
    """Rewrites one word wherever it appears; holds one chunk back, as a real filter would."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.held: list[StreamChunk] = []

    def feed(self, chunks: list[StreamChunk]) -> list[StreamChunk]:
        out: list[StreamChunk] = []
        for chunk in chunks:
            if any(isinstance(e, TextDelta) and self.word in e.text for e in chunk.events):
                events = [
                    replace(e, text=e.text.replace(self.word, "[redacted]"))
                    if isinstance(e, TextDelta)
                    else e
                    for e in chunk.events
                ]
                chunk = StreamChunk(events)  # raw dropped: the renderer encodes the new text
            out.extend(self.held)
            self.held = [chunk]
        return out

    def finish(self) -> list[StreamChunk]:
        held, self.held = self.held, []
        return held


class EndAtWord:
    def __init__(self, word: str) -> None:
        self.word = word

    def feed(self, chunks: list[StreamChunk]) -> list[StreamChunk]:
        for i, chunk in enumerate(chunks):
            for e in chunk.events:
                if isinstance(e, TextDelta) and self.word in e.text:
                    error = GatewayError("forbidden", "The answer broke an output policy")
                    raise EndStream(error, deliver=chunks[:i])
        return chunks

    def finish(self) -> list[StreamChunk]:
        return []


class Filters:
    def stream_filter(self, ex: Exchange) -> Any:
        text = ex.request.messages[-1].text()  # type: ignore[union-attr]
        if "stop-at" in text:
            return EndAtWord("five")
        return RedactWord("three")


@pytest.fixture(scope="module")
def gw(simulator: Any) -> Iterator[GatewayServer]:
    server = GatewayServer(gateway_config(simulator.url), addons=[Filters()])
    yield server
    server.close()


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet"])
def test_openai_stream_is_rewritten_before_the_client_sees_it(
    gw: GatewayServer, model: str
) -> None:
    client = openai.OpenAI(base_url=gw.url + "/v1", api_key="unused")
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "one two three four"}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text.endswith("You said: one two [redacted] four")
    assert "three" not in text


def test_anthropic_stream_is_rewritten_too(gw: GatewayServer) -> None:
    client = anthropic.Anthropic(base_url=gw.url, api_key="unused")
    with client.messages.stream(
        model="claude-sonnet",
        max_tokens=100,
        messages=[{"role": "user", "content": "one two three four"}],
    ) as stream:
        text = "".join(stream.text_stream)
    assert text.endswith("You said: one two [redacted] four")


def test_a_filter_can_end_the_stream_with_an_error_event(gw: GatewayServer) -> None:
    client = openai.OpenAI(base_url=gw.url + "/v1", api_key="unused")
    received: list[str] = []
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        stream=True,
        messages=[{"role": "user", "content": "stop-at one two three four five six"}],
    )
    with pytest.raises(openai.APIError, match="output policy"):
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert "five" not in "".join(received)
    assert "".join(received).endswith("three four")
