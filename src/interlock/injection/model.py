"""The trained classifier: a logistic regression over hashed n-grams, shipped as weights.

`weights.npz` is written by `scripts/train_injection.py` from `../shared/datasets` and read
once per process; nothing is downloaded at run time. Scoring is a gather and a sum over the
feature buckets of the folded text, so it is deterministic and takes tens of microseconds.
Long texts are also scored in overlapping windows, so one injected paragraph inside a long
benign document is not averaged away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from interlock.injection.features import featurize

WEIGHTS_PATH = Path(__file__).with_name("weights.npz")
# Added to the feature count before normalising: a two-word text says little either way, so
# its few features are shrunk toward the bias instead of deciding alone ("hello" is not an
# attack because short attacks were common in training).
SHRINK = 64
WINDOW = 1024  # characters per window of a long text
STRIDE = 512


@dataclass(frozen=True, slots=True)
class LinearModel:
    weights: np.ndarray  # float32, one per bucket
    bias: float
    bits: int
    version: str

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            weights = data["weights"].astype(np.float32)
            bias = float(data["bias"])
            version = str(data["version"])
        bits = int(math.log2(len(weights)))
        if 1 << bits != len(weights):
            raise ValueError(f"{path}: weight count {len(weights)} is not a power of two")
        return cls(weights, bias, bits, version)

    def logit(self, text: str) -> float:
        buckets = featurize(text, self.bits).buckets
        # Buckets are below 2**bits: viewed as intp, numpy gathers without converting them.
        w = self.weights[buckets.view(np.intp)]
        return self.bias + float(w.sum()) / math.sqrt(len(buckets) + SHRINK)

    def probability(self, text: str) -> float:
        """P(injection) of the whole text, or of its worst window when it is long."""
        if len(text) <= 2 * WINDOW + 64:
            return _sigmoid(self.logit(text))
        features = featurize(text, self.bits, with_positions=True)
        assert features.positions is not None
        w = self.weights[features.buckets.view(np.intp)]
        whole = self.bias + float(w.sum()) / math.sqrt(len(w) + SHRINK)
        # Per-window sums from prefix sums over character positions.
        size = len(text) + 2
        by_pos = np.bincount(features.positions, weights=w, minlength=size)
        count = np.bincount(features.positions, minlength=size)
        csum = np.concatenate(([0.0], np.cumsum(by_pos)))
        ccount = np.concatenate(([0], np.cumsum(count)))
        starts = np.arange(0, size - WINDOW, STRIDE)
        ends = np.minimum(starts + WINDOW, size)
        n = ccount[ends] - ccount[starts] + SHRINK
        windows = self.bias + (csum[ends] - csum[starts]) / np.sqrt(n)
        return _sigmoid(max(whole, float(windows.max())))


def _sigmoid(x: float) -> float:
    if x < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


@cache
def shipped_model() -> LinearModel:
    return LinearModel.load()
