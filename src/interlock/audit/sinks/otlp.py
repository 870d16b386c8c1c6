"""OpenTelemetry over OTLP/HTTP (JSON encoding): each record as a log record, and each exchange
as a trace (a server span for the exchange, a client span per upstream attempt) carrying the
GenAI semantic conventions (`gen_ai.*`).

OTLP JSON rules followed here: trace and span ids are hex strings, 64-bit integers are strings,
enums are numbers (span kind 2 server / 3 client, status code 1 ok / 2 error).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from interlock.audit.config import OtlpSink
from interlock.audit.formats import VERSION, operation, severity
from interlock.audit.sinks.http import Poster

SCOPE = {"name": "interlock.audit", "version": VERSION}
# Syslog severity -> OTel severity number (INFO 9, INFO2 10 for notice, WARN 13).
_SEVERITY = {6: (9, "INFO"), 5: (10, "INFO2"), 4: (13, "WARN")}


def attr(key: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        v: dict[str, Any] = {"boolValue": value}
    elif isinstance(value, int):
        v = {"intValue": str(value)}
    elif isinstance(value, float):
        v = {"doubleValue": value}
    elif isinstance(value, list | tuple):
        v = {
            "arrayValue": {
                "values": [next(iter(attr("", x).values())) for x in value if x is not None]
            }
        }  # type: ignore[union-attr]
        return {"key": key, "value": v}
    else:
        v = {"stringValue": str(value)}
    return {"key": key, "value": v}


def attrs(pairs: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [a for k, v in pairs if (a := attr(k, v)) is not None]


def _nanos(seconds: float) -> str:
    return str(round(seconds * 1e9))


def _child_span_id(record: dict[str, Any], i: int) -> str:
    return hashlib.sha256(f"{record.get('id')}:attempt:{i}".encode()).hexdigest()[:16]


def genai_attributes(r: dict[str, Any]) -> list[tuple[str, Any]]:
    usage = r.get("usage") or {}
    resp = r.get("response") or {}
    finish = resp.get("finish_reasons") or [
        c.get("finish_reason") for c in resp.get("choices") or () if isinstance(c, dict)
    ]
    return [
        ("gen_ai.operation.name", operation(r)),
        ("gen_ai.provider.name", r.get("provider")),
        ("gen_ai.system", r.get("provider")),
        ("gen_ai.request.model", r.get("model_requested")),
        ("gen_ai.response.model", r.get("model")),
        ("gen_ai.response.id", r.get("id")),
        ("gen_ai.usage.input_tokens", usage.get("input_tokens")),
        ("gen_ai.usage.output_tokens", usage.get("output_tokens")),
        ("gen_ai.response.finish_reasons", [f for f in finish if f] or None),
        ("gen_ai.conversation.id", None),
    ]


def log_record(r: dict[str, Any]) -> dict[str, Any]:
    number, text = _SEVERITY.get(severity(r), (9, "INFO"))
    out: dict[str, Any] = {
        "timeUnixNano": _nanos(r.get("ts") or 0),
        "observedTimeUnixNano": _nanos(r.get("ts") or 0),
        "severityNumber": number,
        "severityText": text,
        "eventName": f"interlock.audit.{r.get('kind')}",
        "body": {"stringValue": orjson.dumps(r).decode()},
        "attributes": attrs(
            [
                ("interlock.record.kind", r.get("kind")),
                ("interlock.record.id", r.get("id")),
                ("interlock.chain", r.get("chain")),
                ("interlock.seq", r.get("seq")),
                ("interlock.team", r.get("team")),
                ("interlock.app", r.get("app")),
                ("interlock.identity", r.get("identity") or r.get("actor")),
                ("interlock.end_user", r.get("end_user")),
                ("interlock.outcome", r.get("outcome")),
                ("http.response.status_code", r.get("status")),
                *(genai_attributes(r) if r.get("kind") == "exchange" else []),
            ]
        ),
    }
    if r.get("trace_id") and r.get("span_id"):
        out["traceId"] = r["trace_id"]
        out["spanId"] = r["span_id"]
    return out


def spans(r: dict[str, Any]) -> list[dict[str, Any]]:
    start = r.get("ts") or 0
    end = start + (r.get("duration_ms") or 0) / 1000
    error = (r.get("status") or 0) >= 400
    server = {
        "traceId": r["trace_id"],
        "spanId": r["span_id"],
        "name": f"{operation(r)} {r.get('model_requested') or ''}".strip(),
        "kind": 2,
        "startTimeUnixNano": _nanos(start),
        "endTimeUnixNano": _nanos(end),
        "attributes": attrs(
            [
                *genai_attributes(r),
                ("http.response.status_code", r.get("status")),
                ("url.path", r.get("path")),
                ("error.type", r.get("error_code")),
                ("interlock.team", r.get("team")),
                ("interlock.app", r.get("app")),
                ("interlock.identity", r.get("identity")),
                ("interlock.policy", r.get("policy")),
                (
                    "interlock.decisions",
                    [f"{d.get('stage')}:{d.get('outcome')}" for d in r.get("decisions") or ()],
                ),
            ]
        ),
        "status": {"code": 2, "message": r.get("error_code") or ""} if error else {"code": 1},
    }
    if r.get("parent_span_id"):
        server["parentSpanId"] = r["parent_span_id"]
    out = [server]
    for i, a in enumerate(r.get("attempts") or ()):
        a_start = start + (a.get("start_ms") or 0) / 1000
        failed = bool(a.get("error")) or (a.get("status") or 0) >= 400
        out.append(
            {
                "traceId": r["trace_id"],
                "spanId": _child_span_id(r, i),
                "parentSpanId": r["span_id"],
                "name": f"{operation(r)} {a.get('model')}",
                "kind": 3,
                "startTimeUnixNano": _nanos(a_start),
                "endTimeUnixNano": _nanos(a_start + (a.get("duration_ms") or 0) / 1000),
                "attributes": attrs(
                    [
                        ("gen_ai.operation.name", operation(r)),
                        ("gen_ai.provider.name", a.get("provider")),
                        ("gen_ai.system", a.get("provider")),
                        ("gen_ai.request.model", a.get("model")),
                        ("http.response.status_code", a.get("status")),
                        ("error.type", a.get("error")),
                    ]
                ),
                "status": {"code": 2, "message": a.get("error") or ""} if failed else {"code": 1},
            }
        )
    return out


class OtlpExporter:
    def __init__(self, name: str, config: OtlpSink) -> None:
        self.name = name
        self.config = config
        self.batch = config.batch
        self.retry_max_s = config.retry_max_s
        self.base = config.endpoint.rstrip("/")
        self.poster = Poster()
        self.resource = {
            "attributes": attrs(
                [("service.name", config.service_name), ("service.version", VERSION)]
            )
        }

    async def start(self) -> None:
        return None

    async def send(self, records: list[dict[str, Any]]) -> None:
        headers = {**self.config.headers, "content-type": "application/json"}
        if self.config.logs:
            body = {
                "resourceLogs": [
                    {
                        "resource": self.resource,
                        "scopeLogs": [
                            {"scope": SCOPE, "logRecords": [log_record(r) for r in records]}
                        ],
                    }
                ]
            }
            await self.poster.post(
                self.base + "/v1/logs", orjson.dumps(body), headers, f"otlp {self.name} logs"
            )
        exchanges = [r for r in records if r.get("kind") == "exchange" and r.get("trace_id")]
        if self.config.traces and exchanges:
            body = {
                "resourceSpans": [
                    {
                        "resource": self.resource,
                        "scopeSpans": [
                            {"scope": SCOPE, "spans": [s for r in exchanges for s in spans(r)]}
                        ],
                    }
                ]
            }
            await self.poster.post(
                self.base + "/v1/traces", orjson.dumps(body), headers, f"otlp {self.name} traces"
            )

    async def close(self) -> None:
        await self.poster.close()
