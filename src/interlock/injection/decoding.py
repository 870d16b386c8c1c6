"""Payloads hidden in an encoding: found, decoded, and handed back to be checked again.

Base64, hex, binary and Morse runs are decoded when they turn out to be readable text; rot13,
other Caesar shifts and reversed text are tried whole (they cost one string translation each, and only the rules'
trigger words are looked for before any regex runs).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

import numpy as np

# Sixteen characters or more; padded runs from twelve ("aGVsbG8gd29ybGQ=" is "hello world").
_BASE64 = re.compile(
    r"(?:[A-Za-z0-9+/]{4}){4,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
    r"|(?:[A-Za-z0-9+/]{4}){3}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)"
)
_BASE64_URL = re.compile(r"[A-Za-z0-9_-]{20,}")
_HEX = re.compile(r"(?:(?:0x|\\x)?[0-9a-fA-F]{2}[\s:,]?){10,}")
_BINARY = re.compile(r"(?:[01]{8}\s?){6,}")
_SPACED_HEX = re.compile(r"(?:\b[0-9a-fA-F]{2}[ :,]){12}")


def _spaced_hex(text: str) -> bool:
    # Readable ASCII is bytes 0x20-0x7e: spaced hex of it is full of " 6", " 7", " 2" pairs.
    # Counting those is C speed; the regex runs only when they are there.
    if " 6" not in text or " 7" not in text or " 2" not in text:
        return False
    hint = text.count(" 6") + text.count(" 7") + text.count(" 2")
    return hint >= 8 and _SPACED_HEX.search(text) is not None


# str.isspace() of every code point up to U+3000 (the last space character); indices past the
# table are clipped to its final entry, U+3001, which is not a space.
_SPACE = np.zeros(0x3002, dtype=bool)
_SPACE[[c for c in range(0x3001) if chr(c).isspace()]] = True
_LONG_TOKEN = 16
_NUMPY_FROM = 1024  # characters


def _has_long_token(text: str) -> bool:
    """Whether a whitespace-separated token of `text` is 16 characters or longer: the gaps
    between space positions in numpy, not a list of every token (half the cost at 2 KB)."""
    if len(text) < _LONG_TOKEN:
        return False
    if len(text) < _NUMPY_FROM:  # numpy's fixed cost (~5 us) is more than a short split
        tokens = text.split()
        return bool(tokens) and max(map(len, tokens)) >= _LONG_TOKEN
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    spaces = np.flatnonzero(np.take(_SPACE, cps, mode="clip"))
    if not len(spaces):
        return True
    longest = max(int(spaces[0]), len(text) - 1 - int(spaces[-1]))
    if len(spaces) > 1:
        longest = max(longest, int(np.diff(spaces).max()) - 1)
    return longest >= _LONG_TOKEN


_NOT_HEX = re.compile(r"0x|\\x|[\s:,]")
_MAX_CANDIDATES = 8
_MIN_DECODED = 8


def _readable(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) < _MIN_DECODED:
        return None
    printable = sum(ch.isprintable() or ch in "\n\t\r" for ch in text)
    letters = sum(ch.isalpha() for ch in text)
    if printable < 0.95 * len(text) or letters < 0.5 * len(text):
        return None
    return text


def _b64(run: str) -> str | None:
    # Mixed case and at least one digit or upper-case letter in a long run: most long words,
    # identifiers and hashes are excluded before any decoding is tried.
    if run.islower() or run.isupper() or run.isdigit():
        return None
    padded = run + "=" * (-len(run) % 4)
    try:
        data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        try:
            data = base64.urlsafe_b64decode(padded)
        except (binascii.Error, ValueError):
            return None
    return _readable(data)


def decode_payloads(text: str, runs: list[str] | None = None) -> list[tuple[str, str]]:
    """(encoding, decoded text) for every encoded run in `text` that decodes to readable text;
    the runs themselves, as written, are appended to `runs` when it is given."""
    found: list[tuple[str, str]] = []
    raw: list[str] = []
    has_long_token = _has_long_token(text)
    if has_long_token:
        for rx in (_BASE64, _BASE64_URL):
            for m in rx.finditer(text):
                decoded = _b64(m.group(0))
                if decoded is not None:
                    found.append(("base64", decoded))
                    raw.append(m.group(0))
                if len(found) >= _MAX_CANDIDATES:
                    break
            if found:
                break
    if len(found) < _MAX_CANDIDATES:
        if has_long_token or "\\x" in text or "0x" in text or _spaced_hex(text):
            found += _hex_runs(text, raw)
        found += [("morse", decoded) for decoded in morse(text, raw)]
        # "0" is a memchr: most prompts have no zero, and the three searches are skipped.
        if "0" in text and ("0100" in text or "0110" in text or "0111" in text):
            for m in _BINARY.finditer(text):
                bits = m.group(0).replace(" ", "")
                data = int(bits, 2).to_bytes(len(bits) // 8, "big") if len(bits) % 8 == 0 else b""
                decoded = _readable(data)
                if decoded is not None:
                    found.append(("binary", decoded))
                    raw.append(m.group(0))
    if runs is not None:
        runs += raw
    return found


def _hex_runs(text: str, raw: list[str]) -> list[tuple[str, str]]:
    found = []
    for m in _HEX.finditer(text):
        digits = _NOT_HEX.sub("", m.group(0))
        if len(digits) % 2 == 0 and not digits.isdigit():
            decoded = _readable(bytes.fromhex(digits))
            if decoded is not None:
                found.append(("hex", decoded))
                raw.append(m.group(0))
        if len(found) >= _MAX_CANDIDATES:
            break
    return found


_PIG_WORD = re.compile(r"[a-z]+")
_VOWELS = frozenset("aeiou")
_ONSETS = frozenset(
    [
        "th",
        "wh",
        "sh",
        "ch",
        "ph",
        "qu",
        "cl",
        "bl",
        "br",
        "cr",
        "dr",
        "fr",
        "gr",
        "pl",
        "pr",
        "sc",
        "sk",
        "sl",
        "sm",
        "sn",
        "sp",
        "st",
        "sw",
        "tr",
        "tw",
        "gl",
        "str",
        "sch",
        "spr",
        "scr",
        "thr",
        "shr",
        "spl",
        "squ",
    ]
)


def pig_latin(text: str) -> str | None:
    """Pig Latin undone ("erewhay oesday" -> "where does"), when most words are in it."""
    endings = text.count("ay")
    if endings < 4 or endings * 2 < text.count(" "):
        return None  # most words of a pig Latin text end in "ay"; most texts have few
    words = _PIG_WORD.findall(text)
    if len(words) < 4 or sum(w.endswith("ay") and len(w) > 3 for w in words) < 0.7 * len(words):
        return None

    def undo(m: re.Match[str]) -> str:
        w = m.group(0)
        if not w.endswith("ay") or len(w) <= 3:
            return w
        if w.endswith(("yay", "way")) and w[0] in _VOWELS:
            return w[:-3]
        stem = w[:-2]
        for k in (3, 2):  # the moved consonant cluster: a known onset, or a single letter
            if len(stem) > k and stem[-k:] in _ONSETS:
                return stem[-k:] + stem[:-k]
        return stem[-1] + stem[:-1]

    return _PIG_WORD.sub(undo, text)


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


_LOWER = "abcdefghijklmnopqrstuvwxyz"


def caesar(text: str, shift: int) -> str:
    """Lower-case letters shifted forward by `shift` (the text is already case-folded)."""
    return text.translate(str.maketrans(_LOWER, _LOWER[shift:] + _LOWER[:shift]))


_MORSE_CODE = {
    ".-": "a", "-...": "b", "-.-.": "c", "-..": "d", ".": "e", "..-.": "f", "--.": "g",
    "....": "h", "..": "i", ".---": "j", "-.-": "k", ".-..": "l", "--": "m", "-.": "n",
    "---": "o", ".--.": "p", "--.-": "q", ".-.": "r", "...": "s", "-": "t", "..-": "u",
    "...-": "v", ".--": "w", "-..-": "x", "-.--": "y", "--..": "z", ".----": "1",
    "..---": "2", "...--": "3", "....-": "4", ".....": "5", "-....": "6", "--...": "7",
    "---..": "8", "----.": "9", "-----": "0",
}  # fmt: skip
# Eight or more Morse letters separated by spaces, words by " / ", "|" or wider gaps.
_MORSE = re.compile(r"(?<![\w.-])[.-]{1,5}(?:(?: {1,3}| ?[/|] ?)[.-]{1,5}){7,}(?![\w.-])")


def morse(text: str, raw: list[str] | None = None) -> list[str]:
    """Morse runs decoded to text (".. --. -. --- .-. ." -> "ignore"); only readable ones."""
    # Eight readable letters of Morse hold a few dashes, and a dot or dash next to a dash
    # (".-", "-.", "--"): C-speed checks before the regex scans anything.
    if text.count("-") < 4 or not (".-" in text or "-." in text or "--" in text):
        return []
    out = []
    for m in _MORSE.finditer(text):
        words = re.split(r" ?[/|] ?| {2,}", m.group(0))
        decoded = " ".join("".join(_MORSE_CODE.get(c, "?") for c in w.split()) for w in words)
        if len(decoded) >= _MIN_DECODED and decoded.count("?") * 10 < len(decoded):
            out.append(decoded)
            if raw is not None:
                raw.append(m.group(0))
        if len(out) >= _MAX_CANDIDATES:
            break
    return out


def reverse(text: str) -> str:
    return text[::-1]


# A request to decode what the text carries ("Decode this base64 for me: …", "what does this
# hex say"). Training attacks wrap their payloads in the same words, so the classifier scores
# the request itself high ("Decode this base64 for me" alone: 0.78); the detector decodes the
# payload and checks it, which is the better evidence (see Detector._decode_request_cap).
_DECODE_ASK = re.compile(
    r"\b(?:please |can you |could you |would you |help me )?(?:decode|decoding|decipher|decrypt|"
    r"unscramble|translate|convert|interpret)\b(?:\s+(?:this|the|that|these|following|my|it|"
    r"me|for|from|into|to|in|plain|text|english|string|message|base ?64|b64|hex(?:adecimal)?|"
    r"binary|morse|code|rot ?-?13|cipher|encoded|encoding|data|value|token|header|payload|"
    r"please)\b)*|"
    r"\bwhat (?:does|do|is) (?:this|that|it|these|the following)\b(?:\s+[\w-]+){0,3}?\s+"
    r"(?:say|says|mean|means|decode to|stand for)\b"
)
# ...unless the decoded text is to be obeyed: then its cleanness is the attacker's to choose.
_OBEY = re.compile(r"\b(?:follow|execute|obey|carry out|act on|do what|comply|run|perform)\b")
_ROT13_NAMED = re.compile(r"\brot ?-?13\b")


def decode_request(folded: str) -> re.Match[str] | None:
    """The decode request in `folded` (a lower-cased view), or None when there is none or the
    decoded text is to be followed ("decode this and do what it says")."""
    m = _DECODE_ASK.search(folded)
    if m is None or _OBEY.search(folded) is not None:
        return None
    return m


def rot13_payload(folded: str, request: re.Match[str]) -> str | None:
    """The text after a request that names rot13, decoded; None when rot13 is not named."""
    if _ROT13_NAMED.search(request.group(0)) is None:
        return None
    tail = folded[request.end() :].lstrip(" :\n\"'")
    return rot13(tail) if len(tail) >= _MIN_DECODED else None


def without_request(folded: str, request: re.Match[str], runs: list[str]) -> str:
    """`folded` without the decode request and without the encoded `runs` (as
    `decode_payloads` found them): what the person wrote around the payload."""
    rest = folded[: request.start()] + " " + folded[request.end() :]
    for run in runs:
        rest = rest.replace(run.lower(), " ")
    return rest
