"""What DLP costs: microseconds per prompt, MB/s on large inputs, the candidates for the
multi-pattern pass, and the gateway's latency with DLP on and off.

    .venv/bin/python bench/dlp_bench.py [--quick]

Prompts are realistic enterprise texts (tickets, logs, code, SQL results, e-mails from
tests/dlp/corpus.py, mixed with plain prose) cut to 1, 2 and 10 KB. Every number is printed
with its ratio to a floor measured in the same run: one Hyperscan pass of a single literal over
the same text (the cost of reading it once), so results compare across machines.
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

from interlock.dlp.config import DlpPolicy  # noqa: E402
from interlock.dlp.matcher import ReMatcher  # noqa: E402
from interlock.dlp.policy import builtin_rules, compile_policy  # noqa: E402

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


def timed(fn: Callable[[str], Any], texts: list[str], rounds: int) -> list[float]:
    for t in texts[:5]:
        fn(t)
    samples = []
    for _ in range(rounds):
        for t in texts:
            start = time.perf_counter()
            fn(t)
            samples.append((time.perf_counter() - start) * 1e6)
    return samples


def floor_fn() -> Callable[[str], Any]:
    db = hyperscan.Database()
    db.compile(expressions=[b"zzqx"], ids=[0], elements=1, flags=[0])
    return lambda text: db.scan(text.encode(), match_event_handler=lambda *a: None)


def row(name: str, samples: list[float], floor: float) -> None:
    p50 = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    print(f"  {name:<44} p50 {p50:9.1f} us   p90 {p90:9.1f} us   x{p50 / floor:7.1f} floor")


def engine_section(rounds: int) -> None:
    full = compile_policy(DlpPolicy()).engine
    no_names = compile_policy(
        DlpPolicy(entities=sorted({r.entity for r in builtin_rules()}))
    ).engine
    fallback = compile_policy(DlpPolicy(), "re").engine
    floor = floor_fn()
    print("Engine, per prompt (all default detectors)")
    for size in (1024, 2048, 10240):
        texts = prompts(size, 40)
        f50 = statistics.median(timed(floor, texts, rounds))
        print(f" {size // 1024} KB prompts (floor: {f50:.1f} us)")
        row("hyperscan + validators + names", timed(full.scan, texts, rounds), f50)
        row("hyperscan + validators, no name recogniser", timed(no_names.scan, texts, rounds), f50)
        if size <= 2048:
            row(
                "re fallback + validators + names",
                timed(fallback.scan, texts, max(1, rounds // 5)),
                f50,
            )
    dense = prompts(2048, 40, dense=True)
    f50 = statistics.median(timed(floor, dense, rounds))
    print(" 2 KB of nothing but tickets, logs, SQL rows (PII-dense: ~15 values per KB)")
    row("hyperscan + validators + names", timed(full.scan, dense, rounds), f50)


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
    engine = compile_policy(DlpPolicy()).engine
    big = "".join(prompts(10240, 110))[: 1 << 20]
    start = time.perf_counter()
    found = engine.scan(big)
    took = time.perf_counter() - start
    print(
        f"\nLarge input: 1 MB in {took * 1000:.0f} ms = {len(big) / took / 1e6:.1f} MB/s ({len(found)} findings)"
    )


def gateway_section(requests: int) -> None:
    import httpx
    from tests.support import GatewayServer, LoopThread, gateway_config

    from interlock.auth.principal import Principal
    from interlock.simulator import SimulatorConfig, start_simulator

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
        ("DLP on", "    dlp: {actions: {default: redact, EMAIL_ADDRESS: pseudonymise}}\n"),
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
    off, on = results["DLP off"], results["DLP on"]
    print(f"\nGateway, 2 KB chat request through the simulator, {requests} sequential requests")
    print(
        f"  DLP off p50 {off:8.0f} us\n  DLP on  p50 {on:8.0f} us   (+{on - off:.0f} us, x{on / off:.2f})"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rounds = 3 if args.quick else 20
    engine_section(rounds)
    candidates_section(rounds)
    throughput_section()
    gateway_section(100 if args.quick else 500)
    return 0


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    raise SystemExit(main())
