"""The prompt-injection stage: scores what a request carries before any provider sees it.

Per the caller's policy (`policies.<name>.injection`): user turns and indirect content (tool
results, quoted or retrieved blocks) are scored with their own thresholds; at or above it the
policy's action for that context applies: `block` refuses the request in the caller's own
error format (saying what was refused, not how the detector decided), `flag` lets it through
with an `x-interlock-injection` response header, `log` only records. Every checked request
gets an `injection` decision with the score and the reasons, for the audit.

A policy without an `injection` section is checked at the default thresholds but only flagged
(`WHEN_ABSENT`); `injection: {enabled: false}` turns the check off. Scoring is CPU work of tens of
microseconds per kilobyte, done inline; verdicts of recently seen texts are cached, so a
conversation's history is not scored again on every turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, Exchange
from interlock.injection.config import WHEN_ABSENT, ExternalDetector, InjectionPolicy
from interlock.injection.detector import Detector, Verdict
from interlock.injection.external import ExternalResult, ask
from interlock.injection.patterns import Context
from interlock.injection.segments import Segment, segments, system_prompt
from interlock.injection.sysprompt import restrictions

log = logging.getLogger("interlock.injection")

HEADER = "x-interlock-injection"
_SEVERITY = {"log": 1, "flag": 2, "block": 3}
_CACHE_SIZE = 4096
_CACHE_MAX_CHARS = 16_384
_WHAT = {"user": "the user message", "indirect": "content from a tool result or document"}


@dataclass(slots=True)
class Scored:
    segment: Segment
    score: float
    reasons: list[str]
    threshold: float
    action: str
    external: dict[str, float | str] = field(default_factory=dict)

    @property
    def exceeded(self) -> bool:
        return self.score >= self.threshold


class VerdictCache:
    """The last few thousand verdicts by (context, text): chat clients resend the history."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str], Verdict] = OrderedDict()

    def get(self, key: tuple[str, str]) -> Verdict | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple[str, str], verdict: Verdict) -> None:
        self.items[key] = verdict
        if len(self.items) > self.size:
            self.items.popitem(last=False)


class InjectionStage:
    def __init__(self, detector: Detector | None = None) -> None:
        self.detector = detector
        self.load_error: str | None = None
        if detector is None:
            try:
                self.detector = Detector()
            except Exception as exc:  # a missing or corrupt weights file
                log.exception("prompt-injection detector failed to load")
                self.load_error = type(exc).__name__
        self.rules_only = Detector(use_model=False)
        self.cache = VerdictCache()
        self._session: aiohttp.ClientSession | None = None

    def install(self, app: web.Application) -> None:
        app.on_cleanup.append(self._close)

    async def _close(self, app: web.Application) -> None:
        if self._session is not None:
            await self._session.close()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    # ---- scoring -------------------------------------------------------------------------------

    def scan(self, text: str, context: Context, quoted: bool = False, system: str = "") -> Verdict:
        """`system`: the request's system prompt; user turns are also scored against what it
        forbids (sysprompt.py). Quoted blocks and indirect content are not."""
        if self.detector is None:
            raise RuntimeError(f"detector unavailable: {self.load_error}")
        # A block quoted in a user turn: rules only (the classifier scored the whole turn).
        detector = self.rules_only if quoted else self.detector
        rules = restrictions(system) if system and context == "user" and not quoted else None
        if rules is not None and rules.empty:
            rules = None
        if len(text) > _CACHE_MAX_CHARS:
            return detector.scan(text, context, system=system if rules else None)
        # The prompt's digest, not its text, keys the cache: one copy of a long system prompt
        # per cached turn would cost memory, and its restrictions are what the verdict read.
        kind = f"{context}:quoted" if quoted else context
        key = (f"{kind}:{rules.digest}" if rules else kind, text)
        verdict = self.cache.get(key)
        if verdict is None:
            verdict = detector.scan(text, context, system=system if rules else None)
            self.cache.put(key, verdict)
        return verdict

    async def _ask_guards(
        self, guards: list[ExternalDetector], segs: list[Segment]
    ) -> list[list[tuple[ExternalDetector, ExternalResult]]]:
        calls = []
        owners = []
        for i, seg in enumerate(segs):
            for guard in guards:
                if seg.context in guard.contexts:
                    calls.append(ask(self._http(), guard, seg.text, seg.context))
                    owners.append((i, guard))
        results: list[list[tuple[ExternalDetector, ExternalResult]]] = [[] for _ in segs]
        for (i, guard), result in zip(owners, await asyncio.gather(*calls), strict=True):
            results[i].append((guard, result))
        return results

    # ---- the hook ------------------------------------------------------------------------------

    def applies_to(self, policy: Any) -> bool:
        # Without an identity there is no policy to enforce: the pipeline skips this stage.
        return policy is not None

    async def on_request(self, ex: Exchange) -> None:
        # No principal (auth off, or an addon's own identity) has no policy: nothing to enforce.
        # A policy without an `injection` section is still checked, flag-only (WHEN_ABSENT).
        bound = getattr(ex.principal, "policy", None)
        if bound is None or not isinstance(ex.request, ChatRequest):
            return
        policy: InjectionPolicy = getattr(bound, "injection", None) or WHEN_ABSENT
        if not policy.enabled:
            return
        segs = segments(ex.request, policy.quoted_blocks, policy.check_assistant)
        if not segs:
            ex.decide("injection", "passed", score=0.0, checked=0)
            return
        system = system_prompt(ex.request)
        try:
            verdicts = [self.scan(s.text, s.context, s.quoted, system) for s in segs]
        except Exception as exc:
            log.exception("prompt-injection detector failed on request %s", ex.request_id)
            self._failed(ex, policy, "detector_error", type(exc).__name__)
            return
        scored = [
            Scored(s, v.score, list(v.reasons), *self._rule(policy, s.context))
            for s, v in zip(segs, verdicts, strict=True)
        ]
        if policy.external:
            answers = await self._ask_guards(policy.external, segs)
            failed = []
            for item, results in zip(scored, answers, strict=True):
                for guard, result in results:
                    if result.score is None:
                        item.external[guard.name] = f"error: {result.error}"
                        if guard.on_failure == "closed":
                            failed.append(f"{guard.name}: {result.error}")
                        continue
                    item.external[guard.name] = result.score
                    if result.score > 0:
                        item.score = round(1 - (1 - item.score) * (1 - result.score), 4)
                        if result.score >= 0.1:
                            item.reasons.insert(0, f"external.{guard.name}")
            if failed:
                self._failed(ex, policy, "external_detector_failed", "; ".join(failed), True)
        self._act(ex, scored)

    @staticmethod
    def _rule(policy: InjectionPolicy, context: Context) -> tuple[float, str]:
        rule = policy.user if context == "user" else policy.indirect
        return rule.threshold, rule.action

    def _act(self, ex: Exchange, scored: list[Scored]) -> None:
        hits = [s for s in scored if s.exceeded]
        worst = max(
            hits or scored, key=lambda s: (_SEVERITY[s.action] if s.exceeded else 0, s.score)
        )
        detail: dict[str, Any] = {
            "score": worst.score,
            "threshold": worst.threshold,
            "context": worst.segment.context,
            "where": worst.segment.where,
            "reasons": worst.reasons,
            "checked": len(scored),
        }
        if len(scored) > 1:
            detail["scores"] = {s.segment.where: s.score for s in scored}
        external = {k: v for s in scored for k, v in s.external.items()}
        if external:
            detail["external"] = external
        if not hits:
            ex.decide("injection", "passed", **detail)
            return
        detail["action"] = worst.action
        if worst.action == "block":
            ex.decide("injection", "blocked", **detail)
            raise GatewayError(
                "prompt_injection",
                f"The request was refused: {_WHAT[worst.segment.context]} "
                f"({worst.segment.where}) looks like a prompt-injection attempt",
                status=400,
            )
        if worst.action == "flag":
            ex.headers[HEADER] = f"flagged; context={worst.segment.context}"
            ex.decide("injection", "flagged", **detail)
            return
        ex.decide("injection", "logged", **detail)

    @staticmethod
    def _failed(
        ex: Exchange, policy: InjectionPolicy, reason: str, error: str, external: bool = False
    ) -> None:
        # An external guard's own on_failure already said "closed" when we get here for one.
        if external or policy.on_failure == "closed":
            ex.decide("injection", "refused", reason=reason, error=error)
            raise GatewayError(
                "injection_check_unavailable",
                "The request was refused: the prompt-injection check could not be completed",
                status=503,
            )
        ex.decide("injection", "unchecked", reason=reason, error=error)


def injection_stage() -> InjectionStage:
    return InjectionStage()
