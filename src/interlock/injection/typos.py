"""Misspelt trigger verbs ("igmre what I said before"), a cheap way around word lists.

Only the two verbs override attacks hinge on are repaired, and only words that start like them
("ig…", "dis…") are compared, so a benign prompt costs a dictionary lookup per distinct word.
Real words near them (ignite, ignorant, discard…) are left alone; the repaired text must still
match a rule's full shape ("ignore what I said before") to count.
"""

from __future__ import annotations

_TARGETS = {"ig": ("ignore",), "dis": ("disregard",)}
_REAL = frozenset(
    [
        "ignite",
        "ignites",
        "ignited",
        "igniter",
        "ignition",
        "ignoble",
        "ignominy",
        "ignorant",
        "ignorance",
        "ignored",
        "ignores",
        "ignoring",
        "igloo",
        "iguana",
        "ignatius",
        "discard",
        "discards",
        "discord",
        "disgrace",
        "disregards",
        "disregarded",
        "disguard",
        "disagree",
        "disappear",
        "disarray",
        "dispersed",
        "discover",
        "discovered",
    ]
)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def repairs(words: list[str]) -> dict[str, str]:
    """misspelt word -> the trigger verb it stands for."""
    out: dict[str, str] = {}
    for word in set(words):
        targets = _TARGETS.get(word[:2]) or _TARGETS.get(word[:3])
        if not targets or word in _REAL or not word.isalpha():
            continue
        for target in targets:
            near = word != target and abs(len(word) - len(target)) <= 2
            if near and _distance(word, target, 2) <= 2:
                out[word] = target
    return out
