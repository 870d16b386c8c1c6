"""OpenAI and every OpenAI-compatible server (vLLM, Ollama, Mistral, Groq, Together, DeepSeek)."""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping
from typing import Any

import orjson

from interlock.config.schema import ProviderConfig
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    StreamChunk,
    Usage,
)
from interlock.providers.base import (
    ProtocolError,
    Target,
    UpstreamError,
    UpstreamRequest,
    retry_after_seconds,
)
from interlock.providers.sse import SSEDecoder
from interlock.wire import openai_chat


class OpenAIStreamDecoder:
    __slots__ = ("_done", "_first", "_sse")

    def __init__(self) -> None:
        self._sse = SSEDecoder()
        self._first = True
        self._done = False

    def feed(self, data: bytes) -> list[StreamChunk]:
        chunks: list[StreamChunk] = []
        for event in self._sse.feed(data):
            if event.data == b"[DONE]":
                self._done = True
                continue
            try:
                frame = orjson.loads(event.data)
            except orjson.JSONDecodeError:
                raise ProtocolError("stream frame is not JSON") from None
            if not isinstance(frame, dict):
                raise ProtocolError("stream frame is not an object")
            if "error" in frame and "choices" not in frame:
                err = frame["error"] if isinstance(frame["error"], dict) else {}
                raise ProtocolError(f"upstream stream error: {err.get('message', 'unknown')}")
            chunks.append(StreamChunk(openai_chat.decode_chunk(frame, self._first), event.data))
            self._first = False
        return chunks

    def close(self) -> list[StreamChunk]:
        if not self._done:
            raise ProtocolError("stream ended before [DONE]")
        return []


class OpenAIAdapter:
    family = "openai"
    default_base_url = "https://api.openai.com/v1"

    def __init__(self, name: str, config: ProviderConfig) -> None:
        self.name = name
        self.config = config
        self.base_url = config.base_url or self.default_base_url
        self._headers = {"content-type": "application/json", **config.headers}
        if config.api_key:
            self._headers["authorization"] = f"Bearer {config.api_key}"

    def url(self, target: Target, operation: str) -> str:
        return f"{self.base_url}/{operation}"

    def chat_request(self, req: ChatRequest, target: Target, wire: str) -> UpstreamRequest:
        if req.legacy_prompt and wire == "openai.completions" and req.raw is not None:
            body = dict(req.raw)
            if req.modified:  # a stage rewrote the prompt: send what it left, not the original
                body["prompt"] = req.messages[-1].text()
            body["model"] = target.upstream_model
            if req.stream:
                body["stream_options"] = {
                    **(body.get("stream_options") or {}),
                    "include_usage": True,
                }
            return UpstreamRequest(
                "POST", self.url(target, "completions"), self._headers, orjson.dumps(body)
            )
        body = openai_chat.build_request(req, target.upstream_model, wire == "openai.chat")
        return UpstreamRequest(
            "POST", self.url(target, "chat/completions"), self._headers, orjson.dumps(body)
        )

    def chat_response(self, body: bytes, target: Target) -> ChatResponse:
        data = _object(body)
        if data.get("object") == "text_completion":
            return _decode_completion(data)
        response = openai_chat.decode_response(data)
        response.raw_body = body
        return response

    def chat_stream(self, target: Target) -> OpenAIStreamDecoder:
        return OpenAIStreamDecoder()

    def embedding_request(self, req: EmbeddingRequest, target: Target) -> UpstreamRequest:
        body: dict[str, Any] = {"model": target.upstream_model, "input": req.inputs}
        if req.dimensions is not None:
            body["dimensions"] = req.dimensions
        if req.user is not None:
            body["user"] = req.user
        # Always floats upstream: the gateway re-encodes for clients that asked for base64.
        body["encoding_format"] = "float"
        return UpstreamRequest(
            "POST", self.url(target, "embeddings"), self._headers, orjson.dumps(body)
        )

    def embedding_response(self, body: bytes, target: Target) -> EmbeddingResponse:
        data = _object(body)
        items = sorted(data.get("data") or [], key=lambda d: d.get("index", 0))
        vectors = [_vector(item.get("embedding")) for item in items]
        usage = data.get("usage") or {}
        return EmbeddingResponse(
            model=str(data.get("model", target.upstream_model)),
            vectors=vectors,
            usage=Usage(input_tokens=int(usage.get("prompt_tokens") or 0)),
            raw=data,
        )

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> UpstreamError:
        message, kind = f"upstream answered HTTP {status}", None
        try:
            err = orjson.loads(body).get("error")
            if isinstance(err, dict):
                message = str(err.get("message") or message)
                kind = err.get("type") or err.get("code")
        except (orjson.JSONDecodeError, AttributeError):
            pass
        return UpstreamError(status, message, kind, retry_after_seconds(headers))


class AzureOpenAIAdapter(OpenAIAdapter):
    """Azure OpenAI: the deployment is in the path, `api-version` in the query, `api-key` header."""

    def __init__(self, name: str, config: ProviderConfig) -> None:
        super().__init__(name, config)
        self._headers = {
            "content-type": "application/json",
            "api-key": config.api_key or "",
            **config.headers,
        }

    def url(self, target: Target, operation: str) -> str:
        return (
            f"{self.base_url}/openai/deployments/{target.upstream_model}/{operation}"
            f"?api-version={self.config.api_version}"
        )


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ProtocolError("response body is not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("response body is not a JSON object")
    return data


def _vector(value: Any) -> list[float]:
    if isinstance(value, str):  # some servers send base64 even when asked for floats
        raw = base64.b64decode(value)
        return list(struct.unpack(f"<{len(raw) // 4}f", raw))
    if not isinstance(value, list):
        raise ProtocolError("embedding is not a list of numbers")
    return value


def _decode_completion(data: dict[str, Any]) -> ChatResponse:
    from interlock.exchange import Choice, TextPart

    choices = [
        Choice(
            int(c.get("index", i)),
            [TextPart(c.get("text") or "")],
            openai_chat._FINISH_IN.get(c.get("finish_reason") or "stop", "stop"),
            c.get("logprobs"),
        )
        for i, c in enumerate(data.get("choices") or [])
    ]
    return ChatResponse(
        id=str(data.get("id", "")),
        model=str(data.get("model", "")),
        choices=choices,
        usage=openai_chat.decode_usage(data.get("usage")),
        created=int(data.get("created") or 0),
        raw=data,
    )
