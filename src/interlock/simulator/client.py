"""A synchronous client for the control API, for tests that drive the simulator from any thread.

It uses only the standard library so that it works from sync test code, other threads and
other processes alike.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class SimulatorControlError(RuntimeError):
    """The control API refused a call (e.g. an invalid fault description)."""


class SimulatorClient:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise SimulatorControlError(f"{method} {path} -> {exc.code}: {detail}") from exc
        return json.loads(body) if body else None

    def add_fault(self, **fault: Any) -> str:
        """Registers a fault (see the control API) and returns its id."""
        return str(self._call("POST", "/_sim/faults", fault)["id"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/_sim/faults"))

    def clear_faults(self) -> None:
        self._call("DELETE", "/_sim/faults")

    def requests(self, provider: str | None = None) -> list[dict[str, Any]]:
        """The received-request log, oldest first; optionally only one provider's."""
        entries = list(self._call("GET", "/_sim/requests"))
        return [e for e in entries if provider is None or e["provider"] == provider]

    def clear_requests(self) -> None:
        self._call("DELETE", "/_sim/requests")
