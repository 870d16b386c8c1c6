"""The simulated Google Gemini API (Generative Language, `v1beta` and `v1`).

`POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent` (`?alt=sse` for
server-sent events, otherwise a progressively written JSON array), `:countTokens`,
`:embedContent`, `:batchEmbedContents`; `GET /v1beta/models[/{model}]`. Auth is the
`x-goog-api-key` header or the `key` query parameter. Request fields are accepted in both
camelCase and snake_case, as the real API does. Errors use Google's shape
`{"error": {"code", "message", "status"}}`.

Usage convention (as Gemini reports it): `promptTokenCount` includes `cachedContentTokenCount`,
`candidatesTokenCount` excludes `thoughtsTokenCount`, and `totalTokenCount` adds all three;
zero-valued optional counts are omitted, as proto3 JSON does. Streamed chunks carry the running
usage; the last one carries `finishReason` and the final usage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
from aiohttp import web

from interlock.simulator.answers import (
    DEFAULT_EMBEDDING_DIMENSIONS,
    Answer,
    Prompt,
    ToolSpec,
    answer,
    embedding_vector,
    input_tokens_for,
    stop_list,
)
from interlock.simulator.exchange import (
    MALFORMED_JSON,
    Call,
    InvalidRequest,
    json_response,
    malformed_response,
    open_call,
    parse_json,
    send_body,
    send_stream,
)
from interlock.simulator.sse import sse_event
from interlock.simulator.state import STATE

PROVIDER = "gemini"
MODEL_IDS = ("gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-pro", "text-embedding-004")
FINISH_REASONS = {
    "stop": "STOP",
    "stop_sequence": "STOP",
    "length": "MAX_TOKENS",
    "tool_calls": "STOP",
}
_STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_CAMEL_HUMP = re.compile(r"(?<!^)(?=[A-Z])")


def gemini_error(status: int, message: str) -> web.Response:
    code = _STATUSES.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION")
    return json_response(
        {"error": {"code": status, "message": message, "status": code}}, status=status
    )


def auth_failure(request: web.Request) -> web.Response | None:
    key = request.headers.get("x-goog-api-key") or request.query.get("key")
    if key == request.app[STATE].config.gemini_key:
        return None
    return gemini_error(401, "API key not valid. Please pass a valid API key.")


def field(obj: Any, camel: str) -> Any:
    """A request field by its camelCase name, or by the snake_case spelling."""
    if not isinstance(obj, dict):
        return None
    if camel in obj:
        return obj[camel]
    return obj.get(_CAMEL_HUMP.sub("_", camel).lower())


def _parts(content: Any) -> list[dict[str, Any]]:
    parts = field(content, "parts")
    return [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []


def _count_parts(prompt: Prompt, content: Any) -> list[str]:
    texts = []
    for part in _parts(content):
        if isinstance(part.get("text"), str):
            texts.append(prompt.count_text(part["text"]))
        for key in ("inlineData", "fileData"):
            blob = field(part, key)
            if isinstance(blob, dict) and str(field(blob, "mimeType") or "").startswith("image/"):
                prompt.count_image()
        response = field(part, "functionResponse")
        if isinstance(response, dict):
            prompt.count_text(_response_text(response))
    return texts


def _response_text(function_response: dict[str, Any]) -> str:
    return orjson.dumps(function_response.get("response", {})).decode()


def generate_prompt(model: str, body: dict[str, Any]) -> tuple[Prompt, int]:
    """The prompt, and the requested candidate count."""
    contents = field(body, "contents")
    if not isinstance(contents, list) or not contents:
        raise InvalidRequest("* GenerateContentRequest.contents: contents is not specified")
    prompt = Prompt(provider=PROVIDER, model=model)
    _count_parts(prompt, field(body, "systemInstruction"))
    last_user_texts: list[str] = []
    for content in contents:
        texts = _count_parts(prompt, content)
        if field(content, "role") in (None, "user"):
            last_user_texts = texts
    last = contents[-1]
    responses = [field(p, "functionResponse") for p in _parts(last)]
    results = [_response_text(r) for r in responses if isinstance(r, dict)]
    if results:
        prompt.tool_results = results
    prompt.last_is_user = field(last, "role") in (None, "user") and not results
    prompt.last_user_text = " ".join(last_user_texts)
    _read_tools(prompt, body)
    return prompt, _read_generation_config(prompt, field(body, "generationConfig"))


def _read_tools(prompt: Prompt, body: dict[str, Any]) -> None:
    for tool in field(body, "tools") or []:
        for declaration in field(tool, "functionDeclarations") or []:
            if isinstance(declaration, dict) and isinstance(declaration.get("name"), str):
                schema = field(declaration, "parameters") or field(
                    declaration, "parametersJsonSchema"
                )
                prompt.tools.append(ToolSpec(declaration["name"], schema or {}))
    config = field(field(body, "toolConfig"), "functionCallingConfig")
    mode = str(field(config, "mode") or "AUTO").upper()
    if mode == "NONE":
        prompt.tool_choice = "none"
    allowed = field(config, "allowedFunctionNames")
    if mode == "ANY" and isinstance(allowed, list) and len(allowed) == 1:
        prompt.forced_tool = allowed[0]


def _read_generation_config(prompt: Prompt, config: Any) -> int:
    if not isinstance(config, dict):
        return 1
    limit = field(config, "maxOutputTokens")
    prompt.max_tokens = limit if isinstance(limit, int) else None
    prompt.stop = stop_list(field(config, "stopSequences"))
    if field(config, "responseMimeType") == "application/json":
        schema = field(config, "responseSchema") or field(config, "responseJsonSchema")
        prompt.json_mode = "schema" if isinstance(schema, dict) else "object"
        prompt.json_schema = schema if isinstance(schema, dict) else None
    count = field(config, "candidateCount")
    return count if isinstance(count, int) and count >= 1 else 1


def gemini_usage(
    result: Answer, candidates: int, output_so_far: int | None = None
) -> dict[str, Any]:
    usage = result.usage
    output = (usage.output_tokens if output_so_far is None else output_so_far) * candidates
    thoughts = usage.reasoning_tokens
    body: dict[str, Any] = {
        "promptTokenCount": usage.input_tokens,
        "candidatesTokenCount": output,
        "totalTokenCount": usage.input_tokens + output + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": usage.input_tokens}],
    }
    if usage.cached_tokens:
        body["cachedContentTokenCount"] = usage.cached_tokens
    if thoughts:
        body["thoughtsTokenCount"] = thoughts
    return body


def _answer_parts(result: Answer) -> list[dict[str, Any]]:
    if result.tool_calls:
        return [
            {"functionCall": {"name": tc.name, "args": tc.arguments}} for tc in result.tool_calls
        ]
    return [{"text": result.text}]


def _candidates(
    parts: list[dict[str, Any]], count: int, finish: str | None
) -> list[dict[str, Any]]:
    candidates = []
    for index in range(count):
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
        if finish is not None:
            candidate["finishReason"] = finish
        candidate["index"] = index
        candidates.append(candidate)
    return candidates


class GenerateRendering:
    def __init__(self, call: Call, result: Answer, candidates: int) -> None:
        self.result = result
        self.count = candidates
        self.tail = {"modelVersion": call.model, "responseId": call.state.next_id("sim-resp-")}

    def response(self) -> dict[str, Any]:
        finish = FINISH_REASONS[self.result.finish]
        return {
            "candidates": _candidates(_answer_parts(self.result), self.count, finish),
            "usageMetadata": gemini_usage(self.result, self.count),
            **self.tail,
        }

    def stream_bodies(self) -> Iterator[dict[str, Any]]:
        finish = FINISH_REASONS[self.result.finish]
        if self.result.tool_calls:
            # Gemini streams function calls whole, in a single chunk.
            yield self.response()
            return
        words = self.result.chunks or [""]
        for position, word in enumerate(words, start=1):
            last = position == len(words)
            yield {
                "candidates": _candidates([{"text": word}], self.count, finish if last else None),
                "usageMetadata": gemini_usage(self.result, self.count, None if last else position),
                **self.tail,
            }


def sse_chunks(bodies: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for body in bodies:
        yield sse_event(body, crlf=True)


def json_array_chunks(bodies: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """Without alt=sse the stream is one JSON array, written element by element."""
    opener = b"["
    for body in bodies:
        yield opener + orjson.dumps(body)
        opener = b",\r\n"
    yield b"]"


async def _intake(request: web.Request, model: str) -> Call | web.StreamResponse:
    return await open_call(
        request,
        provider=PROVIDER,
        model=model,
        body=parse_json(await request.read()),
        auth_failure=auth_failure(request),
        error=gemini_error,
    )


async def _generate(call: Call, *, streaming: bool) -> web.StreamResponse:
    try:
        prompt, candidates = generate_prompt(call.model, call.body)
    except InvalidRequest as exc:
        return gemini_error(400, exc.message)
    rendering = GenerateRendering(call, answer(prompt), candidates)
    if not streaming:
        return malformed_response(call) or await send_body(
            call, json_response(rendering.response())
        )
    sse = call.request.query.get("alt") == "sse"
    if call.malformed:
        chunks: Iterator[bytes] = iter(
            [sse_event(MALFORMED_JSON, crlf=True) if sse else MALFORMED_JSON]
        )
    else:
        bodies = rendering.stream_bodies()
        chunks = sse_chunks(bodies) if sse else json_array_chunks(bodies)
    content_type = "text/event-stream" if sse else "application/json; charset=UTF-8"
    return await send_stream(call, chunks, content_type=content_type)


async def _count_tokens(call: Call) -> web.StreamResponse:
    request_body = field(call.body, "generateContentRequest") or call.body
    try:
        prompt, _ = generate_prompt(call.model, request_body)
    except InvalidRequest as exc:
        return gemini_error(400, exc.message)
    payload = {"totalTokens": input_tokens_for(prompt.text_chars)}
    return malformed_response(call) or await send_body(call, json_response(payload))


def _embedding(request_body: Any) -> tuple[list[float], None] | tuple[None, str]:
    texts = [
        p["text"] for p in _parts(field(request_body, "content")) if isinstance(p.get("text"), str)
    ]
    if not texts:
        return None, "* EmbedContentRequest.content: contents is not specified"
    dimensions = field(request_body, "outputDimensionality") or DEFAULT_EMBEDDING_DIMENSIONS
    if not isinstance(dimensions, int) or dimensions < 1:
        return None, "* EmbedContentRequest.output_dimensionality: must be positive"
    return embedding_vector(" ".join(texts), dimensions), None


async def _embed(call: Call, *, batch: bool) -> web.StreamResponse:
    requests = field(call.body, "requests") if batch else [call.body]
    if not isinstance(requests, list) or not requests:
        return gemini_error(400, "* BatchEmbedContentsRequest.requests: requests is not specified")
    vectors = []
    for item in requests:
        vector, problem = _embedding(item)
        if vector is None:
            return gemini_error(400, problem or "invalid embedding request")
        vectors.append({"values": vector})
    payload = {"embeddings": vectors} if batch else {"embedding": vectors[0]}
    return malformed_response(call) or await send_body(call, json_response(payload))


async def model_action(request: web.Request) -> web.StreamResponse:
    model, _, method = request.match_info["target"].rpartition(":")
    call = await _intake(request, model)
    if not isinstance(call, Call):
        return call
    if not isinstance(call.body, dict):
        return gemini_error(400, "Invalid JSON payload received.")
    if method in ("generateContent", "streamGenerateContent"):
        return await _generate(call, streaming=method == "streamGenerateContent")
    if method == "countTokens":
        return await _count_tokens(call)
    if method in ("embedContent", "batchEmbedContents"):
        return await _embed(call, batch=method == "batchEmbedContents")
    return gemini_error(404, f"Method '{method}' is not found for models/{model}.")


def model_object(model_id: str) -> dict[str, Any]:
    embedding = "embedding" in model_id
    methods = (
        ["embedContent", "batchEmbedContents"] if embedding else ["generateContent", "countTokens"]
    )
    return {
        "name": f"models/{model_id}",
        "version": "sim",
        "displayName": f"Simulated {model_id}",
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": 8192,
        "supportedGenerationMethods": methods,
    }


async def list_models(request: web.Request) -> web.StreamResponse:
    call = await open_call(
        request,
        provider=PROVIDER,
        model="",
        body=None,
        auth_failure=auth_failure(request),
        error=gemini_error,
    )
    if not isinstance(call, Call):
        return call
    return json_response({"models": [model_object(m) for m in MODEL_IDS]})


async def describe_model(request: web.Request, model: str) -> web.StreamResponse:
    call = await open_call(
        request,
        provider=PROVIDER,
        model=model,
        body=None,
        auth_failure=auth_failure(request),
        error=gemini_error,
    )
    if not isinstance(call, Call):
        return call
    return json_response(model_object(model))


async def get_model(request: web.Request) -> web.StreamResponse:
    return await describe_model(request, request.match_info["target"])


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1beta/models/{target}", model_action)
    app.router.add_post("/v1/models/{target}", model_action)
    app.router.add_get("/v1beta/models/{target}", get_model)
    app.router.add_get("/v1beta/models", list_models)
    # GET /v1/models[/{id}] is shared with OpenAI and Anthropic; server.py dispatches.
