"""The service a secret assignment is named after: found with ASCII case folding on ASCII text
(cheaper), with Unicode folding otherwise; both must name the same on ASCII text."""

from __future__ import annotations

import random
import re

from interlock.dlp import credentials as c


def _services() -> list[str]:
    return sorted(set(re.findall(r"[a-z0-9]+", c._SERVICES)))


def test_ascii_and_unicode_folding_find_the_same_service_on_ascii_text() -> None:
    rnd = random.Random(3)
    names = _services()
    cases = [str.lower, str.upper, str.title, lambda w: w, str.swapcase]
    found = 0
    for _ in range(3000):
        words = [rnd.choice(cases)(rnd.choice(names)) for _ in range(rnd.randrange(1, 4))]
        text = rnd.choice(["", "x", "my_", "#"]) + rnd.choice(["_", "-", ".", " ", ""]).join(words)
        text += rnd.choice(["_API_KEY = ", "_token: ", "=", ""]) + "a1b2c3d4e5f6g7h8"
        start = rnd.randrange(len(text))
        end = rnd.randrange(start, len(text) + 1)
        ascii_hit = c._SERVICE_NAME_ASCII.search(text, start, end)
        unicode_hit = c._SERVICE_NAME.search(text, start, end)
        assert (ascii_hit and ascii_hit.span(1)) == (unicode_hit and unicode_hit.span(1)), text
        found += ascii_hit is not None
    assert found > 400


def test_non_ascii_text_keeps_unicode_folding() -> None:
    # "ſ" (long s) folds to "s" under Unicode rules only: the name follows the Unicode finder.
    rnd = random.Random(9)  # (key-shaped values are made at run time, never committed)
    value = "".join(rnd.choice("abcdefghkmnpqrstuvwxyz23456789") for _ in range(24))
    text = f"ſtripe_api_key = '{value}'"
    match = re.search(r"(?i)api_key = '([^']+)'", text)
    assert match is not None
    unicode_hit = c._SERVICE_NAME.search(text, 0, match.start(1))
    ascii_hit = c._SERVICE_NAME_ASCII.search(text, 0, match.start(1))
    assert unicode_hit is not None and unicode_hit.group(1) == "ſtripe"
    assert ascii_hit is None or ascii_hit.span() != unicode_hit.span()
    assert c._service_name(match) == "ſtripe-credential"  # (as before: the Unicode finder)
