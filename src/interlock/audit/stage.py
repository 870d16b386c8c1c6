"""The audit stage: two addons around every other stage.

`AuditIntake` runs first: it notes the client's end-user header, trace context, address and
user agent (before the identity stage, so even a refused request has them), and the time the
body was parsed and the upstream answered. `AuditStage` runs last: it notes when the request
and response stages were done, refuses traffic when the spool is full and the policy says so,
and in `on_done` hands the finished exchange to the audit queue.

Strict durability: `on_done` runs before aiohttp sends a non-streamed answer (it is awaited in
the handler's `finally`), so waiting there holds the answer until its record is fsynced, and
the record is complete (every decision, the final status, refusals included). A stream's bytes
are already out when it ends, so for a strict stream a first record (kind `stream_open`: who,
what was asked, every decision so far) is fsynced in `on_plan`, before any upstream call; the
whole stream is recorded when it ends, like any other exchange.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from interlock.audit.chain import generate_key, load_private, public_path
from interlock.audit.config import AuditSettings
from interlock.audit.metrics import Metrics
from interlock.audit.pipeline import AuditPipeline, StoreSink
from interlock.audit.record import END_USER_HEADER, Notes, response_content
from interlock.audit.scrub import config_secrets, scrubber_for
from interlock.audit.sinks import build_sink
from interlock.audit.store import AuditStore, open_audit_store
from interlock.audit.writer import WriterClient, WriterSpec
from interlock.config import GatewayConfig
from interlock.errors import GatewayError
from interlock.exchange import Exchange
from interlock.providers.base import Target
from interlock.server.runtime import RuntimeHolder

log = logging.getLogger("interlock.audit")
_now = time.perf_counter
MAX_SNAPSHOT = 100_000


class AuditIntake:
    """First in the pipeline: what the audit needs from the HTTP request, noted cheaply."""

    # Plain functions, not coroutines: the pipeline awaits only what a hook returns, so a hook
    # with nothing to wait for costs a call (these run for every request).

    def on_authenticate(self, request: web.Request, ex: Exchange) -> Any:
        h = request.headers
        ex.audit = Notes(
            end_user=h.get(END_USER_HEADER),
            traceparent=h.get("traceparent"),
            source=request.remote,
            user_agent=h.get("user-agent"),
            path=request.path,
        )
        return ex.principal  # the pipeline assigns what authenticators return: change nothing

    def on_request(self, ex: Exchange) -> None:
        if ex.audit is not None:
            ex.audit.marks["parsed"] = _now()

    def on_response(self, ex: Exchange) -> None:
        notes = ex.audit
        if notes is None:
            return
        notes.marks["answered"] = _now()
        if ex.pseudonyms is not None:
            # DLP will put the real values back into this answer for the client; the `redacted`
            # level keeps the answer as the provider sent it (tokens), so snapshot it now.
            audit = getattr(getattr(ex.principal, "policy", None), "audit", None)
            if audit is not None and audit.content == "redacted":
                notes.response_as_received = response_content(ex.response, MAX_SNAPSHOT)


class AuditStage:
    """Last in the pipeline: refuse when the spool is full (per policy), then record."""

    def __init__(
        self,
        holder: RuntimeHolder,
        config: GatewayConfig,
        config_path: Path | None,
        identity: Any = None,
    ) -> None:
        self.holder = holder
        self.settings: AuditSettings = config.audit
        self.identity = identity
        self.base_dir = config_path.parent if config_path is not None else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if self.settings.spool_dir is not None:
            spool = Path(self.settings.spool_dir)
            if not spool.is_absolute():
                spool = (self.base_dir or Path.cwd()) / spool
        elif self.base_dir is not None:
            spool = self.base_dir / "interlock-audit"
        else:
            # Embedded without a file (tests, a library user): nowhere durable to put it.
            self._tmp = tempfile.TemporaryDirectory(prefix="interlock-audit-")
            spool = Path(self._tmp.name)
            log.warning("no configuration file: the audit spool is in %s (temporary)", spool)
        self.spool_dir = spool
        self.data_dir = self.base_dir or spool
        self.metrics = Metrics()
        self.store: AuditStore | None = None
        if self.settings.store is not None:
            self.store = open_audit_store(self.settings.store.url, self.base_dir or spool)
        self.pipeline: AuditPipeline | WriterClient
        if self.settings.writer == "process":
            # Records are built, scrubbed, chained, written and shipped in a writer process;
            # this worker opens the store only to search it.
            spec = WriterSpec(
                self.settings,
                spool,
                self.data_dir,
                config_secrets(config),
                self._signing_key_path(),
                self.settings.writer_cpus,
                self.settings.writer_nice,
                self.settings.writer_idle,
            )
            self.pipeline = WriterClient(spec, self.metrics, self.store)
        else:
            sinks: list[Any] = []
            if self.store is not None:
                sinks.append(StoreSink(self.store, self.settings.store.batch))  # type: ignore[union-attr]
            sinks += [build_sink(s, self.data_dir) for s in self.settings.sinks]
            self.pipeline = AuditPipeline(
                self.settings,
                spool,
                scrubber_for(config),
                load_private(self._signing_key_path()),
                sinks,
                self.metrics,
            )
        self._tasks: list[asyncio.Task[None]] = []
        self.maintenance: Any = None

    def _signing_key_path(self) -> Path:
        if self.settings.signing_key is not None:
            path = Path(self.settings.signing_key)
            if not path.is_absolute():
                path = (self.base_dir or Path.cwd()) / path
            return path
        path = self.spool_dir / "checkpoint-key.pem"
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            generate_key(path)
        except FileExistsError:  # another worker made it a moment ago
            return path
        log.warning(
            "audit.signing_key is not set: generated %s; give `interlock audit verify` its "
            "public half (%s) and keep the private key away from whoever can edit the store",
            path,
            public_path(path),
        )
        return path

    # ---- lifecycle ---------------------------------------------------------------------------

    def install(self, app: web.Application) -> None:
        from interlock.audit.http import register_audit_routes

        register_audit_routes(app, self)
        app.on_startup.append(self._start)
        # The last admin rows are copied while the identity database is still open (on_shutdown
        # runs before every on_cleanup); the queue is written out after the requests ended.
        app.on_shutdown.append(self._flush_admin)
        app.on_cleanup.append(self._stop)

    async def _start(self, app: web.Application) -> None:
        self.metrics.collectors.append(self._circuit_states)
        await self.pipeline.start()
        from interlock.audit.maintenance import Maintenance

        self.maintenance = Maintenance(self)
        self._tasks.append(asyncio.ensure_future(self.maintenance.run()))

    async def _flush_admin(self, app: web.Application) -> None:
        # The maintenance loop ends here, before on_cleanup closes the identity database: a
        # query of it still running in a thread when the connection closes would crash SQLite
        # (cancelling the task would not stop that thread).
        if self.maintenance is not None:
            self.maintenance.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.gather(*self._tasks), 10)
        await self._cancel_tasks()
        if self.maintenance is not None:
            await self.maintenance.flush_admin_trail()

    async def _cancel_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks.clear()

    async def _stop(self, app: web.Application) -> None:
        await self._cancel_tasks()
        await self.pipeline.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    async def render_metrics(self) -> bytes:
        """This worker's metrics, then the writer's (counted from the records it builds)."""
        own = self.metrics.render()
        if isinstance(self.pipeline, WriterClient):
            return own + (await self.pipeline.metrics_text()).encode()
        return own

    def readiness(self) -> tuple[str, str | None]:
        if self.pipeline.broken:
            return "audit", self.pipeline.broken
        if self.pipeline.full:
            return "audit", "spool full"
        return "audit", None

    def _circuit_states(self, m: Metrics) -> None:
        for name, upstream in self.holder.current.dispatcher.upstreams.items():
            state = upstream.breaker.state
            m.set(
                "interlock_circuit_state",
                {"closed": 0, "half_open": 1, "open": 2}[state],
                provider=name,
            )

    # ---- per policy ------------------------------------------------------------------------

    def _policy(self, ex: Exchange) -> Any:
        policy = getattr(ex.principal, "policy", None)
        return getattr(policy, "audit", None)

    # ---- pipeline hooks ----------------------------------------------------------------------

    # Plain functions (see AuditIntake); on_plan and on_done return a coroutine only when an
    # answer has to wait for its record (strict durability).

    def on_request(self, ex: Exchange) -> None:
        if ex.audit is not None:
            ex.audit.marks["inspected"] = _now()
        if self.pipeline.full:
            policy = self._policy(ex)
            on_full = (policy and policy.on_spool_full) or self.settings.on_spool_full
            if on_full == "refuse":
                self.metrics.inc("interlock_audit_refused_total")
                ex.decide("audit", "refused", reason="spool_full")
                raise GatewayError(
                    "audit_unavailable",
                    "The gateway cannot record this request right now; try again shortly",
                    status=503,
                    retry_after=5,
                )

    def on_plan(self, ex: Exchange, plan: list[Target]) -> Any:
        notes = ex.audit
        if notes is not None:
            notes.marks["planned"] = _now()
        if getattr(ex.request, "stream", False) and self._strict(ex):
            return self._stream_open(ex, plan)
        return plan

    async def _stream_open(self, ex: Exchange, plan: list[Target]) -> list[Target]:
        self._apply_policy(ex)
        waiter = self.pipeline.submit_stream_open(ex)
        if waiter is not None:
            await self._await_durable(waiter, ex)
        return plan

    def on_response(self, ex: Exchange) -> None:
        if ex.audit is not None:
            ex.audit.marks["response_inspected"] = _now()

    def on_done(self, ex: Exchange) -> Any:
        if ex.audit is None:
            ex.audit = Notes()
        ex.audit.marks["done"] = _now()
        strict = self._apply_policy(ex)
        waiter = self.pipeline.submit(ex, strict)
        if waiter is not None:
            return self._await_durable(waiter, ex)
        return None

    def _strict(self, ex: Exchange) -> bool:
        policy = self._policy(ex)
        return ((policy and policy.durability) or self.settings.durability) == "strict"

    def _apply_policy(self, ex: Exchange) -> bool:
        notes: Notes = ex.audit
        settings = self.settings
        policy = getattr(getattr(ex.principal, "policy", None), "audit", None)
        if policy is not None:
            notes.content = policy.content
            notes.retention_days = policy.retention_days or settings.retention_days
            strict = (policy.durability or settings.durability) == "strict"
        else:
            notes.content = settings.content
            notes.retention_days = settings.retention_days
            strict = settings.durability == "strict"
        notes.strict = strict
        return strict

    async def _await_durable(self, waiter: asyncio.Future[None], ex: Exchange) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(waiter), 30)
        except (OSError, TimeoutError) as exc:
            log.error("audit record of %s is not durable yet: %s", ex.request_id, exc)


def audit_stages(
    holder: RuntimeHolder, config: GatewayConfig, config_path: Path | None, identity: Any = None
) -> tuple[AuditIntake, AuditStage] | None:
    if not config.audit.enabled:
        log.warning("audit.enabled is false: exchanges are NOT recorded")
        return None
    return AuditIntake(), AuditStage(holder, config, config_path, identity)
