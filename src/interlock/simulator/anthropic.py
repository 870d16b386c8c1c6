"""The simulated Anthropic Messages API: `/v1/messages`, `/v1/messages/count_tokens`, models.

Auth is `x-api-key` (or `Authorization: Bearer <key>`, which current official SDKs send) plus
a required `anthropic-version` header. Errors use Anthropic's shape
`{"type": "error", "error": {"type", "message"}, "request_id"}`.

Usage convention (as Anthropic reports it): `input_tokens` counts only the uncached input, so
with a "cache" model `input_tokens + cache_read_input_tokens` is the full input; the stream's
`message_delta` repeats the final, cumulative usage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aiohttp import web

from interlock.simulator.answers import (
    Answer,
    Prompt,
    ToolSpec,
    answer,
    input_tokens_for,
    split_fragments,
    stop_list,
)
from interlock.simulator.exchange import (
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

PROVIDER = "anthropic"
MODEL_IDS = ("claude-sonnet-4-5", "claude-opus-4-1", "claude-3-5-haiku-latest")
STOP_REASONS = {
    "stop": "end_turn",
    "stop_sequence": "stop_sequence",
    "length": "max_tokens",
    "tool_calls": "tool_use",
}
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def anthropic_error(status: int, message: str) -> web.Response:
    kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    payload = {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": "req_sim",
    }
    return json_response(payload, status=status, headers={"request-id": "req_sim"})


def auth_failure(request: web.Request) -> web.Response | None:
    """`x-api-key`, or `Authorization: Bearer` (what current official SDKs send)."""
    key = request.app[STATE].config.anthropic_key
    api_key = request.headers.get("x-api-key")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else None
    if api_key != key and bearer != key:
        message = (
            "invalid x-api-key" if api_key is not None else "invalid authentication credentials"
        )
        return anthropic_error(401, message)
    if not request.headers.get("anthropic-version"):
        return anthropic_error(400, "anthropic-version: header is required")
    return None


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [b for b in content if isinstance(b, dict)]
    return []


def _block_texts(prompt: Prompt, content: Any) -> list[str]:
    """Counts the text and images of some content blocks; returns the direct text blocks."""
    texts = []
    for block in _blocks(content):
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(prompt.count_text(block["text"]))
        elif kind == "image":
            prompt.count_image()
        elif kind == "tool_result":
            _block_texts(prompt, block.get("content"))
    return texts


def _tool_result_texts(content: Any) -> list[str]:
    results = []
    for block in _blocks(content):
        if block.get("type") == "tool_result":
            inner = _blocks(block.get("content"))
            results.append(" ".join(b["text"] for b in inner if isinstance(b.get("text"), str)))
    return results


def messages_prompt(model: str, body: dict[str, Any]) -> Prompt:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("messages: at least one message is required")
    if not isinstance(body.get("max_tokens"), int):
        raise InvalidRequest("max_tokens: Field required")
    prompt = Prompt(provider=PROVIDER, model=model)
    system = body.get("system")
    _block_texts(prompt, system)
    last_user_texts: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise InvalidRequest("messages: each message needs role 'user' or 'assistant'")
        texts = _block_texts(prompt, message.get("content"))
        if message["role"] == "user":
            last_user_texts = texts
    last = messages[-1]
    results = _tool_result_texts(last.get("content")) if last["role"] == "user" else []
    if results:
        prompt.tool_results = results
    prompt.last_is_user = last["role"] == "user" and not results
    prompt.last_user_text = " ".join(last_user_texts)
    _read_tools(prompt, body)
    prompt.max_tokens = body["max_tokens"]
    prompt.stop = stop_list(body.get("stop_sequences"))
    return prompt


def _read_tools(prompt: Prompt, body: dict[str, Any]) -> None:
    for tool in body.get("tools") or []:
        # Server tools (web search etc.) carry no input_schema and are not the model's to call.
        if isinstance(tool, dict) and isinstance(tool.get("input_schema"), dict):
            prompt.tools.append(ToolSpec(str(tool.get("name")), tool["input_schema"]))
    choice = body.get("tool_choice")
    if not isinstance(choice, dict):
        return
    if choice.get("type") == "none":
        prompt.tool_choice = "none"
    elif choice.get("type") == "tool":
        prompt.forced_tool = choice.get("name")
    if choice.get("disable_parallel_tool_use") is True:
        prompt.parallel_allowed = False


def anthropic_usage(result: Answer) -> dict[str, Any]:
    usage = result.usage
    return {
        "input_tokens": usage.input_tokens - usage.cached_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": usage.cached_tokens,
        "output_tokens": usage.output_tokens,
        "service_tier": "standard",
    }


def _content(result: Answer) -> list[dict[str, Any]]:
    if result.tool_calls:
        return [
            {
                "type": "tool_use",
                "id": f"toolu_sim_{tc.index}",
                "name": tc.name,
                "input": tc.arguments,
            }
            for tc in result.tool_calls
        ]
    return [{"type": "text", "text": result.text}]


def message_body(message_id: str, model: str, result: Answer) -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": _content(result),
        "stop_reason": STOP_REASONS[result.finish],
        "stop_sequence": result.stop_sequence,
        "usage": anthropic_usage(result),
    }


def _event(data: dict[str, Any]) -> bytes:
    return sse_event(data, data["type"])


def message_events(message_id: str, model: str, result: Answer) -> Iterator[bytes]:
    """The documented event flow: start, ping, one start/deltas/stop per block, delta, stop."""
    start = message_body(message_id, model, result)
    start.update(content=[], stop_reason=None, stop_sequence=None)
    start["usage"] = {**anthropic_usage(result), "output_tokens": 1}
    yield _event({"type": "message_start", "message": start})
    yield _event({"type": "ping"})
    if result.tool_calls:
        for tc in result.tool_calls:
            block = {
                "type": "tool_use",
                "id": f"toolu_sim_{tc.index}",
                "name": tc.name,
                "input": {},
            }
            yield _event({"type": "content_block_start", "index": tc.index, "content_block": block})
            for fragment in split_fragments(tc.arguments_json):
                delta = {"type": "input_json_delta", "partial_json": fragment}
                yield _event({"type": "content_block_delta", "index": tc.index, "delta": delta})
            yield _event({"type": "content_block_stop", "index": tc.index})
    else:
        block = {"type": "text", "text": ""}
        yield _event({"type": "content_block_start", "index": 0, "content_block": block})
        for word in result.chunks:
            delta = {"type": "text_delta", "text": word}
            yield _event({"type": "content_block_delta", "index": 0, "delta": delta})
        yield _event({"type": "content_block_stop", "index": 0})
    yield _event(
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": STOP_REASONS[result.finish],
                "stop_sequence": result.stop_sequence,
            },
            "usage": anthropic_usage(result),
        }
    )
    yield _event({"type": "message_stop"})


def malformed_events() -> Iterator[bytes]:
    yield sse_event(b'{"type": "message_start", "message": {"id": ', "message_start")


async def _intake(request: web.Request) -> Call | web.StreamResponse:
    body = parse_json(await request.read())
    model = body.get("model") if isinstance(body, dict) else None
    return await open_call(
        request,
        provider=PROVIDER,
        model=model if isinstance(model, str) else "",
        body=body,
        auth_failure=auth_failure(request),
        error=anthropic_error,
    )


async def create_message(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    if not isinstance(call.body, dict):
        return anthropic_error(400, "There was an issue with the request body: invalid JSON")
    if not call.model:
        return anthropic_error(400, "model: Field required")
    try:
        result = answer(messages_prompt(call.model, call.body))
    except InvalidRequest as exc:
        return anthropic_error(400, exc.message)
    message_id = call.state.next_id("msg_sim_")
    if call.body.get("stream") is True:
        events = (
            malformed_events() if call.malformed else message_events(message_id, call.model, result)
        )
        return await send_stream(
            call,
            events,
            content_type="text/event-stream; charset=utf-8",
            headers={"request-id": "req_sim"},
        )
    bad = malformed_response(call)
    if bad is not None:
        return bad
    return await send_body(call, json_response(message_body(message_id, call.model, result)))


async def count_tokens(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    if not isinstance(call.body, dict):
        return anthropic_error(400, "There was an issue with the request body: invalid JSON")
    body = {"max_tokens": 1, **call.body}  # count_tokens takes no max_tokens
    try:
        prompt = messages_prompt(call.model, body)
    except InvalidRequest as exc:
        return anthropic_error(400, exc.message)
    payload = {"input_tokens": input_tokens_for(prompt.text_chars)}
    return malformed_response(call) or await send_body(call, json_response(payload))


def model_object(model_id: str) -> dict[str, Any]:
    return {
        "type": "model",
        "id": model_id,
        "display_name": f"Simulated {model_id}",
        "created_at": "2025-01-01T00:00:00Z",
    }


async def list_models(request: web.Request) -> web.StreamResponse:
    result = await open_call(
        request,
        provider=PROVIDER,
        model="",
        body=None,
        auth_failure=auth_failure(request),
        error=anthropic_error,
    )
    if not isinstance(result, Call):
        return result
    data = [model_object(m) for m in MODEL_IDS]
    return json_response(
        {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
    )


async def get_model(request: web.Request) -> web.StreamResponse:
    model_id = request.match_info["model_id"]
    result = await open_call(
        request,
        provider=PROVIDER,
        model=model_id,
        body=None,
        auth_failure=auth_failure(request),
        error=anthropic_error,
    )
    if not isinstance(result, Call):
        return result
    return json_response(model_object(model_id))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/messages", create_message)
    app.router.add_post("/v1/messages/count_tokens", count_tokens)
    # GET /v1/models is shared with OpenAI; server.py dispatches on the headers.
