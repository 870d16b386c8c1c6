"""What output filtering adds to a streamed answer, measured in-process.

    .venv/bin/python bench/output_bench.py [--words 400] [--runs 30]

A streamed answer of N words arrives one word per chunk (as the providers and the simulator
send it). For each output policy below the benchmark times what the stream filter adds:

- time to first byte: building the filter for the exchange plus feeding the first chunk;
- per chunk: feeding each later chunk (restore, scan, hold back, act), p50 and p99;
- hold-back: the most characters held at once, and how many chunks went out untouched.

Each figure is printed with its ratio to a floor measured in the same run on the same chunks:
the OpenAI chunk renderer encoding that chunk (`ChunkRenderer.render`, passthrough off), work
every streamed chunk already costs on the request path.
"""

from __future__ import annotations

import argparse
import statistics
import time
from types import SimpleNamespace

from interlock.config.schema import PolicyConfig
from interlock.dlp.actions import Vault
from interlock.exchange import (
    ChatRequest,
    ChoiceEnd,
    Exchange,
    Message,
    StreamChunk,
    TextDelta,
    TextPart,
)
from interlock.output.config import OutputPolicy
from interlock.output.stage import OutputStage
from interlock.wire.openai_chat import ChunkRenderer

PROSE = (
    "Thanks for the question. Our quarterly report shows revenue growth of twelve percent, "
    "driven by the new subscription tier and lower churn in the enterprise segment. The three "
    "largest risks are supplier concentration, currency exposure and hiring in the support "
    "team. We suggest tracking net retention, gross margin by tier and time to first response. "
)
TERMS = [f"Competitor{i} Holdings" for i in range(40)] + [
    "Contoso Ltd",
    "Fabrikam",
    "guaranteed refund",
    "legal advice",
    "we promise",
    "lawsuit",
    "Northwind Global Trading",
    "Zürich Versicherung",
    "stupid",
    "idiot",
]
POLICIES: dict[str, OutputPolicy | None] = {
    "no output section": None,
    "default (OutputPolicy())": OutputPolicy(),
    "deny-list, 50 terms": OutputPolicy(deny_list=TERMS),
    "50 terms + 3 patterns": OutputPolicy(
        deny_list=TERMS,
        rules=[
            {
                "name": "ids",
                "patterns": [r"ORD-\d{4,8}", r"\bcase #\d{5}\b", r"100% (sure|certain)"],
            }
        ],
    ),
    "50 terms + 3 patterns + DLP": OutputPolicy(
        deny_list=TERMS,
        rules=[
            {
                "name": "ids",
                "patterns": [r"ORD-\d{4,8}", r"\bcase #\d{5}\b", r"100% (sure|certain)"],
            }
        ],
        dlp={},
    ),
}


class _Holder:
    """Just enough of RuntimeHolder for the stage's per-config cache."""

    def __init__(self) -> None:
        self.current = type("R", (), {"config": object()})()


def words(n: int) -> list[str]:
    base = PROSE.split(" ")
    out = [base[i % len(base)] for i in range(n)]
    return [w if i == 0 else " " + w for i, w in enumerate(out)]


def exchange(policy: OutputPolicy | None, pseudonyms: bool) -> Exchange:
    ex = Exchange("req_bench", "openai.chat")
    ex.request = ChatRequest("gpt-4o-mini", [Message("user", [TextPart("Summarise the report")])])
    ex.request.stream = True
    config = PolicyConfig(models=["*"], output=policy)
    ex.principal = SimpleNamespace(policy=config)  # the stage reads only `principal.policy`
    if pseudonyms:
        vault = Vault()
        vault.token("EMAIL_ADDRESS", "jane.doe@example.com")
        ex.pseudonyms = vault
    return ex


def run_once(
    stage: OutputStage, policy: OutputPolicy | None, pieces: list[str], pseudonyms: bool
) -> tuple[float, list[float], int, int]:
    ex = exchange(policy, pseudonyms)
    chunks = [StreamChunk([TextDelta(w)], raw=b"raw") for w in pieces]
    start = time.perf_counter_ns()
    stream_filter = stage.stream_filter(ex)
    first = stream_filter.feed([chunks[0]]) if stream_filter else [chunks[0]]
    ttfb = time.perf_counter_ns() - start
    per_chunk = []
    untouched = int(bool(first) and first[0] is chunks[0])
    for chunk in chunks[1:]:
        t0 = time.perf_counter_ns()
        out = stream_filter.feed([chunk]) if stream_filter else [chunk]
        per_chunk.append(time.perf_counter_ns() - t0)
        untouched += int(bool(out) and out[0] is chunk)
    if stream_filter:
        stream_filter.feed([StreamChunk([ChoiceEnd("stop")])])
        stream_filter.finish()
    held = stream_filter.held_max if stream_filter else 0  # type: ignore[union-attr]
    stage._streams.clear()
    return ttfb / 1000, [t / 1000 for t in per_chunk], held, untouched


def floor(pieces: list[str]) -> tuple[float, list[float]]:
    renderer = ChunkRenderer("req_bench", "gpt-4o-mini", include_usage=False, passthrough=False)
    chunks = [StreamChunk([TextDelta(w)]) for w in pieces]
    t0 = time.perf_counter_ns()
    renderer.render(chunks[0])
    first = (time.perf_counter_ns() - t0) / 1000
    times = []
    for chunk in chunks[1:]:
        t = time.perf_counter_ns()
        renderer.render(chunk)
        times.append((time.perf_counter_ns() - t) / 1000)
    return first, times


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    pieces = words(args.words)
    stage = OutputStage(_Holder(), backend="auto")  # type: ignore[arg-type]

    floor_first: list[float] = []
    floor_chunks: list[float] = []
    for _ in range(args.runs):
        f, c = floor(pieces)
        floor_first.append(f)
        floor_chunks += c
    f_ttfb, f_p50 = statistics.median(floor_first), pct(floor_chunks, 0.5)
    print(f"{args.words}-word answer, one word per chunk, {args.runs} runs")
    print(
        f"floor (render one chunk): first {f_ttfb:.2f} µs, per chunk p50 {f_p50:.2f} µs "
        f"p99 {pct(floor_chunks, 0.99):.2f} µs\n"
    )
    print(
        f"{'policy':36} {'pseudonyms':>10} {'+TTFB µs':>9} {'x':>6} {'+chunk p50':>10} "
        f"{'x':>6} {'p99 µs':>8} {'held':>5} {'untouched':>9}"
    )
    for name, policy in POLICIES.items():
        for pseudonyms in (False, True):
            run_once(stage, policy, pieces, pseudonyms)  # compile and warm
            ttfbs: list[float] = []
            chunk_times: list[float] = []
            held = untouched = 0
            for _ in range(args.runs):
                ttfb, times, held, untouched = run_once(stage, policy, pieces, pseudonyms)
                ttfbs.append(ttfb)
                chunk_times += times
            t, p50 = statistics.median(ttfbs), pct(chunk_times, 0.5)
            print(
                f"{name:36} {pseudonyms!s:>10} {t:9.2f} {t / f_ttfb:6.1f} {p50:10.2f} "
                f"{p50 / f_p50:6.1f} {pct(chunk_times, 0.99):8.2f} {held:5d} "
                f"{untouched:5d}/{len(pieces)}"
            )


if __name__ == "__main__":
    main()
