"""The finished exchange as a compact message for the audit writer process, and back.

The gateway worker only grabs what the record will need (references, no record building) as
plain lists and encodes them with one `orjson.dumps` call (about 2 µs for a typical exchange).
The writer rebuilds an Exchange of the same shape from it and runs the one record builder
(`record.build_record`), so a record is the same whichever process builds it.

Content the policy does not keep is not sent at all (`none`: no messages; the client's own
body only at `full` after a stage rewrote it).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson

from interlock.audit.record import Notes
from interlock.exchange import (
    Attempt,
    ChatRequest,
    ChatResponse,
    Choice,
    Decision,
    EmbeddingRequest,
    EmbeddingResponse,
    Exchange,
    ImagePart,
    Message,
    TextPart,
    Tool,
    ToolCall,
    ToolResult,
    Usage,
)

VERSION = 1
_PRINCIPAL = ("identity_id", "team_id", "app_id", "policy_name", "credential", "key_id", "issuer")
_OPTIONS = orjson.OPT_NON_STR_KEYS


def _fallback(value: Any) -> Any:
    # Only for values orjson does not know (a stage's decision detail holding a set, say).
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _principal(p: Any) -> list[Any] | None:
    if p is None:
        return None
    return [getattr(p, name, None) for name in _PRINCIPAL]


def _parts(parts: list[Any]) -> list[Any]:
    # Text (nearly every part) as a bare string; other parts as orjson's dataclass objects.
    return [p.text if type(p) is TextPart else p for p in parts]


def _request(req: Any, content: str) -> list[Any] | None:
    if isinstance(req, ChatRequest):
        return [
            "c",
            req.model,
            req.stream,
            req.user,
            req.metadata,
            req.modified,
            [[m.role, _parts(m.parts), m.name] for m in req.messages]
            if content != "none"
            else None,
            [t.name for t in req.tools] if req.tools else None,
            req.raw if content == "full" and req.modified else None,
        ]
    if isinstance(req, EmbeddingRequest):
        return ["e", req.model, req.user, req.inputs if content != "none" else None]
    return None


def _response(resp: Any, content: str) -> list[Any] | None:
    if isinstance(resp, ChatResponse):
        if content == "none":
            return ["c", None]
        return ["c", [[c.index, _parts(c.parts), c.finish_reason] for c in resp.choices]]
    if isinstance(resp, EmbeddingResponse):
        return ["e", len(resp.vectors), len(resp.vectors[0]) if resp.vectors else 0]
    return None


def encode_exchange(wid: int, strict: bool, ex: Exchange, kind: str | None, at: float) -> bytes:
    """One line for the writer: `[wid, "x", strict, capture]` (no newline inside JSON).

    Plain lists rather than the dataclasses themselves: orjson serialises a list of
    attributes several times faster than the dataclass (~2 µs for a whole exchange)."""
    n = ex.audit
    if not isinstance(n, Notes):
        n = Notes()
    u = ex.usage
    capture = [
        VERSION,
        kind,
        at,
        ex.request_id,
        ex.wire,
        ex.received_at,
        ex.started,
        ex.status,
        ex.error_code,
        ex.served_by,
        _principal(ex.principal),
        [n.end_user, n.traceparent, n.source, n.user_agent, n.path, n.marks, n.content,
         n.retention_days, n.strict, n.response_as_received],
        [[a.provider, a.model, a.status, a.error, a.started, a.duration_ms] for a in ex.attempts],
        [[d.stage, d.outcome, d.detail, d.at] for d in ex.decisions],
        [u.input_tokens, u.output_tokens, u.cached_input_tokens, u.cache_write_tokens,
         u.reasoning_tokens],
        _request(ex.request, n.content),
        _response(ex.response, n.content),
    ]  # fmt: skip
    return orjson.dumps([wid, "x", strict, capture], default=_fallback, option=_OPTIONS) + b"\n"


def encode_record(wid: int, strict: bool, record: dict[str, Any]) -> bytes:
    """A record made elsewhere (admin change, retention run): `[wid, "r", strict, record]`."""
    return orjson.dumps([wid, "r", strict, record], default=_fallback, option=_OPTIONS) + b"\n"


# ---- in the writer ---------------------------------------------------------------------------


def _part(d: Any) -> Any:
    if isinstance(d, str):
        return TextPart(d)
    if "text" in d and len(d) == 1:
        return TextPart(d["text"])
    if "arguments" in d:
        return ToolCall(d.get("id", ""), d.get("name", ""), d.get("arguments", ""))
    if "tool_call_id" in d:
        content = [_part(c) for c in d.get("content") or ()]
        return ToolResult(d["tool_call_id"], content, bool(d.get("is_error")), d.get("name"))
    if "media_type" in d or "url" in d:
        return ImagePart(d.get("url"), d.get("data"), d.get("media_type"), d.get("detail"))
    return TextPart(str(d.get("text", "")))


def _messages(items: list[list[Any]] | None) -> list[Message]:
    return [Message(role, [_part(p) for p in parts], name) for role, parts, name in items or ()]


def _rebuild_request(r: list[Any] | None) -> Any:
    if not r:
        return None
    if r[0] == "c":
        _, model, stream, user, metadata, modified, messages, tools, raw = r
        return ChatRequest(
            model=model,
            messages=_messages(messages),
            tools=[Tool(name) for name in tools or ()],
            stream=stream,
            user=user,
            metadata=metadata,
            raw=raw,
            modified=modified,
        )
    _, model, user, inputs = r
    return EmbeddingRequest(model=model, inputs=inputs or [], user=user)


def _rebuild_response(r: list[Any] | None, usage: Usage) -> Any:
    if not r:
        return None
    if r[0] == "c":
        choices = [Choice(i, [_part(p) for p in parts], why) for i, parts, why in r[1] or ()]
        return ChatResponse("", "", choices, usage)
    _, n, dims = r
    row = [0.0] * dims
    return EmbeddingResponse("", [row] * n, usage)


def decode_exchange(capture: list[Any]) -> tuple[Exchange, str | None]:
    """The exchange a capture was made from (as far as the record reads it), and its kind."""
    (_v, kind, at, request_id, wire, received_at, started, status, error_code, served_by,
     principal, notes, attempts, decisions, usage, req, resp) = capture  # fmt: skip
    u = Usage(*usage)
    n = Notes(*notes)
    n.marks.setdefault("done", at)
    ex = Exchange(
        request_id,
        wire,
        request=_rebuild_request(req),
        received_at=received_at,
        started=started,
        response=_rebuild_response(resp, u),
        usage=u,
        attempts=[Attempt(*a) for a in attempts],
        decisions=[Decision(*d) for d in decisions],
        served_by=tuple(served_by) if served_by else None,  # type: ignore[arg-type]
        status=status,
        error_code=error_code,
        principal=SimpleNamespace(**dict(zip(_PRINCIPAL, principal, strict=True)))
        if principal
        else None,
        audit=n,
    )
    return ex, kind
