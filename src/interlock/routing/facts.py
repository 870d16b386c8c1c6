"""What a request asks of the model that serves it: facts derived from the request, the
caller's metadata headers and its policy, gathered once per routed request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from interlock.budget.tokens import estimate_input_tokens
from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, ToolCall, ToolResult
from interlock.routing.config import TASKS, TIER_RANK, normalise_task

TASK_HEADER = "x-interlock-task"
MAX_LATENCY_HEADER = "x-interlock-max-latency-ms"
COST_TIER_HEADER = "x-interlock-cost-tier"
HINT_HEADERS = (TASK_HEADER, MAX_LATENCY_HEADER, COST_TIER_HEADER)


@dataclass(frozen=True, slots=True)
class Hints:
    """The caller's routing metadata, validated."""

    task: str | None = None
    max_latency_ms: int | None = None
    cost_tier: str | None = None


NO_HINTS = Hints()


def read_hints(headers: Mapping[str, str]) -> Hints:
    """Validates the metadata headers; a malformed one is a 400, never silently ignored."""
    task = headers.get(TASK_HEADER)
    latency = headers.get(MAX_LATENCY_HEADER)
    tier = headers.get(COST_TIER_HEADER)
    if task is None and latency is None and tier is None:
        return NO_HINTS
    if task is not None:
        task = normalise_task(task)
        if task not in TASKS:
            raise GatewayError("invalid_value", f"{TASK_HEADER} must be one of: {', '.join(TASKS)}")
    max_latency: int | None = None
    if latency is not None:
        try:
            max_latency = int(latency)
        except ValueError:
            max_latency = 0
        if max_latency <= 0:
            raise GatewayError(
                "invalid_value", f"{MAX_LATENCY_HEADER} must be a positive number of milliseconds"
            )
    if tier is not None:
        tier = tier.strip().lower()
        if tier not in TIER_RANK:
            raise GatewayError("invalid_value", f"{COST_TIER_HEADER} must be low, medium or high")
    return Hints(task, max_latency, tier)


@dataclass(frozen=True, slots=True)
class Facts:
    task: str | None
    input_tokens: int
    max_output_tokens: int | None  # what the client asked for at most; None: not said
    tools: bool
    images: bool
    json_schema: bool  # structured output (JSON mode or a JSON schema) was asked for
    max_latency_ms: int | None
    cost_tier: str | None
    policy: str | None
    residency: tuple[str, ...]

    def needed_context(self) -> int:
        return self.input_tokens + (self.max_output_tokens or 0)

    def describe(self) -> dict[str, object]:
        # By hand, not dataclasses.asdict (which deep-copies): this runs per routed request.
        out: dict[str, object] = {"input_tokens": self.input_tokens}
        for key in ("task", "max_output_tokens", "max_latency_ms", "cost_tier", "policy"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        for key in ("tools", "images", "json_schema"):
            if getattr(self, key):
                out[key] = True
        if self.residency:
            out["residency"] = list(self.residency)
        return out


def derive_facts(
    req: ChatRequest,
    hints: Hints,
    policy: str | None = None,
    residency: tuple[str, ...] = (),
) -> Facts:
    tools = bool(req.tools) or any(
        isinstance(p, ToolCall | ToolResult) for m in req.messages for p in m.parts
    )
    fmt = req.response_format
    return Facts(
        task=hints.task,
        input_tokens=estimate_input_tokens(req),
        max_output_tokens=req.max_tokens * req.n if req.max_tokens else None,
        tools=tools,
        images=req.has_images(),
        json_schema=fmt is not None and fmt.type in ("json_object", "json_schema"),
        max_latency_ms=hints.max_latency_ms,
        cost_tier=hints.cost_tier,
        policy=policy,
        residency=residency,
    )
