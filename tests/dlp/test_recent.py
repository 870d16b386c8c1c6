"""Recently scanned texts: a conversation's earlier turns are not scanned again, the answer is
the same as a fresh scan, the cache is bounded and holds no text."""

from __future__ import annotations

from interlock.dlp.config import DlpPolicy
from interlock.dlp.policy import compile_policy
from interlock.dlp.recent import MIN_CHARS, RecentScans
from tests.dlp.corpus import corpus


def _counting(engine: object) -> list[str]:
    scanned: list[str] = []
    fresh = engine.scan_afresh  # type: ignore[attr-defined]

    def counted(text: str) -> list:  # type: ignore[type-arg]
        scanned.append(text)
        return fresh(text)

    engine.scan_afresh = counted  # type: ignore[attr-defined]
    return scanned


def test_a_conversation_resent_whole_is_scanned_for_its_new_messages_only() -> None:
    engine = compile_policy(DlpPolicy()).engine
    scanned = _counting(engine)
    turns = [d.text for d in corpus(6, seed=3) if len(d.text) >= MIN_CHARS]
    assert len(turns) >= 4
    history: list[str] = []
    for turn in turns:
        history.append(turn)
        for message in history:  # what a chat client sends every turn
            engine.scan(message)
    assert scanned == turns  # each message scanned once, in the turn it was new
    fresh = compile_policy(DlpPolicy(recent_scans=0)).engine
    for message in history:
        assert engine.scan(message) == fresh.scan(message)


def test_findings_handed_out_are_copies() -> None:
    engine = compile_policy(DlpPolicy()).engine
    text = next(d.text for d in corpus(10, seed=4) if len(d.text) >= MIN_CHARS)
    first = engine.scan(text)
    assert first
    first.clear()
    assert engine.scan(text) != []


def test_short_texts_bounds_and_switching_off() -> None:
    engine = compile_policy(DlpPolicy()).engine
    scanned = _counting(engine)
    short = "mail me at someone@example.com"
    assert len(short) < MIN_CHARS
    engine.scan(short)
    engine.scan(short)
    assert scanned == [short, short]  # not worth a digest

    recent = RecentScans(size=2)
    for i in range(5):
        recent.put(RecentScans.key(f"text {i}"), [])
    assert len(recent) == 2
    assert recent.get(RecentScans.key("text 4")) == []
    assert recent.get(RecentScans.key("text 0")) is None
    # keys are digests: no text is kept
    assert all(len(k) == 16 for k in recent._entries)

    assert compile_policy(DlpPolicy(recent_scans=0)).engine.recent is None
