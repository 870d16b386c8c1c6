"""Error bodies in each API's own shape."""

from __future__ import annotations

from typing import Any

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
