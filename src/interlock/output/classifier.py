"""The classifier hook: an organisation's own model behind HTTP, asked about each whole answer.

POST {url} with {"text", "policy", "request_id"}; the answer is {"flagged": bool} and/or
{"score": float} (flagged when score >= threshold), with an optional "label". A service that
is down, slow (past `timeout_s`) or answers nonsense fails closed (the hook's action applies)
unless the hook says `on_failure: open`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

from interlock.exchange import Exchange
from interlock.output.config import ClassifierHook, OutputPolicy
from interlock.output.policy import Hit


@dataclass(slots=True)
class ClassifierVerdict:
    hit: Hit | None  # the hook's action applies when set
    detail: dict[str, Any] = field(default_factory=dict)


class Classifier:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # One keep-alive pool for every call, created on the gateway's own loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def classify(
        self, hook: ClassifierHook, text: str, ex: Exchange, policy: OutputPolicy
    ) -> ClassifierVerdict:
        body = {
            "text": text,
            "policy": getattr(ex.principal, "policy_name", None),
            "request_id": ex.request_id,
        }
        try:
            async with self._client().post(
                hook.url,
                json=body,
                headers=hook.headers or None,
                timeout=aiohttp.ClientTimeout(total=hook.timeout_s),
            ) as resp:
                if resp.status != 200:
                    raise ValueError(f"status {resp.status}")
                answer = await resp.json(content_type=None)
            flagged, detail = _verdict(answer, hook.threshold)
        except (TimeoutError, aiohttp.ClientError, ValueError, TypeError) as exc:
            failure = {"classifier": "unavailable", "error": type(exc).__name__}
            if hook.on_failure == "open":
                return ClassifierVerdict(None, {**failure, "failed": "open"})
            hit = Hit("classifier", "classifier_unavailable", hook.action, 0, 0)
            return ClassifierVerdict(hit, {**failure, "failed": "closed"})
        if not flagged:
            return ClassifierVerdict(None, {})
        return ClassifierVerdict(Hit("classifier", "classifier", hook.action, 0, 0), detail)


def _verdict(answer: Any, threshold: float) -> tuple[bool, dict[str, Any]]:
    if not isinstance(answer, dict):
        raise ValueError("the classifier's answer is not a JSON object")
    detail: dict[str, Any] = {}
    if isinstance(answer.get("label"), str):
        detail["label"] = answer["label"][:64]
    score = answer.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        detail["score"] = float(score)
        flagged = float(score) >= threshold
        if isinstance(answer.get("flagged"), bool):
            flagged = flagged or answer["flagged"]
        return flagged, detail
    if isinstance(answer.get("flagged"), bool):
        return answer["flagged"], detail
    raise ValueError("the classifier's answer has neither flagged nor score")
