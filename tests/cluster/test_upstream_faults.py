"""Upstream faults from the simulator while the cluster is under load.

`gpt-4o-mini` is served by `primary` (OpenAI) with the same model on `secondary` (Azure) as its
fallback. Each phase puts one fault on the primary for a few seconds: retries, failover along
the plan and the per-provider circuit breaker (5 failures, 2 s) must keep the client-visible
error rate near zero, since the secondary can serve every request. A stream cut after its first
chunk cannot be failed over (the client has bytes): the client must get an error event, never a
stream that ends as if complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.cluster.harness import Cluster, Load, Outcome, Simulator, tally, wait_until

PHASE_S = 2.0
NEAR_ZERO = 0.01  # the client-visible error rate allowed where the secondary can serve

# (label, fault on the primary, seconds): slow calls hold every client for two 1 s attempts
# until the breakers open, so that phase needs longer to see enough requests.
FAULTS: list[tuple[str, dict[str, Any], float]] = [
    ("slow (1.5 s answers, read timeout 1 s)", {"latency_ms": 1500}, 2 * PHASE_S),
    ("429 storm (Retry-After 5 s)", {"status": 429, "retry_after": 5}, PHASE_S),
    ("5xx (503 on every call)", {"status": 503}, PHASE_S),
    ("cut before the first byte", {"cut_after_chunks": 0}, PHASE_S),
    ("cut mid-stream (after 3 chunks)", {"cut_after_chunks": 3}, PHASE_S),
]


def _phase(
    load: Load,
    sims: dict[str, Simulator],
    seconds: float,
    begin: Callable[[], object] | None = None,
    finish: Callable[[], object] | None = None,
    until: Callable[[float], bool] | None = None,
) -> dict[str, Any]:
    """Requests that began between `begin()` (the fault on) and `finish()`, and each simulator's
    calls meanwhile. With `until`, the phase lasts past `seconds` until `until(start)` holds."""
    for sim in sims.values():
        if sim.proc is not None:
            sim.control.clear_requests()
    start = time.monotonic()
    if begin is not None:
        begin()
    time.sleep(seconds)
    if until is not None:
        wait_until(lambda: until(start), 30, "the phase's condition")
    end = time.monotonic()
    calls = {name: len(sim.control.requests()) for name, sim in sims.items() if sim.proc}
    if finish is not None:
        finish()
    return {"outcomes": load.between(start, end), "calls": calls, "start": start, "end": end}


def _stream_cut(load: Load) -> Callable[[float], bool]:
    """True once a stream begun in the phase ended with an error event. The 5 failures that open
    a breaker may all be plain requests (two in three are), and an open breaker sends every
    stream to the secondary until a half-open probe: the phase waits for a probe that is a
    stream instead of hoping one reached the primary in a fixed time."""

    def check(start: float) -> bool:
        return any(o.stream and o.verdict == "error" for o in load.between(start, time.monotonic()))

    return check


def _wait_serving(primary: Simulator) -> None:
    """Until the primary answers traffic again: the breakers' half-open probes succeeded
    (reset_after_s 2; on a loaded machine a fixed sleep was sometimes too short)."""
    primary.control.clear_requests()
    wait_until(lambda: len(primary.control.requests()) >= 5, 30, "primary serving again")


def test_failover_and_circuit_breaking_keep_errors_near_zero(cluster: Cluster, clean_sims) -> None:
    sims = clean_sims
    primary = sims["primary"]
    load = Load(cluster.client("free"), 12, stream_every=3).start()
    results: dict[str, dict[str, Any]] = {}
    try:
        results["no fault"] = _phase(load, sims, 1.5)
        for label, fault, seconds in FAULTS:
            put = lambda f=fault: primary.control.add_fault(times=-1, **f)  # noqa: E731
            until = _stream_cut(load) if label.startswith("cut mid-stream") else None
            results[label] = _phase(load, sims, seconds, put, primary.control.clear_faults, until)
            _wait_serving(primary)  # breakers closed again before the next fault
        # A provider down for a "minute" (shortened): its process is gone, connections refused.
        results["primary down"] = _phase(load, sims, 2 * PHASE_S, primary.stop, primary.start)
        primary.control.clear_requests()
        # Breakers let one probe through after reset_after_s; then traffic returns to it.
        returned = wait_until(lambda: len(primary.control.requests()) > 0, 15, "primary in use")
        time.sleep(1)
    finally:
        outcomes = load.stop()

    print()
    for label, r in results.items():
        t = tally(r["outcomes"])
        calls = ", ".join(f"{k} {v}" for k, v in r["calls"].items())
        print(f"  {t.line(label)}; upstream calls: {calls}")
    print(f"  primary back: in use again {returned:.1f}s after it returned")
    everything = tally(outcomes)
    print("  " + everything.line("all phases"))

    assert everything.wrong == 0, [o for o in outcomes if o.verdict == "wrong"][:3]
    assert tally(results["no fault"]["outcomes"]).errors == 0
    for label, r in results.items():
        out: list[Outcome] = r["outcomes"]
        mid_stream = label.startswith("cut mid-stream")
        considered = [o for o in out if not (mid_stream and o.stream)]
        t = tally(considered)
        assert t.sent > 10, (label, t)
        assert t.error_rate <= NEAR_ZERO, (label, t)
        if label != "no fault":
            assert r["calls"]["secondary"] > 0, (label, r["calls"])  # failover happened
    # The breaker: without it every request would call the failing primary twice (two attempts).
    five = results["5xx (503 on every call)"]
    assert five["calls"]["primary"] < len(five["outcomes"]) / 2, five["calls"]
    # Streams cut after the client had bytes end with an error event (status -1 here), never as
    # if complete (that would be a wrong answer, above); those the breaker sent straight to the
    # secondary complete.
    streams = [o for o in results["cut mid-stream (after 3 chunks)"]["outcomes"] if o.stream]
    cut = [o for o in streams if o.verdict == "error"]
    assert cut and all(o.status == -1 for o in cut), [(o.status, o.code) for o in cut]
    print(f"  cut mid-stream: {len(cut)} of {len(streams)} streams ended with an error event")
    assert returned < 10
