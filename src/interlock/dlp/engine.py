"""The detection engine of one policy: compiled once, then `scan(text)` per text.

A scan normalises the text (see normalize.py), runs the multi-pattern pass, confirms each hit
with its rule's exact pattern, validator and context words, adds the name recogniser's
findings, keeps the best of overlapping findings, and maps offsets back to the original text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from interlock.dlp.matcher import WHOLE_TEXT, Matcher, build_matcher
from interlock.dlp.names import NameRecognizer
from interlock.dlp.normalize import normalize
from interlock.dlp.rules import Finding, Rule

CONTEXT_BEFORE = 60  # characters before a hit searched for context words
CONTEXT_AFTER = 24
CONTEXT_BOOST = 0.35
NEGATIVE_PENALTY = 0.5
_WORD = re.compile(r"[a-z][a-z0-9#.'-]*")
_SHRINK_AT = re.compile(r"[ .-]")


def adjacent_words(text: str, start: int, end: int) -> set[str]:
    """The three words just before a hit and the one just after: where a label like "order"
    or "version" says what a number is."""
    before = _WORD.findall(text[max(0, start - 30) : start].lower())[-3:]
    after = _WORD.findall(text[end : end + 16].lower())[:1]
    return {w.strip(".'-") for w in before + after}


def _glued(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before.isalnum() or before in "-_" or after.isalnum() or after in "-_":
        return True
    if before == " " and start >= 2 and text[start - 2].isdigit():
        return True
    return after == " " and end + 1 < len(text) and text[end + 1].isdigit()


def context_words(text: str, start: int, end: int) -> set[str]:
    window = text[max(0, start - CONTEXT_BEFORE) : start] + " " + text[end : end + CONTEXT_AFTER]
    return {w.strip(".'-") for w in _WORD.findall(window.lower())}


class Engine:
    def __init__(
        self,
        rules: Sequence[Rule],
        names: NameRecognizer | None = None,
        *,
        min_score: float = 0.5,
        allow_values: Iterable[str] = (),
        backend: str = "auto",
    ) -> None:
        self.rules = list(rules)
        self.names = names
        self.min_score = min_score
        self.allow_values = frozenset(allow_values)
        self.matcher: Matcher = build_matcher(self.rules, backend)

    @property
    def backend(self) -> str:
        return self.matcher.backend

    def scan(self, text: str) -> list[Finding]:
        if not text:
            return []
        norm = normalize(text)
        canon = norm.text
        found: list[Finding] = []
        for index, windows in self.matcher.windows(canon).items():
            rule = self.rules[index]
            for start, end in windows:
                matches = (
                    rule.regex.finditer(canon)
                    if start == WHOLE_TEXT
                    else rule.regex.finditer(canon, start, end)
                )
                for match in matches:
                    finding = self._confirm(rule, match, canon)
                    if finding is not None:
                        found.append(finding)
        if self.names is not None:
            found.extend(f for f in self.names.find(canon) if f.score >= self.min_score)
        if not found:
            return found
        found = resolve_overlaps(found)
        if not norm.identity:
            found = [_remap(f, *norm.span(f.start, f.end)) for f in found]
        if self.allow_values:
            found = [f for f in found if text[f.start : f.end] not in self.allow_values]
        return found

    def _confirm(self, rule: Rule, match: re.Match[str], text: str) -> Finding | None:
        start, end = match.span(rule.group)
        if start < 0 or end <= start:
            return None
        value = text[start:end]
        if rule.validate is not None and not rule.validate(value):
            if not rule.shrink:
                return None
            value = _shrunk(rule, value)
            if value is None:
                return None
            end = start + len(value)
        if rule.isolated and _glued(text, start, end):
            return None
        score = rule.score
        if rule.rescore is not None:
            score = rule.rescore(value, score)
        if rule.context or rule.negative:
            near = context_words(text, start, end)
            if rule.context and not rule.context.isdisjoint(near):
                score += CONTEXT_BOOST
            elif rule.needs_context:
                return None
            if rule.negative and not rule.negative.isdisjoint(adjacent_words(text, start, end)):
                score -= NEGATIVE_PENALTY
        elif rule.needs_context:
            return None
        if score < self.min_score:
            return None
        name = rule.namer(match) if rule.namer is not None else rule.name
        return Finding(
            rule.entity, start, end, name, round(min(score, 1.0), 2), rule.classification
        )


def _shrunk(rule: Rule, value: str) -> str | None:
    """The longest prefix of `value`, cut at a separator, that validates (at most 4 cuts)."""
    assert rule.validate is not None
    for _ in range(4):
        cuts = [m.start() for m in _SHRINK_AT.finditer(value)]
        if not cuts:
            return None
        value = value[: cuts[-1]].rstrip(" .-")
        if value and rule.validate(value):
            return value
    return None


def _remap(f: Finding, start: int, end: int) -> Finding:
    return Finding(f.entity, start, end, f.rule, f.score, f.classification)


def resolve_overlaps(found: list[Finding]) -> list[Finding]:
    """Overlapping findings: the most confident wins, then the longest; output in text order."""
    if len(found) == 1:
        return found
    ranked = sorted(found, key=lambda f: (-f.score, f.start - f.end, f.start))
    starts: list[int] = []  # kept spans, sorted by start (they never overlap each other)
    kept: list[Finding] = []
    for f in ranked:
        i = bisect.bisect_left(starts, f.start)
        if i > 0 and kept[i - 1].end > f.start:
            continue
        if i < len(kept) and kept[i].start < f.end:
            continue
        starts.insert(i, f.start)
        kept.insert(i, f)
    return kept
