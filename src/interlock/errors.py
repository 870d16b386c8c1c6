"""Gateway errors: one exception type, rendered at the edge in the caller's own wire format."""

from __future__ import annotations

from typing import Any

# Stable codes clients can match on. The HTTP status and the per-wire error type derive from them.
CODE_STATUS: dict[str, int] = {
    "invalid_json": 400,
    "invalid_request": 400,
    "missing_field": 400,
    "invalid_type": 400,
    "invalid_value": 400,
    "unsupported_parameter": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "model_not_allowed": 403,
    "not_found": 404,
    "model_not_found": 404,
    "method_not_allowed": 405,
    "request_timeout": 408,
    "body_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "upstream_rate_limited": 429,
    "internal_error": 500,
    "upstream_error": 502,
    "upstream_bad_request": 400,
    "overloaded": 503,
    "upstream_unavailable": 503,
    "upstream_timeout": 504,
    "timeout": 504,
}


class GatewayError(Exception):
    """An error the caller should see, with a stable code and an honest message."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        param: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
        self.status = status or CODE_STATUS.get(code, 500)
        self.retry_after = retry_after
        self.detail = detail or {}


def invalid(message: str, param: str | None = None, code: str = "invalid_request") -> GatewayError:
    return GatewayError(code, message, param=param)


def openai_error_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status == 403:
        return "permission_error"
    if status == 404:
        return "not_found_error"
    if status == 429:
        return "rate_limit_error"
    if status >= 500:
        return "api_error"
    return "invalid_request_error"


def anthropic_error_type(status: int) -> str:
    return {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        413: "request_too_large",
        429: "rate_limit_error",
        503: "overloaded_error",
        504: "timeout_error",
    }.get(status, "api_error" if status >= 500 else "invalid_request_error")
