"""The compiled confirmation's word filter: within confirm_all, a span's word set holds only
words some registered rule looks for (engine._spec registers them), since the set is only ever
intersected with rules' context and negative words. Findings must be exactly those of the
unfiltered sets (a spec whose 18th item is not True), and the filter must stay inside its call."""

from __future__ import annotations

import random
import sys
import threading
from typing import Any

import pytest

from interlock.dlp import compiled
from interlock.dlp.config import DlpPolicy
from interlock.dlp.engine import adjacent_words, context_words
from interlock.dlp.policy import compile_policy
from tests.dlp.corpus import corpus
from tests.dlp.test_native import CONTEXT, CUSTOM, generated_texts

native = compiled.native
pytestmark = pytest.mark.skipif(native is None, reason="the C module is not built")


def _texts(seed: int) -> list[str]:
    rnd = random.Random(seed)
    texts = [doc.text for doc in corpus(120, seed=seed)] + generated_texts(200, seed=seed)
    # context and negative words in any case, glued to signs, next to numbers
    for text in generated_texts(100, seed=seed + 1):
        words = [rnd.choice(CONTEXT).upper() if rnd.random() < 0.3 else rnd.choice(CONTEXT)]
        texts.append(f"{text} {rnd.choice(['', '#', '(', 'v'])}{words[0]}: {text[:40]}")
    return texts


@pytest.mark.parametrize("policy", [DlpPolicy(), CUSTOM], ids=["default", "custom"])
def test_filtered_word_sets_find_what_full_sets_do(policy: DlpPolicy) -> None:
    engine = compile_policy(policy).engine
    engine.recent = None
    registered = engine.specs
    assert registered is not None and all(len(s) == 19 and s[17] is True for s in registered)
    unregistered = [(*s[:17], False, s[18]) for s in registered]  # (the same programs)
    found = boosted = 0
    for text in _texts(23):
        hits = engine.matcher.windows(text)
        engine.specs = registered
        filtered = engine.confirmed(text, hits)
        engine.specs = unregistered
        assert filtered == engine.confirmed(text, hits), text[:200]
        found += len(filtered)
        boosted += sum(f.score >= 0.8 for f in filtered)
    engine.specs = registered
    assert found > 500 and boosted > 100  # (context words did count)


def test_the_filter_stays_inside_its_call() -> None:
    """Threads confirming with the filter (their validators are Python calls, where the
    interpreter switches threads) while others read the full words around spans."""
    assert native is not None
    engine = compile_policy(DlpPolicy()).engine
    engine.recent = None
    texts = _texts(5)[:200]
    expected = [engine.scan(t) for t in texts]
    errors: list[Any] = []

    def scan() -> None:
        for _ in range(3):
            for t, want in zip(texts, expected, strict=True):
                if engine.scan(t) != want:
                    errors.append(("scan", t[:80]))

    def words() -> None:
        rnd = random.Random(threading.get_ident())
        for _ in range(4000):
            t = rnd.choice(texts)
            start = rnd.randrange(len(t))
            end = rnd.randrange(start, len(t) + 1)
            if native.words(t, start, end, False) != context_words(t, start, end):
                errors.append(("context", t[:80]))
            if native.words(t, start, end, True) != adjacent_words(t, start, end):
                errors.append(("adjacent", t[:80]))

    threads = [threading.Thread(target=f) for f in (scan, words, scan, words)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:3]
