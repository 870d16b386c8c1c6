"""Rebuilds a whole answer from stream events, so a streamed exchange is recorded like any other."""

from __future__ import annotations

from interlock.exchange import (
    ChatResponse,
    Choice,
    ChoiceEnd,
    StreamChunk,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    ToolCallStart,
    Usage,
    UsageReport,
)


class StreamAccumulator:
    __slots__ = ("calls", "finish", "id", "model", "text", "usage")

    def __init__(self) -> None:
        self.id = ""
        self.model = ""
        self.text: dict[int, list[str]] = {}
        self.calls: dict[int, dict[int, ToolCall]] = {}
        self.finish: dict[int, str] = {}
        self.usage = Usage()

    def add(self, chunk: StreamChunk) -> None:
        for e in chunk.events:
            if isinstance(e, TextDelta):
                self.text.setdefault(e.choice, []).append(e.text)
            elif isinstance(e, ToolCallStart):
                self.calls.setdefault(e.choice, {})[e.index] = ToolCall(e.id, e.name, "")
            elif isinstance(e, ToolCallDelta):
                call = self.calls.setdefault(e.choice, {}).get(e.index)
                if call is not None:
                    call.arguments += e.arguments
            elif isinstance(e, ChoiceEnd):
                self.finish[e.choice] = e.finish_reason
            elif isinstance(e, UsageReport):
                self.usage.add(e.usage)
            elif isinstance(e, StreamStart):
                self.id, self.model = e.id, e.model

    def response(self) -> ChatResponse:
        indexes = sorted(set(self.text) | set(self.calls) | set(self.finish)) or [0]
        choices = []
        for i in indexes:
            parts: list[TextPart | ToolCall] = []
            if self.text.get(i):
                parts.append(TextPart("".join(self.text[i])))
            parts.extend(self.calls.get(i, {}).values())
            choices.append(Choice(i, parts, self.finish.get(i)))  # type: ignore[arg-type]
        return ChatResponse(self.id, self.model, choices, self.usage)
