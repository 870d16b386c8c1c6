"""How the name recogniser generalises, on text the rules were not tuned against.

    .venv/bin/python scripts/eval_dlp_names.py [--errors tune|tune-unknown] [--show N]

scripts/eval_dlp.py scores presidio-research by template split; its dev splits are the ones
the rules were tuned on. This adds what those splits cannot tell:

1. generated text (scripts/synth_dlp_names.py): the training templates and EVAL_TEMPLATES
   (people in other positions: objects, appositions, possessives, list items, form fields),
   whose even indexes are `tune` (errors may be read) and odd ones `report` (only scored);
2. the same texts, and presidio-research's dev splits, with every word of every labelled
   person taken out of the name lists ("unknown names": the name must be found by its
   position, the way a name no list holds would be);
3. PERSON / LOCATION / ORGANIZATION findings on benign prompts (GPTeacher, self-instruct,
   awesome-chatgpt-prompts, ../shared/datasets): many are real people ("Ada Lovelace"),
   the rest are false; `--show N` prints the N most frequent values per type.

PERSON cells are precision / recall / F2 (a prediction counts when it overlaps a label).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "scripts")]

from eval_dlp import DATASETS, engine, eval_presidio, overlaps, presidio_split  # noqa: E402
from synth_dlp_names import EVAL_TEMPLATES, Doc, generate  # noqa: E402

TYPES = ("PERSON", "LOCATION", "ORGANIZATION")
SEED = 5  # the training script uses 7


def cell(p: float, r: float) -> str:
    f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
    return f"{p:.3f} / {r:.3f} / {f2:.3f}"


def fresh_engine(unknown: set[str] | None = None) -> Any:
    """The default policy's engine; with `unknown`, those words are taken out of the name
    lists."""
    eng = engine("auto")
    eng.recent = None
    if unknown:
        g, low = eng.names.g, {w.lower() for w in unknown}
        eng.names.g = replace(
            g,
            first=g.first - unknown,
            last=g.last - unknown,
            common_first=g.common_first - low,
            lower_last=g.lower_last - low,
        )
        eng.names._facts.clear()
    return eng


def person_words(spans: list[tuple[str, str]]) -> set[str]:
    out: set[str] = set()
    for value in spans:
        for word in value[1].replace(".", " ").split():
            out.update((word, word.capitalize()))
    return out


def score_docs(eng: Any, docs: list[Doc], errors: list[str] | None = None) -> str:
    tp_gold = gold_n = tp_pred = pred_n = 0
    for d in docs:
        gold = [(s, e) for _, s, e in d.spans]
        found = [f for f in eng.scan_afresh(d.text) if f.entity == "PERSON"]
        pred = [(f.start, f.end) for f in found]
        gold_n += len(gold)
        pred_n += len(pred)
        hit = [any(overlaps(g, p) for p in pred) for g in gold]
        tp_gold += sum(hit)
        tp_pred += sum(any(overlaps(p, g) for g in gold) for p in pred)
        if errors is not None:
            line = d.text.replace("\n", "⏎")[:110]
            errors += [
                f"MISS {d.text[s:e]!r} | {line}"
                for (s, e), h in zip(gold, hit, strict=True)
                if not h
            ]
            errors += [
                f"FP   {f.rule} {d.text[f.start : f.end]!r} | {line}"
                for f in found
                if not any(overlaps((f.start, f.end), g) for g in gold)
            ]
    return cell(tp_pred / max(pred_n, 1), tp_gold / max(gold_n, 1))


def presidio_unknown(splits: tuple[str, ...]) -> dict[str, str]:
    rows = json.loads((DATASETS / "presidio-research" / "synth_dataset_v2.json").read_text())
    spans = [
        ("", s["entity_value"])
        for r in rows
        if presidio_split(r) in splits
        for s in r["spans"]
        if s["entity_type"] == "PERSON"
    ]
    eng = fresh_engine(person_words(spans))
    out = {}
    for split in splits:
        x = eval_presidio(eng, split)["per_type"]["PERSON"]
        out[split] = cell(x["precision"] or 0.0, x["recall"] or 0.0)
    return out


def benign_texts() -> list[tuple[str, str]]:
    base = DATASETS
    out: list[tuple[str, str]] = []
    for name in ("roleplay-simple-deduped-roleplay-instruct.json", "codegen-instruct.json"):
        for row in json.loads((base / "gpteacher" / name).read_text()):
            out.append(("gpteacher", f"{row['instruction']}\n{row['input']}".strip()))
    for name in ("seed_tasks.jsonl", "user_oriented_instructions.jsonl"):
        for line in (base / "self-instruct" / name).read_text().splitlines():
            row = json.loads(line)
            inputs = "\n".join(i.get("input", "") for i in row["instances"])
            out.append(("self-instruct", f"{row['instruction']}\n{inputs}".strip()))
    csv.field_size_limit(1 << 26)
    with (base / "awesome-chatgpt-prompts" / "prompts.csv").open(newline="") as fh:
        out.extend(("awesome-chatgpt-prompts", r["prompt"]) for r in csv.DictReader(fh))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", choices=["tune", "tune-unknown"])
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--n", type=int, default=1500)
    args = ap.parse_args()
    tune = [t for i, t in enumerate(EVAL_TEMPLATES) if i % 2 == 0]
    report = [t for i, t in enumerate(EVAL_TEMPLATES) if i % 2 == 1]
    sets = {
        "training templates": generate(args.n, SEED),
        "eval templates, tune": generate(args.n, SEED, tune),
        "eval templates, report": generate(args.n, SEED, report),
    }
    if args.errors:
        docs = sets["eval templates, tune"]
        unknown = person_words([("", d.text[s:e]) for d in docs for _, s, e in d.spans])
        errors: list[str] = []
        score_docs(fresh_engine(unknown if args.errors == "tune-unknown" else None), docs, errors)
        print("\n".join(sorted(errors)))
        return 0
    eng = fresh_engine()
    print("PERSON precision / recall / F2")
    for split in ("dev", "dev2"):
        per = eval_presidio(eng, split)["per_type"]
        cells = [f"{t} {cell(per[t]['precision'] or 0, per[t]['recall'] or 0)}" for t in TYPES]
        print(f"  presidio-research {split:4}  " + "   ".join(cells))
    for split, text in presidio_unknown(("dev", "dev2")).items():
        print(f"  presidio-research {split:4}, unknown names  {text}")
    for name, docs in sets.items():
        words = person_words([("", d.text[s:e]) for d in docs for _, s, e in d.spans])
        known, unknown = score_docs(eng, docs), score_docs(fresh_engine(words), docs)
        print(f"  generated, {name:24} {known}   unknown names {unknown}")
    counts: Counter[tuple[str, str]] = Counter()
    values: dict[str, Counter[str]] = {t: Counter() for t in TYPES}
    texts = benign_texts()
    for source, text in texts:
        for f in eng.scan_afresh(text):
            if f.entity in TYPES:
                counts[(source, f.entity)] += 1
                values[f.entity][text[f.start : f.end]] += 1
    print(f"findings on {len(texts)} benign prompts")
    for source in sorted({s for s, _ in counts}):
        print(f"  {source:24} " + "  ".join(f"{t} {counts[(source, t)]}" for t in TYPES))
    print("  total".ljust(27) + "  ".join(f"{t} {sum(values[t].values())}" for t in TYPES))
    for t in TYPES if args.show else ():
        print(f"  {t}: {values[t].most_common(args.show)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
