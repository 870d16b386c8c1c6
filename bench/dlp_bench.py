"""What DLP costs: microseconds per prompt, MB/s on large inputs, the candidates for the
multi-pattern pass, and the gateway's latency with DLP on and off.

    .venv/bin/python bench/dlp_bench.py [--quick] [--engine-only]

Prompts are realistic enterprise texts (tickets, logs, code, SQL results, e-mails from
tests/dlp/corpus.py, mixed with plain prose) cut to 1, 2 and 10 KB. Every number is printed
with its ratio to a floor measured in the same run: one Hyperscan pass of a single literal over
the same text (the cost of reading it once), so results compare across machines. Engine
numbers are CPU time of the scanning thread, so other processes on the machine do not count.
Rows marked "python" run the same engine with its compiled module (src/interlock/dlp/_native.c)
switched off (`Engine.use_native(False)`), in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hyperscan  # noqa: E402
from tests.dlp.corpus import corpus  # noqa: E402

from interlock.dlp import compiled  # noqa: E402
from interlock.dlp import engine as engine_module  # noqa: E402
from interlock.dlp.actions import Vault  # noqa: E402
from interlock.dlp.config import DlpPolicy  # noqa: E402
from interlock.dlp.inspector import inspect_request  # noqa: E402
from interlock.dlp.matcher import ReMatcher  # noqa: E402
from interlock.dlp.normalize import normalize  # noqa: E402
from interlock.dlp.policy import builtin_rules, compile_policy  # noqa: E402
from interlock.exchange import ChatRequest, Message, TextPart  # noqa: E402

# Everyday prompt text: most of what people send is like this, with a few values in it.
PROSE = [
    "We are planning the quarterly roadmap review for next week. Please prepare a summary of "
    "the main risks, the open questions from the design review, and a short list of decisions "
    "we need from leadership. Keep it concise and flag anything that blocks the migration. ",
    "Rewrite the following paragraph so that it sounds friendlier but stays professional. The "
    "audience is new customers who signed up during the spring campaign and have not yet "
    "completed onboarding. Avoid jargon and keep every sentence under twenty words. ",
    "Here is the function that parses the uploaded CSV file. It works for small files but runs "
    "out of memory on large ones. Can you change it to stream the rows instead of loading the "
    "whole file, and add type hints and a docstring while you are at it? ",
    "Summarise the meeting notes below into action items with an owner and a due date for "
    "each. The team agreed to freeze the API on Friday, to move the load tests to the staging "
    "cluster, and to review the incident report before the next retrospective. ",
    "Explain the difference between optimistic and pessimistic locking in a relational "
    "database, with an example of each in SQL, and say when you would choose one over the "
    "other for an order management system that sees heavy write contention. ",
]


def inspection_policy() -> DlpPolicy:
    """The policy of the request-inspection rows: redact, pseudonymise e-mail and people."""
    return DlpPolicy.model_validate(
        {
            "actions": {
                "default": "redact",
                "EMAIL_ADDRESS": "pseudonymise",
                "PERSON": "pseudonymise",
            }
        }
    )


def prompts(size: int, n: int, dense: bool = False) -> list[str]:
    """`n` prompts of `size` characters: prose with one labelled document in it (a ticket, a
    log excerpt, code, a SQL result or an e-mail), or only documents when `dense`."""
    docs = corpus(n * 4, seed=5)
    out = []
    for i in range(n):
        if dense:
            text, j = "", i
            while len(text) < size:
                text += docs[j % len(docs)].text + "\n"
                j += 7
        else:
            text = PROSE[i % len(PROSE)] + docs[i].text + "\n"
            j = i + 1
            while len(text) < size:
                text += PROSE[j % len(PROSE)]
                j += 1
        out.append(text[:size])
    return out


# The scans are timed in CPU time of this thread: on a shared machine, wall-clock time also
# counts the time other processes hold the CPU. (The gateway section measures wall-clock time.)
cpu_clock = time.thread_time_ns


def timed(fn: Callable[[Any], Any], texts: list[Any], rounds: int) -> list[float]:
    for t in texts[:5]:
        fn(t)
    samples = []
    for _ in range(rounds):
        for t in texts:
            start = cpu_clock()
            fn(t)
            samples.append((cpu_clock() - start) / 1e3)
    return samples


def floor_fn() -> Callable[[str], Any]:
    db = hyperscan.Database()
    db.compile(expressions=[b"zzqx"], ids=[0], elements=1, flags=[0])
    return lambda text: db.scan(text.encode(), match_event_handler=lambda *a: None)


def row(name: str, samples: list[float], floor: float) -> None:
    # The mean too: phases add up by their means, not by their medians.
    p50 = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    mean = statistics.fmean(samples)
    print(
        f"  {name:<44} p50 {p50:8.1f} us  p90 {p90:8.1f} us  mean {mean:8.1f} us"
        f"  x{p50 / floor:7.1f} floor"
    )


def cold(engine: Any) -> Any:
    """The engine without its recent-scan cache: every timed scan is a scan, not a look-up."""
    engine.recent = None
    return engine


def timed_python(
    engine: Any, fn: Callable[[Any], Any], args: list[Any], rounds: int
) -> list[float]:
    """`timed`, with the engine's compiled module switched off."""
    engine.use_native(False)
    try:
        return timed(fn, args, rounds)
    finally:
        engine.use_native(True)


def native_section() -> None:
    native = compiled.native
    if native is None:
        print("Compiled module: NOT BUILT (every row runs the Python path)\n")
        return
    path = Path(native.__file__)
    print(f"Compiled module: {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KB)")
    # (matcher.py: databases compiled and scanned by the system's libhs when it loaded)
    scans = f"libhs {compiled.libhs}" if compiled.libhs else "the hyperscan binding"
    print(f"Hyperscan databases scanned by: {scans}\n")


def engine_section(rounds: int) -> None:
    full = cold(compile_policy(DlpPolicy()).engine)
    no_names = cold(
        compile_policy(DlpPolicy(entities=sorted({r.entity for r in builtin_rules()}))).engine
    )
    fallback = cold(compile_policy(DlpPolicy(), "re").engine)
    floor = floor_fn()
    print("Engine, per prompt (all default detectors)")
    for size in (1024, 2048, 10240):
        texts = prompts(size, 40)
        f50 = statistics.median(timed(floor, texts, rounds))
        print(f" {size // 1024} KB prompts (floor: {f50:.1f} us)")
        row("hyperscan + validators + names", timed(full.scan, texts, rounds), f50)
        row("  python", timed_python(full, full.scan, texts, rounds), f50)
        row("hyperscan + validators, no name recogniser", timed(no_names.scan, texts, rounds), f50)
        row("  python", timed_python(no_names, no_names.scan, texts, rounds), f50)
        if size <= 2048:
            few = max(1, rounds // 5)
            row("re fallback + validators + names", timed(fallback.scan, texts, few), f50)
            row("  python", timed_python(fallback, fallback.scan, texts, few), f50)
    dense = prompts(2048, 40, dense=True)
    f50 = statistics.median(timed(floor, dense, rounds))
    print(" 2 KB of nothing but tickets, logs, SQL rows (PII-dense: ~15 values per KB)")
    row("hyperscan + validators + names", timed(full.scan, dense, rounds), f50)
    row("  python", timed_python(full, full.scan, dense, rounds), f50)
    # A conversation is resent whole every turn: its earlier messages were scanned last turn.
    texts = prompts(2048, 40)
    cached = compile_policy(DlpPolicy()).engine
    for t in texts:
        cached.scan(t)
    f50 = statistics.median(timed(floor, texts, rounds))
    print(" 2 KB prompts scanned before (a conversation's earlier turns, recent-scan cache)")
    row("hyperscan + validators + names", timed(cached.scan, texts, rounds), f50)


def phases_section(rounds: int) -> None:
    """Where a scan's time goes, phase by phase, on the 2 KB prompts (each phase timed alone on
    the previous phase's output; their means add up to about the whole scan's)."""
    engine = cold(compile_policy(DlpPolicy()).engine)
    texts = prompts(2048, 40)
    floor = floor_fn()
    f50 = statistics.median(timed(floor, texts, rounds))
    norms = [normalize(t) for t in texts]
    canons = [n.text for n in norms]
    hits = [engine.matcher.windows(c) for c in canons]
    pii = [{i: w for i, w in h.items() if engine.rules[i].entity != "SECRET"} for h in hits]
    secrets = [{i: w for i, w in h.items() if engine.rules[i].entity == "SECRET"} for h in hits]
    found = [engine.confirmed(c, h) + engine.named(c) for c, h in zip(canons, hits, strict=True)]
    index = list(range(len(texts)))
    print(f"\nPhases of a scan, 2 KB prompts, all default detectors (floor {f50:.1f} us)")
    for name, fn, args in (
        ("whole scan", engine.scan, texts),
        ("normalisation + offset map", normalize, texts),
        ("multi-pattern pass (Hyperscan)", engine.matcher.windows, canons),
        ("confirmation: PII rules", lambda i: engine.confirmed(canons[i], pii[i]), index),
        (
            "confirmation: secret rules (entropy, ...)",
            lambda i: engine.confirmed(canons[i], secrets[i]),
            index,
        ),
    ):
        row(name, timed(fn, args, rounds), f50)
        if name != "normalisation + offset map":
            row("  python", timed_python(engine, fn, args, rounds), f50)
    row("name recogniser", timed(engine.named, canons, rounds), f50)
    row("  python", timed_python(engine, engine.named, canons, rounds), f50)
    row(
        "overlaps + offsets back",
        timed(lambda i: engine.finish(texts[i], norms[i], list(found[i])), index, rounds),
        f50,
    )
    # Context-word scoring happens inside confirmation: count and time its calls there.
    calls: list[int] = []
    spent: list[float] = []
    original = engine_module.context_words

    def counted(text: str, start: int, end: int) -> set[str]:
        began = cpu_clock()
        try:
            return original(text, start, end)
        finally:
            calls.append(1)
            spent.append((cpu_clock() - began) / 1e3)

    engine_module.context_words = counted  # type: ignore[assignment]
    engine.use_native(False)  # (the compiled path computes them in C, for ASCII text)
    try:
        for c, h in zip(canons, hits, strict=True):
            engine.confirmed(c, h)
    finally:
        engine_module.context_words = original
        engine.use_native(True)
    print(
        f"  {'(python: of which context words)':<44} {len(calls) / len(texts):5.1f} spans per "
        f"prompt, ~{sum(spent) / len(texts):.1f} us per prompt"
    )
    policy = inspection_policy()
    compiled = compile_policy(policy)
    cold(compiled.engine)

    def request(text: str) -> ChatRequest:
        return ChatRequest("m", [Message("user", [TextPart(text)])])

    row(
        "request inspection + actions (incl. scan)",
        timed(lambda t: inspect_request(compiled, request(t), Vault()), texts, rounds),
        f50,
    )
    # In a gateway the server's own Python work runs between two scans and evicts the engine's
    # tables (and the interpreter's state for them) from the CPU caches: the same inspection
    # after a Python loop that touches 8 MB (untimed).
    junk = bytearray(8 << 20)

    def after_other_work(text: str) -> None:
        for i in range(0, len(junk), 64):
            junk[i] ^= 1
        start = cpu_clock()
        inspect_request(compiled, request(text), Vault())
        cold_samples.append((cpu_clock() - start) / 1e3)

    cold_samples: list[float] = []
    for _ in range(rounds):
        for t in texts:
            after_other_work(t)
    row("  the same after other Python work (8 MB touched)", cold_samples, f50)


def candidates_section(rounds: int) -> None:
    rules = builtin_rules()
    texts = prompts(2048, 30)
    floor = floor_fn()
    f50 = statistics.median(timed(floor, texts, rounds))
    print(f"\nMulti-pattern pass candidates, 2 KB prompts, {len(rules)} rules (floor {f50:.1f} us)")
    alternation = re.compile(
        "|".join(f"(?:{r.regex.pattern})" for r in rules if not r.caseless and not r.dotall)
    )
    row(
        "python re: one alternation (case-sensitive rules)",
        timed(lambda t: list(alternation.finditer(t)), texts, 1),
        f50,
    )
    row(
        "python re: each rule in turn",
        timed(lambda t: [list(r.regex.finditer(t)) for r in rules], texts, 1),
        f50,
    )
    fallback = ReMatcher(rules)

    def keyword_then_re(text: str) -> None:
        for index in fallback.windows(text):
            list(rules[index].regex.finditer(text))

    row("python re after str keyword prefilter", timed(keyword_then_re, texts, rounds), f50)
    try:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        keyed: dict[str, list[int]] = {}
        for i, r in enumerate(rules):
            for k in r.keywords:
                keyed.setdefault(k, []).append(i)
        for k, idx in keyed.items():
            automaton.add_word(k, idx)
        automaton.make_automaton()
        always = [i for i, r in enumerate(rules) if not r.keywords]

        def aho_then_re(text: str) -> None:
            hit = set(always)
            for _, idx in automaton.iter(text.lower()):
                hit.update(idx)
            for i in hit:
                list(rules[i].regex.finditer(text))

        row(
            "python re after pyahocorasick keyword prefilter",
            timed(aho_then_re, texts, rounds),
            f50,
        )
    except ImportError:
        print("  (pyahocorasick not installed: `uv sync --group bench`)")
    matcher = compile_policy(DlpPolicy()).engine.matcher
    row("hyperscan: one pass, hit windows", timed(matcher.windows, texts, rounds), f50)


def throughput_section() -> None:
    big = "".join(prompts(10240, 110))[: 1 << 20]
    print("\nLarge input: 1 MB of the 10 KB prompts, one scan (best of 3)")
    floor = floor_fn()
    floor_s = min(timed(floor, [big], 1) + timed(floor, [big], 1)) / 1e6
    print(f"  floor: {floor_s * 1000:.1f} ms = {len(big) / floor_s / 1e6:.0f} MB/s")
    for label, policy in (
        ("all default detectors", DlpPolicy()),
        (
            "without the name recogniser",
            DlpPolicy(entities=sorted({r.entity for r in builtin_rules()})),
        ),
        ("secrets only", DlpPolicy(entities=["SECRET"])),
    ):
        engine = cold(compile_policy(policy).engine)
        for path in ("", "  python"):
            engine.use_native(not path)
            took = min(timed(engine.scan, [big], 1)[-1] for _ in range(3)) / 1e6
            found = len(engine.scan(big))
            print(
                f"  {path or label:<30} {took * 1000:6.0f} ms = {len(big) / took / 1e6:5.1f} MB/s "
                f"({found} findings)"
            )
        engine.use_native(True)


def gateway_section(requests: int) -> None:
    import httpx
    from tests.support import GatewayServer, LoopThread, gateway_config

    from interlock.auth.principal import Principal
    from interlock.simulator import SimulatorConfig, start_simulator

    # Client, gateway and simulator share one process (three threads): with the default 5 ms
    # GIL switch interval, a thread that waited on a socket can wait milliseconds to run again
    # while another computes (a DLP scan), which measured the harness, not the gateway.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    loop = LoopThread()
    sim = loop.run(start_simulator(SimulatorConfig()))
    base = gateway_config(sim.url) + "policies:\n  p:\n    models: ['*']\n"
    text = prompts(2048, 1)[0]
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}

    class FixedPrincipal:  # what the identity stage would resolve, without a database
        gateway: Any = None

        async def on_authenticate(self, request: Any, ex: Any) -> Principal:
            policy = self.gateway.holder.current.config.policies["p"]
            return Principal("bench", "team", "app", "p", policy, "b", "api_key")

    results = {}
    for label, dlp in (
        ("DLP off", ""),
        # The same body each time: without `recent_scans: 0` every request after the first
        # would be a cache look-up.
        (
            "DLP on",
            "    dlp: {actions: {default: redact, EMAIL_ADDRESS: pseudonymise}, recent_scans: 0}\n",
        ),
    ):
        gw = GatewayServer(base + dlp, addons=[FixedPrincipal()])
        FixedPrincipal.gateway = gw
        with httpx.Client(base_url=gw.url, timeout=20) as http:
            for _ in range(50):
                http.post("/v1/chat/completions", json=body)
            samples = []
            for _ in range(requests):
                start = time.perf_counter()
                assert http.post("/v1/chat/completions", json=body).status_code == 200
                samples.append((time.perf_counter() - start) * 1e6)
        gw.close()
        results[label] = statistics.median(samples)
    loop.run(sim.stop())
    loop.stop()
    sys.setswitchinterval(switch)
    off, on = results["DLP off"], results["DLP on"]
    print(f"\nGateway, 2 KB chat request through the simulator, {requests} sequential requests")
    print(
        f"  DLP off p50 {off:8.0f} us\n  DLP on  p50 {on:8.0f} us   (+{on - off:.0f} us, x{on / off:.2f})"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--engine-only", action="store_true", help="skip the gateway round trips")
    args = ap.parse_args()
    rounds = 3 if args.quick else 20
    native_section()
    engine_section(rounds)
    phases_section(rounds)
    candidates_section(rounds)
    throughput_section()
    if not args.engine_only:
        gateway_section(100 if args.quick else 500)
    return 0


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    raise SystemExit(main())
