"""A trained decision for the name recogniser's PERSON candidates.

The rules in names.py find runs of capitalised words and score them by hand. Hand rules tuned
on one set of sentence templates overfit them, so the last step, "is this run a person?", is
taken by a logistic regression instead: sparse features of the run (the gazetteer class of each
word, its shape and ending), of its context (the words and punctuation before and after it,
where it stands in the line) and the rules' own score as one feature among others. The weights
are trained by scripts/train_dlp_names.py on generated text and presidio-research's `dev`
templates, and ship in data/name_model.json.gz; they are loaded once per process.

Scoring a candidate is a sum over about twenty-five dictionary look-ups, made only for the runs
the rules could not rule out. It is opt-in (`NameRecognizer(trained=True)`) because it did not
generalise better than the hand rules. PERSON precision / recall / F2 on presidio-research by
template split (scripts/eval_dlp.py's splits, whole engine; the model is trained on generated
text and `dev`, its threshold chosen on `dev2`, `test` never read by the training):

    split   hand rules              trained decision
    dev     0.919 / 0.962 / 0.953   0.969 / 0.962 / 0.963
    dev2    0.932 / 0.907 / 0.912   0.948 / 0.877 / 0.890
    test    0.827 / 0.736 / 0.752   0.803 / 0.726 / 0.740

and it costs about 30 us more per 2 KB prompt (96 instead of 66 us CPU p50 of
`Engine.named` on bench/dlp_bench.py's 2 KB prompts). Where the gap is: 91% of the `test` PERSON spans reach this decision as candidates,
but neither the rules nor the model tell them from the other candidates in contexts the
training templates do not have; a better decision needs realistic annotated text, not more
templates.
"""

from __future__ import annotations

import gzip
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Protocol

MODEL_FILE = "name_model.json.gz"


class _Word(Protocol):
    word: str
    title: bool
    first: bool
    last: bool
    common: bool


def word_class(t: _Word) -> str:
    """One letter per word: Title, Initial, Both lists, First name, Last name, Common, Unknown;
    lower case when the word is also a common word ("Will", "Park")."""
    if t.title:
        return "T"
    w = t.word
    if len(w) == 1 and w.isupper():
        return "I"
    code = "B" if t.first and t.last else "F" if t.first else "L" if t.last else "U"
    if t.common:
        code = "C" if code == "U" else code.lower()
    return code


def _shape(w: str) -> str:
    if w.isupper():
        return "X"
    if not w.isascii():
        return "n"
    if "-" in w:
        return "h"
    return "x"


def features(
    text: str,
    run: list[_Word],
    start: int,
    end: int,
    named: float,
    title: bool,
    before: str,
    phrase: str,
    after: str,
    is_place: bool,
    place_word: bool = False,
) -> list[str]:
    """The sparse features of one candidate run (`after` is the lower-cased text after it)."""
    classes = "".join(word_class(t) for t in run)
    last = run[-1].word.lower()
    # the nearest character before the run that is not a space: sentence start, quote, list
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    prev = "^" if i < 0 else "\\n" if text[i] == "\n" else text[i] if not text[i].isalnum() else "a"
    nxt = after[:1] if after[:1] and not after[:1].isalnum() else "a" if after else "$"
    head = after.lstrip(" ,").split(" ", 1)[0].strip(".,!?:;\"'") if after else ""
    bucket = min(int(named * 10), 12)
    # where the run stands in its line: alone (a signature, an address line), first, inside
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    head_text = text[line_start:start].strip(" \t>?*-:#•")
    tail_text = text[end:line_end].strip(" \t.,;!?")
    line = "alone" if not head_text and not tail_text else "first" if not head_text else "in"
    digits = any(c.isdigit() for c in text[max(0, start - 16) : end + 16])
    # Context words by kind, not by identity: word identities memorise the training templates.
    bk, ak, pk = context_kinds(before, head, phrase)
    return [
        "bias",
        f"cls={classes[:4]}",
        f"c0={classes[0]}",
        f"c-1={classes[-1]}",
        f"n={min(len(run), 4)}",
        f"bk={bk}",
        f"ak={ak}",
        f"pk={pk}",
        f"bk|c0={bk}|{classes[0]}",
        f"ak|n={ak}|{min(len(run), 3)}",
        f"a2={after[:2]}",
        f"p={prev}",
        f"nx={nxt}",
        f"suf={last[-3:]}",
        f"shape={_shape(run[0].word)}{_shape(run[-1].word)}",
        f"rule={bucket}",
        f"title={title}",
        f"place={is_place}",
        f"pw={place_word}",
        f"line={line}",
        f"line|n={line}|{min(len(run), 3)}",
        f"digits={digits}",
        f"digits|line={digits}|{line}",
    ]


_KINDS: dict[str, dict[str, str]] = {}


def set_context_kinds(kinds: dict[str, dict[str, str]]) -> None:
    """names.py registers its word lists (before / after / phrase -> kind) at import."""
    _KINDS.update(kinds)


def context_kinds(before: str, head: str, phrase: str) -> tuple[str, str, str]:
    b = _KINDS["before"].get(before, "w" if before else "-")
    a = _KINDS["after"].get(head, "w" if head else "-")
    return b, a, _KINDS["phrase"].get(phrase, "")


class NameModel:
    def __init__(self, weights: dict[str, float], threshold: float) -> None:
        self.weights = weights
        self.threshold = threshold

    def probability(self, feats: list[str]) -> float:
        get = self.weights.get
        z = sum(get(f, 0.0) for f in feats)
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def load_model() -> NameModel | None:
    ref = resources.files("interlock.dlp") / "data" / MODEL_FILE
    if not ref.is_file():
        return None
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return NameModel(data["weights"], data["threshold"])
