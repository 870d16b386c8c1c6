"""All signals for one text, combined into one score with the reasons behind it.

Signals are independent pieces of evidence with a weight in 0..1 each (a rule match, a
structural marker, hidden text, an encoded payload that decodes to an attack, the trained
classifier's probability); they combine as a noisy-OR, 1 - Π(1 - wᵢ), so two weak signals
together count for more than either, and no single weak one reaches a blocking threshold.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

import numpy as np

from interlock.injection.benign import without_benign_phrases
from interlock.injection.decoding import (
    caesar,
    decode_payloads,
    decode_request,
    pig_latin,
    reverse,
    rot13,
    rot13_payload,
    without_request,
)
from interlock.injection.gibberish import adversarial_suffix
from interlock.injection.model import LinearModel, shipped_model
from interlock.injection.normalize import views
from interlock.injection.patterns import (
    Context,
    candidate_rules,
    disguises,
    glued_trigger,
    match_rules,
    new_anchors,
    words_of,
)
from interlock.injection.structure import match_markers
from interlock.injection.sysprompt import Restrictions, restrictions
from interlock.injection.typos import repairs

_MAX_DEPTH = 2  # decoded payloads are checked again, and what they decode to, once more
_REPORTED = 0.1  # signals weaker than this are not listed among the reasons
# The classifier learnt from prompts people type, not from the e-mails and pages tools fetch:
# there "Please ignore this email if you did not request a reset" scores 0.83. In indirect
# content it is one more weak signal, below the indirect threshold alone, and the rules decide.
INDIRECT_CLASSIFIER_CAP = 0.3
# "Decode this base64 for me: aGVsbG8gd29ybGQ=" scored 0.51 by the classifier alone: training
# attacks wrap their payloads in the same request. When every payload decodes to clean text,
# the classifier counts at most this much, or what it says of the words around the request and
# the payload (so an attack written in plain text beside a harmless payload is still read).
DECODE_REQUEST_CAP = 0.3
# Above this probability a text is scored again without its everyday phrases ("don't forget",
# "ignore the typos"): below it the classifier cannot flag a user turn alone.
_BENIGN_PHRASE_CHECK = 0.45
_CLEAN_PAYLOAD = 0.3  # a decoded payload scoring below this, everything counted, is harmless


@dataclass(slots=True)
class Verdict:
    score: float
    reasons: list[str] = field(default_factory=list)


class Signals:
    def __init__(self) -> None:
        self.weights: dict[str, float] = {}
        self.notes: list[str] = []  # what a decoded payload was found to contain

    def add(self, reason: str, weight: float) -> None:
        if weight > self.weights.get(reason, 0.0):
            self.weights[reason] = min(weight, 0.99)

    def verdict(self) -> Verdict:
        keep = 1.0
        for w in self.weights.values():
            keep *= 1.0 - w
        ordered = sorted(self.weights.items(), key=lambda kv: (-kv[1], kv[0]))
        reasons = [name for name, w in ordered if w >= _REPORTED]
        return Verdict(round(1.0 - keep, 4), reasons + self.notes)


_REPEATED = re.compile(r"\b(\w+) \1 \1 \1 \1 \1 \1 \1 \1 \1\b(?: \1\b)*")


def _tripled(words: list[str]) -> bool:
    mid = len(words) // 2
    return (
        words[0] == words[1] == words[2]
        or words[mid - 1] == words[mid] == words[mid + 1]
        or words[-3] == words[-2] == words[-1]
    )


def _repeated_run(words: list[str]) -> int:
    """The longest run of one word repeated back to back (a divergence / token attack), when
    it is at least ten long; 0 otherwise. One regex over the words, at C speed."""
    if not any(map(str.__eq__, words, words[1:])):  # no word follows itself
        return 0
    runs = [m.group(0).count(" ") + 1 for m in _REPEATED.finditer(" ".join(words))]
    return max(runs, default=0)


_SEPARATORS = frozenset(string.whitespace + string.punctuation + "\x1c\x1d\x1e\x1f")
_MAX_LEET_CHANGES = 64
_LEET_NUMPY_FROM = 1024  # characters


def _leet_words(folded: str, leet: str) -> list[str]:
    """The words of `leet` that `new_anchors` can find new: only those holding an undone
    character. Any other word of the leet view has the same letters and the same separators
    around it in `folded` (leetspeak only turns characters into letters), so it is one of
    `folded`'s words already; splitting only around the changes spares a list of every word."""
    if len(folded) < _LEET_NUMPY_FROM or not folded.isascii():
        return words_of(leet)  # below ~1 KB numpy's fixed cost is more than one split
    # Same length in ASCII: the changed positions, compared byte for byte at C speed.
    changed = np.flatnonzero(
        np.frombuffer(folded.encode(), np.uint8) != np.frombuffer(leet.encode(), np.uint8)
    )
    if len(changed) > _MAX_LEET_CHANGES:
        return words_of(leet)  # a table of numbers: one split is cheaper
    out = []
    end = 0  # where the last word taken ends: changes inside it are in it already
    for at in changed.tolist():
        if at < end:
            continue
        start, stop = at, at + 1
        while start and leet[start - 1] not in _SEPARATORS:
            start -= 1
        while stop < len(leet) and leet[stop] not in _SEPARATORS:
            stop += 1
        out.append(leet[start:stop])
        end = stop
    return out


class Detector:
    """Stateless after construction and safe to share: one per process is enough."""

    def __init__(self, model: LinearModel | None = None, use_model: bool = True) -> None:
        self.model = model if model is not None or not use_model else shipped_model()

    def scan(
        self, text: str, context: Context = "user", depth: int = 0, system: str | None = None
    ) -> Verdict:
        """`system`: the request's trusted system prompt(s); a user turn is also scored
        against what they forbid (sysprompt.py)."""
        signals = Signals()
        rules = restrictions(system) if system and context == "user" and depth == 0 else None
        self._collect(text, context, depth, signals, rules)
        return signals.verdict()

    def _collect(
        self,
        text: str,
        context: Context,
        depth: int,
        signals: Signals,
        rules: Restrictions | None = None,
    ) -> None:
        if not text or text.isspace():
            return
        v = views(text)
        words = words_of(v.folded)
        if rules is not None:
            for reason, weight in rules.conflicts(v.folded, words).items():
                signals.add(reason, weight)
        hits = match_rules(v.folded, context, words)
        for rule, _ in hits:
            signals.add(rule.name, rule.weight)
        if hits and v.folded != v.plain:
            # Matched only once the disguise was undone: the disguise is evidence too.
            plain_names = {r.name for r, _ in match_rules(v.plain, context)}
            unfolded = [r.name for r, _ in hits if r.name not in plain_names]
            if unfolded:
                if v.homoglyph_words:
                    signals.add("obfuscation.homoglyphs", 0.6)
                if v.spaced_runs:
                    signals.add("obfuscation.spaced_letters", 0.6)
                # Accents are a disguise on English words ("ïgnörë"); French, German or Russian
                # rules need folding because those languages are written with them.
                english = any(name.endswith(".en") for name in unfolded)
                if english and not v.homoglyph_words and not v.spaced_runs:
                    signals.add("obfuscation.accents", 0.3)
        fresh = (
            new_anchors(words, _leet_words(v.folded, v.leet))
            if v.leet and v.leet != v.folded
            else None
        )
        if fresh:
            known = {r.name for r, _ in hits}
            for rule, _ in match_rules(v.leet, context, only=fresh):
                if rule.name not in known:
                    signals.add(rule.name, rule.weight)
                    signals.add("obfuscation.leetspeak", 0.6)
        maybe_misspelt = (
            " ig" in v.folded or " dis" in v.folded or v.folded.startswith(("ig", "dis"))
        )
        fixed = repairs(words) if maybe_misspelt else None
        if fixed:
            repaired = re.sub(r"\w+", lambda m: fixed.get(m.group(0), m.group(0)), v.folded)
            known = {r.name for r, _ in hits}
            for rule, _ in match_rules(repaired, context, only=set(fixed.values())):
                if rule.name not in known:
                    signals.add(rule.name, rule.weight)
                    signals.add("obfuscation.misspelt", 0.4)
        # A repeated-token attack is one word many times over, at the start, the middle or the
        # end of the text: three comparisons decide whether to look for the run at all.
        if len(words) >= 12 and _tripled(words):
            run = _repeated_run(words)
            if run:
                signals.add("repeated_tokens", 0.45 if run < 25 else 0.55)
        if v.spaced_runs:
            word = glued_trigger(v.spaced)
            if word is not None:
                signals.add("obfuscation.spaced_letters", 0.75)
        for marker in match_markers(v.lowered):
            signals.add(f"structure.{marker.name}", marker.weight)
        if v.invisible:
            signals.add("invisible_characters", 0.15 if v.invisible < 3 else 0.4)
        if v.homoglyph_words:
            signals.add("homoglyphs", 0.2 if v.homoglyph_words < 2 else 0.35)
        runs: list[str] = []
        payload_scores: list[float] = []
        if depth < _MAX_DEPTH:
            if len(v.hidden.strip()) >= 4:
                signals.add("tag_characters", 0.6)
                self._nested("hidden_text", v.hidden, context, depth, signals)
            for encoding, decoded in decode_payloads(v.text, runs):
                signals.add(f"encoded_text.{encoding}", 0.15)
                payload_scores.append(
                    self._nested(f"encoded_payload.{encoding}", decoded, context, depth, signals)
                )
            if depth == 0:
                self._transformed(v.folded, words, context, signals)
                undone = pig_latin(v.folded) if v.folded.isascii() else None
                if undone is not None:
                    self._nested("encoded_payload.pig_latin", undone, context, depth, signals)
        suffix = adversarial_suffix(v.text)
        if suffix:
            signals.add("adversarial_suffix", 0.75 * suffix)
        if self.model is not None:
            p = self.model.probability(v.folded)
            if context == "indirect":
                p = min(p, INDIRECT_CLASSIFIER_CAP)
            elif p > DECODE_REQUEST_CAP and depth == 0:
                p = self._decode_request_cap(v.folded, p, runs, payload_scores, context, signals)
            if (
                p >= _BENIGN_PHRASE_CHECK
                and depth == 0
                and max(signals.weights.values(), default=0.0) < _BENIGN_PHRASE_CHECK
            ):
                # "Vergiss nicht, …", "ignore the typos": the classifier is asked again without
                # the everyday phrase and the lower probability kept (benign.py); only when no
                # other signal is that strong already (an attack's rules decide it anyway).
                rest = without_benign_phrases(v.folded, words)
                if rest is not None:
                    p = min(p, self.model.probability(rest))
            if p >= _REPORTED:
                signals.add("classifier", p)

    def _nested(
        self, label: str, text: str, context: Context, depth: int, signals: Signals
    ) -> float:
        inner = self.scan(text, context, depth + 1)
        if inner.score >= 0.4:
            signals.add(label, max(0.9, inner.score))
            signals.notes.extend(f"{label}:{reason}" for reason in inner.reasons[:3])
        return inner.score

    def _decode_request_cap(
        self,
        folded: str,
        p: float,
        runs: list[str],
        payload_scores: list[float],
        context: Context,
        signals: Signals,
    ) -> float:
        """The classifier's probability for a request to decode a payload that turned out
        harmless: capped, unless the words around the request and the payload score higher."""
        if not payload_scores and not any(r in folded for r in ("rot13", "rot 13", "rot-13")):
            return p  # no payload to vouch for the text: the request regex is not even run
        request = decode_request(folded)
        if request is None:
            return p
        if not payload_scores:
            # rot13 is decoded only when its trigger words are there; a request that names
            # it says what the rest of the text is.
            rotated = rot13_payload(folded, request)
            if rotated is None:
                return p
            payload_scores.append(
                self._nested("encoded_payload.rot13", rotated, context, 0, signals)
            )
        if max(payload_scores) >= _CLEAN_PAYLOAD:
            return p
        assert self.model is not None
        around = self.model.probability(without_request(folded, request, runs))
        return min(p, max(around, DECODE_REQUEST_CAP))

    def _transformed(
        self, folded: str, words: list[str], context: Context, signals: Signals
    ) -> None:
        # Trigger words are looked up in their rot13, Caesar-shifted and reversed spellings
        # first: a transformed text is built and matched only when one of them is there.
        found = disguises(words)
        if found.rot13 and folded.isascii():
            for rule, _ in match_rules(rot13(folded), context):
                signals.add(rule.name, rule.weight)
                signals.add("encoded_payload.rot13", 0.9)
        if found.caesar is not None and folded.isascii():
            for rule, _ in match_rules(caesar(folded, found.caesar), context):
                signals.add(rule.name, rule.weight)
                signals.add("encoded_payload.caesar", 0.9)
        if found.reversed:
            flipped = reverse(folded)
            if candidate_rules(flipped, words_of(flipped)):
                for rule, _ in match_rules(flipped, context):
                    signals.add(rule.name, rule.weight)
                    signals.add("encoded_payload.reversed", 0.9)
