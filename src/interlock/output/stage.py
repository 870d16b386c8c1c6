"""The output stage: the caller's policy applied to the answer before the caller sees it.

Whole answers (`on_response`): every text and tool-call argument is scanned (rules, DLP on the
answer), structured output is checked against its schema, the classifier hook is asked; then
the strongest action wins: block (an error in the caller's format), replace, redact, flag
(`x-interlock-output-flag` header) or log. Streams (`stream_filter`): see stream.py; pseudonyms
from the DLP stage are restored there too (whole answers are restored by the DLP stage). Each
exchange gets one `output` decision with the rule, action and position of every hit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from interlock.config.schema import GatewayConfig
from interlock.errors import GatewayError
from interlock.exchange import ChatResponse, Exchange, TextPart, ToolCall
from interlock.output.classifier import Classifier
from interlock.output.config import ACTION_RANK, OutputPolicy
from interlock.output.policy import CompiledOutput, Hit, RequestCorpus, redact, schema_problem
from interlock.output.stream import OutputStreamFilter, blocked_error
from interlock.server.runtime import RuntimeHolder

log = logging.getLogger("interlock.output")

FLAG_HEADER = "x-interlock-output-flag"
MAX_FINDINGS_RECORDED = 100
_OUTCOME = {
    "log": "logged",
    "flag": "flagged",
    "redact": "redacted",
    "replace": "replaced",
    "block": "blocked",
}


class OutputStage:
    def __init__(self, holder: RuntimeHolder, backend: str = "auto") -> None:
        self.holder = holder
        self.backend = backend
        self._config: GatewayConfig | None = None
        self._compiled: dict[int, CompiledOutput] = {}
        self._streams: dict[str, tuple[OutputStreamFilter, OutputPolicy | None]] = {}
        self.classifier = Classifier()

    def install(self, app: web.Application) -> None:
        app.on_startup.append(self._warm)
        app.on_cleanup.append(self._close)

    async def _warm(self, app: web.Application) -> None:
        for name, policy in self.holder.initial.policies.items():
            if policy.output is not None and policy.output.enabled:
                try:
                    await asyncio.to_thread(CompiledOutput, policy.output, self.backend)
                except Exception:
                    log.exception("the output section of policy %s does not compile", name)

    async def _close(self, app: web.Application) -> None:
        await self.classifier.close()

    def compiled(self, policy: OutputPolicy) -> CompiledOutput:
        config = self.holder.current.config
        if config is not self._config:
            self._compiled, self._config = {}, config
        compiled = self._compiled.get(id(policy))
        if compiled is None or compiled.policy is not policy:
            compiled = self._compiled[id(policy)] = CompiledOutput(policy, self.backend)
        return compiled

    # ---- whole answers ---------------------------------------------------------------------------

    def applies_to(self, policy: Any) -> bool:
        # Without an identity there is no output policy nor pseudonyms to restore.
        return policy is not None

    async def on_response(self, ex: Exchange) -> None:
        policy = _policy_of(ex)
        response = ex.response
        if policy is None or not isinstance(response, ChatResponse):
            return
        started = time.perf_counter()
        try:
            findings, strongest, changed = await self._inspect(ex, policy, response)
        except GatewayError:
            raise
        except Exception as exc:
            log.exception("output filtering failed on request %s", ex.request_id)
            outcome = "failed_open" if policy.on_failure == "open" else "failed_closed"
            ex.decide("output", outcome, error=type(exc).__name__, elapsed_us=_micros(started))
            if policy.on_failure == "open":
                return
            raise blocked_error("output_filter_failed") from None
        if changed:
            response.raw, response.raw_body = None, None  # the renderer re-encodes the answer
        outcome = _OUTCOME[strongest.action] if strongest is not None else "clean"
        ex.decide(
            "output",
            outcome,
            stream=False,
            findings=findings[:MAX_FINDINGS_RECORDED],
            truncated=max(0, len(findings) - MAX_FINDINGS_RECORDED),
            elapsed_us=_micros(started),
        )
        if strongest is None:
            return
        if strongest.action == "block":
            raise blocked_error(strongest.rule)
        if strongest.action == "flag":
            ex.headers[FLAG_HEADER] = ",".join(
                sorted({f["rule"] for f in findings if f["action"] == "flag"})
            )

    async def _inspect(
        self, ex: Exchange, policy: OutputPolicy, response: ChatResponse
    ) -> tuple[list[dict[str, Any]], Hit | None, bool]:
        compiled = self.compiled(policy)
        corpus = RequestCorpus(ex) if compiled.dlp is not None else None
        schemas = compiled.schemas_for(ex)
        findings: list[dict[str, Any]] = []
        strongest: Hit | None = None
        changed = False
        replace_choices: list[Any] = []

        def note(hit: Hit, where: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
            nonlocal strongest
            found = hit.record(where)
            if extra:
                found.update(extra)
            findings.append(found)
            if strongest is None or ACTION_RANK[hit.action] > ACTION_RANK[strongest.action]:
                strongest = hit

        for choice in response.choices:
            before = strongest
            calls = 0
            for part in choice.parts:
                is_call = isinstance(part, ToolCall)
                text = part.arguments if is_call else part.text  # type: ignore[union-attr]
                where: dict[str, Any] = {"choice": choice.index}
                where.update(
                    {"part": "tool_call", "tool_call": calls} if is_call else {"part": "text"}
                )
                calls += is_call
                if not compiled.scans or not text:
                    continue
                hits = compiled.find(text, corpus)
                for hit in hits:
                    note(hit, where)
                new = redact(text, hits, policy.redaction)
                if new != text:
                    changed = True
                    if isinstance(part, ToolCall):
                        part.arguments = new
                    elif isinstance(part, TextPart):
                        part.text = new
            if schemas and any(isinstance(p, TextPart) for p in choice.parts):
                problem = schema_problem(schemas, choice.text())
                if problem is not None:
                    hit = Hit("json_schema", "schema", policy.schema_action, 0, 0)
                    note(hit, {"choice": choice.index, "part": "text"}, {"problem": problem})
            if strongest is not before and strongest is not None and strongest.action == "replace":
                replace_choices.append(choice)

        if policy.classifier is not None:
            text = "\n".join(c.text() for c in response.choices)
            verdict = await self.classifier.classify(policy.classifier, text, ex, policy)
            if verdict.hit is not None:
                note(verdict.hit, {"part": "answer"}, verdict.detail)
            elif verdict.detail:
                ex.decide("output", "classifier", **verdict.detail)
            if verdict.hit is not None and verdict.hit.action == "replace":
                replace_choices = list(response.choices)

        if strongest is not None and strongest.action == "replace":
            for choice in replace_choices or response.choices:
                choice.parts = [TextPart(policy.replace_message)]
            changed = True
        return findings, strongest, changed

    # ---- streams ---------------------------------------------------------------------------------

    def stream_filter(self, ex: Exchange) -> OutputStreamFilter | None:
        policy = _policy_of(ex)
        values = self._pseudonyms_to_restore(ex, policy)
        if policy is None and values is None:
            return None  # nothing to do: the stream is not touched at all
        compiled = self.compiled(policy if policy is not None else _NO_RULES)
        schemas = compiled.schemas_for(ex) if policy is not None else []
        if not compiled.scans and not schemas and values is None:
            return None
        corpus = RequestCorpus(ex) if compiled.dlp is not None else None
        stream = OutputStreamFilter(compiled, values, corpus, schemas)
        self._streams[ex.request_id] = (stream, policy)
        return stream

    @staticmethod
    def _pseudonyms_to_restore(ex: Exchange, policy: OutputPolicy | None) -> dict[str, str] | None:
        values = getattr(ex.pseudonyms, "values", None)
        if not isinstance(values, dict) or not values:
            return None
        dlp = getattr(getattr(ex.principal, "policy", None), "dlp", None)
        if not getattr(dlp, "restore_pseudonyms", True):
            return None
        if policy is not None and not policy.restore_pseudonyms:
            return None
        return values

    async def on_done(self, ex: Exchange) -> None:
        entry = self._streams.pop(ex.request_id, None)
        if entry is None:
            return
        stream, policy = entry
        after: dict[str, Any] = {}
        response = ex.response
        if (
            policy is not None
            and policy.classifier is not None
            and ex.error_code is None
            and isinstance(response, ChatResponse)
        ):
            # A classifier cannot act mid-stream (filters are synchronous): after the stream,
            # its verdict is recorded for the audit.
            text = "\n".join(c.text() for c in response.choices)
            verdict = await self.classifier.classify(policy.classifier, text, ex, policy)
            after = {"flagged": verdict.hit is not None, **verdict.detail}
        findings = stream.findings
        ex.decide(
            "output",
            stream.outcome,
            stream=True,
            findings=findings[:MAX_FINDINGS_RECORDED],
            truncated=max(0, len(findings) - MAX_FINDINGS_RECORDED),
            restored=stream.restored,
            held_max_chars=stream.held_max,
            window_chars=stream.compiled.window,
            **({"classifier_after_stream": after} if after else {}),
        )


_NO_RULES = OutputPolicy()


def _policy_of(ex: Exchange) -> OutputPolicy | None:
    policy = getattr(getattr(ex.principal, "policy", None), "output", None)
    if isinstance(policy, OutputPolicy) and policy.enabled:
        return policy
    return None


def _micros(started: float) -> float:
    return round((time.perf_counter() - started) * 1e6, 1)


def output_stage(holder: RuntimeHolder, config: GatewayConfig) -> OutputStage:
    return OutputStage(holder)
