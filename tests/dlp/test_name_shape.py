"""The name-shape score (name_shape.py): unknown words shaped like names against ordinary words,
on the words scripts/train_dlp_name_shape.py holds out of its training (one in ten by CRC-32)."""

from __future__ import annotations

import json
import lzma
import zlib
from importlib import resources

from interlock.dlp.name_shape import grams, name_shape


def _held_out() -> tuple[list[str], list[str]]:
    ref = resources.files("interlock.dlp") / "data" / "gazetteer.json.xz"
    with ref.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    names = {w.lower() for w in data["first_names"] + data["last_names"] if w.isalpha()}
    common = {w for w in data["common_words"] if w.isalpha()}
    names, common = names - common, common - names

    def out(words: set[str]) -> list[str]:
        return sorted(w for w in words if zlib.crc32(w.encode()) % 10 == 0)

    return out(names), out(common)


def test_grams_mark_the_word_ends() -> None:
    assert grams("ab") == ["^a", "ab", "b$", "^ab", "ab$", "^ab$"]


def test_held_out_names_score_above_held_out_words() -> None:
    names, words = _held_out()
    assert len(names) > 10_000 and len(words) > 3_000
    name_rate = sum(name_shape(w) > 0 for w in names) / len(names)
    word_rate = sum(name_shape(w) > 0 for w in words) / len(words)
    assert name_rate > 0.7 and word_rate < 0.1, (name_rate, word_rate)
    # the threshold names.py uses: few words pass it
    assert sum(name_shape(w) >= 0.5 for w in words) / len(words) < 0.03


def test_case_does_not_matter() -> None:
    assert name_shape("Kowalczyk") == name_shape("KOWALCZYK") == name_shape("kowalczyk") > 0.5
