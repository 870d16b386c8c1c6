"""Text normalisation before matching, with a map back to the original offsets.

Detectors run on a canonical form of the text: Unicode NFKC (full-width digits, ligatures and
compatibility forms become plain characters), invisible and zero-width characters removed (a
card number with a zero-width space inside is still a card number) and Latin look-alikes folded
(Cyrillic "а" in "pаssword" is read as "a"). Findings are mapped back through `Normalized` so
redaction applies to the original text, including the invisible characters inside a match.

Most prompts are ASCII, and ASCII text is already canonical: that case costs one `isascii()`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Format characters that render as nothing: zero-width space/joiners, word joiner, invisible
# operators, BOM, soft hyphen, Mongolian vowel separator, bidi marks and embeddings, tag chars.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")

# Letters from other scripts that look like Latin letters, as used to slip past filters.
_HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "һ": "h", "ӏ": "l", "ү": "y",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i", "α": "a",
    "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    # Latin look-alikes outside ASCII that NFKC keeps
    "ı": "i", "ȷ": "j", "ℓ": "l", "ꓲ": "I", "ꓳ": "O",
    # Dashes and quotes that separate digits the way "-" does
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "﹣": "-",
}  # fmt: skip
_HOMOGLYPH_RE = re.compile("[" + "".join(re.escape(c) for c in _HOMOGLYPHS) + "]")


@dataclass(slots=True)
class Normalized:
    """The canonical text and, when it differs from the original, the offset map."""

    text: str
    original: str
    # starts[i], ends[i]: the original span that produced canonical character i. None when the
    # canonical text is the original (the common case).
    starts: list[int] | None = None
    ends: list[int] | None = None

    @property
    def identity(self) -> bool:
        return self.starts is None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the canonical span [start, end)."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= len(self.starts):
            n = len(self.original)
            return n, n
        return self.starts[start], self.ends[max(start, end - 1)]


def normalize(text: str) -> Normalized:
    if text.isascii():
        return Normalized(text, text)
    if (
        unicodedata.is_normalized("NFKC", text)
        and _INVISIBLE_RE.search(text) is None
        and _HOMOGLYPH_RE.search(text) is None
    ):
        return Normalized(text, text)
    return _rebuild(text)


def _rebuild(text: str) -> Normalized:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if _INVISIBLE_RE.match(ch):
            # Invisible characters vanish; a span that ends just before one and resumes after it
            # still covers it in the original, because the next character's start is used.
            i += 1
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1  # a base character and its combining marks normalise together
        cluster = text[i:j]
        canon = cluster if cluster.isascii() else unicodedata.normalize("NFKC", cluster)
        for c in canon:
            out.append(_HOMOGLYPHS.get(c, c))
            starts.append(i)
            ends.append(j)
        i = j
    return Normalized("".join(out), text, starts, ends)
