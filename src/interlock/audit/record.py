"""One record per exchange, built from the finished exchange off the request path.

The request path only notes a few things while the exchange runs (`Notes`: client headers and
the time each phase ended); everything else is read from the exchange once it is done, in the
writer task. Content is kept at the level the caller's policy sets.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from interlock.audit.config import ContentLevel
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    Exchange,
    ImagePart,
    Message,
    TextPart,
    ToolCall,
    ToolResult,
)

SCHEMA_VERSION = 1
END_USER_HEADER = "x-interlock-end-user"
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_TAG_UNSAFE = re.compile(r"[^a-z0-9]+")


@dataclass(slots=True)
class Notes:
    """What the request path notes for the audit while the exchange runs: cheap assignments."""

    end_user: str | None = None
    traceparent: str | None = None
    source: str | None = None
    user_agent: str | None = None
    path: str | None = None
    # Phase name -> perf_counter() when it ended; see AuditIntake / AuditStage.
    marks: dict[str, float] = field(default_factory=dict)
    content: ContentLevel = "metadata"
    retention_days: float | None = None
    strict: bool = False
    response_as_received: dict[str, Any] | None = None  # before DLP restored pseudonyms


def iso(ts: float) -> str:
    """UTC time to the millisecond, as `datetime.fromtimestamp(ts, UTC).isoformat(timespec=
    "milliseconds")` with Z (the same rounding: to the microsecond, half to even, then cut), with
    the date and time of each second made once: one per record in the writer."""
    if ts < 0:
        return _iso_datetime(ts)
    second = math.floor(ts)
    micros = round((ts - second) * 1e6)
    if micros >= 1_000_000:
        second, micros = second + 1, micros - 1_000_000
    return f"{_iso_second(second)}.{micros // 1000:03d}Z"


def _iso_datetime(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@functools.lru_cache(maxsize=64)
def _iso_second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")


@functools.lru_cache(maxsize=4096)
def tag(*parts: str) -> str:
    """A search tag: lower-case letters, digits and underscores only (one full-text token)."""
    return "_".join(_TAG_UNSAFE.sub("_", p.lower()).strip("_") for p in parts)


def trace_ids(request_id: str, traceparent: str | None) -> tuple[str, str, str | None]:
    """(trace id, span id, parent span id): the caller's W3C trace when it sent one."""
    span = hashlib.sha256(request_id.encode()).hexdigest()
    match = _TRACEPARENT.match(traceparent.strip().lower()) if traceparent else None
    if match and match.group(1) != "0" * 32:
        return match.group(1), span[:16], match.group(2)
    return span[16:48], span[:16], None


def _ms(t: float, origin: float) -> float:
    return round((t - origin) * 1000, 3)


def build_record(ex: Exchange, max_text: int, now: float | None = None) -> dict[str, Any]:
    notes: Notes = ex.audit if isinstance(ex.audit, Notes) else Notes()
    p = ex.principal
    req = ex.request
    trace_id, span_id, parent = trace_ids(ex.request_id, notes.traceparent)
    done = notes.marks.get("done", time.perf_counter())
    status = ex.status
    record: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "kind": "exchange",
        "id": ex.request_id,
        "ts": round(ex.received_at, 6),
        "time": iso(ex.received_at),
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_span_id": parent,
        "wire": ex.wire,
        "path": notes.path,
        "source": notes.source,
        "user_agent": notes.user_agent,
        "identity": getattr(p, "identity_id", None),
        "team": getattr(p, "team_id", None),
        "app": getattr(p, "app_id", None),
        "policy": getattr(p, "policy_name", None),
        "credential": getattr(p, "credential", None),
        "key": getattr(p, "key_id", None),
        "issuer": getattr(p, "issuer", None),
        "end_user": _end_user(req, notes),
        "model_requested": getattr(req, "model", None),
        "provider": ex.served_by[0] if ex.served_by else None,
        "model": ex.served_by[1] if ex.served_by else None,
        "stream": bool(getattr(req, "stream", False)),
        "status": status,
        "error_code": ex.error_code,
        "outcome": _outcome(ex),
        "duration_ms": _ms(done, ex.started),
        "timings": _timings(ex, notes, done),
        "decisions": [
            {"stage": d.stage, "outcome": d.outcome, "at_ms": _ms(d.at, ex.started), **d.detail}
            for d in ex.decisions
        ],
        "attempts": [
            {
                "provider": a.provider,
                "model": a.model,
                "status": a.status,
                "error": a.error,
                "start_ms": round((a.started - ex.received_at) * 1000, 3) if a.started else None,
                "duration_ms": round(a.duration_ms, 3),
            }
            for a in ex.attempts
        ],
        "failover": len({(a.provider, a.model) for a in ex.attempts}) > 1,
        "usage": {
            "input_tokens": ex.usage.input_tokens,
            "output_tokens": ex.usage.output_tokens,
            "cached_input_tokens": ex.usage.cached_input_tokens,
            "cache_write_tokens": ex.usage.cache_write_tokens,
            "reasoning_tokens": ex.usage.reasoning_tokens,
        },
        "cost_usd": _cost(ex),
        "dlp_types": _dlp_types(ex),
        "retention_days": notes.retention_days,
        "content_level": notes.content,
    }
    if notes.content in ("redacted", "full"):
        record["request"] = request_content(req, notes.content, max_text)
        if notes.content == "redacted" and notes.response_as_received is not None:
            record["response"] = notes.response_as_received
        else:
            record["response"] = response_content(ex.response, max_text)
    elif notes.content == "metadata":
        record["request"] = request_metadata(req)
        record["response"] = response_metadata(ex.response)
    record["tags"] = record_tags(record)
    return record


def _end_user(req: Any, notes: Notes) -> str | None:
    # The body's `user` field (OpenAI) names the end user; the header does for every wire.
    user = getattr(req, "user", None) or notes.end_user
    metadata = getattr(req, "metadata", None)
    if not user and isinstance(metadata, dict):
        user = metadata.get("user_id")  # Anthropic's way of naming the end user
    return str(user)[:256] if user else None


def _outcome(ex: Exchange) -> str:
    if ex.status < 400:
        return "ok"
    if any(d.outcome in ("refused", "blocked", "denied") for d in ex.decisions) or ex.status in (
        401,
        403,
        429,
    ):
        return "refused"
    return "failed"


def _timings(ex: Exchange, notes: Notes, done: float) -> dict[str, float]:
    """How long each phase took (ms), from the marks the hooks left; absent phases are omitted."""
    marks = notes.marks
    out: dict[str, float] = {}
    last = ex.started
    for phase, mark in (
        ("authenticate_parse", "parsed"),
        ("inspect_request", "inspected"),
        ("route", "planned"),
        ("upstream", "answered"),
        ("inspect_response", "response_inspected"),
    ):
        t = marks.get(mark)
        if t is not None:
            out[phase] = _ms(t, last)
            last = t
    for d in ex.decisions:
        if d.stage == "stream" and "first_chunk_ms" in d.detail:
            out["first_chunk"] = d.detail["first_chunk_ms"]
    out["total"] = _ms(done, ex.started)
    return out


def _cost(ex: Exchange) -> float | None:
    for d in reversed(ex.decisions):
        if d.stage in ("cost", "settle", "budget"):
            for k in ("cost_usd", "usd", "cost", "total_usd"):
                v = d.detail.get(k)
                if isinstance(v, int | float):
                    return float(v)
    return None


def _dlp_types(ex: Exchange) -> list[str]:
    found: set[str] = set()
    for d in ex.decisions:
        if not d.stage.startswith(("dlp", "output")):
            continue
        findings = d.detail.get("findings")
        if isinstance(findings, list):
            for f in findings:
                if isinstance(f, dict) and f.get("type"):
                    found.add(str(f["type"]))
        types = d.detail.get("types")
        if isinstance(types, dict | list):
            found.update(str(t) for t in types)
        if isinstance(d.detail.get("type"), str):
            found.add(d.detail["type"])
    return sorted(found)


def record_tags(record: dict[str, Any]) -> list[str]:
    """Tokens the store indexes for the structured filters (decision, DLP type, status)."""
    tags = {tag("k", record.get("kind") or "exchange")}
    for d in record.get("decisions") or ():
        tags.add(tag("d", str(d.get("stage"))))
        tags.add(tag("d", str(d.get("stage")), str(d.get("outcome"))))
    for t in record.get("dlp_types") or ():
        tags.add(tag("dlp", t))
    if record.get("status") is not None:
        tags.add(tag("s", str(record["status"])))
    if record.get("outcome"):
        tags.add(tag("o", record["outcome"]))
    if record.get("action"):
        tags.add(tag("a", str(record["action"])))
    return sorted(tags)


# ---- content ---------------------------------------------------------------------------------


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"…[{len(text) - limit} chars cut]"


def _message(m: Message, limit: int) -> dict[str, Any]:
    out: dict[str, Any] = {"role": m.role}
    text = [p.text for p in m.parts if isinstance(p, TextPart)]
    if text:
        out["text"] = _cut("".join(text), limit)
    calls = [p for p in m.parts if isinstance(p, ToolCall)]
    if calls:
        out["tool_calls"] = [{"name": c.name, "arguments": _cut(c.arguments, limit)} for c in calls]
    results = [p for p in m.parts if isinstance(p, ToolResult)]
    if results:
        out["tool_results"] = [
            {"tool_call_id": r.tool_call_id, "text": _cut(r.text(), limit)} for r in results
        ]
    images = sum(1 for p in m.parts if isinstance(p, ImagePart))
    if images:
        out["images"] = images  # never the image bytes: size without value for search
    return out


def request_content(req: Any, level: ContentLevel, limit: int) -> dict[str, Any] | None:
    if isinstance(req, EmbeddingRequest):
        return {"inputs": [_cut(t, limit) for t in req.inputs]}
    if not isinstance(req, ChatRequest):
        return None
    if level == "full" and req.modified and isinstance(req.raw, dict):
        # A stage rewrote the request (DLP): the client's own body is the full record.
        return {"original": _elide(req.raw, limit)}
    out: dict[str, Any] = {"messages": [_message(m, limit) for m in req.messages]}
    if req.tools:
        out["tools"] = [t.name for t in req.tools]
    return out


def _elide(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        if value.startswith("data:") and ";base64," in value[:100]:
            return f"[inline data, {len(value)} chars]"
        return _cut(value, limit)
    if isinstance(value, dict):
        return {k: _elide(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_elide(v, limit) for v in value]
    return value


def response_content(resp: Any, limit: int) -> dict[str, Any] | None:
    if isinstance(resp, ChatResponse):
        return {
            "choices": [
                {
                    "index": c.index,
                    "text": _cut(c.text(), limit),
                    "finish_reason": c.finish_reason,
                    **(
                        {
                            "tool_calls": [
                                {"name": t.name, "arguments": _cut(t.arguments, limit)}
                                for t in c.tool_calls()
                            ]
                        }
                        if c.tool_calls()
                        else {}
                    ),
                }
                for c in resp.choices
            ]
        }
    if isinstance(resp, EmbeddingResponse):
        return {
            "vectors": len(resp.vectors),
            "dimensions": len(resp.vectors[0]) if resp.vectors else 0,
        }
    return None


def request_metadata(req: Any) -> dict[str, Any] | None:
    if isinstance(req, EmbeddingRequest):
        return {"inputs": len(req.inputs), "chars": sum(len(t) for t in req.inputs)}
    if not isinstance(req, ChatRequest):
        return None
    return {
        "messages": len(req.messages),
        "chars": sum(len(m.text()) for m in req.messages),
        "images": sum(1 for m in req.messages for p in m.parts if isinstance(p, ImagePart)),
        "tools": [t.name for t in req.tools],
    }


def response_metadata(resp: Any) -> dict[str, Any] | None:
    if isinstance(resp, ChatResponse):
        return {
            "choices": len(resp.choices),
            "chars": sum(len(c.text()) for c in resp.choices),
            "finish_reasons": [c.finish_reason for c in resp.choices],
            "tool_calls": sum(len(c.tool_calls()) for c in resp.choices),
        }
    if isinstance(resp, EmbeddingResponse):
        return {"vectors": len(resp.vectors)}
    return None


def content_text(record: dict[str, Any]) -> str:
    """The words of a record's content, for full-text search (empty below `redacted`)."""
    if record.get("content_level") not in ("redacted", "full"):
        return ""
    out: list[str] = []
    _strings(record.get("request"), out)
    _strings(record.get("response"), out)
    return "\n".join(out)


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("role", "finish_reason", "tool_call_id", "index"):
                _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)
