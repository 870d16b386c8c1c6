"""Whether a word no list knows looks like a person's name: "Kowalczyk", "Tsugukazu" and
"Okonkwo" do, "Rebalancing" and "Throughput" do not.

The score is the mean log-odds, over the word's character 2- to 4-grams with word boundaries,
of names (the gazetteer's first and last names) against ordinary words (its common words),
learned by scripts/train_dlp_name_shape.py and shipped in data/name_shape.json.gz. Only n-grams
shared by many training words are kept, so it scores shapes, not remembered names. Positive
means name-like. Deterministic and offline; loaded once, on the first unknown word.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

MODEL_FILE = "name_shape.json.gz"


def grams(word: str) -> list[str]:
    """The character 2- to 4-grams of `word` (lower case) with "^" and "$" at its ends."""
    padded = f"^{word}$"
    return [padded[i : i + n] for n in (2, 3, 4) for i in range(len(padded) - n + 1)]


def score_with(weights: dict[str, float], word: str) -> float:
    found = [weights[g] for g in grams(word) if g in weights]
    return sum(found) / len(found) if found else 0.0


@lru_cache(maxsize=1)
def _weights() -> dict[str, float]:
    ref = resources.files("interlock.dlp") / "data" / MODEL_FILE
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        weights: dict[str, float] = json.load(fh)["weights"]
    return weights


@lru_cache(maxsize=8192)
def name_shape(word: str) -> float:
    """The name-shape score of a word (any case; positive: name-like)."""
    return score_with(_weights(), word.lower())
