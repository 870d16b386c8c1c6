"""Trains the name-shape score (src/interlock/dlp/name_shape.py): does an unknown word look
like a person's name or like an ordinary word? Writes src/interlock/dlp/data/name_shape.json.gz.

Positives are the first and last names of the shipped gazetteer, negatives its common words
(Debian's wamerican and words written in lower case in prose), both lower case; a word on both
sides is left out. The model is naive Bayes over character 2- to 4-grams with word boundaries
("^ko", "ski$"): the score of a word is the mean log-odds of its n-grams. Only n-grams shared by
at least MIN_COUNT training words are kept, so the table holds the patterns of a language's
names ("-ski", "-ović", "-ashi", "^mc") rather than the names themselves: a name the lists do
not hold is scored by its shape, not recalled. One word in ten (by CRC-32) is held out and the
script prints how the score separates held-out names from held-out words.

    .venv/bin/python scripts/train_dlp_name_shape.py
"""

from __future__ import annotations

import gzip
import json
import lzma
import math
import sys
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
GAZETTEER = ROOT / "src" / "interlock" / "dlp" / "data" / "gazetteer.json.xz"
OUT = ROOT / "src" / "interlock" / "dlp" / "data" / "name_shape.json.gz"
MIN_COUNT = 20
SMOOTHING = 1.0

from interlock.dlp.name_shape import grams, score_with  # noqa: E402


def held_out(word: str) -> bool:
    return zlib.crc32(word.encode()) % 10 == 0


def main() -> int:
    with lzma.open(GAZETTEER, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    names = {w.lower() for w in data["first_names"] + data["last_names"] if w.isalpha()}
    common = {w for w in data["common_words"] if w.isalpha()}
    both = names & common
    names, common = names - both, common - both
    train = {1: [w for w in names if not held_out(w)], 0: [w for w in common if not held_out(w)]}
    counts = {
        label: Counter(g for w in words for g in set(grams(w))) for label, words in train.items()
    }
    totals = {label: len(words) for label, words in train.items()}
    weights: dict[str, float] = {}
    for g in counts[1].keys() | counts[0].keys():
        pos, neg = counts[1][g], counts[0][g]
        if pos + neg < MIN_COUNT:
            continue
        # log odds of the n-gram's document frequency in names against in words
        lp = math.log((pos + SMOOTHING) / (totals[1] + 2 * SMOOTHING))
        ln = math.log((neg + SMOOTHING) / (totals[0] + 2 * SMOOTHING))
        weights[g] = round(lp - ln, 2)
    model = {"min_count": MIN_COUNT, "weights": dict(sorted(weights.items()))}
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:  # mtime 0: the same bytes every build
        fh.write(json.dumps(model, separators=(",", ":"), ensure_ascii=False).encode())
    print(f"{len(weights)} n-grams from {totals[1]} names and {totals[0]} words -> {OUT.name}")

    test_names = sorted(w for w in names if held_out(w))
    test_words = sorted(w for w in common if held_out(w))
    s_names = sorted(score_with(weights, w) for w in test_names)
    s_words = sorted(score_with(weights, w) for w in test_words)
    print(f"held out: {len(test_names)} names, {len(test_words)} words")
    for cut in (-0.8, -0.5, 0.0, 0.5, 1.0, 1.5):
        tpr = sum(s > cut for s in s_names) / len(s_names)
        fpr = sum(s > cut for s in s_words) / len(s_words)
        print(f"  score > {cut:4}: names {tpr:.3f}, words {fpr:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
