"""The multi-pattern pass: where in a text each rule can match, in one scan.

`HyperscanMatcher` compiles every rule of a policy into Hyperscan databases and scans the text
once per database; each hit becomes a window of the text (or a place a match can begin) for
the rule. `ReMatcher` is the fallback where Hyperscan is not installed (it ships for x86-64
only): literal-led rules are tried where their literals occur, the others run over the whole
text when their keywords occur. The engine then runs each rule's exact Python pattern
over its windows only, and the windows are chosen so that this finds exactly what running the
pattern over the whole text would (tests/dlp/test_engine.py compares both on generated texts):

- a rule whose matches have a bounded length is compiled without start-of-match tracking
  (which costs Hyperscan ~3x more): a hit ending at `end` is the window [end - longest, end].
  Overlapping windows merge, and a merged window never begins inside a match of the rule (that
  match's own window reaches back to its start);
- a rule whose pattern begins with a small set of literals ("sk-proj-", the service names of
  `DATADOG_API_KEY=…`) and continues with a variable length is located by those literals: each
  is a place a match can begin, and `regex.match` there, skipping places inside the previous
  match, is what `finditer` does. (Located by their ends, such rules report every possible end
  of a match, each a Python callback.)
- an unbounded rule without leading literals is compiled in start-of-match mode with its
  large repeats relaxed.

Measured on a 2 KB prompt with the default rules (see bench/dlp_bench.py): one Python `re`
alternation of all rules is ~400x slower than Hyperscan, and running the rules one by one is
~20x slower.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from interlock.dlp import compiled
from interlock.dlp.rules import Rule

log = logging.getLogger("interlock.dlp")

try:  # Hyperscan ships as a binary wheel for x86-64 Linux and macOS; elsewhere, fall back.
    import hyperscan

    HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None
    HYPERSCAN = False

WHOLE_TEXT = -1  # a window meaning "run this rule over the whole text"
# A window (start, MATCH_AT): a match of the rule can only begin at `start`. A rule's list of
# these, in text order, stands for every place a match can begin.
MATCH_AT = -2

Windows = dict[int, list[tuple[int, int]]]  # rule index -> merged (start, end) windows


class Matcher(Protocol):
    backend: str

    def windows(self, text: str) -> Windows: ...

    def use_native(self, on: bool) -> None: ...


_BIG_RANGE = re.compile(r"\{(\d+),(\d+)\}")
_BIG_EXACT = re.compile(r"\{(\d+)\}")


def relax(pattern: str) -> str:
    """A superset of the pattern without large bounded repeats, which Hyperscan's
    start-of-match mode cannot compile; the exact pattern confirms each hit afterwards."""
    pattern = _BIG_RANGE.sub(lambda m: f"{{{m[1]},}}" if int(m[2]) >= 16 else m[0], pattern)
    return _BIG_EXACT.sub(lambda m: f"{{{m[1]},}}" if int(m[1]) >= 32 else m[0], pattern)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            if end > last_end:
                merged[-1] = (last_start, end)
        else:
            merged.append((start, end))
    return merged


class HyperscanMatcher:
    backend = "hyperscan"

    def __init__(self, rules: Sequence[Rule]) -> None:
        assert hyperscan is not None
        # Rules that only count with a context word nearby ("passport", "routing", …) are
        # scanned only when one of their own words occurs in the text: a prompt that says
        # "file" opens the tax-file-number rule, not the sixteen others (each has a database).
        always = [i for i, r in enumerate(rules) if not r.needs_context]
        gated = [i for i, r in enumerate(rules) if r.needs_context and r.context]
        self._always = _RuleSet(rules, always)
        self._gated = {i: _RuleSet(rules, [i]) for i in gated}
        gate_words = sorted({w for i in gated for w in rules[i].context})
        # gate word id -> the gated rules it opens
        self._opens = [[i for i in gated if w in rules[i].context] for w in gate_words]
        self._gate = _load(
            [
                (n, _whole_word(w), hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH)
                for n, w in enumerate(gate_words)
            ]
        )
        self._native: Any = None
        self.use_native(True)

    def use_native(self, on: bool) -> None:
        """Collect Hyperscan's matches in C (compiled.native) when `on` and it is installed."""
        self._native = compiled.native if on else None
        for rules in (self._always, *self._gated.values()):
            rules.use_native(on)

    def windows(self, text: str) -> Windows:
        data = text.encode()
        out = self._always.windows(text, data)
        if self._gate is not None:
            words: list[int] = []
            if self._native is not None:
                hits = self._native.Hits()
                self._gate.scan(data, match_event_handler=hits)
                words = hits.ids()
            else:
                self._gate.scan(data, match_event_handler=lambda n, *_: words.append(n))
            opened = {i for n in words for i in self._opens[n]}
            for i in sorted(opened):
                out.update(self._gated[i].windows(text, data))
        return out


def _whole_word(word: str) -> bytes:
    """A gate word as a whole word: "sin" must not open the gate for "using"."""
    head = r"\b" if word[:1].isalnum() else ""
    tail = r"\b" if word[-1:].isalnum() else ""
    return (head + re.escape(word) + tail).encode()


class _RuleSet:
    """The rules at `indexes` in Hyperscan databases: each rule located the cheapest exact way.

    - by its match end, when its matches have a bounded length (window: [end - longest, end]);
    - by its leading literals ("sk-proj-", the service names of `DATADOG_API_KEY=…`), when the
      rest of the pattern has a variable length: located by their ends, such rules would report
      every possible end of every match (one Python callback each);
    - by a hand-written anchor (`Rule.anchor`, e-mail's "@domain.tld");
    - by start and end (start-of-match mode, relaxed repeats) when the length is unbounded.
    """

    def __init__(self, rules: Sequence[Rule], indexes: list[int]) -> None:
        located: list[tuple[int, bytes, int]] = []  # (rule index, expression, flags)
        anywhere: list[tuple[int, bytes, int]] = []
        anchored: list[tuple[int, bytes, int]] = []
        # rule index -> characters a match can reach before and after its anchor's end
        self.reach: dict[int, tuple[int, int]] = {}
        # rule index -> longest match, for rules located by their match end alone
        self.back: dict[int, int] = {}
        # rule index -> the literals every match begins with (lower case if the rule is caseless)
        self.leads: dict[int, _Literals] = {}
        self.python_only: list[int] = []
        for i in indexes:
            rule = rules[i]
            if rule.anchor is not None and _compiles(rule.anchor, 0):
                anchored.append((i, rule.anchor.encode(), 0))
                self.reach[i] = rule.reach
                continue
            base = 0
            if rule.caseless:
                base |= hyperscan.HS_FLAG_CASELESS
            if rule.dotall:
                base |= hyperscan.HS_FLAG_DOTALL
            shape = _shape(rule)
            lead_flags = base & ~hyperscan.HS_FLAG_DOTALL
            if shape.lead is not None and _compiles(shape.lead, lead_flags):
                anchored.append((i, shape.lead.encode(), lead_flags))
                self.leads[i] = shape.literals
                continue
            if shape.longest is not None and _compiles(rule.pattern, base):
                located.append((i, rule.pattern.encode(), base))
                self.back[i] = shape.longest
                continue
            som = base | hyperscan.HS_FLAG_SOM_LEFTMOST
            relaxed = relax(rule.pattern)
            if _compiles(relaxed, som):
                located.append((i, relaxed.encode(), som))
                continue
            single = base | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_PREFILTER
            if _compiles(rule.pattern, single):
                anywhere.append((i, rule.pattern.encode(), single))
            else:
                log.warning("rule %s does not compile for Hyperscan; it runs in Python", rule.name)
                self.python_only.append(i)
        # Located and anchored rules share one database (one pass over the text: ~1.5 us less
        # per 2 KB than two); how a hit becomes a window depends on its rule.
        self._db = _load(located + anchored)
        self._anywhere = _load(anywhere)
        # How each rule's hits become windows, as compiled.native.spans reads it (indexed by
        # rule; rules of other sets never hit here).
        self._kinds: list[tuple[int, int, int]] = [(0, 0, 0)] * (max(indexes, default=-1) + 1)
        for i, (before, after) in self.reach.items():
            # With its characters and a character every match holds ("@"), the compiled path
            # also cuts each window down to the runs of those characters around it (_required).
            table, needed = _alphabet(rules[i]), _required(rules[i])
            self._kinds[i] = (
                (_REACH, before, after)
                if table is None or needed is None
                else (_REACH, before, after, table, needed)
            )
        for i, longest in self.back.items():
            # With the characters its matches are made of, the compiled path also moves each
            # window's start up to where those characters begin (see _alphabet).
            table = _alphabet(rules[i])
            self._kinds[i] = (
                (_BACK, longest, 0)
                if table is None
                else (_BACK, longest, 0, table, int(_word_bounded(rules[i])))
            )
        for i, literals in self.leads.items():  # (the others: located with their start, SOM)
            # the compiled path finds where matches can begin itself (_Literals.starts)
            self._kinds[i] = (_LEAD, 0, 0, literals.words, literals.lengths, literals.caseless)
        self._native: Any = None

    def use_native(self, on: bool) -> None:
        self._native = compiled.native if on else None

    def windows(self, text: str, data: bytes) -> Windows:
        size = len(text)
        if len(data) != size:
            return self._windows_unicode(text, data)
        if self._native is not None:
            return self._windows_native(text, data)
        hits: dict[int, list[tuple[int, int]]] = {}
        ends: dict[int, list[int]] = {}  # lead rules: where a leading literal ended
        back, reach = self.back, self.reach

        leads = self.leads

        def on_hit(rule: int, start: int, end: int, flags: int, context: object) -> None:
            longest = back.get(rule)
            if longest is not None:
                start = end - longest if end > longest else 0
            elif rule in leads:
                found = ends.get(rule)
                if found is None:
                    ends[rule] = [end]
                else:
                    found.append(end)
                return
            else:
                span = reach.get(rule)
                if span is not None:
                    before, after = span
                    start, end = end - before if end > before else 0, min(size, end + after)
            spans = hits.get(rule)
            if spans is None:
                hits[rule] = [(start, end)]
            else:
                spans.append((start, end))

        if self._db is not None:
            self._db.scan(data, match_event_handler=on_hit)
        out = {rule: _merge(spans) for rule, spans in hits.items()}
        for rule, found in ends.items():
            starts = self.leads[rule].starts(text, found)
            if starts:
                out[rule] = starts
        return self._whole_text_rules(data, out)

    def _windows_native(self, text: str, data: bytes) -> Windows:
        """`windows` for ASCII text with the matches collected and merged in C."""
        hits = self._native.Hits()
        if self._db is not None:
            self._db.scan(data, match_event_handler=hits)
        out, lead_ends = self._native.spans(hits, self._kinds, len(text), data)
        for rule, found in lead_ends.items():
            starts = self.leads[rule].starts(text, found)
            if starts:
                out[rule] = starts
        return self._whole_text_rules(data, out)

    def _windows_unicode(self, text: str, data: bytes) -> Windows:
        """Text with non-ASCII characters: Hyperscan's byte offsets become character offsets,
        all of them in one pass over the bytes."""
        raw: list[tuple[int, int, int, bool]] = []
        anchored = self.reach.keys() | self.leads.keys()
        if self._db is not None:
            self._db.scan(
                data, match_event_handler=lambda r, s, e, *_: raw.append((r, s, e, r in anchored))
            )
        if not raw:
            return self._whole_text_rules(data, {})
        # Windows may only grow in the conversion: a start rounds down to the character it
        # falls in, an end up to the character it falls in.
        starts = _chars_before(data, [s for _, s, _, _ in raw])
        ends = _chars_begun(data, [e for _, _, e, _ in raw])
        size = len(text)
        hits: dict[int, list[tuple[int, int]]] = {}
        lead_ends: dict[int, list[int]] = {}
        for (rule, _, _, anchored), start, end in zip(raw, starts, ends, strict=True):
            if anchored and rule in self.leads:
                lead_ends.setdefault(rule, []).append(end)  # (after an ASCII literal)
                continue
            if anchored:
                before, after = self.reach[rule]
                span = (max(0, end - before), min(size, end + after))
            elif rule in self.back:
                span = (max(0, end - self.back[rule]), end)
            else:
                span = (start, end)
            hits.setdefault(rule, []).append(span)
        out = {rule: _merge(spans) for rule, spans in hits.items()}
        for rule, found in lead_ends.items():
            starts_at = self.leads[rule].starts(text, found)
            if starts_at:
                out[rule] = starts_at
        return self._whole_text_rules(data, out)

    def _whole_text_rules(self, data: bytes, out: Windows) -> Windows:
        if self._anywhere is not None:
            found: set[int] = set()
            self._anywhere.scan(data, match_event_handler=lambda r, *_: found.add(r))
            for rule in found:
                out[rule] = [(WHOLE_TEXT, WHOLE_TEXT)]
        for rule in self.python_only:
            out[rule] = [(WHOLE_TEXT, WHOLE_TEXT)]
        return out


# compiled.native.spans' codes for how a rule's hit becomes a window (_RuleSet._kinds)
_BACK, _REACH, _LEAD = 1, 2, 3


def _alphabet(rule: Rule) -> bytes | None:
    """Which ASCII characters a match of the rule can consume: 128 bytes, 1 for each (a
    superset is fine), or None when that is not simple to know (lookarounds, negated sets, "."),
    or a match can be empty.

    A window located by its end, [end - longest, end], can begin no earlier than the run of
    these characters that ends at `end` (a phone number's window then starts at the number, not
    ~90 characters of prose before it). Narrowing a merged window's start to the least of its
    hits' narrowed starts finds exactly what the whole window finds: every match found in a
    window ends at one of its hits (a pattern without lookarounds matches the same inside the
    window as in the text, up to the window's end, which is a hit) and is made of these
    characters, so it begins at or after that hit's narrowed start; the positions skipped hold
    no match start, and `re` decides each position the same whatever `pos` it was given.

    A merged window around anchors (e-mail's "@domain.tld", [end - before, end + after]) is cut
    to begin at the run of these characters holding the first of the rule's required
    character (`_required`, "@") in it, and to end one character after the run holding the
    last: every match found in it holds that character and is made of these characters, and
    the one character after a run is all `\b` there reads. Without the character in it, the
    window is dropped.
    """
    parsed = re._parser.parse(rule.pattern, rule.regex.flags)  # type: ignore[attr-defined]
    if parsed.getwidth()[0] < 1:
        return None
    table = bytearray(128)
    if not _consumed(list(parsed), bool(rule.regex.flags & re.IGNORECASE), table):
        return None
    return bytes(table)


# Assertions whose truth at a position does not depend on the characters after it, or that
# `re` decides the same at a window's end as in the text when a non-word character follows.
_SPLIT_SAFE = {"AT_BOUNDARY", "AT_NON_BOUNDARY", "AT_BEGINNING", "AT_BEGINNING_STRING"}


def _word_bounded(rule: Rule) -> bool:
    """Whether a window of the rule may end wherever a non-word character follows: its only
    assertions are \\b, \\B and the beginning (not "$", which a window's end satisfies).

    The compiled path then also splits a merged window where its hits' narrowed windows leave
    a gap (the prose between two numbers) and the first part ends before a non-word
    character: every match found in the merged window lies in one hit's narrowed window, so
    none is in the gap, and \\b at the first part's end reads the same there as in the text.
    """
    parsed = re._parser.parse(rule.pattern, rule.regex.flags)  # type: ignore[attr-defined]
    return all(str(code) in _SPLIT_SAFE for code in _assertions(list(parsed)))


def _assertions(items: list[Any]) -> list[Any]:
    """Every AT code in parsed items (lookarounds, conditionals: an unknown marker)."""
    c = re._constants  # type: ignore[attr-defined]
    found: list[Any] = []
    for op, av in items:
        if op is c.AT:
            found.append(av)
        elif op is c.SUBPATTERN:
            found += _assertions(list(av[3]))
        elif op is c.BRANCH:
            for branch in av[1]:
                found += _assertions(list(branch))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            found += _assertions(list(av[2]))
        elif op is c.ATOMIC_GROUP:
            found += _assertions(list(av))
        elif op not in (c.LITERAL, c.IN, c.NOT_LITERAL, c.ANY):
            found.append("unknown")
    return found


def _required(rule: Rule) -> int | None:
    """An ASCII character every match of the rule holds (e-mail's "@"): a literal of the
    pattern's top level, not a letter of a caseless rule."""
    parsed = re._parser.parse(rule.pattern, rule.regex.flags)  # type: ignore[attr-defined]
    caseless = bool(rule.regex.flags & re.IGNORECASE)
    for op, av in parsed:
        if op is re._constants.LITERAL and av < 128 and not (caseless and chr(av).isalpha()):  # type: ignore[attr-defined]
            return int(av)
    return None


_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0123456789",
    # Python's str whitespace among ASCII characters (\x1c-\x1f too), a superset of bytes'
    "CATEGORY_SPACE": " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f",
    "CATEGORY_WORD": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
}


def _consumed(items: list[Any], caseless: bool, table: bytearray) -> bool:
    """Marks in `table` the ASCII characters the parsed items can consume; False when unsure."""
    c = re._constants  # type: ignore[attr-defined]

    def mark(code: int) -> bool:
        if code >= 128:
            return not caseless  # (a caseless non-ASCII letter may match an ASCII one: "K")
        table[code] = 1
        if caseless:
            table[ord(chr(code).lower())] = table[ord(chr(code).upper())] = 1
        return True

    for op, av in items:
        if op is c.AT:
            continue
        if op is c.LITERAL:
            if not mark(av):
                return False
        elif op is c.IN:
            for kind, value in av:
                if kind is c.LITERAL:
                    ok = mark(value)
                elif kind is c.RANGE:
                    ok = value[0] >= 128 and not caseless
                    for code in range(value[0], min(value[1], 127) + 1):
                        ok = mark(code)
                    ok = ok and (value[1] < 128 or not caseless)
                elif kind is c.CATEGORY and str(value) in _CATEGORY_CHARS:
                    ok = all(mark(ord(ch)) for ch in _CATEGORY_CHARS[str(value)])
                else:  # negated sets and categories
                    return False
                if not ok:
                    return False
        elif op is c.SUBPATTERN:
            _, add, remove, body = av
            inner = (caseless or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            if not _consumed(list(body), inner, table):
                return False
        elif op is c.BRANCH:
            if not all(_consumed(list(branch), caseless, table) for branch in av[1]):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if not _consumed(list(av[2]), caseless, table):
                return False
        elif op is c.ATOMIC_GROUP:
            if not _consumed(list(av), caseless, table):
                return False
        else:  # ".", negated literals, lookarounds, back-references, conditionals
            return False
    return True


def _char_starts(data: bytes) -> Any:
    codes = np.frombuffer(data, dtype=np.uint8)
    return np.flatnonzero((codes & 0xC0) != 0x80)  # UTF-8: every byte but continuation bytes


def _chars_before(data: bytes, offsets: list[int]) -> list[int]:
    """For byte offsets into UTF-8 `data`: how many characters end at or before each."""
    starts = _char_starts(data)
    ends = np.append(starts[1:], len(data))
    return np.searchsorted(ends, offsets, side="right").tolist()  # type: ignore[no-any-return]


def _chars_begun(data: bytes, offsets: list[int]) -> list[int]:
    """For byte offsets into UTF-8 `data`: how many characters begin before each."""
    return np.searchsorted(_char_starts(data), offsets, side="left").tolist()  # type: ignore[no-any-return]


# Longest window worth locating by its end; longer (or unbounded) rules track their start.
_LONGEST_WINDOW = 16384
_MIN_LEAD = 3  # shorter leading literals ("sk", "x") would open windows all over a text
_LEAD_SPREAD = 8  # a variable length from this many characters on reports too many ends


class _Literals:
    """The literals every match of a rule begins with: from where one of them ends, where
    matches can begin."""

    def __init__(self, literals: list[str], caseless: bool) -> None:
        self.caseless = caseless
        self.words = frozenset(w.lower() for w in literals) if caseless else frozenset(literals)
        self.lengths = tuple(sorted({len(w) for w in literals}))

    def find(self, text: str, folded: str) -> list[tuple[int, int]]:
        """Where matches can begin, by looking for the literals (`folded`: the text with ASCII
        letters in lower case, so offsets do not move)."""
        haystack = folded if self.caseless else text
        found: set[int] = set()
        for word in self.words:
            at = haystack.find(word)
            while at != -1:
                found.add(at)
                at = haystack.find(word, at + 1)
        return [(start, MATCH_AT) for start in sorted(found)]

    def starts(self, text: str, ends: list[int]) -> list[tuple[int, int]]:
        found: set[int] = set()
        for end in ends:
            for n in self.lengths:
                if n > end:
                    break
                word = text[end - n : end]
                if (word.lower() if self.caseless else word) in self.words:
                    found.add(end - n)
        return [(start, MATCH_AT) for start in sorted(found)]


@dataclass(frozen=True, slots=True)
class _Shape:
    longest: int | None  # longest match in characters, None when unbounded or huge
    lead: str | None = None  # leading-literal expression to locate the rule by, if worth it
    literals: _Literals | None = None


def _shape(rule: Rule) -> _Shape:
    # The parser `re` compiles with (private, but stable since 3.11): its width bounds are exact.
    parsed = re._parser.parse(rule.pattern, rule.regex.flags)  # type: ignore[attr-defined]
    shortest, longest = parsed.getwidth()
    bounded = longest if longest <= _LONGEST_WINDOW else None
    if bounded is not None and longest - shortest < _LEAD_SPREAD:
        return _Shape(bounded)
    literals = _lead(rule, parsed)
    if literals is None:
        return _Shape(bounded)
    lead = "(?:" + "|".join(re.escape(w) for w in sorted(literals.words)) + ")"
    if literals.caseless and not rule.caseless:
        lead = "(?i)" + lead
    return _Shape(bounded, lead, literals)


def _lead(rule: Rule, parsed: Any = None) -> _Literals | None:
    """The literals every match of the rule begins with, if there are few and none is short."""
    if parsed is None:
        parsed = re._parser.parse(rule.pattern, rule.regex.flags)  # type: ignore[attr-defined]
    literals = _leading_literals(list(parsed))
    if not literals or min(map(len, literals)) < _MIN_LEAD:
        return None
    # Caseless as Python compiles the rule, inline "(?i)" included.
    return _Literals(literals, bool(rule.regex.flags & re.IGNORECASE))


def _leading_literals(items: list[Any]) -> list[str] | None:
    """The strings the longest expandable head of a parsed pattern can match, if any."""
    best = None
    for count in range(1, len(items) + 1):
        got = _expand(items[:count])
        if got is None:
            break
        best = got
    return best


def _expand(items: list[Any], limit: int = 256) -> list[str] | None:
    """Every string a sequence of parsed items can match, when that is a small finite set.
    Assertions (\b) are dropped, so the set may locate more than the items match: the exact
    pattern, run over the window afterwards, decides."""
    constants = re._constants  # type: ignore[attr-defined]
    out = [""]
    for op, av in items:
        if op is constants.AT:
            continue
        alts: list[str] | None
        if op is constants.LITERAL:
            alts = [chr(av)]
        elif op is constants.IN:
            alts = []
            for kind, value in av:
                if kind is constants.LITERAL:
                    alts.append(chr(value))
                elif kind is constants.RANGE and value[1] - value[0] < 16:
                    alts.extend(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    return None
        elif op is constants.SUBPATTERN:
            if av[1] or av[2]:  # (?i:…) and other scoped flags: not a plain literal set
                return None
            alts = _expand(list(av[3]), limit)
        elif op is constants.BRANCH:
            alts = []
            for branch in av[1]:
                got = _expand(list(branch), limit)
                if got is None:
                    return None
                alts.extend(got)
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and av[1] <= 2:
            body = _expand(list(av[2]), limit)
            if body is None:
                return None
            alts = []
            for times in range(av[0], av[1] + 1):
                seqs = [""]
                for _ in range(times):
                    seqs = [a + b for a in seqs for b in body]
                alts.extend(seqs)
        else:
            return None
        if alts is None or len(out) * len(alts) > limit:
            return None
        out = [a + b for a in out for b in alts]
    return out


# Compiling a database takes ~0.5 s; every engine with the same rules loads a serialised copy
# (its own database and scratch space, so engines on different threads never share one).
_COMPILED: dict[tuple[bool, tuple[tuple[int, bytes, int], ...]], bytes] = {}

# Databases compiled and scanned by libhs through the C module (compiled.libhs) instead of the
# Python binding: the same matches, without a Python call per match or a GIL hand-off per scan.
# The binding still provides the flag constants. (Tests switch it off to compare the two.)
USE_LIBHS = compiled.libhs is not None


def _libhs() -> Any:
    """The C module when databases are compiled and scanned by libhs, else None."""
    return compiled.native if USE_LIBHS else None


def _compiles(expression: str, flags: int) -> bool:
    """Whether the library that will scan the rule compiles it with these flags."""
    return _compiles_with(expression, flags, _libhs() is not None)


@lru_cache(maxsize=4096)
def _compiles_with(expression: str, flags: int, libhs: bool) -> bool:
    if libhs:
        try:
            _libhs().hs_compile([expression.encode()], [0], [flags])
        except ValueError:
            return False
        return True
    try:
        hyperscan.Database().compile(
            expressions=[expression.encode()], ids=[0], elements=1, flags=[flags]
        )
    except hyperscan.error:
        return False
    return True


class _Database:
    """A compiled database with a scratch space per thread: Hyperscan refuses two scans at once
    on one scratch (ScratchInUseError), and an engine scans on the event loop and, for large
    requests, on worker threads at the same time."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._first = hyperscan.Scratch(db)
        self._local = threading.local()

    def scan(self, data: bytes, match_event_handler: Any) -> None:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._first.clone()
        self._db.scan(data, scratch=scratch, match_event_handler=match_event_handler)


class _LibhsDatabase:
    """`_Database` compiled and scanned by libhs through the C module: a `Hits` handler gets
    the matches in C; any other handler is called with them afterwards, in Hyperscan's order."""

    def __init__(self, native: Any, blob: bytes) -> None:
        self._native = native
        self._db = native.HsDatabase(blob)
        self._local = threading.local()

    def scan(self, data: bytes, match_event_handler: Any) -> None:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._db.scratch()
        if type(match_event_handler) is self._native.Hits:
            self._db.scan(data, scratch, match_event_handler)
            return
        hits = self._native.Hits()
        self._db.scan(data, scratch, hits)
        for rule, start, end in hits.triples():
            match_event_handler(rule, start, end, 0, None)


def _load(entries: list[tuple[int, bytes, int]]) -> _Database | _LibhsDatabase | None:
    if not entries:
        return None
    native = _libhs()
    if native is not None:
        key = (True, tuple(entries))
        blob = _COMPILED.get(key)
        if blob is None:
            blob = _COMPILED[key] = native.hs_compile(
                [e for _, e, _ in entries], [i for i, _, _ in entries], [f for _, _, f in entries]
            )
        return _LibhsDatabase(native, blob)
    key = (False, tuple(entries))
    blob = _COMPILED.get(key)
    if blob is None:
        db = hyperscan.Database()
        db.compile(
            expressions=[e for _, e, _ in entries],
            ids=[i for i, _, _ in entries],
            elements=len(entries),
            flags=[f for _, _, f in entries],
        )
        blob = _COMPILED[key] = hyperscan.dumpb(db)
    return _Database(hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK))


class ReMatcher:
    """Python `re` only. A rule whose matches begin with one of a few literals ("ghp_", the
    service names before `_API_KEY=`) is tried where those occur (`str.find`); any other rule
    whose keywords occur runs over the whole text."""

    backend = "re"

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.leads = {i: lead for i, rule in enumerate(self.rules) if (lead := _lead(rule))}

    def use_native(self, on: bool) -> None:
        """(Nothing of this matcher is compiled.)"""

    def windows(self, text: str) -> Windows:
        lowered = text.lower()
        folded = lowered if text.isascii() else text.translate(_ASCII_LOWER)
        out: Windows = {}
        for i, rule in enumerate(self.rules):
            lead = self.leads.get(i)
            if lead is not None:
                starts = lead.find(text, folded)
                if starts:
                    out[i] = starts
            elif not rule.keywords or any(k in lowered for k in rule.keywords):
                out[i] = [(WHOLE_TEXT, WHOLE_TEXT)]
        return out


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def build_matcher(rules: Sequence[Rule], backend: str = "auto") -> Matcher:
    if backend == "re" or (backend == "auto" and not HYPERSCAN):
        return ReMatcher(rules)
    if not HYPERSCAN:
        raise RuntimeError("the hyperscan package is not installed")
    return HyperscanMatcher(rules)
