"""The simulated AWS Bedrock Runtime: Converse and ConverseStream.

Every request must carry a valid SigV4 signature (service `bedrock`, the configured region and
key pair), verified against the request as it arrived; otherwise 403 with Bedrock's error
shape: body `{"message": ...}` and the error type in the `x-amzn-ErrorType` header.
ConverseStream answers in the AWS binary event-stream framing.

Usage convention (as Bedrock reports it): `inputTokens` excludes `cacheReadInputTokens`, and
`totalTokens` = input + output + cache read + cache write.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import orjson
from aiohttp import web

from interlock.simulator import sigv4
from interlock.simulator.answers import (
    Answer,
    Prompt,
    ToolSpec,
    answer,
    split_fragments,
    stop_list,
)
from interlock.simulator.eventstream import CONTENT_TYPE, event_message
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
from interlock.simulator.state import STATE

PROVIDER = "bedrock"
SERVICE = "bedrock"
STOP_REASONS = {
    "stop": "end_turn",
    "stop_sequence": "stop_sequence",
    "length": "max_tokens",
    "tool_calls": "tool_use",
}
_ERROR_TYPES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


def bedrock_error(status: int, message: str, error_type: str | None = None) -> web.Response:
    kind = error_type or _ERROR_TYPES.get(
        status, "InternalServerException" if status >= 500 else "ValidationException"
    )
    headers = {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return json_response({"message": message}, status=status, headers=headers)


def signature_failure(request: web.Request, body: bytes) -> web.Response | None:
    config = request.app[STATE].config
    key = sigv4.SigningKey(
        config.aws_access_key_id, config.aws_secret_access_key, config.aws_region, SERVICE
    )
    # raw_path is the request target exactly as sent, percent-encoding included.
    raw_path, _, raw_query = request.raw_path.partition("?")
    signed = sigv4.SignedRequest(
        request.method, raw_path, raw_query, list(request.headers.items()), body
    )
    try:
        sigv4.verify(signed, key)
    except sigv4.SignatureRejected as exc:
        return bedrock_error(403, exc.message, exc.code)
    return None


def model_id_from(request: web.Request) -> str:
    """The model id from the raw path, so that encoded ARNs (`%2F`) decode correctly."""
    raw_path = request.raw_path.partition("?")[0]
    segment = raw_path.split("/")[2] if raw_path.count("/") >= 3 else ""
    return unquote(segment)


def _count_content(prompt: Prompt, blocks: Any) -> list[str]:
    texts = []
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("text"), str):
            texts.append(prompt.count_text(block["text"]))
        elif "image" in block:
            prompt.count_image()
        elif isinstance(block.get("toolResult"), dict):
            for text in _result_texts(block["toolResult"]):
                prompt.count_text(text)
            for inner in block["toolResult"].get("content") or []:
                if isinstance(inner, dict) and "image" in inner:
                    prompt.count_image()
    return texts


def _result_texts(result: dict[str, Any]) -> list[str]:
    texts = []
    for inner in result.get("content") or []:
        if isinstance(inner, dict) and isinstance(inner.get("text"), str):
            texts.append(inner["text"])
        elif isinstance(inner, dict) and "json" in inner:
            texts.append(orjson.dumps(inner["json"]).decode())
    return texts


def converse_prompt(model: str, body: dict[str, Any]) -> Prompt:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("A conversation must start with a user message.")
    prompt = Prompt(provider=PROVIDER, model=model)
    _count_content(prompt, body.get("system"))
    last_user_texts: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise InvalidRequest("Each message needs a role of user or assistant.")
        texts = _count_content(prompt, message.get("content"))
        if message["role"] == "user":
            last_user_texts = texts
    last = messages[-1]
    results = [
        " ".join(_result_texts(block["toolResult"]))
        for block in last.get("content") or []
        if isinstance(block, dict) and isinstance(block.get("toolResult"), dict)
    ]
    if last["role"] == "user" and results:
        prompt.tool_results = results
    prompt.last_is_user = last["role"] == "user" and not results
    prompt.last_user_text = " ".join(last_user_texts)
    _read_tools(prompt, body.get("toolConfig"))
    inference = body.get("inferenceConfig") or {}
    limit = inference.get("maxTokens")
    prompt.max_tokens = limit if isinstance(limit, int) else None
    prompt.stop = stop_list(inference.get("stopSequences"))
    return prompt


def _read_tools(prompt: Prompt, config: Any) -> None:
    if not isinstance(config, dict):
        return
    for tool in config.get("tools") or []:
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if isinstance(spec, dict) and isinstance(spec.get("name"), str):
            schema = (spec.get("inputSchema") or {}).get("json") or {}
            prompt.tools.append(ToolSpec(spec["name"], schema))
    choice = config.get("toolChoice")
    if isinstance(choice, dict) and isinstance(choice.get("tool"), dict):
        prompt.forced_tool = choice["tool"].get("name")


def bedrock_usage(result: Answer) -> dict[str, Any]:
    usage = result.usage
    uncached = usage.input_tokens - usage.cached_tokens
    return {
        "inputTokens": uncached,
        "outputTokens": usage.output_tokens,
        "totalTokens": uncached + usage.output_tokens + usage.cached_tokens,
        "cacheReadInputTokens": usage.cached_tokens,
        "cacheWriteInputTokens": 0,
    }


def converse_body(result: Answer, latency_ms: int) -> dict[str, Any]:
    content: list[dict[str, Any]]
    if result.tool_calls:
        content = [
            {
                "toolUse": {
                    "toolUseId": f"tooluse_sim_{tc.index}",
                    "name": tc.name,
                    "input": tc.arguments,
                }
            }
            for tc in result.tool_calls
        ]
    else:
        content = [{"text": result.text}]
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": STOP_REASONS[result.finish],
        "usage": bedrock_usage(result),
        "metrics": {"latencyMs": latency_ms},
    }


def stream_events(call: Call, result: Answer) -> Iterator[bytes]:
    yield event_message("messageStart", {"role": "assistant"})
    if result.tool_calls:
        for tc in result.tool_calls:
            start = {"toolUse": {"toolUseId": f"tooluse_sim_{tc.index}", "name": tc.name}}
            yield event_message(
                "contentBlockStart", {"contentBlockIndex": tc.index, "start": start}
            )
            for fragment in split_fragments(tc.arguments_json):
                delta = {"toolUse": {"input": fragment}}
                yield event_message(
                    "contentBlockDelta", {"contentBlockIndex": tc.index, "delta": delta}
                )
            yield event_message("contentBlockStop", {"contentBlockIndex": tc.index})
    else:
        # Bedrock opens text blocks implicitly: no contentBlockStart for text.
        for word in result.chunks:
            yield event_message(
                "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": word}}
            )
        yield event_message("contentBlockStop", {"contentBlockIndex": 0})
    yield event_message("messageStop", {"stopReason": STOP_REASONS[result.finish]})
    # Built lazily, so the latency covers the stream as it was actually sent.
    metadata = {"usage": bedrock_usage(result), "metrics": {"latencyMs": call.elapsed_ms()}}
    yield event_message("metadata", metadata)


def malformed_events() -> Iterator[bytes]:
    yield event_message("messageStart", b'{"role": "assist')


async def _converse(request: web.Request, *, streaming: bool) -> web.StreamResponse:
    raw = await request.read()
    call = await open_call(
        request,
        provider=PROVIDER,
        model=model_id_from(request),
        body=parse_json(raw),
        auth_failure=signature_failure(request, raw),
        error=bedrock_error,
    )
    if not isinstance(call, Call):
        return call
    if not isinstance(call.body, dict):
        return bedrock_error(
            400, "Malformed input request, please reformat your input and try again."
        )
    try:
        result = answer(converse_prompt(call.model, call.body))
    except InvalidRequest as exc:
        return bedrock_error(400, exc.message)
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    if streaming:
        events = malformed_events() if call.malformed else stream_events(call, result)
        return await send_stream(call, events, content_type=CONTENT_TYPE, headers=headers)
    bad = malformed_response(call)
    if bad is not None:
        return bad
    return await send_body(
        call, json_response(converse_body(result, call.elapsed_ms()), headers=headers)
    )


async def converse(request: web.Request) -> web.StreamResponse:
    return await _converse(request, streaming=False)


async def converse_stream(request: web.Request) -> web.StreamResponse:
    return await _converse(request, streaming=True)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/model/{model_id}/converse", converse)
    app.router.add_post("/model/{model_id}/converse-stream", converse_stream)
