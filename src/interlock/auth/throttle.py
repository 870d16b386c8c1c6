"""Slows down a source address that keeps failing authentication.

A fixed window per address counts refusals; past the threshold every further request from that
address waits, doubling per extra failure up to a cap, *before* its credentials are checked, so
sending guesses in parallel does not get around the delay. Honest callers behind the same
address are slowed, never refused. Memory is bounded: old windows are swept out.
"""

from __future__ import annotations

import asyncio
import time

from interlock.config.schema import FailureThrottle

_MAX_SOURCES = 100_000


class Throttle:
    def __init__(self, settings: FailureThrottle) -> None:
        self.settings = settings
        self._windows: dict[str, list[float]] = {}  # source -> [window start, failures]

    def delay_for(self, source: str) -> float:
        entry = self._windows.get(source)
        if entry is None:
            return 0.0
        s = self.settings
        if time.monotonic() - entry[0] > s.window_s:
            del self._windows[source]
            return 0.0
        excess = entry[1] - s.threshold
        if excess < 0:
            return 0.0
        return min(s.max_delay_s, s.base_delay_s * 2 ** min(excess, 30))

    async def wait(self, source: str) -> float:
        delay = self.delay_for(source)
        if delay > 0:
            await asyncio.sleep(delay)
        return delay

    def failed(self, source: str) -> None:
        now = time.monotonic()
        entry = self._windows.get(source)
        if entry is None or now - entry[0] > self.settings.window_s:
            if len(self._windows) >= _MAX_SOURCES:
                self._sweep(now)
            self._windows[source] = [now, 1.0]
        else:
            entry[1] += 1

    def _sweep(self, now: float) -> None:
        window = self.settings.window_s
        for source in [k for k, v in self._windows.items() if now - v[0] > window]:
            del self._windows[source]
        if len(self._windows) >= _MAX_SOURCES:  # still full: forget the oldest half
            for source in sorted(self._windows, key=lambda k: self._windows[k][0])[
                : _MAX_SOURCES // 2
            ]:
                del self._windows[source]
