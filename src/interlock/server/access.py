"""Who may read GET /metrics (`server.metrics_allow_from`, `server.metrics_token`).

The Prometheus text names teams, applications, models and what the stages refused: not
secrets, but nothing to show the world. By default only this host may read it (a sidecar or a
node-local agent); a scraper elsewhere needs its network listed and, best, a bearer token.
The OpenAPI documents (/v1/openapi.json, /admin/openapi.json) stay public: they describe the
API and hold no configuration.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING

from aiohttp import web

from interlock.errors import GatewayError
from interlock.ingress.errors import caller_error
from interlock.server.pipeline import new_request_id

if TYPE_CHECKING:
    from interlock.config.schema import ServerSettings


def metrics_refusal(request: web.Request, server: ServerSettings) -> web.Response | None:
    """None when the caller may read the metrics, else the refusal to send."""
    try:
        source = ipaddress.ip_address((request.remote or "").split("%")[0])
    except ValueError:
        source = None
    allowed = source is not None and any(
        source in ipaddress.ip_network(net, strict=False) for net in server.metrics_allow_from
    )
    if not allowed:
        return _refuse(request, "forbidden", "Metrics are not served to this address")
    if server.metrics_token is not None:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {server.metrics_token}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            return _refuse(request, "unauthorized", "Metrics need the configured bearer token")
    return None


def _refuse(request: web.Request, code: str, message: str) -> web.Response:
    rid = new_request_id()
    response = caller_error(request, GatewayError(code, message), rid)
    response.headers["x-request-id"] = rid
    return response
