"""The service a secret assignment is named after: found on ASCII text by a case-sensitive
prefix-tree alternation over the text in lower case (cheaper), with Unicode folding otherwise;
both must name the same on ASCII text."""

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
        assert c._SERVICE_NAME_LOWER is not None
        lower_hit = c._SERVICE_NAME_LOWER.search(text[start:end].lower())
        unicode_hit = c._SERVICE_NAME.search(text, start, end)
        assert (lower_hit and (lower_hit.start(1) + start, lower_hit.group(1))) == (
            unicode_hit and (unicode_hit.start(1), unicode_hit.group(1).lower())
        ), text
        found += lower_hit is not None
        match = re.compile(r"(?i)(?:api_key = |token: |=)?(a1b2)").search(text, end)
        if match is not None:  # the namer itself, against the Unicode finder alone
            hit = c._SERVICE_NAME.search(text, max(0, match.start() - 30), match.start(1))
            want = hit.group(1).lower().replace("_", "-") + "-credential" if hit else None
            assert c._service_name(match) == (want or "generic-secret-assignment"), text
    assert found > 400


def test_the_lower_case_finder_needs_words_no_word_begins() -> None:
    """With a word that is the beginning of another, which one a position gives depends on
    the alternatives' order: the prefix tree would not keep it, so there is no such finder."""
    assert c._lower_case_finder(["twilio", "twitch"]) is not None
    assert c._lower_case_finder(["new", "newrelic"]) is None
    finder = c._lower_case_finder(["twilio", "twitch", "gitlab", "github", "sumo"])
    assert finder is not None
    assert [m.group(1) for m in finder.finditer("my_twitch_gitlab-githubsumotwi")] == [
        "twitch",
        "gitlab",
        "github",
        "sumo",
    ]


def test_non_ascii_text_keeps_unicode_folding() -> None:
    # "ſ" (long s) folds to "s" under Unicode rules only: the name follows the Unicode finder.
    rnd = random.Random(9)  # (key-shaped values are made at run time, never committed)
    value = "".join(rnd.choice("abcdefghkmnpqrstuvwxyz23456789") for _ in range(24))
    text = f"ſtripe_api_key = '{value}'"
    match = re.search(r"(?i)api_key = '([^']+)'", text)
    assert match is not None
    unicode_hit = c._SERVICE_NAME.search(text, 0, match.start(1))
    assert c._SERVICE_NAME_LOWER is not None
    lower_hit = c._SERVICE_NAME_LOWER.search(text[: match.start(1)].lower())
    assert unicode_hit is not None and unicode_hit.group(1) == "ſtripe"
    assert lower_hit is None or lower_hit.span() != unicode_hit.span()
    assert c._service_name(match) == "ſtripe-credential"  # (as before: the Unicode finder)
