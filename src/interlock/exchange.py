"""The canonical exchange: one shape for every way in and every provider.

Ingress parses a client's wire format into these types; provider adapters translate them to
the upstream's wire format and back. Policies (DLP, injection, routing, budgets, audit) read
and write only these types, so no endpoint can skip a policy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "error"]
WireFormat = Literal[
    "openai.chat",
    "openai.completions",
    "openai.embeddings",
    "openai.responses",
    "anthropic.messages",
]


@dataclass(slots=True)
class TextPart:
    text: str


@dataclass(slots=True)
class ImagePart:
    """An image as a URL (http(s)) or inline base64 data with its media type."""

    url: str | None = None
    data: str | None = None
    media_type: str | None = None
    detail: str | None = None

    @classmethod
    def from_url(cls, url: str, detail: str | None = None) -> ImagePart:
        # A data URL is split so adapters that only take inline bytes (Anthropic, Bedrock,
        # Gemini) can use it without re-parsing.
        if url.startswith("data:") and ";base64," in url:
            head, data = url[5:].split(";base64,", 1)
            return cls(data=data, media_type=head or "image/png", detail=detail)
        return cls(url=url, detail=detail)

    def as_data_url(self) -> str:
        if self.data is not None:
            return f"data:{self.media_type or 'image/png'};base64,{self.data}"
        return self.url or ""


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # the JSON text of the arguments, as the model produced it


@dataclass(slots=True)
class ToolResult:
    tool_call_id: str
    content: list[TextPart | ImagePart]
    is_error: bool = False
    name: str | None = None  # Gemini matches results by function name, not id

    def text(self) -> str:
        return "".join(p.text for p in self.content if isinstance(p, TextPart))


Part = TextPart | ImagePart | ToolCall | ToolResult


@dataclass(slots=True)
class Message:
    role: Role
    parts: list[Part]
    name: str | None = None

    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


@dataclass(slots=True)
class Tool:
    name: str
    description: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    strict: bool | None = None


@dataclass(slots=True)
class ToolChoice:
    mode: Literal["auto", "none", "required", "tool"] = "auto"
    name: str | None = None  # with mode "tool"


@dataclass(slots=True)
class ResponseFormat:
    type: Literal["text", "json_object", "json_schema"] = "text"
    schema: dict[str, Any] | None = None
    name: str | None = None
    strict: bool | None = None


@dataclass(slots=True)
class ChatRequest:
    """A chat request in canonical form.

    `raw` keeps the client's parsed body; an adapter that speaks the same wire family may send
    it (with the model replaced) while `modified` is false, so fields the canonical form does
    not model still reach the provider. A stage that rewrites content sets `modified`.
    """

    model: str
    messages: list[Message]
    tools: list[Tool] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    n: int = 1
    seed: int | None = None
    logprobs: bool = False
    top_logprobs: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_format: ResponseFormat | None = None
    stream: bool = False
    include_usage: bool = False  # the client asked for the usage chunk of an OpenAI stream
    user: str | None = None
    metadata: dict[str, Any] | None = None
    raw: dict[str, Any] | None = None
    modified: bool = False
    legacy_prompt: bool = False  # came in as /v1/completions: one prompt, text out

    def has_images(self) -> bool:
        return any(
            isinstance(p, ImagePart)
            or (isinstance(p, ToolResult) and any(isinstance(c, ImagePart) for c in p.content))
            for m in self.messages
            for p in m.parts
        )


@dataclass(slots=True)
class EmbeddingRequest:
    model: str
    inputs: list[str]
    dimensions: int | None = None
    encoding_format: Literal["float", "base64"] = "float"
    user: str | None = None
    raw: dict[str, Any] | None = None
    single_input: bool = False  # the client sent one string, not a list
    stream: bool = False  # always false; lets the pipeline treat requests alike


@dataclass(slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, other: Usage) -> None:
        self.input_tokens = max(self.input_tokens, other.input_tokens)
        self.output_tokens = max(self.output_tokens, other.output_tokens)
        self.cached_input_tokens = max(self.cached_input_tokens, other.cached_input_tokens)
        self.cache_write_tokens = max(self.cache_write_tokens, other.cache_write_tokens)
        self.reasoning_tokens = max(self.reasoning_tokens, other.reasoning_tokens)


@dataclass(slots=True)
class Choice:
    index: int
    parts: list[TextPart | ToolCall]
    finish_reason: FinishReason | None = "stop"
    logprobs: Any = None

    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    def tool_calls(self) -> list[ToolCall]:
        return [p for p in self.parts if isinstance(p, ToolCall)]


@dataclass(slots=True)
class ChatResponse:
    id: str
    model: str
    choices: list[Choice]
    usage: Usage
    created: int = field(default_factory=lambda: int(time.time()))
    raw: dict[str, Any] | None = None  # the provider's parsed body, for same-family pass-through
    raw_body: bytes | None = None  # its bytes as received: sent on as-is when nothing changed it
    system_fingerprint: str | None = None


@dataclass(slots=True)
class EmbeddingResponse:
    model: str
    vectors: list[list[float]]
    usage: Usage
    raw: dict[str, Any] | None = None


# ---- stream events: what a provider stream is decoded into -------------------------------


@dataclass(slots=True)
class StreamStart:
    id: str
    model: str


@dataclass(slots=True)
class TextDelta:
    text: str
    choice: int = 0
    logprobs: Any = None


@dataclass(slots=True)
class ToolCallStart:
    index: int  # position of this call among the choice's tool calls
    id: str
    name: str
    choice: int = 0


@dataclass(slots=True)
class ToolCallDelta:
    index: int
    arguments: str
    choice: int = 0


@dataclass(slots=True)
class ChoiceEnd:
    finish_reason: FinishReason
    choice: int = 0


@dataclass(slots=True)
class UsageReport:
    usage: Usage


StreamEvent = StreamStart | TextDelta | ToolCallStart | ToolCallDelta | ChoiceEnd | UsageReport


@dataclass(slots=True)
class StreamChunk:
    """What one upstream frame decoded to.

    `raw` is the provider's own frame (the SSE data payload for OpenAI-style streams, the whole
    SSE frame for Anthropic), so a client of the same family can be sent the provider's bytes
    as they were; renderers use it only when the exchange was served by their own family.
    """

    events: list[StreamEvent]
    raw: bytes | None = None


# ---- the exchange --------------------------------------------------------------------------


@dataclass(slots=True)
class Attempt:
    provider: str
    model: str
    status: int | None = None
    error: str | None = None
    started: float = 0.0
    duration_ms: float = 0.0


@dataclass(slots=True)
class Decision:
    """One stage's verdict, appended in pipeline order; the audit trail is made of these."""

    stage: str
    outcome: str
    detail: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.perf_counter)  # when it was made: stage latency


@dataclass(slots=True)
class Exchange:
    request_id: str
    wire: WireFormat
    # None until ingress has parsed the body: refused and malformed requests are exchanges too,
    # so they reach the audit trail like any other.
    request: ChatRequest | EmbeddingRequest | None = None
    received_at: float = field(default_factory=time.time)
    started: float = field(default_factory=time.perf_counter)
    response: ChatResponse | EmbeddingResponse | None = None
    usage: Usage = field(default_factory=Usage)
    attempts: list[Attempt] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    served_by: tuple[str, str] | None = None  # (provider, model) that produced the answer
    served_family: str | None = None  # wire family of that provider: "openai", "anthropic", ...
    status: int = 200
    error_code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers stages add
    principal: Any = None  # who is calling: identity, team, application, policy (auth stage)
    # Which configured models the caller's policy allows (auth stage); routing drops the rest.
    model_filter: Callable[[str], bool] | None = None
    audit: Any = None  # the audit stage's per-exchange notes (client headers, phase times)
    client_headers: Any = None  # the caller's request headers, as received (read-only)
    # DLP's pseudonym vault (token <-> real value) so answers can be restored; wiped when done.
    pseudonyms: Any = None

    def decide(self, stage: str, outcome: str, **detail: Any) -> None:
        self.decisions.append(Decision(stage, outcome, detail))
