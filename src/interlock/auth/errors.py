"""Why a request was refused: one message for the caller, one precise reason for the audit."""

from __future__ import annotations

from interlock.errors import GatewayError

# What the caller is told never says more than they could know: a wrong secret and an unknown
# key read the same; "revoked" or "expired" are only said once the secret itself was right.
INVALID_CREDENTIALS = "Invalid credentials: check the API key or token you sent"


class AuthFailure(Exception):
    def __init__(self, status: int, reason: str, message: str, **detail: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason  # stable, for the audit trail: "bad_secret", "key_revoked", …
        self.message = message
        self.detail = {k: v for k, v in detail.items() if v is not None}

    def to_gateway_error(self) -> GatewayError:
        code = {401: "unauthorized", 403: "forbidden", 503: "auth_unavailable"}[self.status]
        if self.reason == "model_not_allowed":
            code = "model_not_allowed"
        return GatewayError(code, self.message, status=self.status)


def unauthorized(
    reason: str, message: str = INVALID_CREDENTIALS, **detail: str | None
) -> AuthFailure:
    return AuthFailure(401, reason, message, **detail)


def forbidden(reason: str, message: str, **detail: str | None) -> AuthFailure:
    return AuthFailure(403, reason, message, **detail)


def unavailable(reason: str, **detail: str | None) -> AuthFailure:
    return AuthFailure(
        503, reason, "Authentication is temporarily unavailable; retry shortly", **detail
    )
