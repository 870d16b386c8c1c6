"""Typed reads of a parsed JSON body, raising clear 400s that name the parameter."""

from __future__ import annotations

from typing import Any, TypeVar

from interlock.errors import GatewayError

T = TypeVar("T")

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    dict: "an object",
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    for typ, name in _TYPE_NAMES.items():
        if isinstance(value, typ):
            return name
    return type(value).__name__


def wrong_type(param: str, expected: str, value: Any) -> GatewayError:
    return GatewayError(
        "invalid_type", f"'{param}' must be {expected}, got {_kind(value)}", param=param
    )


def required(body: dict[str, Any], key: str, typ: type[T], param: str | None = None) -> T:
    param = param or key
    if key not in body or body[key] is None:
        raise GatewayError("missing_field", f"'{param}' is required", param=param)
    return check(body[key], typ, param)


def optional(body: dict[str, Any], key: str, typ: type[T], param: str | None = None) -> T | None:
    value = body.get(key)
    if value is None:
        return None
    return check(value, typ, param or key)


def check(value: Any, typ: type[T], param: str) -> T:
    if typ is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)  # type: ignore[return-value]
    elif typ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # type: ignore[return-value]
    elif isinstance(value, typ):
        return value
    raise wrong_type(param, _TYPE_NAMES.get(typ, typ.__name__), value)


def ranged(value: float | int | None, param: str, lo: float, hi: float) -> None:
    if value is not None and not lo <= value <= hi:
        raise GatewayError(
            "invalid_value", f"'{param}' must be between {lo:g} and {hi:g}", param=param
        )
