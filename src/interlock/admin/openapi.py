"""The admin API's OpenAPI 3.1 document, generated from the route table and its body models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from interlock.admin import schemas as s

if TYPE_CHECKING:
    from interlock.admin.http import Route

REF = "#/components/schemas/{model}"


def openapi_document(routes: list[Route]) -> dict[str, Any]:
    models: set[type[BaseModel]] = {s.ErrorBody}
    for r in routes:
        models.update(m for m in (r.body, r.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, defs = models_json_schema(
        [(m, "validation" if m in {r.body for r in routes} else "serialization") for m in ordered],
        ref_template=REF,
    )
    paths: dict[str, dict[str, Any]] = {}
    for r in routes:
        op: dict[str, Any] = {
            "operationId": r.operation,
            "summary": r.summary,
            "tags": [r.tag] if r.tag else [],
            "responses": _responses(r),
        }
        if "{id}" in r.path:
            op["parameters"] = [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ]
        if r.operation == "list_audit":
            op["parameters"] = [
                {"name": n, "in": "query", "required": False, "schema": {"type": t}}
                for n, t in (
                    ("entity_type", "string"), ("entity_id", "string"), ("actor", "string"),
                    ("outcome", "string"), ("after_id", "integer"), ("limit", "integer"),
                )
            ]  # fmt: skip
        if r.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": REF.format(model=r.body.__name__)}}
                },
            }
        paths.setdefault(r.path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Interlock admin API",
            "version": "1",
            "description": "Teams, applications, identities, API keys, bindings and the admin audit trail.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An admin API key (ilk_…) or a JWT from a configured issuer",
                }
            },
        },
        "paths": paths,
    }


def _responses(r: Route) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}}}
    out: dict[str, Any] = {}
    if r.response is not None:
        schema: dict[str, Any] = {"$ref": REF.format(model=r.response.__name__)}
        if r.many:
            schema = {"type": "array", "items": schema}
        out[str(r.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": schema}},
        }
    for status, why in (
        ("400", "Invalid request"),
        ("401", "Missing or invalid credentials"),
        ("403", "The role does not allow this"),
        ("404", "No such entity"),
        ("409", "Conflicts with the current state"),
    ):
        out[status] = {"description": why, **error}
    return out
