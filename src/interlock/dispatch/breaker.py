"""A circuit breaker per upstream: stop sending to a provider that keeps failing."""

from __future__ import annotations

import time
from typing import Literal

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(self, failure_threshold: int, reset_after_s: float) -> None:
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self.state: State = "closed"
        self.failures = 0
        self.opened_at = 0.0
        self._probe_in_flight = False

    def allow(self) -> bool:
        if self.state == "closed":
            return True
        if self.state == "open" and time.monotonic() - self.opened_at >= self.reset_after_s:
            self.state = "half_open"
            self._probe_in_flight = False
        if self.state == "half_open" and not self._probe_in_flight:
            self._probe_in_flight = True  # exactly one probe; the rest wait for its verdict
            return True
        return False

    def record_success(self) -> None:
        self.state = "closed"
        self.failures = 0
        self._probe_in_flight = False

    def record_failure(self) -> None:
        self.failures += 1
        if self.state == "half_open" or self.failures >= self.failure_threshold:
            self.state = "open"
            self.opened_at = time.monotonic()
            self._probe_in_flight = False
