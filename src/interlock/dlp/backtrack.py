"""Rules' exact patterns as programs for _native.c's backtracking matcher, when they fit it.

The confirmation runs each hit rule's pattern over its windows (`re.finditer`). For the
commonest rules (cards, phone numbers, SSNs, IPv4, national IDs: digits, separators and word
boundaries) a `re` match costs mostly the objects around it: a scanner per window, a Match and
a span tuple per match, integers. _native.c runs these patterns itself, in the same
backtracking order as `re` (a greedy repeat tries its longest count first, alternatives are
tried in order, the first success wins), so it finds the same matches without building any of
that (tests/dlp/test_backtrack.py compares both on generated texts).

The subset: `re.ASCII` patterns without other flags made of ASCII literals and classes (ranges,
\\d, \\s, \\w; not negated), \\b, greedy repeats of them and of groups that cannot match empty,
groups without inline flags and alternations; every match at least one character long. A rule
outside it (or with a namer, or a value in a group) keeps `re`: `program` returns None.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from interlock.dlp.rules import Rule

_c: Any = re._constants  # type: ignore[attr-defined]
_parser: Any = re._parser  # type: ignore[attr-defined]

# _native.c's node codes
_BOUNDARY, _CLASS, _BRANCH, _REPEAT = 1, 2, 3, 4
_UNBOUNDED = 2**31 - 1

# The ASCII characters of `re`'s categories under re.ASCII (sre: SRE_IS_DIGIT, SRE_IS_SPACE
# (Py_ISSPACE: \t \n \v \f \r and space, not \x1c-\x1f), SRE_IS_WORD).
_CATEGORIES = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_SPACE": " \t\n\x0b\x0c\r",
    "CATEGORY_WORD": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
}

Program = tuple[bytes, bytes, int]  # (nodes: int32, tables: 128 bytes each, first's table)


class _Unsupported(Exception):
    pass


class _Compiler:
    def __init__(self) -> None:
        self.tables: list[bytes] = []

    def table(self, chars: set[int]) -> int:
        row = bytes(1 if c in chars else 0 for c in range(128))
        if row not in self.tables:
            self.tables.append(row)
        return self.tables.index(row)

    def chars(self, op: Any, av: Any) -> set[int] | None:
        """The characters a single-character item matches, None if it is not one."""
        if op is _c.LITERAL:
            if av >= 128:
                raise _Unsupported
            return {av}
        if op is not _c.IN:
            return None
        out: set[int] = set()
        for kind, value in av:
            if kind is _c.LITERAL and value < 128:
                out.add(value)
            elif kind is _c.RANGE and value[1] < 128:
                out.update(range(value[0], value[1] + 1))
            elif kind is _c.CATEGORY and str(value) in _CATEGORIES:
                out.update(map(ord, _CATEGORIES[str(value)]))
            else:  # negated sets and categories, non-ASCII members
                raise _Unsupported
        return out

    def nodes(self, items: list[Any]) -> list[int]:
        out: list[int] = []
        for op, av in items:
            chars = self.chars(op, av)
            if chars is not None:
                out += [_CLASS, 1, 1, self.table(chars)]
            elif op is _c.AT:
                if av is not _c.AT_BOUNDARY:
                    raise _Unsupported
                out.append(_BOUNDARY)
            elif op is _c.MAX_REPEAT:
                low, high, body = av
                high = _UNBOUNDED if high is _c.MAXREPEAT else high
                if high > _UNBOUNDED:
                    raise _Unsupported
                inner = list(body)
                one = self.chars(*inner[0]) if len(inner) == 1 else None
                if one is not None:
                    out += [_CLASS, low, high, self.table(one)]
                    continue
                if body.getwidth()[0] < 1:  # (`re` guards empty iterations; this does not)
                    raise _Unsupported
                program = self.nodes(inner)
                out += [_REPEAT, 4 + len(program), low, high, *program]
            elif op is _c.SUBPATTERN:
                _, add, remove, body = av
                if add or remove:
                    raise _Unsupported
                out += self.nodes(list(body))
            elif op is _c.BRANCH:
                alternatives = [self.nodes(list(branch)) for branch in av[1]]
                body = [n for alt in alternatives for n in (len(alt), *alt)]
                out += [_BRANCH, 3 + len(body), len(alternatives), *body]
            else:  # lazy and possessive repeats, ".", lookarounds, references, …
                raise _Unsupported
        return out

    def first(self, items: list[Any]) -> tuple[set[int], bool]:
        """The characters a match of the items can begin with (a superset), and whether the
        items can match empty."""
        found: set[int] = set()
        for op, av in items:
            chars = self.chars(op, av)
            if chars is not None:
                return found | chars, False
            if op is _c.AT:
                continue
            if op is _c.MAX_REPEAT:
                inner, empty = self.first(list(av[2]))
                found |= inner
                if av[0] > 0 and not empty:
                    return found, False
            elif op is _c.SUBPATTERN:
                inner, empty = self.first(list(av[3]))
                found |= inner
                if not empty:
                    return found, False
            elif op is _c.BRANCH:
                firsts = [self.first(list(branch)) for branch in av[1]]
                for chars_of, _ in firsts:
                    found |= chars_of
                if not any(empty for _, empty in firsts):
                    return found, False
            else:
                raise _Unsupported
        return found, True


def compile_pattern(pattern: str, flags: int) -> Program | None:
    """The program of a pattern compiled with `flags`, None if outside the subset."""
    if flags != re.ASCII:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        if parsed.getwidth()[0] < 1:
            return None
        compiler = _Compiler()
        nodes = compiler.nodes(list(parsed))
        first, empty = compiler.first(list(parsed))
    except (_Unsupported, re.error, RecursionError):
        return None
    if empty:
        return None
    first_table = compiler.table(first)
    return struct.pack(f"={len(nodes)}i", *nodes), b"".join(compiler.tables), first_table


def program(rule: Rule) -> Program | None:
    """The rule's program, if the compiled confirmation may use it instead of `re`: group 0
    (the span is the match's) and no namer (which reads the re.Match)."""
    if rule.group != 0 or rule.namer is not None:
        return None
    return compile_pattern(rule.pattern, rule.regex.flags)
