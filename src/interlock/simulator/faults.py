"""Fault injection: faults registered through the control API and consumed by provider calls.

A fault matches a call when its optional `provider` and `model` filters equal the call's.
Faults are consulted in registration order and the first match wins; each match uses up one of
its `times` (-1 = never used up), and a used-up fault is dropped.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

PROVIDERS = ("openai", "azure", "anthropic", "bedrock", "gemini")


class FaultSpecError(ValueError):
    """The control API was sent a fault description it cannot honour."""


@dataclass(slots=True)
class Fault:
    id: str
    provider: str | None = None
    model: str | None = None
    times: int = 1
    status: int | None = None
    retry_after: float | None = None
    message: str | None = None
    latency_ms: int = 0
    chunk_latency_ms: int | None = None
    hang: bool = False
    cut_after_chunks: int | None = None
    malformed: bool = False

    def matches(self, provider: str, model: str | None) -> bool:
        if self.provider is not None and self.provider != provider:
            return False
        return self.model is None or self.model == model

    def describe(self) -> dict[str, Any]:
        return asdict(self)


# Field name -> accepted JSON types; bool is excluded from the int fields on purpose.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "provider": (str,),
    "model": (str,),
    "times": (int,),
    "status": (int,),
    "retry_after": (int, float),
    "message": (str,),
    "latency_ms": (int, float),
    "chunk_latency_ms": (int, float),
    "hang": (bool,),
    "cut_after_chunks": (int,),
    "malformed": (bool,),
}


def parse_fault(spec: Any, fault_id: str) -> Fault:
    """Validates one fault description from `POST /_sim/faults`."""
    if not isinstance(spec, dict):
        raise FaultSpecError("a fault must be a JSON object")
    unknown = sorted(set(spec) - set(_FIELD_TYPES))
    if unknown:
        raise FaultSpecError(f"unknown fault fields: {', '.join(unknown)}")
    for name, value in spec.items():
        types = _FIELD_TYPES[name]
        wrong_bool = isinstance(value, bool) and bool not in types
        if value is not None and (wrong_bool or not isinstance(value, types)):
            raise FaultSpecError(f"fault field {name!r} has the wrong type")
    values = {k: v for k, v in spec.items() if v is not None}
    if values.get("provider") is not None and values["provider"] not in PROVIDERS:
        raise FaultSpecError(f"provider must be one of {', '.join(PROVIDERS)}")
    times = values.get("times", 1)
    if times == 0 or times < -1:
        raise FaultSpecError("times must be -1 (forever) or a positive count")
    status = values.get("status")
    if status is not None and not 100 <= status <= 599:
        raise FaultSpecError("status must be an HTTP status code")
    if values.get("cut_after_chunks", 0) < 0:
        raise FaultSpecError("cut_after_chunks must not be negative")
    for name in ("latency_ms", "chunk_latency_ms", "retry_after"):
        if values.get(name, 0) < 0:
            raise FaultSpecError(f"{name} must not be negative")
    return Fault(id=fault_id, **values)


class FaultRegistry:
    """Registered faults in order; the event loop is single-threaded, so no locking is needed."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: Any) -> Fault:
        fault = parse_fault(spec, f"fault-{next(self._ids)}")
        self._faults.append(fault)
        return fault

    def take(self, provider: str, model: str | None) -> Fault | None:
        """The first fault matching this call, with one use consumed."""
        for fault in self._faults:
            if fault.matches(provider, model):
                if fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        return [fault.describe() for fault in self._faults]
