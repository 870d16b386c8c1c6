"""The inference API's OpenAPI 3.1 document, served at GET /v1/openapi.json.

Small on purpose: it names every way in, the fields the gateway itself reads and checks, the
answers and the error shapes. Provider parameters the gateway passes through are allowed
(`additionalProperties`) rather than listed; the providers' own references describe them.
It is also what the security tests fuzz the inference API from.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

REF = "#/components/schemas/{}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(name)}


def _open(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": True,
    }


_TEXT_OR_PARTS = {
    "oneOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    ]
}
_STOP = {
    "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "maxItems": 4}]
}
_TOOLS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}

SCHEMAS: dict[str, Any] = {
    "ChatMessage": _open(
        ["role"],
        {
            "role": {"enum": ["system", "developer", "user", "assistant", "tool"]},
            "content": {"oneOf": [*_TEXT_OR_PARTS["oneOf"], {"type": "null"}]},
            "name": {"type": "string"},
            "tool_calls": _TOOLS,
            "tool_call_id": {"type": "string"},
        },
    ),
    "ChatCompletionRequest": _open(
        ["model", "messages"],
        {
            "model": {"type": "string", "description": "A configured model, alias or route"},
            "messages": {"type": "array", "minItems": 1, "items": _ref("ChatMessage")},
            "stream": {"type": "boolean"},
            "stream_options": {
                "type": "object",
                "properties": {"include_usage": {"type": "boolean"}},
            },
            "max_tokens": {"type": "integer", "minimum": 1},
            "max_completion_tokens": {"type": "integer", "minimum": 1},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "top_p": {"type": "number", "minimum": 0, "maximum": 1},
            "n": {"type": "integer", "minimum": 1},
            "stop": _STOP,
            "seed": {"type": "integer"},
            "tools": _TOOLS,
            "tool_choice": {"oneOf": [{"type": "string"}, {"type": "object"}]},
            "response_format": {"type": "object", "additionalProperties": True},
            "user": {"type": "string"},
        },
    ),
    "CompletionRequest": _open(
        ["model", "prompt"],
        {
            "model": {"type": "string"},
            "prompt": {
                "oneOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ]
            },
            "stream": {"type": "boolean"},
            "max_tokens": {"type": "integer", "minimum": 1},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "stop": _STOP,
        },
    ),
    "EmbeddingRequest": _open(
        ["model", "input"],
        {
            "model": {"type": "string"},
            "input": {
                "oneOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ]
            },
            "encoding_format": {"enum": ["float", "base64"]},
            "dimensions": {"type": "integer", "minimum": 1},
        },
    ),
    "ResponsesRequest": _open(
        ["model", "input"],
        {
            "model": {"type": "string"},
            "input": _TEXT_OR_PARTS,
            "instructions": {"type": "string"},
            "stream": {"type": "boolean"},
            "max_output_tokens": {"type": "integer", "minimum": 1},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "tools": _TOOLS,
        },
    ),
    "AnthropicMessage": _open(
        ["role", "content"],
        {"role": {"enum": ["user", "assistant"]}, "content": _TEXT_OR_PARTS},
    ),
    "MessagesRequest": _open(
        ["model", "max_tokens", "messages"],
        {
            "model": {"type": "string"},
            "max_tokens": {"type": "integer", "minimum": 1},
            "messages": {"type": "array", "minItems": 1, "items": _ref("AnthropicMessage")},
            "system": _TEXT_OR_PARTS,
            "stream": {"type": "boolean"},
            "temperature": {"type": "number", "minimum": 0, "maximum": 1},
            "top_p": {"type": "number", "minimum": 0, "maximum": 1},
            "top_k": {"type": "integer", "minimum": 0},
            "stop_sequences": {"type": "array", "items": {"type": "string"}},
            "tools": _TOOLS,
            "tool_choice": {"type": "object", "additionalProperties": True},
        },
    ),
    "CountTokensRequest": _open(
        ["model", "messages"],
        {
            "model": {"type": "string"},
            "messages": {"type": "array", "minItems": 1, "items": _ref("AnthropicMessage")},
            "system": _TEXT_OR_PARTS,
            "tools": _TOOLS,
        },
    ),
    "OpenAIError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["message", "type", "code"],
                "properties": {
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                    "param": {"type": ["string", "null"]},
                    "code": {"type": "string", "description": "Stable: clients may match on it"},
                    "request_id": {"type": "string"},
                },
            }
        },
    },
    "AnthropicError": {
        "type": "object",
        "required": ["type", "error"],
        "properties": {
            "type": {"const": "error"},
            "error": {
                "type": "object",
                "required": ["type", "message"],
                "properties": {
                    "type": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
            "request_id": {"type": "string"},
        },
    },
    "AnyObject": {"type": "object", "additionalProperties": True},
}

_ERRORS = {
    "400": "Invalid request (bad JSON, missing or invalid field)",
    "401": "Missing or invalid credentials",
    "403": "The policy does not allow this (model, DLP block, injection block)",
    "404": "Unknown model",
    "413": "Body larger than server.max_body_bytes",
    "429": "Rate limit, budget, or the upstream's own limit",
    "502": "The upstream failed",
    "503": "No upstream available, or the gateway is at server.max_concurrent_requests",
    "504": "The upstream timed out",
}


def _operation(
    op_id: str, summary: str, body: str | None, error: str, stream: bool
) -> dict[str, Any]:
    ok: dict[str, Any] = {"application/json": {"schema": _ref("AnyObject")}}
    if stream:
        ok["text/event-stream"] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {"200": {"description": "The answer", "content": ok}}
    for status, why in _ERRORS.items():
        responses[status] = {
            "description": why,
            "content": {"application/json": {"schema": _ref(error)}},
        }
    op: dict[str, Any] = {"operationId": op_id, "summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return op


OPERATIONS: list[tuple[str, str, str, str | None, str, bool]] = [
    # (path, method, summary, request schema, error schema, may stream)
    ("/v1/chat/completions", "post", "OpenAI chat completions", "ChatCompletionRequest",
     "OpenAIError", True),
    ("/v1/completions", "post", "OpenAI legacy completions", "CompletionRequest",
     "OpenAIError", True),
    ("/v1/embeddings", "post", "OpenAI embeddings", "EmbeddingRequest", "OpenAIError", False),
    ("/v1/responses", "post", "OpenAI Responses API", "ResponsesRequest", "OpenAIError", True),
    ("/v1/models", "get", "Models the caller's policy allows", None, "OpenAIError", False),
    ("/v1/messages", "post", "Anthropic messages", "MessagesRequest", "AnthropicError", True),
    ("/v1/messages/count_tokens", "post", "Anthropic token count (estimated locally)",
     "CountTokensRequest", "AnthropicError", False),
]  # fmt: skip


def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, method, summary, body, error, stream in OPERATIONS:
        op_id = path.removeprefix("/v1/").replace("/", "_")
        paths.setdefault(path, {})[method] = _operation(op_id, summary, body, error, stream)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Interlock inference API",
            "version": "1",
            "description": "OpenAI- and Anthropic-compatible endpoints; every request passes the "
            "gateway's policy pipeline. Errors come in the caller's own API shape with a "
            "request id (also in the x-request-id header).",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A gateway key or JWT",
                },
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            },
        },
        "paths": paths,
    }


_DOCUMENT: list[bytes] = []


async def openapi_handler(request: web.Request) -> web.Response:
    """Public: it describes the API, holds no configuration and no secret."""
    if not _DOCUMENT:
        _DOCUMENT.append(orjson.dumps(openapi_document()))
    return web.Response(body=_DOCUMENT[0], content_type="application/json")
