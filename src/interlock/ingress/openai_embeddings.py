"""`POST /v1/embeddings`: text in, vectors out, from any provider's embedding model."""

from __future__ import annotations

import base64
import struct
from typing import Any

from interlock.errors import GatewayError
from interlock.exchange import EmbeddingRequest, EmbeddingResponse, Exchange
from interlock.ingress.errors import openai_error
from interlock.wire.fields import optional, ranged, required, wrong_type


def parse_input(raw: Any) -> tuple[list[str], bool]:
    """The texts to embed, and whether the client sent a single string."""
    if isinstance(raw, str):
        if not raw:
            raise GatewayError("invalid_value", "'input' cannot be an empty string", param="input")
        return [raw], True
    if not isinstance(raw, list):
        raise wrong_type("input", "a string or an array of strings", raw)
    if not raw:
        raise GatewayError("invalid_value", "'input' must not be an empty array", param="input")
    for i, item in enumerate(raw):
        if isinstance(item, int | list) and not isinstance(item, bool):
            # Token ids are tokenizer-specific: they cannot be carried to another provider.
            raise GatewayError(
                "unsupported_parameter",
                "token-array inputs are not supported; send the text",
                param="input",
            )
        if not isinstance(item, str):
            raise wrong_type(f"input[{i}]", "a string", item)
        if not item:
            raise GatewayError(
                "invalid_value", f"'input[{i}]' cannot be an empty string", param=f"input[{i}]"
            )
    return raw, False


def parse_request(body: dict[str, Any]) -> EmbeddingRequest:
    model = required(body, "model", str)
    inputs, single = parse_input(required(body, "input", object))
    dimensions = optional(body, "dimensions", int)
    ranged(dimensions, "dimensions", 1, 65_536)
    encoding = optional(body, "encoding_format", str) or "float"
    if encoding not in ("float", "base64"):
        raise GatewayError(
            "invalid_value", "'encoding_format' must be float or base64", param="encoding_format"
        )
    return EmbeddingRequest(
        model=model,
        inputs=inputs,
        dimensions=dimensions,
        encoding_format=encoding,  # type: ignore[arg-type]
        user=optional(body, "user", str),
        raw=body,
        single_input=single,
    )


def encode_base64(vector: list[float]) -> str:
    """OpenAI's base64 encoding: the vector as little-endian float32, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def render_response(resp: EmbeddingResponse, req: EmbeddingRequest) -> dict[str, Any]:
    as_base64 = req.encoding_format == "base64"
    return {
        "object": "list",
        "data": [
            {
                "object": "embedding",
                "index": i,
                "embedding": encode_base64(v) if as_base64 else v,
            }
            for i, v in enumerate(resp.vectors)
        ],
        "model": req.model,
        "usage": {
            "prompt_tokens": resp.usage.input_tokens,
            "total_tokens": resp.usage.input_tokens,
        },
    }


class OpenAIEmbeddingsIngress:
    wire = "openai.embeddings"
    kind = "embedding"

    def parse(self, body: dict[str, Any]) -> EmbeddingRequest:
        return parse_request(body)

    def render(self, ex: Exchange) -> dict[str, Any]:
        assert isinstance(ex.response, EmbeddingResponse)
        assert isinstance(ex.request, EmbeddingRequest)
        if len(ex.response.vectors) != len(ex.request.inputs):
            raise GatewayError(
                "upstream_error",
                f"The upstream returned {len(ex.response.vectors)} embeddings "
                f"for {len(ex.request.inputs)} inputs",
            )
        return render_response(ex.response, ex.request)

    def stream_renderer(self, ex: Exchange) -> Any:
        # EmbeddingRequest.stream is always false: the pipeline never streams embeddings.
        raise GatewayError("unsupported_parameter", "embeddings cannot be streamed", param="stream")

    def error_body(self, err: GatewayError, request_id: str) -> dict[str, Any]:
        return openai_error(err, request_id)
