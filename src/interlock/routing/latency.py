"""Live latency per model and per provider: moving p50/p95 over the latest successful attempts.

Fed from `ex.attempts` when an exchange is done; kept in memory only (no I/O) and kept across
configuration reloads, since the upstreams do not change speed when the file does.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

WINDOW = 200  # attempts remembered per key: recent enough to follow a slowdown


@dataclass(frozen=True, slots=True)
class Percentiles:
    p50_ms: float
    p95_ms: float
    samples: int


class _Series:
    __slots__ = ("_cached", "samples")

    def __init__(self) -> None:
        self.samples: deque[float] = deque(maxlen=WINDOW)
        self._cached: Percentiles | None = None

    def percentiles(self) -> Percentiles:
        # Computed when read after a change, not per sample: reads (routing) and writes
        # (completions) both happen once per request, sorting 200 floats is a few µs.
        if self._cached is None:
            ordered = sorted(self.samples)
            n = len(ordered)
            self._cached = Percentiles(
                ordered[(n - 1) // 2], ordered[min(n - 1, round(0.95 * (n - 1)))], n
            )
        return self._cached


class LatencyTracker:
    def __init__(self) -> None:
        self._models: dict[str, _Series] = {}
        self._providers: dict[str, _Series] = {}

    def record(self, provider: str, model: str, ms: float) -> None:
        # Once per successful attempt, so written out rather than looped over both tables.
        series = self._models.get(model)
        if series is None:
            series = self._models[model] = _Series()
        series.samples.append(ms)
        series._cached = None
        series = self._providers.get(provider)
        if series is None:
            series = self._providers[provider] = _Series()
        series.samples.append(ms)
        series._cached = None

    def model(self, name: str) -> Percentiles | None:
        series = self._models.get(name)
        return series.percentiles() if series is not None else None

    def provider(self, name: str) -> Percentiles | None:
        series = self._providers.get(name)
        return series.percentiles() if series is not None else None

    def snapshot(self) -> dict[str, dict[str, dict[str, float]]]:
        def table(t: dict[str, _Series]) -> dict[str, dict[str, float]]:
            out = {}
            for key, series in t.items():
                p = series.percentiles()
                out[key] = {"p50_ms": round(p.p50_ms, 1), "p95_ms": round(p.p95_ms, 1),
                            "samples": p.samples}  # fmt: skip
            return out

        return {"models": table(self._models), "providers": table(self._providers)}
