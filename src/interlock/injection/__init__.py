"""Prompt-injection defence: rules, structure, decoding and a trained classifier (issue 5).

Importing the package is cheap (the schema imports `interlock.injection.config`); the model
is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interlock.injection.config import InjectionPolicy

_detector: Any = None
_rules_only: Any = None


def scan_text(
    text: str, policy: InjectionPolicy | None = None, system: str | None = None
) -> dict[str, Any]:
    """The offline scan's `injection` part for one text, checked as the gateway checks a user
    turn: `{"score": 0..1, "flagged": bool, "reasons": [...]}`. The turn is scored at the
    policy's user threshold (against `system`, the application's system prompt, when given);
    with `quoted_blocks` (the default) each block it quotes, fences or pastes is scored by the
    rules at the indirect threshold, its reasons prefixed `quoted:`. `score` is the highest of
    them; `flagged` says whether any reached its threshold (the default policy's when none is
    given)."""
    global _detector, _rules_only
    from interlock.injection.config import InjectionPolicy
    from interlock.injection.detector import Detector
    from interlock.injection.segments import quoted_in_turn

    if _detector is None:
        _detector = Detector()
        _rules_only = Detector(use_model=False)
    policy = policy or InjectionPolicy()
    verdict = _detector.scan(text, "user", system=system or None)
    score = verdict.score
    flagged = score >= policy.user.threshold
    reasons = list(verdict.reasons)
    for block in quoted_in_turn(text) if policy.quoted_blocks else []:
        # Rules only, as in the gateway: the classifier already read the whole turn.
        found = _rules_only.scan(block, "indirect")
        if found.score >= policy.indirect.threshold:
            flagged = True
        if found.score > 0:
            score = max(score, found.score)
            reasons += [f"quoted: {r}" for r in found.reasons if f"quoted: {r}" not in reasons]
    return {"score": score, "flagged": flagged, "reasons": reasons}
