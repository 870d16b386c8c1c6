"""The detection engine of one policy: compiled once, then `scan(text)` per text.

A scan normalises the text (see normalize.py), runs the multi-pattern pass, confirms each hit
with its rule's exact pattern, validator and context words, adds the name recogniser's
findings, keeps the best of overlapping findings, and maps offsets back to the original text.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from interlock.dlp import backtrack, compiled, credentials, pii
from interlock.dlp import validators as v
from interlock.dlp.matcher import MATCH_AT, WHOLE_TEXT, Matcher, Windows, build_matcher
from interlock.dlp.names import NameRecognizer
from interlock.dlp.normalize import Normalized, normalize
from interlock.dlp.recent import MIN_CHARS, RecentScans
from interlock.dlp.rules import Finding, Rule

# The compiled confirmation (compiled.native, _native.c): the same findings as `_confirm`
# below, several times cheaper per candidate; without it, scans take the Python path.
native = compiled.native

CONTEXT_BEFORE = 60  # characters before a hit searched for context words
CONTEXT_AFTER = 24
CONTEXT_BOOST = 0.35
NEGATIVE_PENALTY = 0.5
# A word: a letter, then letters, digits and "#.'-", without its trailing ".'-" (what
# `word.strip(".'-")` leaves, but found by the regex engine without a Python loop). Letters
# are Unicode letters ("numéro", "teléfono" are one word); on ASCII text this is [a-z], which
# the compiled path matches itself (it asks this regex only for windows with other letters).
_WORD = re.compile(r"[^\W\d_](?:[^\W_]|#)*(?:[.'-]+(?:[^\W_]|#)+)*")
_SHRINK_AT = re.compile(r"[ .-]")


def adjacent_words(text: str, start: int, end: int) -> set[str]:
    """The three words just before a hit and the one just after: where a label like "order"
    or "version" says what a number is."""
    before = _WORD.findall(text[max(0, start - 30) : start].lower())[-3:]
    after = _WORD.search(text[end : end + 16].lower())
    if after is not None:
        before.append(after.group())
    return set(before)


# Reported scores by raw score: the few sums of rule scores and context boosts recur, and
# `round` costs more than the rest of building a finding.
_ROUNDED: dict[float, float] = {}


def _round_score(score: float) -> float:
    rounded = round(min(score, 1.0), 2)
    if len(_ROUNDED) < 4096:  # custom rules' scores are few, but come from the policy
        _ROUNDED[score] = rounded
    return rounded


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
    return set(_WORD.findall(window.lower()))


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
        # Each rule as the compiled confirmation reads it; None: the Python path.
        self.specs: list[tuple[Any, ...]] | None = None
        self._specs: list[tuple[Any, ...]] | None = None
        self.use_native(True)
        # Findings of recently scanned texts (a conversation's earlier turns); None: scan always.
        self.recent: RecentScans | None = RecentScans()

    @property
    def backend(self) -> str:
        return self.matcher.backend

    def use_native(self, on: bool) -> bool:
        """Scan with the compiled code when `on` and it is installed (the Python path
        otherwise: to compare them); returns whether it is used."""
        on = on and compiled.native is not None
        if on and self._specs is None:
            self._specs = [_spec(rule) for rule in self.rules]
        self.specs = self._specs if on else None
        self.matcher.use_native(on)
        if self.names is not None:
            self.names.use_native(on)
        return on

    def scan(self, text: str) -> list[Finding]:
        if not text:
            return []
        recent = self.recent
        if recent is None or len(text) < MIN_CHARS:
            return self.scan_afresh(text)
        key = recent.key(text)
        found = recent.get(key)
        if found is None:
            found = self.scan_afresh(text)
            recent.put(key, found)
        return found

    def scan_afresh(self, text: str) -> list[Finding]:
        if not text:
            return []
        norm = normalize(text)
        found = self.confirmed(norm.text, self.matcher.windows(norm.text))
        if self.names is not None:
            found.extend(self.named(norm.text))
        return self.finish(text, norm, found)

    # The phases of a scan, separately so bench/dlp_bench.py can time each.

    def confirmed(self, canon: str, hits: Windows) -> list[Finding]:
        """The findings of the rules' exact patterns in the matcher's windows, validated."""
        found: list[Finding] = []
        specs = self.specs
        if specs is not None:
            assert native is not None
            # (in C: for each rule in rule order, native.confirm, the words around spans shared)
            native.confirm_all(specs, hits, canon, self.min_score, found)
            return found
        near = _Near(canon)  # context words per hit, shared by the rules that hit one span
        confirm = self._confirm
        # Rule order, whatever order the matcher found them in: of two equally good findings
        # on one span, the same one wins on either matcher.
        for index in sorted(hits):
            windows = hits[index]
            rule = self.rules[index]
            if windows[0][1] == MATCH_AT:
                matches: Iterable[re.Match[str]] = _matches_at(rule.regex, canon, windows)
            elif windows[0][0] == WHOLE_TEXT:
                matches = rule.regex.finditer(canon)
            else:
                finditer = rule.regex.finditer
                matches = (m for start, end in windows for m in finditer(canon, start, end))
            for match in matches:
                finding = confirm(rule, match, canon, near)
                if finding is not None:
                    found.append(finding)
        return found

    def named(self, canon: str) -> list[Finding]:
        assert self.names is not None
        return [f for f in self.names.find(canon) if f.score >= self.min_score]

    def finish(self, text: str, norm: Normalized, found: list[Finding]) -> list[Finding]:
        """Overlaps resolved, offsets mapped back to the original text, allowed values out."""
        if not found:
            return found
        # (the compiled path's resolve is resolve_overlaps in C: ~2 us less per 2 KB prompt)
        found = native.resolve(found) if self.specs is not None else resolve_overlaps(found)
        if not norm.identity:
            found = [_remap(f, *norm.span(f.start, f.end)) for f in found]
        if self.allow_values:
            found = [f for f in found if text[f.start : f.end] not in self.allow_values]
        return found

    def _confirm(
        self, rule: Rule, match: re.Match[str], text: str, near: _Near | None = None
    ) -> Finding | None:
        start, end = match.span(rule.group)
        if start < 0 or end <= start:
            return None
        if near is None:
            near = _Near(text)
        if not rule.shrink:
            # Cheap refusals before the validator: without `shrink` the span cannot move, so a
            # value glued to its neighbours, or (for context-only rules) with no context word
            # near it, is refused whatever the validator says.
            if rule.isolated and _glued(text, start, end):
                return None
            if rule.needs_context and (
                not rule.context or rule.context.isdisjoint(near.context(start, end))
            ):
                return None
        value = text[start:end]
        if rule.validate is not None and not rule.validate(value):
            if not rule.shrink:
                return None
            shrunk = _shrunk(rule, value)
            if shrunk is None:
                return None
            value = shrunk
            end = start + len(value)
        if rule.isolated and _glued(text, start, end):
            return None
        score = rule.score
        if rule.rescore is not None:
            score = rule.rescore(value, score)
        if rule.context or rule.negative:
            if rule.context and not rule.context.isdisjoint(near.context(start, end)):
                score += CONTEXT_BOOST
            elif rule.needs_context:
                return None
            # Negative words only lower the score: below the bar already, they cannot matter.
            if score < self.min_score:
                return None
            if rule.negative and not rule.negative.isdisjoint(near.adjacent(start, end)):
                score -= NEGATIVE_PENALTY
        elif rule.needs_context:
            return None
        if score < self.min_score:
            return None
        name = rule.namer(match) if rule.namer is not None else rule.name
        rounded = _ROUNDED.get(score)
        if rounded is None:
            rounded = _round_score(score)
        return Finding(rule.entity, start, end, name, rounded, rule.classification)


# Validators the compiled confirmation runs in C on ASCII values (tests/dlp/test_native.py
# compares each with its Python original); any other validator is called as is.
_NATIVE_CHECKS: dict[object, int] = (
    {
        v.credit_card: native.V_CARD,
        v.us_ssn: native.V_SSN,
        v.ipv4: native.V_IPV4,
        pii.phone_number: native.V_PHONE,
        v.iban: native.V_IBAN,
        v.in_aadhaar: native.V_AADHAAR,
        v.ca_sin: native.V_CA_SIN,
        v.au_tfn: native.V_AU_TFN,
        v.au_abn: native.V_AU_ABN,
        v.fr_nir: native.V_FR_NIR,
        v.ipv6: native.V_IPV6,
        credentials._not_example: native.V_NOT_EXAMPLE,
    }
    if native is not None
    else {}
)


# Rescoring the compiled confirmation does in C on ASCII values (test_native.py compares it).
_NATIVE_RESCORES: dict[object, int] = (
    {
        pii.strong_phone_rescore: native.R_STRONG_PHONE,
        pii.card_issuer_rescore: native.R_CARD_ISSUER,
    }
    if native is not None
    else {}
)
# The number each rescoring in C reads: what a strong phone number adds, the score of a card
# from no known issuer.
_RESCORE_ARGS: dict[object, float] = {
    pii.strong_phone_rescore: pii.STRONG_PHONE_BONUS,
    pii.card_issuer_rescore: pii.UNKNOWN_ISSUER_SCORE,
}


def _spec(rule: Rule) -> tuple[Any, ...]:
    """A rule as _native.confirm reads it (a tuple: one C look-up per field). Its context and
    negative words go into the module's table of words rules look for, so confirm_all builds
    a span's word set of those words only (its last item says they are there)."""
    assert native is not None
    native.register_words(rule.context | rule.negative)
    return (
        rule.regex,
        rule.group,
        rule.shrink,
        rule.isolated,
        rule.needs_context,
        rule.context,
        rule.negative,
        rule.validate,
        _NATIVE_CHECKS.get(rule.validate, 0) if rule.validate is not None else 0,
        rule.rescore,
        float(rule.score),
        rule.namer,
        rule.entity,
        rule.name,
        rule.classification,
        _NATIVE_RESCORES.get(rule.rescore, 0) if rule.rescore is not None else 0,
        _RESCORE_ARGS.get(rule.rescore, 0.0),
        True,  # (its words registered)
        backtrack.program(rule),  # its pattern run in C without `re`, or None
    )


def _slots_of(cls: type) -> tuple[str, ...] | None:
    """A frozen slots dataclass without __post_init__ can be built slot by slot (what its
    generated __init__ does); anything else is built by calling it."""
    if hasattr(cls, "__post_init__") or not hasattr(cls, "__slots__"):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls))
    return names if len(names) == 6 and names == tuple(cls.__slots__) else None


if native is not None:
    # The tables of the validators in C, from their Python originals.
    native.set_tables(v.IBAN_LENGTHS, v.CARD_RANGES)
    native.configure(
        Finding,
        _slots_of(Finding),
        lambda text, start, end: context_words(text, start, end),
        lambda text, start, end: adjacent_words(text, start, end),
        _round_score,
        _ROUNDED,
        MATCH_AT,
        WHOLE_TEXT,
        CONTEXT_BOOST,
        NEGATIVE_PENALTY,
    )


class _Near:
    """The words around hits in one text, each span's computed once: several rules often hit
    the same number (a card is also a phone-number and a bank-account candidate)."""

    __slots__ = ("_adjacent", "_context", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._context: dict[tuple[int, int], set[str]] = {}
        self._adjacent: dict[tuple[int, int], set[str]] = {}

    def context(self, start: int, end: int) -> set[str]:
        got = self._context.get((start, end))
        if got is None:
            got = self._context[start, end] = context_words(self.text, start, end)
        return got

    def adjacent(self, start: int, end: int) -> set[str]:
        got = self._adjacent.get((start, end))
        if got is None:
            got = self._adjacent[start, end] = adjacent_words(self.text, start, end)
        return got


def _matches_at(
    regex: re.Pattern[str], text: str, starts: list[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    """What `regex.finditer(text)` yields, when matches can only begin at `starts`: each is
    tried in order, skipping those inside the previous match, as finditer's scan would."""
    resume = 0
    for start, _ in starts:
        if start < resume:
            continue
        match = regex.match(text, start)
        if match is not None:
            resume = max(match.end(), start + 1)
            yield match


def _shrunk(rule: Rule, value: str) -> str | None:
    """The longest prefix of `value`, cut at a separator, that validates (at most 4 cuts)."""
    assert rule.validate is not None
    # Each cut is a prefix of the value, so its separators are the value's, found once.
    cuts = [m.start() for m in _SHRINK_AT.finditer(value)]
    for _ in range(4):
        while cuts and cuts[-1] >= len(value):
            cuts.pop()
        if not cuts:
            return None
        value = value[: cuts.pop()].rstrip(" .-")
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
