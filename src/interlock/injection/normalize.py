"""Views of a text that undo the usual disguises before any pattern or model sees it.

Attackers hide instructions from naive filters with invisible characters, Unicode tag
characters (text a model reads but a person does not see), look-alike letters from other
scripts, leetspeak and spaced-out letters. Each is undone here, and each one found is itself
a signal. Everything runs as C-level string operations or compiled regexes: no per-character
Python loop, and ASCII input (most traffic) takes a fast path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Zero-width, joiners, bidi controls, soft hyphen, word joiner, BOM, variation selectors:
# they render as nothing, so a person reviewing a prompt cannot see what they split or hide.
_INVISIBLE_CLASS = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001d173-\U0001d17a\U000e0100-\U000e01ef"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]+")
# Unicode tags (U+E0000-E007F) mirror ASCII: models read them as text ("ASCII smuggling").
_TAGS = re.compile("[\U000e0000-\U000e007f]+")
_TAG_TO_ASCII = {cp: cp - 0xE0000 for cp in range(0xE0020, 0xE007F)}
_COMBINING = re.compile("[\u0300-\u036f]+")
_SPACES = re.compile(r"\s+")

# Look-alikes folded to the Latin letter they imitate (after casefold, so lower case only).
_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ɡ": "g", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ь": "b", "г": "r", "п": "n", "ѵ": "v",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ς": "c", "σ": "o", "ϲ": "c",
    # Latin look-alikes no language writes with (ı, ł, ø, đ are real letters: left alone)
    "ȷ": "j", "ɑ": "a", "ɩ": "i",
    "ɪ": "i", "ʏ": "y", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s",
    "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
}  # fmt: skip
_CONFUSABLE_TABLE = str.maketrans(_CONFUSABLES)
_CONFUSABLE_CLASS = "".join(sorted(_CONFUSABLES))
# A word that mixes Latin letters with look-alikes from another script: real Russian or Greek
# words are left alone (they contain no Latin letters), "іgnоrе" is folded.
_MIXED_WORD = re.compile(rf"\w*(?:[a-z][{_CONFUSABLE_CLASS}]|[{_CONFUSABLE_CLASS}][a-z])\w*")

# Leetspeak, undone in a separate view that only the rules read (the classifier reads digits
# as digits): one byte translation, done only when the text has a character to undo.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
         "$": "s", "|": "l", "€": "e", "9": "g"}  # fmt: skip
_LEET_BYTES = bytes.maketrans(
    "".join(k for k in _LEET if k.isascii()).encode(),
    "".join(v for k, v in _LEET.items() if k.isascii()).encode(),
)
_LEET_TABLE = str.maketrans(_LEET)
# Spaced or punctuated letters: "i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e".
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W\d_][ .\-_*/|]{1,2}){3,}[^\W\d_](?![^\W_])")
_SPACING = re.compile(r"[ .\-_*/|]")


_QUOTES = re.compile("[\u2018\u2019\u201a\u201b\u02bc\u2032\u00b4`]")


@dataclass(slots=True)
class Views:
    """The texts the detectors read, and the disguises that were undone to get them."""

    text: str  # the input with invisible and tag characters removed, otherwise as sent
    lowered: str  # NFKC and casefolded, line breaks kept (for structural markers)
    plain: str  # lowered with all whitespace collapsed to single spaces
    folded: str  # plain, then accents, look-alikes and spaced-out letters undone
    leet: str | None = None  # folded with leetspeak undone, when it had digits or symbols
    invisible: int = 0  # invisible characters removed
    hidden: str = ""  # text smuggled in Unicode tag characters, decoded
    homoglyph_words: int = 0
    spaced_runs: int = 0
    spaced: str = ""  # the spaced-out runs, joined up


def _fold_mixed(match: re.Match[str]) -> str:
    return match.group(0).translate(_CONFUSABLE_TABLE)


def _unspace(match: re.Match[str]) -> str:
    return _SPACING.sub("", match.group(0))


# Cheap tests that tell whether the expensive substitutions can find anything at all.
_LEET_HINT = re.compile(r"[0134578@$|€9]")
_LEET_PAIR = re.compile(r"[a-z][0134578@$|€9]|[0134578@$€9][a-z]")
_SPACED_HINT = re.compile(r" [^\W\d_][ .\-_*/|]{1,2}[^\W\d_][ .\-_*/|]{1,2}[^\W\d_]")
_CONFUSABLE_ANY = re.compile(f"[{_CONFUSABLE_CLASS}]")


def views(text: str) -> Views:
    invisible = 0
    hidden = ""
    homoglyphs = 0
    if text.isascii():
        lowered = text.lower()
        # One line with single spaces (ASCII whitespace other than " " is unprintable) is
        # already collapsed: two C scans instead of a list of every word joined again.
        single_spaced = (
            lowered.isprintable()
            and "  " not in lowered
            and not lowered.startswith(" ")
            and not lowered.endswith(" ")
        )
        plain = lowered if single_spaced else " ".join(lowered.split())
        folded = plain
    else:
        tags = _TAGS.findall(text)
        if tags:
            hidden = "".join(tags).translate(_TAG_TO_ASCII)
            hidden = _TAGS.sub("", hidden)
            invisible += sum(len(t) for t in tags)
            text = _TAGS.sub("", text)
        found = _INVISIBLE.findall(text)
        if found:
            invisible += sum(len(t) for t in found)
            # Removed, not replaced by a space: "ig\u200bnore" must read "ignore".
            text = _INVISIBLE.sub("", text)
        lowered = _QUOTES.sub("'", unicodedata.normalize("NFKC", text).casefold())
        plain = " ".join(lowered.split())
        # Accents off for Latin, Greek and Cyrillic only: NFC puts Hangul and kana back together.
        folded = unicodedata.normalize(
            "NFC", _COMBINING.sub("", unicodedata.normalize("NFKD", plain))
        )
        if _CONFUSABLE_ANY.search(folded):
            folded, homoglyphs = _MIXED_WORD.subn(_fold_mixed, folded)
    spaced = 0
    joined = ""
    if _SPACED_HINT.search(" " + folded):
        runs = [_SPACING.sub("", m) for m in _SPACED.findall(folded)]
        joined = " ".join(runs)
        folded, spaced = _SPACED.subn(_unspace, folded)
    leet = None
    if _LEET_HINT.search(folded):
        if folded.isascii():
            leet = folded.encode().translate(_LEET_BYTES).decode()
        elif _LEET_PAIR.search(folded):  # str.translate is slow on long non-ASCII text
            leet = folded.translate(_LEET_TABLE)
    return Views(text, lowered, plain, folded, leet, invisible, hidden, homoglyphs, spaced, joined)
