"""Interlock's DLP engine and Microsoft Presidio side by side: the same texts, the same scoring,
quality per entity type and CPU time per text.

    uv run --group compare python scripts/compare_presidio.py [--json out.json] [--quick]

Presidio runs offline here. Its trained spaCy pipelines (en_core_web_lg/sm) are published as
GitHub release assets, not on PyPI (only unofficial re-uploads are there, which we do not use),
so Presidio gets a blank English spaCy pipeline: spaCy's tokenizer and stop words, plus one
component that sets each token's lemma to its lower-case text so Presidio's context words
(matched as substrings of lemmas) still work. Every predefined pattern recogniser runs
(credit card, SSN, ITIN, IBAN, e-mail, IP, phone, URL, crypto, US passport, bank number and
driver licence, UK NHS, ...); its NER recogniser finds nothing, so PERSON, LOCATION and
ORGANIZATION are not compared. tldextract (used by Presidio's e-mail validator) is told not
to fetch the public suffix list and uses the snapshot it ships.

Scoring is `scripts/eval_dlp.py`'s, imported, not copied: a prediction is correct when it
overlaps a labelled span of the same type (span overlap, not the token-level scoring behind
Presidio's published F2 of 0.62 for its default analyzer with a full spaCy model).
Presidio's findings are scored under the types both engines detect; its other types (URL,
DATE_TIME, UUID, CRYPTO, MAC_ADDRESS, ...) are left out, and counted apart on the hard
negatives. Two Presidio columns: its default (`score_threshold` 0: every result) and results
scoring at least 0.5 (Interlock's default `min_score`).

Speed: CPU time of this process (`time.process_time`) per 2 KB prompt (bench/dlp_bench.py's
prompts, p50) and for one 1 MB text, both engines in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

# Before tldextract is imported (by Presidio): no download of the public suffix list.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import eval_dlp  # noqa: E402  (puts the repo and src/ on sys.path)
from bench.dlp_bench import cold, prompts  # noqa: E402

from interlock.dlp.policy import builtin_rules  # noqa: E402

NER_TYPES = ["PERSON", "LOCATION", "ORGANIZATION"]
PRESIDIO_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Hit:
    entity: str
    start: int
    end: int


class PresidioEngine:
    """Presidio's AnalyzerEngine behind the `scan(text)` interface eval_dlp scores.

    Results are cached per text, so each view (all types / shared types, threshold 0 / 0.5)
    costs one analysis per text."""

    def __init__(self, lemmas: bool = True) -> None:
        try:
            import spacy
            from presidio_analyzer import AnalyzerEngine
            from presidio_analyzer.nlp_engine import SpacyNlpEngine
            from spacy.language import Language
        except ImportError as exc:
            raise SystemExit(
                f"{exc.name} is not installed: run this script with "
                "`uv run --group compare python scripts/compare_presidio.py`"
            ) from exc

        if "lower_case_lemma" not in Language.factories:

            @Language.component("lower_case_lemma")
            def lower_case_lemma(doc: Any) -> Any:
                for token in doc:
                    token.lemma_ = token.lower_
                return doc

        self._model_dir = tempfile.TemporaryDirectory(prefix="blank-en-")
        nlp = spacy.blank("en")
        if lemmas:
            nlp.add_pipe("lower_case_lemma")
        nlp.to_disk(self._model_dir.name)
        nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": "en", "model_name": self._model_dir.name}]
        )
        nlp_engine.load()
        # spaCy refuses texts over 1,000,000 characters by default; the throughput text is 1 MiB.
        nlp_engine.nlp["en"].max_length = 4 << 20
        self.analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
        self.recognizers = sorted(type(r).__name__ for r in self.analyzer.registry.recognizers)
        self.entities = sorted(self.analyzer.get_supported_entities("en"))
        self._cache: dict[str, list[tuple[str, int, int, float]]] = {}

    def analyze(self, text: str) -> list[tuple[str, int, int, float]]:
        found = self._cache.get(text)
        if found is None:
            results = self.analyzer.analyze(text=text, language="en")
            found = [(r.entity_type, r.start, r.end, r.score) for r in results]
            self._cache[text] = found
        return found

    def close(self) -> None:
        self._model_dir.cleanup()


class PresidioView:
    """Presidio's findings of some types at or above a score, as eval_dlp expects them."""

    def __init__(self, engine: PresidioEngine, types: set[str] | None, threshold: float) -> None:
        self.engine, self.types, self.threshold = engine, types, threshold

    def scan(self, text: str) -> list[Hit]:
        return [
            Hit(t, s, e)
            for t, s, e, score in self.engine.analyze(text)
            if score >= self.threshold and (self.types is None or t in self.types)
        ]


def quality(interlock: Any, presidio: PresidioEngine, shared: set[str]) -> dict[str, Any]:
    engines = {
        "interlock": interlock,
        "presidio": PresidioView(presidio, shared, 0.0),
        "presidio_0.5": PresidioView(presidio, shared, PRESIDIO_THRESHOLD),
    }
    out: dict[str, Any] = {}
    for split in ("test", "all"):
        out[f"presidio-research {split}"] = {
            name: eval_dlp.eval_presidio(eng, split) for name, eng in engines.items()
        }
    out["corpus"] = {name: eval_dlp.eval_corpus(eng) for name, eng in engines.items()}
    for results in out.values():
        for result in results.values():
            result["micro_shared"] = micro(result["per_type"], shared)
    # Hard negatives flagged by Presidio under each of its types, shared or not (UUID, URL, ...).
    by_type: dict[str, dict[str, list[int]]] = {}
    for t in presidio.entities:
        for i, threshold in enumerate((0.0, PRESIDIO_THRESHOLD)):
            negatives = eval_dlp.eval_corpus(PresidioView(presidio, {t}, threshold))
            for kind, counts in negatives["hard_negatives"].items():
                if counts["flagged"]:
                    by_type.setdefault(kind, {}).setdefault(t, [0, 0])[i] = counts["flagged"]
    out["corpus_presidio_negatives_by_type"] = by_type
    return out


def micro(per_type: dict[str, dict[str, Any]], types: set[str]) -> dict[str, float]:
    """Micro precision / recall / F2 over `types`, from eval_dlp's per-type table (its own micro
    for the corpus counts SECRET, which Presidio does not have). Counts come back exactly:
    the rates are rounded to 4 decimals and no count reaches 5,000."""
    tp_p = n_p = tp_g = n_g = 0
    for t in types & set(per_type):
        row = per_type[t]
        n_p += row["predicted"]
        n_g += row["support"]
        tp_p += round((row["precision"] or 0) * row["predicted"])
        tp_g += round((row["recall"] or 0) * row["support"])
    p, r = tp_p / max(n_p, 1), tp_g / max(n_g, 1)
    f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f2": round(f2, 4)}


def cpu_us(fn: Callable[[str], Any], texts: list[str], rounds: int) -> list[float]:
    for t in texts[:3]:
        fn(t)
    samples = []
    for _ in range(rounds):
        for t in texts:
            start = time.process_time()
            fn(t)
            samples.append((time.process_time() - start) * 1e6)
    return samples


def once(fn: Callable[[str], Any], text: str) -> tuple[float, int]:
    """CPU seconds of one call, and how many findings it returned."""
    start = time.process_time()
    found = fn(text)
    return time.process_time() - start, len(found)


def speed(interlock: Any, presidio: PresidioEngine, quick: bool) -> dict[str, Any]:
    texts = prompts(2048, 20 if quick else 40)
    analyze = presidio.analyzer.analyze

    def presidio_scan(text: str) -> Any:
        return analyze(text=text, language="en")  # uncached: every call is an analysis

    rounds = 1 if quick else 3
    ours = statistics.median(cpu_us(interlock.scan, texts, rounds))
    theirs = statistics.median(cpu_us(presidio_scan, texts, rounds))
    # bench/dlp_bench.py's throughput text: 1 MiB of its 10 KB prompts.
    big = "".join(prompts(10240, 110))[: 1 << 20]
    ours_s, ours_n = min(once(interlock.scan, big) for _ in range(1 if quick else 3))
    theirs_s, theirs_n = once(presidio_scan, big)  # one run: it is slow
    return {
        "prompts_2kb": len(texts),
        "rounds": rounds,
        "interlock_p50_us": round(ours, 1),
        "presidio_p50_us": round(theirs, 1),
        "p50_ratio": round(theirs / ours, 1),
        "mb": round(len(big) / 1e6, 3),
        "interlock_mb_s": round(len(big) / ours_s / 1e6, 2),
        "presidio_mb_s": round(len(big) / theirs_s / 1e6, 3),
        "mb_s_ratio": round(theirs_s / ours_s, 1),
        "interlock_1mb_findings": ours_n,
        "presidio_1mb_findings": theirs_n,
    }


def _cell(row: dict[str, Any] | None) -> str:
    if not row or (row["support"] == 0 and row["predicted"] == 0):
        return "-"
    if row["support"] == 0:  # a type the set has no labels for: every finding is wrong
        return f"{row['predicted']} found"
    p, r = row["precision"], row["recall"]
    return f"{'-' if p is None else f'{p:.3f}'} / {'-' if r is None else f'{r:.3f}'}"


def print_quality(q: dict[str, Any], shared: set[str]) -> None:
    names = ("interlock", "presidio", "presidio_0.5")
    head = f"  {'type':<20} {'Interlock P / R':<17} {'Presidio P / R':<17} {'Presidio>=0.5':<17} support"
    for title in ("presidio-research test", "presidio-research all", "corpus"):
        res = q[title]
        print(f"\n{title} ({res['interlock'].get('rows') or res['interlock'].get('docs')} texts)")
        print(head)
        support = res["interlock"]["per_type"]
        predicted = {t for n in names for t, row in res[n]["per_type"].items() if row["predicted"]}
        labelled = {t for t, row in support.items() if row["support"]}
        for t in sorted(labelled | (predicted & shared)):
            cells = [_cell(res[n]["per_type"].get(t)) for n in names]
            if t not in shared:
                cells[1] = cells[2] = "no such type" if t not in NER_TYPES else "n/a (no NER model)"
            print(
                f"  {t:<20} {cells[0]:<17} {cells[1]:<17} {cells[2]:<17} {support.get(t, {}).get('support', 0)}"
            )
        for key in ("micro_shared", "micro_supported"):
            if key in res["interlock"]:
                cells = [res[n][key] for n in names]
                text = [f"{c['precision']:.3f} / {c['recall']:.3f} F2 {c['f2']:.3f}" for c in cells]
                print(
                    f"  {key}: " + " | ".join(f"{n} {x}" for n, x in zip(names, text, strict=True))
                )
        if title == "corpus":
            print(
                "  hard negatives flagged (shared types): count / Interlock / Presidio / "
                "Presidio>=0.5; by Presidio type (any type): default/>=0.5"
            )
            neg = {n: res[n]["hard_negatives"] for n in names}
            for kind, c in neg["interlock"].items():
                flags = " / ".join(str(neg[n][kind]["flagged"]) for n in names)
                types = q["corpus_presidio_negatives_by_type"].get(kind, {})
                detail = ", ".join(
                    f"{t} {a}/{b}" for t, (a, b) in sorted(types.items(), key=lambda x: -x[1][0])
                )
                print(
                    f"    {kind:<10} {c['count']:>4} / {flags:<14} Presidio by type: {detail or '-'}"
                )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true", help="fewer timing rounds")
    ap.add_argument(
        "--no-lemmas",
        action="store_true",
        help="plain spacy.blank('en'): empty lemmas, so Presidio's context words never match",
    )
    args = ap.parse_args()
    started = time.perf_counter()
    interlock = cold(eval_dlp.engine("auto"))
    presidio = PresidioEngine(lemmas=not args.no_lemmas)
    ours = {r.entity for r in builtin_rules()} | set(NER_TYPES)
    shared = ours & set(presidio.entities) - set(NER_TYPES)
    try:
        report: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d"),
            "presidio": {
                "presidio_analyzer": version("presidio-analyzer"),
                "spacy": version("spacy"),
                "pipeline": "spacy.blank('en')"
                + ("" if args.no_lemmas else " + lemma = lower-case text")
                + " (no trained model)",
                "score_threshold": [0.0, PRESIDIO_THRESHOLD],
                "recognizers": presidio.recognizers,
                "entities": presidio.entities,
            },
            "shared_types": sorted(shared),
            "quality": quality(interlock, presidio, shared),
            "speed": speed(interlock, presidio, args.quick),
        }
    finally:
        presidio.close()
    report["seconds"] = round(time.perf_counter() - started, 1)
    p = report["presidio"]
    print(f"Presidio {p['presidio_analyzer']}, spaCy {p['spacy']}: {p['pipeline']}")
    print(f"Recognizers: {', '.join(p['recognizers'])}")
    print(f"Scored types (both detect them): {', '.join(report['shared_types'])}")
    print(
        "Not compared: PERSON / LOCATION / ORGANIZATION (Presidio's NER needs a trained spaCy "
        "model: not installable here); secrets (Presidio has no credential recogniser, so the "
        "CredSweeper fixtures are not run)."
    )
    print_quality(report["quality"], shared)
    s = report["speed"]
    print(
        f"\nSpeed, CPU time of this process, same run:\n"
        f"  2 KB prompts ({s['prompts_2kb']} x {s['rounds']}), p50: Interlock "
        f"{s['interlock_p50_us']} us, Presidio {s['presidio_p50_us']} us (x{s['p50_ratio']})\n"
        f"  {s['mb']} MB text: Interlock {s['interlock_mb_s']} MB/s "
        f"({s['interlock_1mb_findings']} findings), Presidio {s['presidio_mb_s']} MB/s "
        f"({s['presidio_1mb_findings']} findings) (x{s['mb_s_ratio']})"
    )
    print(f"\n{report['seconds']} s")
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
