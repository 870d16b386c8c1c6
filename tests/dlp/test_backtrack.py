"""The rules' patterns run by _native.c's backtracking matcher (backtrack.py) against `re`:
for every built-in rule with a program, texts made of strings its pattern matches (drawn from
the pattern itself), cut, doubled and mixed with separators, letters and non-ASCII characters,
scanned over random windows: the same spans as `re.finditer(text, start, end)`."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from interlock.dlp import backtrack, compiled
from interlock.dlp.config import DlpPolicy
from interlock.dlp.policy import builtin_rules, compile_policy

native = compiled.native
pytestmark = pytest.mark.skipif(native is None, reason="_native.c not built")

_c: Any = re._constants  # type: ignore[attr-defined]
_parser: Any = re._parser  # type: ignore[attr-defined]
NOISE = "0123456789 -._:/()+xetAZaz\t\n\x0b\x1céİ日\U0001f600"


def _draw(items: list[Any], rnd: random.Random) -> str:
    """A string the parsed items match (mostly: \\b is not enforced)."""
    out = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append(chr(av))
        elif op is _c.IN:
            out.append(rnd.choice(_class_chars(av)))
        elif op is _c.MAX_REPEAT:
            low, high, body = av
            high = low + 3 if high is _c.MAXREPEAT else high
            count = rnd.choice([low, high, rnd.randint(low, high)])
            out.extend(_draw(list(body), rnd) for _ in range(count))
        elif op is _c.SUBPATTERN:
            out.append(_draw(list(av[3]), rnd))
        elif op is _c.BRANCH:
            out.append(_draw(list(rnd.choice(av[1])), rnd))
    return "".join(out)


_CLASSES: dict[str, list[str]] = {}


def _class_chars(av: Any) -> list[str]:
    """The ASCII characters of one parsed character class (cached by its repr)."""
    key = repr(av)
    if key not in _CLASSES:
        parts = []
        for kind, value in av:
            if kind is _c.LITERAL:
                parts.append(re.escape(chr(value)))
            elif kind is _c.RANGE:
                parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
            else:
                parts.append(
                    {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s"}.get(str(value), r"\w")
                )
        regex = re.compile("(?a:[" + "".join(parts) + "])")
        _CLASSES[key] = [chr(c) for c in range(128) if regex.fullmatch(chr(c))]
    return _CLASSES[key]


def _texts(rule_pattern: str, flags: int, rnd: random.Random, count: int) -> list[str]:
    parsed = list(_parser.parse(rule_pattern, flags))
    texts = []
    for _ in range(count):
        pieces = []
        for _ in range(rnd.randrange(1, 4)):
            value = _draw(parsed, rnd)
            r = rnd.random()
            if r < 0.25 and value:  # one character deleted, doubled or replaced
                i = rnd.randrange(len(value))
                value = (
                    value[:i] + rnd.choice(["", value[i] * 2, rnd.choice(NOISE)]) + value[i + 1 :]
                )
            pieces.append(value)
            pieces.append("".join(rnd.choice(NOISE) for _ in range(rnd.choice([0, 1, 1, 2, 5]))))
        texts.append("".join(pieces))
    return texts


def _programmed() -> list[Any]:
    return [r for r in builtin_rules() if backtrack.program(r) is not None]


def test_the_common_rules_have_programs() -> None:
    """A changed pattern that falls outside the subset would silently go back to `re`."""
    names = {r.name for r in _programmed()}
    for name in ("credit_card", "phone", "us_ssn", "ipv4", "ipv6", "email", "iban", "in_aadhaar"):
        assert name in names, name


@pytest.mark.parametrize("part", range(10))
def test_programs_find_what_re_finds(part: int) -> None:
    rules = _programmed()[part::10]
    assert rules
    rnd = random.Random(part)
    matches = 0
    for rule in rules:
        program = backtrack.program(rule)
        assert program is not None
        for text in _texts(rule.pattern, rule.regex.flags, rnd, 150):
            n = len(text)
            windows = [(0, n), (rnd.randrange(n + 1), n)]
            a = rnd.randrange(n + 1)
            windows.append((a, rnd.randrange(a, n + 2)))
            for a, b in windows:
                want = [m.span() for m in rule.regex.finditer(text, a, b)]
                assert native.program_spans(program, text, a, b) == want, (rule.name, text, a, b)
                matches += len(want)
    assert matches > 30 * len(rules)


def test_constructs_outside_the_subset_keep_re() -> None:
    for pattern, flags in (
        (r"a*?b", re.ASCII),  # lazy
        (r"(?:a|)+b", re.ASCII),  # a repeated group that can match empty
        (r"[^a]b", re.ASCII),  # negated
        (r"a.b", re.ASCII),
        (r"(?=a)ab", re.ASCII),
        (r"ab", re.ASCII | re.IGNORECASE),
        (r"ab", re.UNICODE),
        (r"\bx?", re.ASCII),  # may match empty
        (r"é+", re.ASCII),
    ):
        assert backtrack.compile_pattern(pattern, flags) is None, pattern
    assert backtrack.compile_pattern(r"\b(?:\d{1,3}\.){3}\d{1,3}\b", re.ASCII) is not None


def test_the_engine_finds_the_same_with_programs_and_with_re() -> None:
    """Whole scans: specs with programs against the same specs without (the regex path)."""
    engine = compile_policy(DlpPolicy()).engine
    engine.recent = None
    assert engine.specs is not None
    with_programs = engine.specs
    without = [spec[:18] for spec in with_programs]
    assert sum(spec[18] is not None for spec in with_programs) > 100
    from tests.dlp.corpus import corpus

    found = 0
    for doc in corpus(200, seed=31):
        engine.specs = with_programs
        got = engine.scan(doc.text)
        engine.specs = without
        assert engine.scan(doc.text) == got, doc.text
        found += len(got)
    engine.specs = with_programs
    assert found > 200


def test_a_match_too_deep_for_the_program_is_left_to_re() -> None:
    """A group repeated a thousand times would recurse as deep in C: that window goes to
    `re`, its findings made once (those the program made before are taken back)."""
    from interlock.dlp.engine import Engine
    from interlock.dlp.rules import Rule

    pattern = r"\b(?:[a-z]+\.)+[a-z]{2,}\b"
    program = backtrack.compile_pattern(pattern, re.ASCII)
    assert program is not None and native is not None
    deep = "x." * 1000 + "com"
    assert native.program_spans(program, deep, 0, len(deep)) is None
    assert native.program_spans(program, "see a.b.com", 0, 11) == [(4, 11)]
    engine = Engine([Rule("dotted", "DOTTED", pattern, score=0.9)])
    engine.recent = None
    assert engine.specs is not None and engine.specs[0][18] is not None
    text = f"first ab.cd.org then {deep} and ef.gh.net"
    assert engine.use_native(True)
    found = engine.scan(text)
    engine.use_native(False)
    assert engine.scan(text) == found
    assert [text[f.start : f.end] for f in found] == ["ab.cd.org", deep, "ef.gh.net"]
