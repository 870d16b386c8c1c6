"""The multi-pattern pass through libhs (the C module's HsDatabase) against the Python binding:
the same databases must report the same matches, in the same order, so every window and
finding is the same whichever library scans. CI installs Debian's libhyperscan5
(scripts/test-services.sh), so the libhs path is the one tested there."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from interlock.dlp import compiled, matcher
from interlock.dlp.config import DlpPolicy
from interlock.dlp.policy import compile_policy
from tests.dlp.corpus import corpus
from tests.dlp.test_native import CUSTOM, LINE_ENDS, generated_texts, glued_texts, lead_texts

native = compiled.native
needs_libhs = pytest.mark.skipif(
    compiled.libhs is None, reason="libhs not loaded (no libhyperscan5, or INTERLOCK_DLP_LIBHS=0)"
)


def test_libhs_is_used_where_the_system_has_it() -> None:
    if ctypes.util.find_library("hs") is None or os.environ.get("INTERLOCK_DLP_LIBHS") == "0":
        pytest.skip("libhs not on this system (Debian: libhyperscan5) or switched off")
    assert compiled.libhs is not None and compiled.libhs.startswith("5.")
    engine = compile_policy(DlpPolicy()).engine
    assert isinstance(engine.matcher._always._db, matcher._LibhsDatabase)  # type: ignore[attr-defined]


def _matchers(policy: DlpPolicy, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(matcher, "USE_LIBHS", False)
        binding = compile_policy(policy).engine.matcher
    return compile_policy(policy).engine.matcher, binding


def _sets(m: Any) -> list[Any]:
    return [m._always, *m._gated.values()]


def _raw(db: Any, data: bytes) -> list[tuple[int, int, int]]:
    if db is None:
        return []
    got: list[tuple[int, int, int]] = []
    db.scan(data, match_event_handler=lambda i, s, e, *_: got.append((i, s, e)))
    return got


def _texts(engine_matcher: Any) -> list[str]:
    texts = [doc.text for doc in corpus(100, seed=41)] + generated_texts(200, seed=14)
    texts += glued_texts(150, seed=16)
    texts += [t + " Grüße, Zoë — ☎ +49 30 1234567 ✉ jo@exämple.de" for t in texts[:60]]
    texts.append(" ".join(texts) * 3)  # > 64 KB: scanned without the GIL
    return texts


@needs_libhs
@pytest.mark.parametrize(
    "policy", [DlpPolicy(), LINE_ENDS, CUSTOM], ids=["default", "line-ends", "custom"]
)
def test_libhs_reports_the_bindings_matches(
    policy: DlpPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    libhs, binding = _matchers(policy, monkeypatch)
    assert isinstance(libhs._always._db, matcher._LibhsDatabase)
    assert isinstance(binding._always._db, matcher._Database)
    # the same rules located the same way by both libraries
    for ours, theirs in zip(_sets(libhs), _sets(binding), strict=True):
        assert (ours.back, ours.reach, ours._kinds) == (theirs.back, theirs.reach, theirs._kinds)
        assert ours.leads.keys() == theirs.leads.keys()
    engine = compile_policy(policy).engine
    texts = _texts(libhs) + lead_texts(engine, 150, seed=19)
    matches = extra = 0
    for text in texts:
        data = text.encode()
        same = True
        for ours, theirs in zip(_sets(libhs), _sets(binding), strict=True):
            for db in ("_db", "_anywhere"):
                got, expected = _raw(getattr(ours, db), data), _raw(getattr(theirs, db), data)
                if got != expected:
                    # The binding's library (vectorscan 5.4.12) misses a multi-line "$" before
                    # the text's final newline; libhs (Hyperscan 5.4.0) reports it, as `re`
                    # matches it: extra matches are allowed only there, the rest the same.
                    added = [hit for hit in got if hit not in expected]
                    assert [hit for hit in got if hit not in added] == expected, text[:200]
                    for rule, _, end in added:
                        assert text.isascii() and end == len(text) - 1 == text.index("\n", end)
                        ends = {m.end() for m in engine.rules[rule].regex.finditer(text)}
                        assert end in ends, text[:200]
                    extra += len(added)
                    same = False
                matches += len(got)
        assert _raw(libhs._gate, data) == _raw(binding._gate, data)
        for on in (True, False):  # C windows from Hits; Python windows from replayed matches
            libhs.use_native(on)
            binding.use_native(on)
            if same:
                assert libhs.windows(text) == binding.windows(text), text[:200]
    assert matches > (5 if policy is not LINE_ENDS else 1) * len(texts)  # (the texts do hit)
    assert extra <= (len(texts) // 20 if policy is LINE_ENDS else 0)


@needs_libhs
def test_threads_scan_with_their_own_scratch() -> None:
    """Large texts are scanned without the GIL: threads scanning one engine at once get the
    findings of one thread scanning alone (each thread has its own scratch space)."""
    engine = compile_policy(DlpPolicy()).engine
    engine.recent = None
    big = [" ".join(doc.text for doc in corpus(200, seed=s)) for s in (1, 2, 3)]
    assert min(map(len, big)) > 64 * 1024
    alone = [engine.scan(t) for t in big]
    got: dict[int, list[Any]] = {}
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            got[n] = [engine.scan(big[(n + k) % 3]) for k in range(3)]
        except BaseException as exc:  # (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for n, scans in got.items():
        assert scans == [alone[(n + k) % 3] for k in range(3)]
    assert sum(map(len, alone)) > 100


def test_without_libhs_the_binding_scans() -> None:
    """A library that does not load (or INTERLOCK_DLP_LIBHS=0) leaves the binding to scan, with
    the same findings; asked to compile without a library, the module says so."""
    if native is None:
        pytest.skip("the C module is not built")
    code = (
        "from interlock.dlp import _native as n\n"
        "assert n.hs_load(['libinterlock-missing.so.5']) is None\n"
        "try:\n"
        "    n.hs_compile([b'x'], [0], [0])\n"
        "except RuntimeError as e:\n"
        "    print('refused', e)\n"
        "from interlock.dlp import compiled, matcher\n"
        "from interlock.dlp.config import DlpPolicy\n"
        "from interlock.dlp.policy import compile_policy\n"
        "print(compiled.libhs, matcher.USE_LIBHS)\n"
        "e = compile_policy(DlpPolicy(entities=['EMAIL_ADDRESS', 'US_SSN'])).engine\n"
        "print(type(e.matcher._always._db).__name__)\n"
        "print([(f.entity, f.start) for f in e.scan('mail jo@example.com, ssn 536-22-8726')])\n"
    )
    env = {**os.environ, "INTERLOCK_DLP_LIBHS": "0"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "refused libhs is not loaded (hs_load)",
        "None False",
        "_Database",
        "[('EMAIL_ADDRESS', 5), ('US_SSN', 25)]",
    ]
