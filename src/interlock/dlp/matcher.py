"""The multi-pattern pass: where in a text each rule can match, in one scan.

`HyperscanMatcher` compiles every rule of a policy into one Hyperscan database (start-of-match
mode) and scans the text once; each hit is a (rule, start, end) window. `ReMatcher` is the
fallback where Hyperscan is not installed: each rule whose keywords occur runs over the text.
Both return the same windows contract, so the engine's confirmation step (the rule's exact
Python pattern inside the window, then its validator) gives identical findings on either.

Measured on a 2 KB prompt with the default rules (see bench/dlp_bench.py): one Python `re`
alternation of all rules is ~400x slower than Hyperscan, and running the rules one by one is
~20x slower; Hyperscan's cost is dominated by the Python callback per hit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from interlock.dlp.rules import Rule

log = logging.getLogger("interlock.dlp")

try:  # Hyperscan ships as a binary wheel for x86-64 Linux and macOS; elsewhere, fall back.
    import hyperscan

    HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None
    HYPERSCAN = False

WHOLE_TEXT = -1  # a window meaning "run this rule over the whole text"

Windows = dict[int, list[tuple[int, int]]]  # rule index -> merged (start, end) windows


class Matcher(Protocol):
    backend: str

    def windows(self, text: str) -> Windows: ...


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
        # scanned only when one of those words occurs: most texts skip half the rules.
        always = [i for i, r in enumerate(rules) if not r.needs_context]
        gated = [i for i, r in enumerate(rules) if r.needs_context]
        self._always = _RuleSet(rules, always)
        self._gated = _RuleSet(rules, gated) if gated else None
        gate_words = sorted({w for i in gated for w in rules[i].context})
        self._gate = (
            _load(
                [
                    (
                        0,
                        _whole_word(w),
                        hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH,
                    )
                    for w in gate_words
                ]
            )
            if gate_words
            else None
        )

    def windows(self, text: str) -> Windows:
        data = text.encode()
        out = self._always.windows(text, data)
        if self._gated is not None and self._gate is not None:
            opened: list[bool] = []
            self._gate.scan(data, match_event_handler=lambda *_: opened.append(True))
            if opened:
                out.update(self._gated.windows(text, data))
        return out


def _whole_word(word: str) -> bytes:
    """A gate word as a whole word: "sin" must not open the gate for "using"."""
    head = r"\b" if word[:1].isalnum() else ""
    tail = r"\b" if word[-1:].isalnum() else ""
    return (head + re.escape(word) + tail).encode()


class _RuleSet:
    """The rules at `indexes`, as a start-of-match database plus the rules that need more."""

    def __init__(self, rules: Sequence[Rule], indexes: list[int]) -> None:
        located: list[tuple[int, bytes, int]] = []  # (rule index, expression, flags)
        anywhere: list[tuple[int, bytes, int]] = []
        anchored: list[tuple[int, bytes, int]] = []
        self.reach: dict[int, tuple[int, int]] = {}
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
        self._located = _load(located)
        self._anywhere = _load(anywhere)
        self._anchored = _load(anchored)

    def windows(self, text: str, data: bytes) -> Windows:
        hits: dict[int, list[tuple[int, int]]] = {}

        def on_hit(rule: int, start: int, end: int, flags: int, context: object) -> None:
            spans = hits.get(rule)
            if spans is None:
                hits[rule] = [(start, end)]
            else:
                spans.append((start, end))

        if self._located is not None:
            self._located.scan(data, match_event_handler=on_hit)
        if self._anchored is not None:
            size = len(data)

            def on_anchor(rule: int, start: int, end: int, flags: int, context: object) -> None:
                before, after = self.reach[rule]
                on_hit(rule, max(0, end - before), min(size, end + after), flags, context)

            self._anchored.scan(data, match_event_handler=on_anchor)
        out: Windows = {}
        if hits:
            if len(data) != len(text):  # byte offsets -> character offsets
                hits = {r: [_chars(data, s, e) for s, e in spans] for r, spans in hits.items()}
            out = {rule: _merge(spans) for rule, spans in hits.items()}
        if self._anywhere is not None:
            found: set[int] = set()
            self._anywhere.scan(data, match_event_handler=lambda r, *_: found.add(r))
            for rule in found:
                out[rule] = [(WHOLE_TEXT, WHOLE_TEXT)]
        for rule in self.python_only:
            out[rule] = [(WHOLE_TEXT, WHOLE_TEXT)]
        return out


def _chars(data: bytes, start: int, end: int) -> tuple[int, int]:
    head = len(data[:start].decode(errors="ignore"))
    return head, head + len(data[start:end].decode(errors="ignore"))


# Compiling a database takes ~0.5 s; every engine with the same rules loads a serialised copy
# (its own database and scratch space, so engines on different threads never share one).
_COMPILED: dict[tuple[tuple[int, bytes, int], ...], bytes] = {}


@lru_cache(maxsize=4096)
def _compiles(expression: str, flags: int) -> bool:
    try:
        hyperscan.Database().compile(
            expressions=[expression.encode()], ids=[0], elements=1, flags=[flags]
        )
    except hyperscan.error:
        return False
    return True


def _load(entries: list[tuple[int, bytes, int]]) -> Any:
    if not entries:
        return None
    key = tuple(entries)
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
    db = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
    db.scratch = hyperscan.Scratch(db)
    return db


class ReMatcher:
    """Python `re` only: every rule whose keywords occur in the text runs over all of it."""

    backend = "re"

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)

    def windows(self, text: str) -> Windows:
        lowered = text.lower()
        out: Windows = {}
        for i, rule in enumerate(self.rules):
            if not rule.keywords or any(k in lowered for k in rule.keywords):
                out[i] = [(WHOLE_TEXT, WHOLE_TEXT)]
        return out


def build_matcher(rules: Sequence[Rule], backend: str = "auto") -> Matcher:
    if backend == "re" or (backend == "auto" and not HYPERSCAN):
        return ReMatcher(rules)
    if not HYPERSCAN:
        raise RuntimeError("the hyperscan package is not installed")
    return HyperscanMatcher(rules)
