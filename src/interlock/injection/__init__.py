"""Prompt-injection defence: rules, structure, decoding and a trained classifier (issue 5).

Importing the package is cheap (the schema imports `interlock.injection.config`); the model
is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interlock.injection.config import InjectionPolicy

_detector: Any = None


def scan_text(text: str, policy: InjectionPolicy | None = None) -> dict[str, Any]:
    """The offline scan's `injection` part for one text, read as a user turn:
    `{"score": 0..1, "flagged": bool, "reasons": [...]}`, flagged at the policy's user
    threshold (the default policy's when none is given)."""
    global _detector
    from interlock.injection.config import InjectionPolicy
    from interlock.injection.detector import Detector

    if _detector is None:
        _detector = Detector()
    threshold = (policy or InjectionPolicy()).user.threshold
    verdict = _detector.scan(text, "user")
    return {
        "score": verdict.score,
        "flagged": verdict.score >= threshold,
        "reasons": verdict.reasons,
    }
