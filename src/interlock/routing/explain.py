"""`interlock route explain` and `interlock route models`: the decision for a request without
sending it, and the catalogue as routing sees it.

Offline: no traffic has been measured and no circuit is open here, so latency limits pass and
ties fall to configuration order; the live gateway records the same decision with live data.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from interlock.auth.policy import CompiledPolicy
from interlock.config import ConfigError, GatewayConfig, load_config
from interlock.errors import GatewayError
from interlock.exchange import ChatRequest
from interlock.ingress.anthropic_messages import AnthropicMessagesIngress
from interlock.ingress.openai_chat import OpenAIChatIngress
from interlock.routing.facts import derive_facts, read_hints
from interlock.routing.latency import LatencyTracker
from interlock.routing.router import CircuitOpen, Router


def add_route_commands(sub: Any) -> None:
    route = sub.add_parser("route", help="model routing: explain a decision, list the catalogue")
    cmds = route.add_subparsers(dest="route_command", required=True)
    explain = cmds.add_parser("explain", help="the routing decision for a request read on stdin")
    explain.add_argument("--config", required=True, help="path to the YAML configuration")
    explain.add_argument("--policy", help="the caller's policy (allowed models, residency)")
    explain.add_argument(
        "--header", action="append", default=[], metavar="NAME:VALUE",
        help="a request header such as x-interlock-task:classification (repeatable)",
    )  # fmt: skip
    explain.add_argument(
        "--format", choices=["openai", "anthropic"], default="openai",
        help="the request body's wire format (default: openai chat completions)",
    )  # fmt: skip
    models = cmds.add_parser("models", help="every chat model with price, window, tiers")
    models.add_argument("--config", required=True, help="path to the YAML configuration")


def route_command(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.route_command == "models":
        catalogue = Router(config).catalogue
        _print({name: entry.describe() for name, entry in catalogue.items()})
        return 0
    try:
        body = orjson.loads(sys.stdin.buffer.read())
        headers = {}
        for item in args.header:
            name, _, value = item.partition(":")
            headers[name.strip().lower()] = value.strip()
        result = explain(config, body, args.policy, headers, args.format)
    except (orjson.JSONDecodeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print(result)
    return 0 if result["decision"] != "refused" else 1


def explain(
    config: GatewayConfig,
    body: dict[str, Any],
    policy_name: str | None = None,
    headers: dict[str, str] | None = None,
    wire: str = "openai",
    router: Router | None = None,
    latency: LatencyTracker | None = None,
    circuit_open: CircuitOpen | None = None,
) -> dict[str, Any]:
    """What the routing stage would decide for this request body, as a JSON-ready dict; with
    the live latency view and breaker state when a running gateway explains."""
    policy = None
    if policy_name is not None:
        policy = config.policies.get(policy_name)
        if policy is None:
            raise ValueError(f"unknown policy '{policy_name}'")
    ingress = AnthropicMessagesIngress() if wire == "anthropic" else OpenAIChatIngress()
    try:
        req = ingress.parse(body)
        assert isinstance(req, ChatRequest)
        hints = read_hints(headers or {})
    except GatewayError as err:
        return {"decision": "refused", "code": err.code, "message": err.message}
    router = router or Router(config)
    route = router.routes.get(req.model)
    if route is None:
        name = config.resolve_name(req.model)
        if name is None:
            return {"decision": "refused", "code": "model_not_found", "message": req.model}
        return {"decision": "as_requested", "model": name, "reason": "a concrete model or alias"}
    allowed = CompiledPolicy(policy_name, policy, config).allows if policy and policy_name else None
    residency = tuple(policy.routing.residency) if policy and policy.routing else ()
    facts = derive_facts(req, hints, policy_name, residency)
    try:
        choice = router.choose(route, facts, allowed, circuit_open, latency)
    except GatewayError as err:
        return {
            "decision": "refused", "code": err.code, "status": err.status,
            "message": err.message, "rejected": err.detail.get("rejected", {}),
        }  # fmt: skip
    return {"decision": "routed", **choice.detail()}


def _print(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
