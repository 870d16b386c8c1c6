"""The finished exchange as a compact message for the audit writer process.

The gateway worker only grabs what the record will need (references, no record building) as
plain lists and encodes them with one `orjson.dumps` call (about 2 µs for a typical exchange).
The writer reads the record straight from those lists (`record.record_from_capture`, the one
record builder: an exchange recorded in its own process goes through its capture too), so a
record is the same whichever process builds it.

Content the policy does not keep is not sent at all (`none`: no messages; the client's own
body only at `full` after a stage rewrote it).
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import orjson

from interlock.audit.record import Notes
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    Exchange,
    TextPart,
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


# Tuples made in C by attrgetter (orjson writes them as arrays): the capture of an exchange is
# mostly these, and a list built attribute by attribute in Python costs several times more.
_PRINCIPAL_OF = attrgetter(*_PRINCIPAL)
_NOTES_OF = attrgetter("end_user", "traceparent", "source", "user_agent", "path", "marks",
                       "content", "retention_days", "strict", "response_as_received")  # fmt: skip
_ATTEMPT_OF = attrgetter("provider", "model", "status", "error", "started", "duration_ms")
_DECISION_OF = attrgetter("stage", "outcome", "detail", "at")
_USAGE_OF = attrgetter("input_tokens", "output_tokens", "cached_input_tokens",
                       "cache_write_tokens", "reasoning_tokens")  # fmt: skip


def _principal(p: Any) -> tuple[Any, ...] | list[Any] | None:
    if p is None:
        return None
    try:
        return _PRINCIPAL_OF(p)
    except AttributeError:  # not a Principal: what it has of the fields
        return [getattr(p, name, None) for name in _PRINCIPAL]


def _parts(parts: list[Any]) -> list[Any]:
    # Text (nearly every part) as a bare string; other parts as orjson's dataclass objects.
    if len(parts) == 1:  # most messages: without the comprehension's own frame
        p = parts[0]
        return [p.text if type(p) is TextPart else p]
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
    message = [wid, "x", strict, capture(ex, kind, at)]
    return orjson.dumps(message, default=_fallback, option=_OPTIONS) + b"\n"


def capture_json(ex: Exchange, kind: str | None, at: float) -> bytes:
    """The capture alone, as JSON (what `record.build_record` builds from in this process)."""
    return orjson.dumps(capture(ex, kind, at), default=_fallback, option=_OPTIONS)


def capture(ex: Exchange, kind: str | None, at: float) -> list[Any]:
    """What the record needs of a finished exchange, as plain lists (`record_from_capture`
    reads them by position). `at`: when it was done, for an exchange without a `done` mark."""
    n = ex.audit
    if not isinstance(n, Notes):
        n = Notes()
    return [
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
        _NOTES_OF(n),
        list(map(_ATTEMPT_OF, ex.attempts)),
        list(map(_DECISION_OF, ex.decisions)),
        _USAGE_OF(ex.usage),
        _request(ex.request, n.content),
        _response(ex.response, n.content),
    ]


def encode_record(wid: int, strict: bool, record: dict[str, Any]) -> bytes:
    """A record made elsewhere (admin change, retention run): `[wid, "r", strict, record]`."""
    return orjson.dumps([wid, "r", strict, record], default=_fallback, option=_OPTIONS) + b"\n"
