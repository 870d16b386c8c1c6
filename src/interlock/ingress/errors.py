"""Error bodies in each API's own shape."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from interlock.errors import GatewayError, anthropic_error_type, openai_error_type


def openai_error(err: GatewayError, request_id: str) -> dict[str, Any]:
    return {
        "error": {
            "message": err.message,
            "type": openai_error_type(err.status),
            "param": err.param,
            "code": err.code,
            "request_id": request_id,
        }
    }


def anthropic_error(err: GatewayError, request_id: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {
            "type": anthropic_error_type(err.status),
            "message": err.message,
            "code": err.code,
        },
        "request_id": request_id,
    }


def speaks_anthropic(request: web.Request) -> bool:
    return request.path.startswith("/v1/messages") or "anthropic-version" in request.headers


def caller_error(request: web.Request, err: GatewayError, request_id: str) -> web.Response:
    """An error for a request no ingress has claimed, in the shape its client speaks."""
    if speaks_anthropic(request):
        body = anthropic_error(err, request_id)
    else:
        body = openai_error(err, request_id)
    return web.Response(status=err.status, body=orjson.dumps(body), content_type="application/json")
