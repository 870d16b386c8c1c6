"""Hashed character and word n-grams of a text, and the linear model's score over them.

One vectorised polynomial hash (prefix sums in wrapping 64-bit arithmetic) gives the hash of
any substring in O(1), so every character 3-, 4- and 5-gram, every word and every word pair is
hashed in a handful of numpy operations, with no per-feature Python work. The hash is fixed
(no per-process salt), so training and serving agree on every bucket.

The training script and the gateway both use `featurize`: there is no second implementation
to drift from this one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHAR_NGRAMS = (3, 4, 5)
_P = 0x100000001B3  # FNV prime: odd, so it has an inverse modulo 2**64
_Q = pow(_P, -1, 2**64)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits are well spread
# A different offset per feature family, so a 3-gram and a word with equal text differ.
_SALT = {n: np.uint64((0x51ED270B27A1F3C5 * (n + 1)) % 2**64) for n in (*CHAR_NGRAMS, 10, 11)}
_WORD, _PAIR = 10, 11
_BLOCK = 1 << 15  # the powers are tabulated this far; longer texts are hashed in blocks

_U64 = np.uint64


def _powers(base: int, count: int) -> np.ndarray:
    out = np.ones(1, dtype=_U64)
    while len(out) < count:
        step = _U64(pow(base, len(out), 2**64))
        out = np.concatenate((out, out * step))
    return out[:count]


_PPOW = _powers(_P, _BLOCK + 8)
_QPOW = _powers(_Q, _BLOCK + 8)

# Word separators: ASCII punctuation and spaces, general and CJK punctuation. Code points
# past the table are letters of other planes (or emoji): word characters.
_SEPARATOR = np.zeros(0x10000, dtype=bool)
_SEPARATOR[[i for i in range(128) if not chr(i).isalnum()]] = True
_SEPARATOR[0x80:0xC0] = True
_SEPARATOR[0x2000:0x2070] = True
_SEPARATOR[0x3000:0x3040] = True
_SEPARATOR[0xFF00:0xFF10] = True
# Its complement, indexed with mode="clip": code points past the table read its last entry
# (a word character), as `np.minimum(cps, 0xFFFF)` does, in one pass instead of three.
_WORD_CHAR = ~_SEPARATOR


@dataclass(slots=True)
class Features:
    buckets: np.ndarray  # the bucket of every feature occurrence
    positions: np.ndarray | None  # where in the text each occurrence starts, when asked for


def codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _block_hashes(
    cps: np.ndarray, offset: int, positions: list[np.ndarray] | None
) -> list[np.ndarray]:
    n = len(cps)
    prefix = np.zeros(n + 1, dtype=_U64)
    np.cumsum(cps * _QPOW[:n], out=prefix[1:])
    hashes: list[np.ndarray] = []
    for k in CHAR_NGRAMS:
        if n < k:
            continue
        # hash(text[a:a+k]) = (prefix[a+k] - prefix[a]) * P**(a+k-1), all a at once (slices)
        h = prefix[k:] - prefix[: n + 1 - k]
        h *= _PPOW[k - 1 : n]
        h += _SALT[k]
        hashes.append(h)
        if positions is not None:
            positions.append(np.arange(offset, offset + n + 1 - k))
    # The text is padded with spaces, so word edges alternate start, end, start, end...
    word = np.zeros(n + 2, dtype=bool)  # padded with separators: edges come in pairs
    word[1:-1] = ~_SEPARATOR[np.minimum(cps, 0xFFFF)]
    edges = np.flatnonzero(word[1:] != word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    if len(starts):
        wh = prefix[ends] - prefix[starts]
        wh *= _PPOW[ends - 1]
        hashes.append(wh + _SALT[_WORD])
        if positions is not None:
            positions.append(starts + offset)
        if len(starts) > 1:
            pair = wh[:-1] * _U64(_P)
            pair += wh[1:]
            pair += _SALT[_PAIR]
            hashes.append(pair)
            if positions is not None:
                positions.append(starts[:-1] + offset)
    return hashes


def _single_block(cps: np.ndarray, bits: int) -> np.ndarray:
    """`featurize`'s buckets for a text of one block without positions (nearly every prompt):
    the same arithmetic as `_block_hashes`, written into one preallocated array in place, so
    no temporaries and no final concatenation."""
    n = len(cps)
    prefix = np.zeros(n + 1, dtype=_U64)
    np.cumsum(cps * _QPOW[:n], out=prefix[1:])
    word = np.zeros(n + 2, dtype=bool)
    np.take(_WORD_CHAR, cps, out=word[1:-1], mode="clip")
    edges = np.flatnonzero(word[1:] != word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    words = len(starts)
    sizes = [n + 1 - k for k in CHAR_NGRAMS if n >= k]
    out = np.empty(sum(sizes) + words + max(words - 1, 0), dtype=_U64)
    at = 0
    for k, size in zip(CHAR_NGRAMS, sizes, strict=False):
        h = out[at : at + size]
        np.subtract(prefix[k:], prefix[:size], out=h)
        h *= _PPOW[k - 1 : n]
        h += _SALT[k]
        at += size
    if words:
        wh = out[at : at + words]
        np.subtract(prefix[ends], prefix[starts], out=wh)
        wh *= _PPOW[ends - 1]
        if words > 1:
            pair = out[at + words :]
            np.multiply(wh[:-1], _U64(_P), out=pair)
            pair += wh[1:]
            pair += _SALT[_PAIR]
        wh += _SALT[_WORD]  # after the pairs, which are hashed from the unsalted words
    out *= _MIX
    out >>= _U64(64 - bits)
    return out


def featurize(text: str, bits: int, with_positions: bool = False) -> Features:
    """Every feature occurrence of `text` (already normalised): its bucket, and optionally
    where it starts (for scoring windows of a long text)."""
    cps = codepoints(" " + text + " ")
    if not with_positions and len(cps) <= _BLOCK:
        return Features(_single_block(cps, bits), None)
    hashes: list[np.ndarray] = []
    positions: list[np.ndarray] | None = [] if with_positions else None
    # Blocks overlap by a few characters so no n-gram is lost at a seam.
    for offset in range(0, len(cps), _BLOCK - 8):
        block = cps[offset : offset + _BLOCK]
        if offset and block[0] != 32:
            # A word cut by the seam is hashed by the previous block already: start at a space.
            block = np.concatenate((np.array([32], np.uint32), block))
        hashes += _block_hashes(block, offset, positions)
        if offset + _BLOCK >= len(cps):
            break
    if not hashes:
        empty = np.zeros(0, np.intp)
        return Features(empty, empty if with_positions else None)
    mixed = np.concatenate(hashes)
    mixed *= _MIX
    mixed >>= _U64(64 - bits)
    return Features(mixed, np.concatenate(positions) if positions is not None else None)
