"""OpenAI embeddings (`POST /v1/embeddings`, shared with Azure).

`encoding_format` "float" (default) answers JSON numbers; "base64" answers the little-endian
float32 bytes in base64, which is what the official SDK asks for and decodes by default.
"""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import web

from interlock.simulator.answers import (
    DEFAULT_EMBEDDING_DIMENSIONS,
    embedding_bytes,
    embedding_vector,
    input_tokens_for,
)
from interlock.simulator.exchange import (
    Call,
    ErrorFactory,
    InvalidRequest,
    json_response,
    malformed_response,
    send_body,
)


def embedding_inputs(value: Any) -> tuple[list[str], int]:
    """The inputs as texts, and their token count (chars / 4, or token-array length)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise InvalidRequest("'input' must be a non-empty string or array", "input")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        value = [value]
    texts: list[str] = []
    tokens = chars = 0
    for item in value:
        if isinstance(item, str):
            texts.append(item)
            chars += len(item)
        elif isinstance(item, list) and all(isinstance(t, int) for t in item):
            texts.append(" ".join(str(t) for t in item))
            tokens += len(item)
        else:
            raise InvalidRequest("'input' items must be strings or token arrays", "input")
    return texts, tokens + input_tokens_for(chars)


def embeddings_body(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    texts, tokens = embedding_inputs(body.get("input"))
    dimensions = body.get("dimensions", DEFAULT_EMBEDDING_DIMENSIONS)
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or dimensions < 1:
        raise InvalidRequest("'dimensions' must be a positive integer", "dimensions")
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        raise InvalidRequest("'encoding_format' must be 'float' or 'base64'", "encoding_format")
    data = []
    for index, text in enumerate(texts):
        vector = embedding_vector(text, dimensions)
        encoded: Any = vector
        if encoding == "base64":
            encoded = base64.b64encode(embedding_bytes(vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    return {
        "object": "list",
        "data": data,
        "model": call.model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


async def answer_embeddings(call: Call, error: ErrorFactory) -> web.StreamResponse:
    if not isinstance(call.body, dict):
        return error(400, "We could not parse the JSON body of your request.")
    try:
        payload = embeddings_body(call, call.body)
    except InvalidRequest as exc:
        return error(400, exc.message)
    return malformed_response(call) or await send_body(call, json_response(payload))
