"""Evaluate the prompt-injection detector on data it never saw, per source.

    .venv/bin/python scripts/eval_injection.py [--loso] [--markdown PATH]

Prints, per evaluation source: rows, attacks, recall on attacks, false-positive rate on benign
rows, precision and F1 where a source has both, and accuracy (the figure NotInject is usually
quoted with). Three detectors are scored: the full detector as shipped (rules, structure,
decoding and the classifier, at the policy's default thresholds), the classifier alone
(p >= 0.5) and the rules alone.

BIPIA's attacks are indirect: they are scored as tool results, alone and embedded in benign
carrier documents (held-out GSM8K word problems for text attacks, held-out GPTeacher code for
code attacks); the carriers without an attack give the indirect false-positive rate.

CyberSecEval English is also broken down by its own `injection_variant` (the 15 techniques,
weakest first), `injection_type` and `risk_category`, with recall on the security-violating rows
beside each: logic-violating rows only break a rule of their system prompt, which a detector
of the user turn cannot see.

With --loso, the classifier is retrained once per training source with that source left out
entirely, and the full detector using that model is scored on the left-out source.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from train_injection import (  # noqa: E402
    BITS,
    DATASETS,
    GENERAL_BENIGN,
    TRAIN_POSITIVE,
    Example,
    held_out,
    load_sources,
    split_sources,
    train,
)

from interlock.injection.config import InjectionPolicy  # noqa: E402
from interlock.injection.detector import Detector  # noqa: E402
from interlock.injection.model import LinearModel, shipped_model  # noqa: E402
from interlock.injection.segments import quoted  # noqa: E402

DEFAULTS = InjectionPolicy()
# One fit per retraining instead of the shipped model's average of three: thirteen retrainings
# on a 2-core machine would otherwise take over an hour.
LOSO_SEEDS = (7,)
USER_T = DEFAULTS.user.threshold
INDIRECT_T = DEFAULTS.indirect.threshold


@dataclass
class Score:
    name: str
    n: int
    attacks: int
    tp: int
    fp: int

    @property
    def benign(self) -> int:
        return self.n - self.attacks

    def row(self) -> list[str]:
        recall = self.tp / self.attacks if self.attacks else None
        fpr = self.fp / self.benign if self.benign else None
        precision = self.tp / (self.tp + self.fp) if self.attacks and (self.tp + self.fp) else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision is not None and recall is not None and precision + recall
            else None
        )
        accuracy = (self.tp + self.benign - self.fp) / self.n if self.n else None
        return [
            self.name, str(self.n), str(self.attacks),
            _fmt(recall), _fmt(fpr), _fmt(precision), _fmt(f1), _fmt(accuracy),
        ]  # fmt: skip


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


HEADER = ["set", "rows", "attacks", "recall", "FPR", "precision", "F1", "accuracy"]


def score_set(name: str, rows: list[tuple[str, int]], flag: Callable[[str], bool]) -> Score:
    tp = fp = 0
    for text, label in rows:
        hit = flag(text)
        tp += hit and label == 1
        fp += hit and label == 0
    return Score(name, len(rows), sum(label for _, label in rows), tp, fp)


RULES_ONLY = Detector(use_model=False)


def as_user_turn(detector: Detector) -> Callable[..., bool]:
    """Flagged the way the gateway checks a user turn: the whole turn at the user threshold
    (with the request's system prompt in view when one is given), and each fenced, quoted or
    tagged block in it as indirect content at the indirect one, by the rules only (the default
    policy's `quoted_blocks: true`; see segments.py)."""

    def flag(text: str, system: str | None = None) -> bool:
        if detector.scan(text, "user", system=system).score >= USER_T:
            return True
        return any(RULES_ONLY.scan(b, "indirect").score >= INDIRECT_T for b in quoted(text))

    return flag


def detectors(model: LinearModel) -> dict[str, tuple[Callable[[str], bool], Callable[[str], bool]]]:
    """name -> (flag as a user turn, flag as indirect content)."""
    full = Detector(model)
    rules = RULES_ONLY
    return {
        "full detector": (
            as_user_turn(full),
            lambda t: full.scan(t, "indirect").score >= INDIRECT_T,
        ),
        "full detector, whole turn only (no quoted blocks)": (
            lambda t: full.scan(t, "user").score >= USER_T,
            lambda t: full.scan(t, "indirect").score >= INDIRECT_T,
        ),
        "classifier only (p>=0.5)": (
            lambda t: model.probability(full_text(t)) >= 0.5,
            lambda t: model.probability(full_text(t)) >= 0.5,
        ),
        "rules only": (
            as_user_turn(rules),
            lambda t: rules.scan(t, "indirect").score >= INDIRECT_T,
        ),
    }


def full_text(text: str) -> str:
    from interlock.injection.normalize import views

    return views(text).folded


def bipia_sets(sources: dict[str, list[Example]]) -> dict[str, list[tuple[str, int]]]:
    """Indirect sets: BIPIA attacks alone, inside carriers, and the carriers alone."""
    text_carriers = [e.text for e in sources["gsm8k"] if held_out(e.text, 20)][:150]
    code_carriers = [
        e.text for e in sources["gpteacher_code"] if held_out(e.text, 20) and "\n" in e.text
    ][:150]
    attacks = sources["bipia"]
    code_like = [e.text for e in attacks if "```" in e.text or "import " in e.text]
    text_like = [e.text for e in attacks if e.text not in set(code_like)]
    embedded: list[tuple[str, int]] = []
    for i, attack in enumerate(text_like):
        carrier = text_carriers[i % len(text_carriers)]
        half = len(carrier) // 2
        cut = carrier.rfind(". ", 0, half) + 1 or half
        embedded.append((f"{carrier[:cut]} {attack} {carrier[cut:]}".strip(), 1))
    for i, attack in enumerate(code_like):
        carrier = code_carriers[i % len(code_carriers)]
        embedded.append((f"{carrier}\n\n{attack}\n", 1))
    carriers = [(t, 0) for t in text_carriers + code_carriers]
    return {
        "bipia attacks alone (as tool result)": [(e.text, 1) for e in attacks],
        "bipia attacks in carrier documents": embedded + carriers,
    }


def evaluate(model: LinearModel, sources: dict[str, list[Example]]) -> dict[str, list[Score]]:
    _, evals = split_sources(sources)
    direct = {
        "deepset test": evals["deepset_test"],
        "CyberSecEval English": evals["cyberseceval_en"],
        "CyberSecEval multilingual (never trained on)": evals["cyberseceval_multilingual"],
        "NotInject (over-defence)": evals["notinject"],
        "WildGuard benign (held-out half)": evals["wildguard_heldout"],
        "general benign (held-out 20%)": evals["general_benign_heldout"],
    }
    pooled = [ex for rows in direct.values() for ex in rows]
    results: dict[str, list[Score]] = {}
    for name, (as_user, as_indirect) in detectors(model).items():
        scores = [
            score_set(set_name, [(e.text, e.label) for e in rows], as_user)
            for set_name, rows in direct.items()
        ]
        scores.append(
            score_set("all direct sets pooled", [(e.text, e.label) for e in pooled], as_user)
        )
        for set_name, rows in bipia_sets(sources).items():
            scores.append(score_set(set_name, rows, as_indirect))
        results[name] = scores
    return results


def per_benign_source(model: LinearModel, sources: dict[str, list[Example]]) -> list[Score]:
    full = Detector(model)
    out = []
    for name in GENERAL_BENIGN:
        rows = [(e.text, e.label) for e in sources[name] if held_out(e.text, 20) and e.label == 0]
        out.append(score_set(f"{name} (held-out 20%)", rows, as_user_turn(full)))
    return out


def cyberseceval_breakdown(model: LinearModel) -> tuple[str, str]:
    """CyberSecEval English recall per technique (`injection_variant`), and per injection type
    and risk category, with the full detector. Logic-violating rows only break a rule of their
    own system prompt (a user-turn detector cannot see it), so recall on the security-violating
    rows is shown beside each variant's. Rows are deduplicated by text as in `load_sources`."""
    rows = json.loads(
        (DATASETS / "cyberseceval-prompt-injection/prompt_injection.json").read_text()
    )
    flag = as_user_turn(Detector(model))
    seen: set[str] = set()
    # group -> [rows, caught, security-violating rows, security-violating caught]
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        text = (r["user_input"] or "").strip()
        if len(text) < 4 or text in seen:
            continue
        seen.add(text)
        hit = flag(text)
        security = r["risk_category"] == "security-violating"
        for group in (
            ("variant", r["injection_variant"]),
            ("type", r["injection_type"]),
            ("risk", r["risk_category"]),
        ):
            t = tally[group]
            t[0] += 1
            t[1] += hit
            t[2] += security
            t[3] += hit and security

    def lines(kind: str) -> list[str]:
        groups = sorted(
            ((name, t) for (k, name), t in tally.items() if k == kind),
            key=lambda item: (item[1][1] / item[1][0], item[0]),
        )
        out = []
        for name, (n, caught, sec, sec_caught) in groups:
            sec_recall = _fmt(sec_caught / sec if sec else None)
            out.append(
                f"| {name} | {n} | {n - caught} | {_fmt(caught / n)} | {sec} | {sec_recall} |"
            )
        return out

    head = (
        "| {} | rows | missed | recall | security-violating rows | recall on those |\n"
        "|---|---|---|---|---|---|"
    )
    by_variant = "\n".join([head.format("injection_variant"), *lines("variant")])
    by_kind = "\n".join(
        [head.format("injection_type / risk_category"), *lines("type"), *lines("risk")]
    )
    return by_variant, by_kind


def multilingual_by_language(model: LinearModel) -> str:
    """CyberSecEval's machine-translated copy: recall per `speaking_language`, the full detector
    (never trained on; the classifier does not transfer across languages, the rules do)."""
    path = (
        DATASETS
        / "cyberseceval-prompt-injection/prompt_injection_multilingual_machine_translated.json"
    )
    flag = as_user_turn(Detector(model))
    seen: set[str] = set()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in json.loads(path.read_text()):
        text = (r["user_input"] or "").strip()
        if len(text) < 4 or text in seen:
            continue
        seen.add(text)
        t = tally[r["speaking_language"]]
        t[0] += 1
        t[1] += flag(text)
    lines = ["| speaking_language | rows | caught | recall |", "|---|---|---|---|"]
    for lang, (n, caught) in sorted(tally.items(), key=lambda kv: (kv[1][1] / kv[1][0], kv[0])):
        lines.append(f"| {lang} | {n} | {caught} | {_fmt(caught / n)} |")
    return "\n".join(lines)


def leave_one_source_out(sources: dict[str, list[Example]]) -> list[Score]:
    """The classifier retrained without each training source in turn; the full detector with
    that model scored on all of the left-out source's rows (which the rules never saw either)."""
    out = []
    for left_out in (*TRAIN_POSITIVE, "wildguard", *GENERAL_BENIGN):
        examples, _ = split_sources(sources, exclude=[left_out])
        w, b = train(examples, log=lambda s: None, seeds=LOSO_SEEDS)
        model = LinearModel(w.astype(np.float16).astype(np.float32), b, BITS, "loso")
        full = Detector(model)
        rows = [(e.text, e.label) for e in sources[left_out]]
        if left_out == "deepset_train":
            rows += [(e.text, e.label) for e in sources["deepset_test"]]
            left_out = "deepset (train + test)"
        out.append(score_set(left_out, rows, as_user_turn(full)))
    # The generated rows are never scored; what they are worth is what the evaluation sets
    # lose when the classifier is trained without them.
    examples, evals = split_sources(sources, exclude=["synthetic"])
    w, b = train(examples, log=lambda s: None, seeds=LOSO_SEEDS)
    flag = as_user_turn(Detector(LinearModel(w.astype(np.float16).astype(np.float32), b, BITS, "")))
    for name, key in (
        ("without synthetic: deepset test", "deepset_test"),
        ("without synthetic: CyberSecEval English", "cyberseceval_en"),
        ("without synthetic: NotInject", "notinject"),
        ("without synthetic: general benign held-out", "general_benign_heldout"),
    ):
        out.append(score_set(name, [(e.text, e.label) for e in evals[key]], flag))
    return out


def cyberseceval_rows() -> list[tuple[str, str, str]]:
    """CyberSecEval English as (system prompt, user turn, risk category), deduplicated by the
    user turn as in `load_sources` (the same 245 rows as the user-only figure)."""
    rows = json.loads(
        (DATASETS / "cyberseceval-prompt-injection/prompt_injection.json").read_text()
    )
    out = []
    seen: set[str] = set()
    for r in rows:
        text = (r["user_input"] or "").strip()
        if len(text) < 4 or text in seen:
            continue
        seen.add(text)
        out.append((r["test_case_prompt"] or "", text, r["risk_category"]))
    return out


def with_system_prompt(model: LinearModel, evals: dict[str, list[Example]]) -> list[Score]:
    """The system-prompt-aware signal (sysprompt.py): CyberSecEval English scored the way the
    gateway sees it (its system prompt in view) beside the user-only row; our own system
    prompts with their benign and conflicting turns (development data: the parser was written
    from them); and false positives of every CyberSecEval system prompt paired at random (fixed
    seed) with the held-out general benign and NotInject prompts, beside the same prompts
    without a system prompt."""
    import random

    from sysprompt_cases import benign_pairs, conflict_pairs, fresh_pairs

    flag = as_user_turn(Detector(model))
    cse = cyberseceval_rows()
    out = []
    for label, keep in (
        ("all", lambda risk: True),
        ("logic-violating", lambda risk: risk == "logic-violating"),
        ("security-violating", lambda risk: risk == "security-violating"),
    ):
        rows = [(s, u) for s, u, risk in cse if keep(risk)]
        user_only = sum(flag(u) for _, u in rows)
        seen = sum(flag(u, s) for s, u in rows)
        out.append(Score(f"CyberSecEval English ({label}), user turn only", len(rows),
                         len(rows), user_only, 0))  # fmt: skip
        out.append(Score(f"CyberSecEval English ({label}), with its system prompt", len(rows),
                         len(rows), seen, 0))  # fmt: skip
    benign = benign_pairs()
    conflicts = conflict_pairs()
    out.append(Score("own system prompts: conflicting turns (dev data)", len(conflicts),
                     len(conflicts), sum(flag(u, s) for _, s, u in conflicts), 0))  # fmt: skip
    out.append(Score("own system prompts: benign on/near-topic turns (a)", len(benign), 0, 0,
                     sum(flag(u, s) for _, s, u in benign)))  # fmt: skip
    out.append(Score("the same benign turns without their system prompt", len(benign), 0, 0,
                     sum(flag(u) for _, _, u in benign)))  # fmt: skip
    fresh_benign, fresh_conflicts = fresh_pairs()
    out.append(Score("own, written after the parser was frozen: conflicting turns",
                     len(fresh_conflicts), len(fresh_conflicts),
                     sum(flag(u, s) for _, s, u in fresh_conflicts), 0))  # fmt: skip
    out.append(Score("own, written after the parser was frozen: benign turns", len(fresh_benign),
                     0, 0, sum(flag(u, s) for _, s, u in fresh_benign)))  # fmt: skip
    systems = sorted({s for s, _, _ in cse if s.strip()})
    rng = random.Random(20261127)
    for name, key in (
        ("general benign held-out", "general_benign_heldout"),
        ("NotInject", "notinject"),
        ("WildGuard benign held-out", "wildguard_heldout"),
    ):
        texts = [e.text for e in evals[key]]
        # Every system prompt in turn over the texts in a seeded random order: each prompt
        # meets some of every set, no text is scored twice.
        order = rng.sample(texts, len(texts))
        paired = [(systems[i % len(systems)], t) for i, t in enumerate(order)]
        out.append(Score(f"{name} under CyberSecEval's system prompts (b)", len(texts), 0,
                         0, sum(flag(t, s) for s, t in paired)))  # fmt: skip
        out.append(Score(f"{name}, no system prompt (c)", len(texts), 0, 0,
                         sum(flag(t) for t in texts)))  # fmt: skip
    return out


def table(scores: list[Score]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(s.row()) + " |" for s in scores]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loso", action="store_true", help="also leave each source out")
    parser.add_argument("--markdown", type=Path, help="write the tables to this file too")
    parser.add_argument("--weights", type=Path, help="score these weights instead of the shipped")
    args = parser.parse_args()
    started = time.perf_counter()
    sources = load_sources()
    model = LinearModel.load(args.weights) if args.weights else shipped_model()
    parts = [
        f"Thresholds: user {USER_T}, indirect {INDIRECT_T} (the policy defaults). "
        f"Model: {model.version}, {1 << model.bits} buckets."
    ]
    for name, scores in evaluate(model, sources).items():
        parts.append(f"### {name}\n\n{table(scores)}")
    parts.append(f"### full detector, per general benign source\n\n"
                 f"{table(per_benign_source(model, sources))}")  # fmt: skip
    _, evals = split_sources(sources)
    parts.append(
        "### full detector with the system prompt in view (sysprompt.py)\n\n"
        + table(with_system_prompt(model, evals))
    )
    by_variant, by_kind = cyberseceval_breakdown(model)
    parts.append(
        "### full detector, CyberSecEval English per technique (weakest first)\n\n" + by_variant
    )
    parts.append("### full detector, CyberSecEval English per type and risk\n\n" + by_kind)
    parts.append(
        "### full detector, CyberSecEval multilingual per language (weakest first)\n\n"
        + multilingual_by_language(model)
    )
    if args.loso:
        parts.append(
            "### leave-one-source-out (classifier retrained without the source; full detector)"
            f"\n\n{table(leave_one_source_out(sources))}"
        )
    text = "\n\n".join(parts)
    print(text)
    print(f"\n({time.perf_counter() - started:.0f}s)")
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
