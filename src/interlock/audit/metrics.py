"""Prometheus metrics, counted from audit records in the writer task (never on the request path).

Exposed on GET /metrics in the Prometheus text format (version 0.0.4). Labels are bounded by the
configuration and the organisation (models, providers, teams, applications, stage names), never
by request content or end users.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
Labels = tuple[tuple[str, str], ...]


def _labels(**kv: Any) -> Labels:
    return tuple((k, "" if v is None else str(v)) for k, v in kv.items())


_TOKEN_KINDS = (
    ("input", "input_tokens"),
    ("output", "output_tokens"),
    ("cached_input", "cached_input_tokens"),
    ("reasoning", "reasoning_tokens"),
)


def _s(v: Any) -> str:
    return "" if v is None else v if isinstance(v, str) else str(v)


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _fmt_labels(labels: Labels, extra: tuple[str, str] | None = None) -> str:
    items = [*labels, extra] if extra else list(labels)
    if not items:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in items) + "}"


def _num(v: float) -> str:
    if math.isinf(v):
        return "+Inf"
    return repr(float(v)) if not float(v).is_integer() else str(int(v))


class Histogram:
    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0
        self.sum = 0.0

    def observe(self, v: float) -> None:
        self.total += 1
        self.sum += v
        i = bisect.bisect_left(self.buckets, v)
        if i < len(self.counts):
            self.counts[i] += 1


def _observe(series: dict[Labels, Histogram], key: Labels, value: float) -> None:
    # Histogram.observe inlined: a record makes seven observations.
    hist = series.get(key)
    if hist is None:
        hist = series[key] = Histogram()
    hist.total += 1
    hist.sum += value
    i = bisect.bisect_left(hist.buckets, value)
    if i < len(hist.counts):
        hist.counts[i] += 1


# The label sets of the phases a record times (record._PHASES), made once.
_STAGE_KEYS: dict[str, Labels] = {
    phase: (("stage", phase),)
    for phase in ("authenticate_parse", "inspect_request", "route", "upstream",
                  "inspect_response", "first_chunk")
}  # fmt: skip


class Metrics:
    def __init__(self) -> None:
        self.counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
        self.gauges: dict[str, dict[Labels, float]] = defaultdict(dict)
        self.histograms: dict[str, dict[Labels, Histogram]] = defaultdict(dict)
        self.help: dict[str, tuple[str, str]] = {}
        # Read at scrape time: values that live elsewhere (circuit breakers, queue depth).
        self.collectors: list[Callable[[Metrics], None]] = []
        for name, kind, text in HELP:
            self.help[name] = (kind, text)

    def inc(self, name: str, value: float = 1.0, **labels: Any) -> None:
        self.counters[name][_labels(**labels)] += value

    def set(self, name: str, value: float, **labels: Any) -> None:
        self.gauges[name][_labels(**labels)] = value

    def observe(
        self, name: str, value: float, buckets: tuple[float, ...] = LATENCY_BUCKETS, **labels: Any
    ) -> None:
        key = _labels(**labels)
        h = self.histograms[name].get(key)
        if h is None:
            h = self.histograms[name][key] = Histogram(buckets)
        h.observe(value)

    # ---- from records --------------------------------------------------------------------

    def count_record(self, r: dict[str, Any]) -> None:
        # Called for every record in the writer: label tuples are built inline (no kwargs).
        if r.get("kind") != "exchange":
            return
        c, h = self.counters, self.histograms
        team, app = _s(r.get("team")), _s(r.get("app"))
        model = _s(r.get("model"))
        c["interlock_requests_total"][
            (("wire", _s(r.get("wire"))), ("model", model or _s(r.get("model_requested"))),
             ("provider", _s(r.get("provider"))), ("status", _s(r.get("status"))),
             ("outcome", _s(r.get("outcome"))), ("team", team), ("app", app))
        ] += 1  # fmt: skip
        _observe(h["interlock_request_duration_seconds"], (("wire", _s(r.get("wire"))),),
                 (r.get("duration_ms") or 0) / 1000)  # fmt: skip
        stages = h["interlock_stage_duration_seconds"]
        for phase, ms in (r.get("timings") or {}).items():
            if phase != "total":
                key = _STAGE_KEYS.get(phase)
                _observe(stages, (("stage", phase),) if key is None else key, ms / 1000)
        usage = r.get("usage") or {}
        tokens = c["interlock_tokens_total"]
        for direction, key in _TOKEN_KINDS:
            n = usage.get(key)
            if n:
                tokens[
                    (("direction", direction), ("model", model), ("team", team), ("app", app))
                ] += n
        if r.get("cost_usd"):
            c["interlock_cost_usd_total"][(("model", model), ("team", team), ("app", app))] += r[
                "cost_usd"
            ]
        for a in r.get("attempts") or ():
            if a.get("error") or (a.get("status") or 0) >= 400:
                c["interlock_upstream_errors_total"][
                    (("provider", _s(a.get("provider"))), ("status", _s(a.get("status"))),
                     ("reason", _s(a.get("error"))))
                ] += 1  # fmt: skip
        decisions = c["interlock_decisions_total"]
        for d in r.get("decisions") or ():
            stage, outcome = str(d.get("stage")), str(d.get("outcome"))
            decisions[(("stage", stage), ("outcome", outcome))] += 1
            if stage == "auth" or stage == "cost":
                continue
            if stage.startswith(("dlp", "output")):
                for f in d.get("findings") or ():
                    if isinstance(f, dict):
                        self.inc(
                            "interlock_dlp_findings_total",
                            type=f.get("type"),
                            action=f.get("action") or outcome,
                            stage=stage,
                        )
            elif stage.startswith("injection"):
                self.inc("interlock_injection_verdicts_total", verdict=outcome)
                score = d.get("score")
                if isinstance(score, int | float):
                    self.observe("interlock_injection_score", float(score), SCORE_BUCKETS)
            elif stage.startswith("budget"):
                spent, limit = d.get("spent_usd"), d.get("limit_usd")
                if isinstance(spent, int | float) and isinstance(limit, int | float) and limit > 0:
                    self.set("interlock_budget_used_ratio", spent / limit, budget=d.get("budget"))
                if outcome in ("refused", "warning"):
                    self.inc(
                        "interlock_budget_events_total", outcome=outcome, budget=d.get("budget")
                    )

    # ---- exposition ----------------------------------------------------------------------

    def render(self) -> bytes:
        for collect in self.collectors:
            collect(self)
        out: list[str] = []
        names = sorted(set(self.counters) | set(self.gauges) | set(self.histograms))
        for name in names:
            kind, text = self.help.get(name, ("untyped", name))
            out.append(f"# HELP {name} {text}")
            out.append(f"# TYPE {name} {kind}")
            for labels, v in sorted(self.counters.get(name, {}).items()):
                out.append(f"{name}{_fmt_labels(labels)} {_num(v)}")
            for labels, v in sorted(self.gauges.get(name, {}).items()):
                out.append(f"{name}{_fmt_labels(labels)} {_num(v)}")
            for labels, h in sorted(self.histograms.get(name, {}).items()):
                cumulative = 0
                for b, c in zip(h.buckets, h.counts, strict=True):
                    cumulative += c
                    out.append(f"{name}_bucket{_fmt_labels(labels, ('le', _num(b)))} {cumulative}")
                out.append(f"{name}_bucket{_fmt_labels(labels, ('le', '+Inf'))} {h.total}")
                out.append(f"{name}_sum{_fmt_labels(labels)} {_num(h.sum)}")
                out.append(f"{name}_count{_fmt_labels(labels)} {h.total}")
        return ("\n".join(out) + "\n").encode()


HELP = [
    ("interlock_requests_total", "counter", "Exchanges finished, by outcome"),
    ("interlock_request_duration_seconds", "histogram", "Time from request received to done"),
    ("interlock_stage_duration_seconds", "histogram", "Time spent in each pipeline phase"),
    ("interlock_tokens_total", "counter", "Tokens by direction"),
    ("interlock_cost_usd_total", "counter", "Cost in US dollars"),
    ("interlock_upstream_errors_total", "counter", "Failed upstream attempts"),
    ("interlock_decisions_total", "counter", "Stage decisions by stage and outcome"),
    ("interlock_dlp_findings_total", "counter", "DLP findings by type and action"),
    ("interlock_injection_verdicts_total", "counter", "Prompt-injection verdicts"),
    ("interlock_injection_score", "histogram", "Prompt-injection scores"),
    ("interlock_budget_used_ratio", "gauge", "Share of a budget used (at its last decision)"),
    ("interlock_budget_events_total", "counter", "Budget warnings and refusals"),
    (
        "interlock_circuit_state",
        "gauge",
        "Circuit breaker per provider: 0 closed, 1 half open, 2 open",
    ),
    ("interlock_audit_records_total", "counter", "Audit records made durable in the spool"),
    ("interlock_audit_dropped_total", "counter", "Audit records dropped (spool full)"),
    ("interlock_audit_refused_total", "counter", "Requests refused because the spool is full"),
    ("interlock_audit_queue_depth", "gauge", "Exchanges waiting for the audit writer"),
    ("interlock_audit_spool_bytes", "gauge", "Bytes in the audit spool"),
    ("interlock_audit_spool_full", "gauge", "1 while the spool cannot take more"),
    ("interlock_audit_fsync_seconds", "histogram", "Spool batch write and fsync time"),
    ("interlock_audit_sink_lag_records", "gauge", "Durable records a sink has not shipped yet"),
    ("interlock_audit_sink_errors_total", "counter", "Failed deliveries to a sink (retried)"),
    ("interlock_audit_sink_shipped_total", "counter", "Records delivered to a sink"),
]


class DropAlarm:
    """Counts dropped records and says so loudly, at most once per `every_s` (a full spool can
    drop thousands a second)."""

    def __init__(self, metrics: Metrics, every_s: float = 10.0) -> None:
        self.metrics = metrics
        self.every_s = every_s
        self.dropped = 0
        self._last = -every_s

    def drop(self, state: Callable[[], str]) -> None:
        self.dropped += 1
        self.metrics.inc("interlock_audit_dropped_total")
        now = time.monotonic()
        if now - self._last > self.every_s:
            self._last = now
            logging.getLogger("interlock.audit").error(
                "AUDIT SPOOL FULL: dropping audit records (%d so far; %s)", self.dropped, state()
            )
