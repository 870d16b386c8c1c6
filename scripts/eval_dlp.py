"""Precision and recall of the DLP engine, per entity type, on three sets:

1. presidio-research's synthetic PII sentences (../shared/datasets/presidio-research);
2. CredSweeper's secret fixtures (../shared/datasets/secrets-fixtures.tar.gz, unpacked into a
   temporary directory that is deleted afterwards), scored per line;
3. the generated enterprise-prompt corpus (tests/dlp/corpus.py) with its hard negatives.

    .venv/bin/python scripts/eval_dlp.py [--json out.json] [--backend auto|re]

A prediction counts as correct when it overlaps a labelled span of the same type; a label
counts as found when a prediction of its type overlaps it.

Held-out splits keep the numbers honest: presidio-research sentences are split by template
(even template ids are `dev`, ids 1 mod 4 `dev2`, ids 3 mod 4 `test`), CredSweeper fixtures by
file name (CRC-32 odd is `test`). Recognisers are tuned by looking at `dev` and `dev2` errors
only (`--errors dev2` prints them); `test` is what the README reports.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import sys
import tarfile
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
DATASETS = Path(os.environ.get("INTERLOCK_DATASETS", ROOT.parent / "shared" / "datasets"))

from tests.dlp.corpus import corpus  # noqa: E402

from interlock.dlp.config import DlpPolicy  # noqa: E402
from interlock.dlp.policy import compile_policy  # noqa: E402

# presidio-research labels -> our types (GPE is a place; addresses are scored as LOCATION
# precision context only, see below)
PRESIDIO_MAP = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
}
STRUCTURED = [
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
    "PHONE_NUMBER",
    "SECRET",
]
# CredSweeper rules that flag things that are not secrets for DLP (identifiers, host names).
NOT_SECRETS = {
    "UUID",
    "AWS S3 Bucket",
    "Firebase Domain",
    "Tencent WeChat API App ID",
    "URL Credentials",
}


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Score:
    def __init__(self) -> None:
        self.tp_gold: dict[str, int] = defaultdict(int)
        self.gold: dict[str, int] = defaultdict(int)
        self.tp_pred: dict[str, int] = defaultdict(int)
        self.pred: dict[str, int] = defaultdict(int)

    def add(
        self,
        gold: list[tuple[str, int, int]],
        pred: list[tuple[str, int, int]],
        also_ok: list[tuple[str, int, int]] = (),
    ) -> None:  # type: ignore[assignment]
        for t, s, e in gold:
            self.gold[t] += 1
            if any(pt == t and overlaps((s, e), (ps, pe)) for pt, ps, pe in pred):
                self.tp_gold[t] += 1
        for t, s, e in pred:
            self.pred[t] += 1
            if any(gt == t and overlaps((s, e), (gs, ge)) for gt, gs, ge in [*gold, *also_ok]):
                self.tp_pred[t] += 1

    def table(self, types: list[str] | None = None) -> dict[str, dict[str, float]]:
        out = {}
        for t in sorted(types or set(self.gold) | set(self.pred)):
            p = self.tp_pred[t] / self.pred[t] if self.pred[t] else None
            r = self.tp_gold[t] / self.gold[t] if self.gold[t] else None
            out[t] = {
                "precision": _r(p),
                "recall": _r(r),
                "support": self.gold[t],
                "predicted": self.pred[t],
            }
        return out

    def micro(self, types: list[str]) -> dict[str, float]:
        tp_p = sum(self.tp_pred[t] for t in types)
        n_p = sum(self.pred[t] for t in types)
        tp_g = sum(self.tp_gold[t] for t in types)
        n_g = sum(self.gold[t] for t in types)
        p, r = tp_p / max(n_p, 1), tp_g / max(n_g, 1)
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        return {"precision": _r(p), "recall": _r(r), "f2": _r(f2)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def engine(backend: str) -> Any:
    return compile_policy(DlpPolicy(), backend).engine


def presidio_split(row: dict[str, Any]) -> str:
    template = row["template_id"]
    return "dev" if template % 2 == 0 else "dev2" if template % 4 == 1 else "test"


def credsweeper_split(name: str) -> str:
    return "test" if zlib.crc32(name.encode()) % 2 else "dev"


def eval_presidio(eng: Any, split: str, errors: list[str] | None = None) -> dict[str, Any]:
    rows = json.loads((DATASETS / "presidio-research" / "synth_dataset_v2.json").read_text())
    rows = [r for r in rows if split == "all" or presidio_split(r) == split]
    score = Score()
    for row in rows:
        text = row["full_text"]
        gold = [
            (PRESIDIO_MAP[s["entity_type"]], s["start_position"], s["end_position"])
            for s in row["spans"]
            if s["entity_type"] in PRESIDIO_MAP
        ]
        # A place name inside a labelled street address is a place: not a false positive.
        addresses = [
            ("LOCATION", s["start_position"], s["end_position"])
            for s in row["spans"]
            if s["entity_type"] in ("STREET_ADDRESS", "ZIP_CODE")
        ]
        # Presidio labels every date DATE_TIME; a date of birth is one of them.
        addresses += [
            ("DATE_OF_BIRTH", s["start_position"], s["end_position"])
            for s in row["spans"]
            if s["entity_type"] == "DATE_TIME"
        ]
        pred = [(f.entity, f.start, f.end) for f in eng.scan(text)]
        score.add(gold, pred, addresses)
        if errors is not None:
            errors.extend(_errors(text, gold, pred, addresses))
    supported = ["PERSON", "LOCATION", "ORGANIZATION", *[t for t in STRUCTURED if t != "SECRET"]]
    return {
        "rows": len(rows),
        "per_type": score.table(),
        "micro_supported": score.micro(supported),
        "micro_structured": score.micro([t for t in STRUCTURED if t != "SECRET"]),
    }


def _errors(
    text: str,
    gold: list[tuple[str, int, int]],
    pred: list[tuple[str, int, int]],
    also_ok: list[tuple[str, int, int]],
) -> list[str]:
    out = []
    for t, s, e in gold:
        if not any(pt == t and overlaps((s, e), (ps, pe)) for pt, ps, pe in pred):
            out.append(f"MISS {t} {text[s:e]!r} | {text}")
    for t, s, e in pred:
        if not any(gt == t and overlaps((s, e), (gs, ge)) for gt, gs, ge in [*gold, *also_ok]):
            out.append(f"FP   {t} {text[s:e]!r} | {text}")
    return out


def eval_credsweeper(eng: Any, split: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(DATASETS / "secrets-fixtures.tar.gz") as tar:
            tar.extractall(tmp, filter="data")
        base = Path(tmp) / "credsweeper-samples"
        expected = json.loads((base / "expected_output.json").read_text())
        positives: dict[tuple[str, int], set[str]] = defaultdict(set)
        for item in expected:
            for line in item["line_data_list"]:
                name = Path(line["path"]).name
                if item["rule"] not in NOT_SECRETS:
                    positives[(name, line["line_num"])].add(item["rule"])
        tp = fp = fn = tn = 0
        missed: list[str] = []
        false: list[str] = []
        for path in sorted((base / "samples").iterdir()):
            if split != "all" and credsweeper_split(path.name) != split:
                continue
            try:
                text = path.read_text()
            except UnicodeDecodeError:
                continue
            line_starts = [0]
            for i, ch in enumerate(text):
                if ch == "\n":
                    line_starts.append(i + 1)
            flagged: set[int] = set()
            for f in eng.scan(text):
                if f.entity == "SECRET":
                    # every line a finding covers is redacted (a private key block spans many)
                    first = bisect.bisect_right(line_starts, f.start)
                    last = bisect.bisect_right(line_starts, max(f.start, f.end - 1))
                    flagged.update(range(first, last + 1))
            for n in range(1, len(line_starts) + 1):
                pos = (path.name, n) in positives
                if pos and n in flagged:
                    tp += 1
                elif pos:
                    fn += 1
                    missed.append(f"{path.name}:{n} {sorted(positives[(path.name, n)])}")
                elif n in flagged:
                    fp += 1
                    false.append(f"{path.name}:{n}")
                else:
                    tn += 1
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {
        "lines_positive": tp + fn,
        "lines_negative": fp + tn,
        "precision": _r(p),
        "recall": _r(r),
        "missed_examples": missed[:40],
        "false_examples": false[:40],
    }


def eval_corpus(eng: Any) -> dict[str, Any]:
    docs = corpus(500, seed=11)
    score = Score()
    decoy_hits: dict[str, int] = defaultdict(int)
    decoys: dict[str, int] = defaultdict(int)
    for d in docs:
        found = eng.scan(d.text)
        pred = [(f.entity, f.start, f.end) for f in found]
        score.add(d.spans, pred)
        for kind, s, e in d.negatives:
            decoys[kind] += 1
            if any(overlaps((s, e), (f.start, f.end)) for f in found):
                decoy_hits[kind] += 1
    return {
        "docs": len(docs),
        "per_type": score.table(),
        "micro_structured": score.micro(STRUCTURED),
        "hard_negatives": {
            k: {"count": decoys[k], "flagged": decoy_hits[k]} for k in sorted(decoys)
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--backend", default="auto")
    ap.add_argument("--errors", choices=["dev", "dev2"], help="print a dev split's errors")
    args = ap.parse_args()
    eng = engine(args.backend)
    started = time.perf_counter()
    if args.errors:
        errors: list[str] = []
        eval_presidio(eng, args.errors, errors)
        print("\n".join(sorted(errors)))
        return 0
    report = {
        "backend": eng.backend,
        "presidio": {split: eval_presidio(eng, split) for split in ("test", "dev", "dev2", "all")},
        "credsweeper": {split: eval_credsweeper(eng, split) for split in ("test", "dev", "all")},
        "corpus": eval_corpus(eng),
    }
    report["seconds"] = round(time.perf_counter() - started, 2)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
