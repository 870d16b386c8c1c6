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

import orjson

from interlock.audit.config import ContentLevel
from interlock.exchange import (
    ChatResponse,
    Choice,
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
    """`round((t - origin) * 1000, 3)`, the same float, in half the time (a record has a dozen):
    `_round3` inlined."""
    x = (t - origin) * 1000
    y = x * 1000.0
    if -1e6 < y < 1e6:  # (not NaN or infinite either)
        n = round(y)
        if -0.499999 < y - n < 0.499999:
            return n / 1000 if n else 0.0 * x
    return round(x, 3)


def _round3(x: float) -> float:
    """`round(x, 3)` exactly: `round` goes through a decimal string (~270 ns); this rounds
    x * 1000 to an integer instead (~130 ns). They agree unless x * 1000 is within rounding
    error of a half (or too large to tell): those few take `round` itself. `n / 1000` is the
    double nearest n/1000, as `round` returns; `0.0 * x` keeps the sign of a zero."""
    y = x * 1000.0
    if -1e6 < y < 1e6:  # (not NaN or infinite either)
        n = round(y)
        if -0.499999 < y - n < 0.499999:
            return n / 1000 if n else 0.0 * x
    return round(x, 3)


def build_record(
    ex: Exchange, max_text: int, kind: str | None = None, at: float | None = None
) -> dict[str, Any]:
    """The record of an exchange in this process (inline writer, a strict stream's first
    record): through its capture, as the writer process gets it, so there is one builder."""
    from interlock.audit.capture import capture_json

    capture = orjson.loads(capture_json(ex, kind, time.perf_counter() if at is None else at))
    return record_from_capture(capture, max_text)


def record_from_capture(capture: list[Any], max_text: int) -> dict[str, Any]:
    """The record of a finished exchange, read straight from its capture (capture.py): the
    plain lists a worker sends, without making the exchange's dataclasses again."""
    (_v, kind, at, request_id, wire, received_at, started, status, error_code, served_by,
     principal, notes, attempts, decisions, usage, req, resp) = capture  # fmt: skip
    (end_user, traceparent, source, user_agent, path, marks, content, retention_days, _strict,
     as_received) = notes  # fmt: skip
    p = principal or _NO_PRINCIPAL
    chat = bool(req) and req[0] == "c"
    trace_id, span_id, parent = trace_ids(request_id, traceparent)
    done = marks.get("done", at)
    record: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "kind": "exchange",
        "id": request_id,
        "ts": round(received_at, 6),
        "time": iso(received_at),
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_span_id": parent,
        "wire": wire,
        "path": path,
        "source": source,
        "user_agent": user_agent,
        "identity": p[0],
        "team": p[1],
        "app": p[2],
        "policy": p[3],
        "credential": p[4],
        "key": p[5],
        "issuer": p[6],
        "end_user": _end_user(req, chat, end_user),
        "model_requested": req[1] if req else None,
        "provider": served_by[0] if served_by else None,
        "model": served_by[1] if served_by else None,
        "stream": bool(req[2]) if chat else False,
        "status": status,
        "error_code": error_code,
        "outcome": _outcome(status, decisions),
        "duration_ms": _ms(done, started),
        "timings": _timings(marks, decisions, started, done),
        "decisions": [
            {"stage": stage, "outcome": outcome, "at_ms": _ms(d_at, started), **detail}
            for stage, outcome, detail, d_at in decisions
        ],
        "attempts": [
            {
                "provider": provider,
                "model": model,
                "status": a_status,
                "error": error,
                "start_ms": _ms(a_started, received_at) if a_started else None,
                "duration_ms": _round3(duration_ms),
            }
            for provider, model, a_status, error, a_started, duration_ms in attempts
        ],
        "failover": len({(a[0], a[1]) for a in attempts}) > 1,
        "usage": {
            "input_tokens": usage[0],
            "output_tokens": usage[1],
            "cached_input_tokens": usage[2],
            "cache_write_tokens": usage[3],
            "reasoning_tokens": usage[4],
        },
        "cost_usd": _cost(decisions),
        "dlp_types": _dlp_types(decisions),
        "retention_days": retention_days,
        "content_level": content,
    }
    if content == "redacted" or content == "full":
        record["request"] = _request_content(req, chat, content, max_text)
        if content == "redacted" and as_received is not None:
            record["response"] = as_received
        else:
            record["response"] = _response_content(resp, max_text)
    elif content == "metadata":
        record["request"] = _request_metadata(req, chat)
        record["response"] = _response_metadata(resp)
    record["tags"] = list(
        _exchange_tags(
            tuple([(str(d["stage"]), str(d["outcome"])) for d in record["decisions"]]),
            tuple(record["dlp_types"]),
            None if status is None else str(status),
            record["outcome"],
        )
    )
    if kind is not None:  # a strict stream's first record (see AuditStage.on_plan)
        record["kind"] = kind
        record["tags"] = [*record["tags"], tag("k", kind)]
    return record


_NO_PRINCIPAL = (None,) * 7


def _end_user(req: list[Any] | None, chat: bool, header: str | None) -> str | None:
    # The body's `user` field (OpenAI) names the end user; the header does for every wire.
    user = (req[3] if chat else req[2]) if req else None
    user = user or header
    if not user and chat:
        metadata = req[4]  # type: ignore[index]
        if isinstance(metadata, dict):
            user = metadata.get("user_id")  # Anthropic's way of naming the end user
    return str(user)[:256] if user else None


def _outcome(status: int, decisions: list[list[Any]]) -> str:
    if status < 400:
        return "ok"
    if any(d[1] in ("refused", "blocked", "denied") for d in decisions) or status in (
        401,
        403,
        429,
    ):
        return "refused"
    return "failed"


_PHASES = (
    ("authenticate_parse", "parsed"),
    ("inspect_request", "inspected"),
    ("route", "planned"),
    ("upstream", "answered"),
    ("inspect_response", "response_inspected"),
)


def _timings(
    marks: dict[str, float], decisions: list[list[Any]], started: float, done: float
) -> dict[str, float]:
    """How long each phase took (ms), from the marks the hooks left; absent phases are omitted."""
    out: dict[str, float] = {}
    last = started
    for phase, mark in _PHASES:
        t = marks.get(mark)
        if t is not None:
            out[phase] = _ms(t, last)
            last = t
    for d in decisions:
        if d[0] == "stream" and "first_chunk_ms" in d[2]:
            out["first_chunk"] = d[2]["first_chunk_ms"]
    out["total"] = _ms(done, started)
    return out


def _cost(decisions: list[list[Any]]) -> float | None:
    for d in reversed(decisions):
        if d[0] in ("cost", "settle", "budget"):
            detail = d[2]
            for k in ("cost_usd", "usd", "cost", "total_usd"):
                v = detail.get(k)
                if isinstance(v, int | float):
                    return float(v)
    return None


def _dlp_types(decisions: list[list[Any]]) -> list[str]:
    found: set[str] = set()
    for stage, _outcome, detail, _at in decisions:
        if not stage.startswith(("dlp", "output")):
            continue
        findings = detail.get("findings")
        if isinstance(findings, list):
            for f in findings:
                if isinstance(f, dict) and f.get("type"):
                    found.add(str(f["type"]))
        types = detail.get("types")
        if isinstance(types, dict | list):
            found.update(str(t) for t in types)
        if isinstance(detail.get("type"), str):
            found.add(detail["type"])
    return sorted(found)


@functools.lru_cache(maxsize=4096)
def _exchange_tags(
    decisions: tuple[tuple[str, str], ...],
    dlp_types: tuple[str, ...],
    status: str | None,
    outcome: str,
) -> tuple[str, ...]:
    """`record_tags` of an exchange record, from the values it reads (as strings, so equal keys
    make equal tags): traffic repeats a few combinations, so nearly every record is a hit."""
    record = {
        "kind": "exchange",
        "decisions": [{"stage": s, "outcome": o} for s, o in decisions],
        "dlp_types": dlp_types,
        "status": status,
        "outcome": outcome,
    }
    return tuple(record_tags(record))


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


def _plain(parts: list[Any]) -> bool:
    """Text only (nearly every message): the capture sends a text part as a bare string."""
    for p in parts:  # noqa: SIM110 - a loop: all() over a generator costs twice as much here
        if type(p) is not str:
            return False
    return True


def part_from_capture(d: Any) -> Any:
    """A message part as the capture sent it (a string for text, else the part's fields)."""
    if isinstance(d, str):
        return TextPart(d)
    if "text" in d and len(d) == 1:
        return TextPart(d["text"])
    if "arguments" in d:
        return ToolCall(d.get("id", ""), d.get("name", ""), d.get("arguments", ""))
    if "tool_call_id" in d:
        content = [part_from_capture(c) for c in d.get("content") or ()]
        return ToolResult(d["tool_call_id"], content, bool(d.get("is_error")), d.get("name"))
    if "media_type" in d or "url" in d:
        return ImagePart(d.get("url"), d.get("data"), d.get("media_type"), d.get("detail"))
    return TextPart(str(d.get("text", "")))


def _message_content(role: str, parts: list[Any], name: str | None, limit: int) -> dict[str, Any]:
    if _plain(parts):
        out: dict[str, Any] = {"role": role}
        if parts:
            out["text"] = _cut("".join(parts), limit)
        return out
    return _message(Message(role, [part_from_capture(p) for p in parts], name), limit)  # type: ignore[arg-type]


def _request_content(
    req: list[Any] | None, chat: bool, level: ContentLevel, limit: int
) -> dict[str, Any] | None:
    if not req:
        return None
    if not chat:
        return {"inputs": [_cut(t, limit) for t in req[3] or ()]}
    _, _model, _stream, _user, _metadata, modified, messages, tools, raw = req
    if level == "full" and modified and isinstance(raw, dict):
        # A stage rewrote the request (DLP): the client's own body is the full record.
        return {"original": _elide(raw, limit)}
    out: dict[str, Any] = {
        "messages": [_message_content(r, ps, n, limit) for r, ps, n in messages or ()]
    }
    if tools:
        out["tools"] = list(tools)
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


def _choice(c: Choice, limit: int) -> dict[str, Any]:
    calls = c.tool_calls()
    out = {"index": c.index, "text": _cut(c.text(), limit), "finish_reason": c.finish_reason}
    if calls:
        out["tool_calls"] = [{"name": t.name, "arguments": _cut(t.arguments, limit)} for t in calls]
    return out


def response_content(resp: Any, limit: int) -> dict[str, Any] | None:
    """The answer as the client got it (a record's `response` at `redacted` and `full`)."""
    if isinstance(resp, ChatResponse):
        return {"choices": [_choice(c, limit) for c in resp.choices]}
    if isinstance(resp, EmbeddingResponse):
        return {
            "vectors": len(resp.vectors),
            "dimensions": len(resp.vectors[0]) if resp.vectors else 0,
        }
    return None


def _response_content(resp: list[Any] | None, limit: int) -> dict[str, Any] | None:
    if not resp:
        return None
    if resp[0] != "c":
        return {"vectors": resp[1], "dimensions": resp[2] if resp[1] else 0}
    choices: list[dict[str, Any]] = []
    for index, parts, finish in resp[1] or ():
        if _plain(parts):
            choices.append({"index": index, "text": _cut("".join(parts), limit),
                            "finish_reason": finish})  # fmt: skip
        else:
            choice = Choice(index, [part_from_capture(p) for p in parts], finish)
            choices.append(_choice(choice, limit))
    return {"choices": choices}


def _count_parts(items: Any, kind: type) -> tuple[int, int]:
    """Characters of text, and how many `kind` parts, in captured (_, parts, _) triples: the
    messages of a request or the choices of an answer."""
    chars = count = 0
    for _first, parts, _last in items:
        if _plain(parts):
            chars += sum(map(len, parts))
            continue
        for part in parts:
            p = part_from_capture(part)
            if isinstance(p, TextPart):
                chars += len(p.text)
            elif isinstance(p, kind):
                count += 1
    return chars, count


def _request_metadata(req: list[Any] | None, chat: bool) -> dict[str, Any] | None:
    if not req:
        return None
    if not chat:
        inputs = req[3] or ()
        return {"inputs": len(inputs), "chars": sum(map(len, inputs))}
    messages, tools = req[6] or (), req[7]
    chars, images = _count_parts(messages, ImagePart)
    return {"messages": len(messages), "chars": chars, "images": images, "tools": list(tools or ())}


def _response_metadata(resp: list[Any] | None) -> dict[str, Any] | None:
    if not resp:
        return None
    if resp[0] != "c":
        return {"vectors": resp[1]}
    choices = resp[1] or ()
    chars, calls = _count_parts(choices, ToolCall)
    return {
        "choices": len(choices),
        "chars": chars,
        "finish_reasons": [c[2] for c in choices],
        "tool_calls": calls,
    }


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
