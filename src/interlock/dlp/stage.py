"""The DLP stage: inspects every request before it leaves, restores pseudonyms in answers.

`on_request` scans every text the request would send upstream with the caller's policy (a
policy without a `dlp` section still has its restricted types redacted: `when_absent`),
rewrites values (redact, mask, hash, pseudonymise) or refuses the request (block), and records
each finding (type, rule, location, action; never the value) with `ex.decide("dlp", …)`. An
error inside DLP refuses the request unless the policy says `on_failure: open`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from interlock.config.schema import GatewayConfig
from interlock.dlp.actions import Vault
from interlock.dlp.config import DlpPolicy
from interlock.dlp.inspector import Inspection, inspect_request, restore_response
from interlock.dlp.policy import CompiledPolicy, compile_policy, when_absent
from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, Exchange, TextPart, ToolCall, ToolResult
from interlock.server.runtime import RuntimeHolder

log = logging.getLogger("interlock.dlp")

# Above this many characters a request is scanned on a worker thread, so one huge body does
# not stall every other request on the event loop.
OFFLOAD_CHARS = 256 * 1024


class DlpStage:
    def __init__(self, holder: RuntimeHolder, backend: str = "auto") -> None:
        self.holder = holder
        self.backend = backend
        self._config: GatewayConfig | None = None
        self._compiled: dict[int, CompiledPolicy] = {}
        self._absent: CompiledPolicy | None = None

    def install(self, app: web.Application) -> None:
        app.on_startup.append(self._warm)

    async def _warm(self, app: web.Application) -> None:
        # Compile every policy once before the first request, so none waits for it: the
        # databases and gazetteers compiled here are cached for the request-time engines.
        for name, policy in self.holder.initial.policies.items():
            try:
                if policy.dlp is None:
                    await asyncio.to_thread(self.compiled, when_absent())
                elif policy.dlp.enabled:
                    await asyncio.to_thread(compile_policy, policy.dlp, self.backend)
            except Exception:
                log.exception("the dlp section of policy %s does not compile", name)

    def compiled(self, policy: DlpPolicy) -> CompiledPolicy:
        if policy is when_absent():  # the same for every configuration (and at start-up,
            # before there is a current runtime): compiled once
            if self._absent is None:
                self._absent = compile_policy(policy, self.backend)
            return self._absent
        config = self.holder.current.config
        if config is not self._config:
            # A reloaded configuration has new policy objects: compile them afresh (databases
            # of unchanged rule sets are reused from the matcher's cache).
            self._compiled = {}
            self._config = config
        compiled = self._compiled.get(id(policy))
        if compiled is None or compiled.policy is not policy:
            compiled = self._compiled[id(policy)] = compile_policy(policy, self.backend)
        return compiled

    # ---- pipeline hooks ------------------------------------------------------------------------

    def applies_to(self, policy: Any) -> bool:
        # Without an identity there is no policy to enforce: the pipeline skips this stage.
        return policy is not None

    async def on_request(self, ex: Exchange) -> None:
        policy = _policy_of(ex)
        if policy is None or ex.request is None:
            return
        started = time.perf_counter()
        vault = Vault()
        try:
            compiled = self.compiled(policy)
            if _size(ex.request) > OFFLOAD_CHARS:
                result = await asyncio.to_thread(inspect_request, compiled, ex.request, vault)
            else:
                result = inspect_request(compiled, ex.request, vault)
        except Exception as exc:
            log.exception("DLP failed on request %s", ex.request_id)
            elapsed = _micros(started)
            if policy.on_failure == "open":
                ex.decide("dlp", "failed_open", error=type(exc).__name__, elapsed_us=elapsed)
                return
            ex.decide("dlp", "failed_closed", error=type(exc).__name__, elapsed_us=elapsed)
            raise GatewayError(
                "dlp_unavailable",
                "The request could not be inspected for sensitive data, so it was not sent",
                status=503,
            ) from None
        self._record(ex, policy, compiled, result, _micros(started))
        if result.blocked:
            raise _blocked_error(result)
        if result.modified and isinstance(ex.request, ChatRequest):
            ex.request.modified = True  # embeddings are always re-encoded from their inputs
        if vault.values:
            ex.pseudonyms = vault

    def _record(
        self,
        ex: Exchange,
        policy: DlpPolicy,
        compiled: CompiledPolicy,
        result: Inspection,
        elapsed_us: float,
    ) -> None:
        if result.blocked:
            outcome = "blocked"
        elif result.modified:
            outcome = "modified"
        elif result.records:
            outcome = "detected"
        else:
            outcome = "clean"
        counts: dict[str, int] = {}
        for r in result.records:
            counts[f"{r['type']}:{r['action']}"] = counts.get(f"{r['type']}:{r['action']}", 0) + 1
        limit = policy.max_findings_recorded
        ex.decide(
            "dlp",
            outcome,
            findings=result.records[:limit],
            truncated=max(0, len(result.records) - limit),
            counts=counts,
            texts=result.texts,
            chars=result.chars,
            backend=compiled.engine.backend,
            elapsed_us=elapsed_us,
        )

    async def on_response(self, ex: Exchange) -> None:
        vault = ex.pseudonyms
        if not isinstance(vault, Vault) or ex.response is None:
            return
        policy = _policy_of(ex)
        if policy is not None and not policy.restore_pseudonyms:
            return
        restored = restore_response(ex.response, vault)
        if restored:
            ex.decide("dlp", "restored", texts=restored)

    async def on_done(self, ex: Exchange) -> None:
        # Real values are held no longer than the exchange needs them.
        if isinstance(ex.pseudonyms, Vault):
            ex.pseudonyms.wipe()
        ex.pseudonyms = None


def _policy_of(ex: Exchange) -> DlpPolicy | None:
    bound = getattr(ex.principal, "policy", None)
    if bound is None:
        return None
    policy = getattr(bound, "dlp", None)
    if policy is None:
        return when_absent()  # no section: the restricted types are still redacted
    if isinstance(policy, DlpPolicy) and policy.enabled:
        return policy
    return None


def _size(req: Any) -> int:
    if isinstance(req, ChatRequest):
        total = 0
        for message in req.messages:
            for part in message.parts:
                if isinstance(part, TextPart):
                    total += len(part.text)
                elif isinstance(part, ToolCall):
                    total += len(part.arguments)
                elif isinstance(part, ToolResult):
                    total += len(part.text())
        return total
    return sum(len(t) for t in getattr(req, "inputs", []))


def _micros(started: float) -> float:
    return round((time.perf_counter() - started) * 1e6, 1)


def _blocked_error(result: Inspection) -> GatewayError:
    kinds: dict[str, set[str]] = {}
    for r in result.blocked:
        kinds.setdefault(r["type"], set()).add(r["rule"])
    named = ", ".join(
        f"{t} ({', '.join(sorted(rules))})" if t == "SECRET" else t
        for t, rules in sorted(kinds.items())
    )
    first = result.blocked[0]["location"]
    return GatewayError(
        "sensitive_data_blocked",
        f"The request was blocked by the data protection policy because it contains: {named}. "
        "Remove these values and send it again.",
        param=_param(first),
        status=400,
        detail={"types": sorted(kinds)},
    )


def _param(location: dict[str, Any]) -> str:
    if "message" in location:
        return f"messages[{location['message']}]"
    if "tool" in location:
        return f"tools[{location['tool']}]"
    if "input" in location:
        return f"input[{location['input']}]"
    return "request"


def dlp_stage(holder: RuntimeHolder, config: GatewayConfig) -> DlpStage:
    return DlpStage(holder)
