"""Record shapes for the SIEM: the native record, OCSF API Activity (class 6003), and CEF."""

from __future__ import annotations

from typing import Any

PRODUCT = "Interlock"
VENDOR = "Interlock"
VERSION = "0.1.0"
OCSF_VERSION = "1.3.0"

# OCSF API Activity: activity_id 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other.
_ADMIN_ACTIVITY = {"create": 1, "list": 2, "show": 2, "search": 2, "rotate": 3, "revoke": 4}


def native(record: dict[str, Any]) -> dict[str, Any]:
    return record


def operation(record: dict[str, Any]) -> str:
    wire = record.get("wire") or ""
    return {
        "openai.chat": "chat",
        "openai.responses": "chat",
        "anthropic.messages": "chat",
        "openai.completions": "text_completion",
        "openai.embeddings": "embeddings",
    }.get(wire, record.get("kind") or "other")


def severity(record: dict[str, Any]) -> int:
    """Syslog-style severity: 6 informational, 5 notice (refused), 4 warning (failed)."""
    if record.get("kind") == "exchange":
        return {"ok": 6, "refused": 5}.get(record.get("outcome") or "", 4)
    if record.get("outcome") == "denied":
        return 5
    return 6


def ocsf(record: dict[str, Any]) -> dict[str, Any]:
    kind = record.get("kind")
    if kind == "admin":
        activity = _ADMIN_ACTIVITY.get(str(record.get("action", "")).split()[0].lower(), 99)
        success = record.get("outcome") == "ok"
        api = {
            "operation": f"{record.get('action')} {record.get('entity_type')}",
            "service": {"name": "interlock-admin"},
            "request": {"uid": record.get("request_id") or record.get("id")},
        }
        actor = {"user": {"uid": record.get("actor"), "type": "Admin"}}
        resources = [{"type": record.get("entity_type"), "uid": record.get("entity_id")}]
    else:
        activity = 99
        success = (record.get("status") or 0) < 400
        api = {
            "operation": operation(record),
            "service": {"name": record.get("provider") or "interlock"},
            "request": {"uid": record.get("id")},
            "response": {
                "code": record.get("status"),
                "error": record.get("error_code"),
            },
        }
        actor = {
            "user": {
                "uid": record.get("identity"),
                "groups": [{"name": record.get("team")}] if record.get("team") else [],
                "credential_uid": record.get("key"),
            },
            "app_name": record.get("app"),
        }
        resources = [
            {"type": "model", "name": record.get("model") or record.get("model_requested")}
        ]
    sev = severity(record)
    return {
        "class_uid": 6003,
        "class_name": "API Activity",
        "category_uid": 6,
        "category_name": "Application Activity",
        "activity_id": activity,
        "type_uid": 6003 * 100 + activity,
        "time": int((record.get("ts") or 0) * 1000),
        "severity_id": {6: 1, 5: 2, 4: 3}.get(sev, 1),
        "status_id": 1 if success else 2,
        "status": "Success" if success else "Failure",
        "status_code": str(record.get("status") or record.get("outcome") or ""),
        "metadata": {
            "version": OCSF_VERSION,
            "uid": record.get("id"),
            "correlation_uid": record.get("trace_id"),
            "product": {"name": PRODUCT, "vendor_name": VENDOR, "version": VERSION},
            "log_name": "audit",
            "sequence": record.get("seq"),
        },
        "actor": actor,
        "api": api,
        "resources": resources,
        "src_endpoint": {"ip": record.get("source")} if record.get("source") else {},
        "http_request": {
            "user_agent": record.get("user_agent"),
            "url": {"path": record.get("path")},
        },
        "duration": record.get("duration_ms"),
        "unmapped": {
            k: record.get(k)
            for k in (
                "chain",
                "hash",
                "end_user",
                "policy",
                "usage",
                "cost_usd",
                "decisions",
                "attempts",
                "dlp_types",
                "model_requested",
            )
            if record.get(k) is not None
        },
    }


# ---- CEF ---------------------------------------------------------------------------------------


def _cef_header(v: Any) -> str:
    return str(v).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _cef_value(v: Any) -> str:
    return (
        str(v).replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")
    )


def cef(record: dict[str, Any]) -> str:
    kind = record.get("kind") or "exchange"
    if kind == "exchange":
        signature = f"{operation(record)}.{record.get('outcome')}"
        name = f"LLM {operation(record)} {record.get('outcome')}"
    else:
        signature = f"{kind}.{record.get('action') or record.get('outcome')}"
        name = f"{kind} {record.get('action') or ''} {record.get('entity_type') or ''}".strip()
    cef_severity = {6: 3, 5: 5, 4: 7}.get(severity(record), 3)
    usage = record.get("usage") or {}
    ext: list[tuple[str, Any]] = [
        ("rt", int((record.get("ts") or 0) * 1000)),
        ("externalId", record.get("id")),
        ("suser", record.get("identity") or record.get("actor")),
        ("duser", record.get("end_user")),
        ("src", record.get("source")),
        ("request", record.get("path")),
        ("requestClientApplication", record.get("user_agent")),
        ("outcome", record.get("outcome")),
        ("cs1Label", "team"), ("cs1", record.get("team")),
        ("cs2Label", "app"), ("cs2", record.get("app")),
        ("cs3Label", "model"), ("cs3", record.get("model") or record.get("model_requested")),
        ("cs4Label", "provider"), ("cs4", record.get("provider")),
        ("cs5Label", "policy"), ("cs5", record.get("policy")),
        ("cs6Label", "decisions"),
        ("cs6", ",".join(f"{d.get('stage')}:{d.get('outcome')}" for d in record.get("decisions") or ())),
        ("cn1Label", "status"), ("cn1", record.get("status")),
        ("cn2Label", "inputTokens"), ("cn2", usage.get("input_tokens")),
        ("cn3Label", "outputTokens"), ("cn3", usage.get("output_tokens")),
        ("flexString1Label", "chainSeq"), ("flexString1", f"{record.get('chain')}:{record.get('seq')}"),
        ("flexString2Label", "hash"), ("flexString2", record.get("hash")),
    ]  # fmt: skip
    if record.get("dlp_types"):
        ext.append(("cat", "dlp:" + ",".join(record["dlp_types"])))
    if record.get("error_code"):
        ext.append(("reason", record["error_code"]))
    extension = " ".join(f"{k}={_cef_value(v)}" for k, v in ext if v is not None and v != "")
    return (
        f"CEF:0|{_cef_header(VENDOR)}|{_cef_header(PRODUCT + ' Gateway')}|{VERSION}|"
        f"{_cef_header(signature)}|{_cef_header(name)}|{cef_severity}|{extension}"
    )


def shape(record: dict[str, Any], fmt: str) -> Any:
    if fmt == "ocsf":
        return ocsf(record)
    if fmt == "cef":
        return cef(record)
    return record
