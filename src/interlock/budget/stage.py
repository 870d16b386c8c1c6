"""The cost-control stage: admit before dispatch, settle after the answer.

- `on_plan` (admit): the caller's policy names its budgets and rate limits. The stage estimates
  the request's input tokens locally, takes its worst case (estimated input plus the largest
  answer it may get, at the dearest price in the plan) and asks the counters, in one atomic
  step, to take it from every rate bucket and reserve it on every budget that applies. A
  budget that cannot hold it either blocks (429 in the caller's format) or downgrades the
  request to the policy's cheaper model, which is admitted in turn and recorded.
- `on_done` (settle): the real usage (the provider's, or a local count where it gave none)
  priced from the catalogue or the configuration is written to the spend ledger, and replaces
  the reservation; a failed request just releases it. Thresholds crossed for the first time in
  a period send their warning: a decision, an event in the database and a signed webhook.

Budgets come from the callers' policies (YAML) and from the database (`/admin/budgets`,
budget/managed.py), reloaded on every instance when their change counter moves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from interlock.budget.catalogue import NANO_PER_USD, Price
from interlock.budget.counters import (
    Admission,
    BudgetCheck,
    BudgetSettle,
    CountersUnavailable,
    Crossed,
    MemoryCounters,
    RateCheck,
    Settlement,
    TokenRefund,
)
from interlock.budget.ledger import BudgetEvent, Ledger
from interlock.budget.limits import (
    GRACE_S,
    CompiledBudget,
    CostState,
    PolicyCost,
    compile_cost,
    dimension_values,
)
from interlock.budget.managed import (
    budget_version,
    compile_rows,
    load_rows,
    scope_spend,
    shares_counter,
)
from interlock.budget.tokens import count_output_tokens, estimate_input_tokens
from interlock.budget.webhook import WebhookSender
from interlock.config.schema import GatewayConfig
from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, ChatResponse, Exchange, Usage
from interlock.providers.base import Target
from interlock.server.runtime import RuntimeHolder
from interlock.store import Store, StoreError, open_store

log = logging.getLogger("interlock.budget")

STAGE = "budget"
# The longest answer assumed when neither the request nor the catalogue says.
DEFAULT_MAX_OUTPUT = 4096
WARNING_HEADER = "x-interlock-budget-warning"
DOWNGRADE_HEADER = "x-interlock-downgraded"

BUDGET_STAGE = web.AppKey("budget_stage", object)


@dataclass(slots=True)
class Ticket:
    """What admission reserved, for settlement to release."""

    state: CostState
    policy: PolicyCost
    at: float
    backend: str
    slot: int
    reserved: list[tuple[BudgetCheck, CompiledBudget]]
    token_charges: list[RateCheck]
    input_estimate: int
    model: str  # the model admitted (after any downgrade)
    # Its settlement may cross a warning threshold: shared counters then settle it before the
    # exchange is done (see `near_threshold`), so the warning is a decision on it.
    near_threshold: bool = False


def usd(nano: int) -> float:
    return nano / NANO_PER_USD


class BudgetStage:
    def __init__(
        self, holder: RuntimeHolder, config: GatewayConfig, config_path: Path | None = None
    ) -> None:
        self.holder = holder
        self.clock: Callable[[], float] = time.time
        self.settings = config.counters
        base_dir = config_path.parent if config_path is not None else None
        # Spend is persisted to the gateway's database. A gateway without identity and without
        # a `database` section (a test of the core, a proxy behind another gateway) keeps its
        # spend in memory only rather than create a database file nobody asked for.
        persist = config.auth.enabled or "database" in config.model_fields_set
        self.store: Store | None = open_store(config.database.url, base_dir) if persist else None
        self.ledger = Ledger(self.store, config.counters.flush_s)
        self.local = MemoryCounters(clock=lambda: self.clock())
        self.failover: Any = None
        if config.counters.backend == "redis":
            from interlock.budget.failover import FailoverCounters
            from interlock.budget.redis_counters import RedisCounters

            assert config.counters.url is not None
            shared = RedisCounters(
                config.counters.url,
                config.counters.timeout_ms / 1000,
                config.counters.prefix,
                config.server.total_timeout_s,
            )
            self.failover = FailoverCounters(
                shared,
                self.local,
                config.counters.on_unavailable,
                config.counters.flush_s,
                on_down=self._on_shared_down,
                outage_after_failures=config.counters.outage_after_failures,
                seed_source=self._ledger_seed,
                flush_s=config.counters.flush_s,
            )
        self.webhooks = WebhookSender()
        self._state: CostState | None = None
        self._tickets: dict[str, Ticket] = {}
        self._loaded: set[tuple[Any, ...]] = set()
        self._rebuilding: asyncio.Task[None] | None = None
        self._restore_failed_at: float | None = None
        self._pending_settles: set[asyncio.Task[None]] = set()
        # Budgets managed in the database (budget/managed.py), reloaded when their change
        # counter moves; polled like identity's revocations.
        self._managed_rows: list[dict[str, Any]] = []
        self._managed_version: int | None = None
        self._refresh_s = config.database.refresh_s
        self._watch: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def counters(self) -> Any:
        return self.failover if self.failover is not None else self.local

    # ---- lifecycle -----------------------------------------------------------------------------

    def install(self, app: web.Application) -> None:
        app[BUDGET_STAGE] = self
        app.on_startup.append(self._start)
        app.on_cleanup.append(self._stop)
        from interlock.budget.admin import register_budget_routes, register_spend_routes

        register_spend_routes(app, self)
        register_budget_routes(app, self)

    async def _start(self, app: web.Application) -> None:
        try:
            await self.ledger.ensure_ready()
        except StoreError as exc:
            # Serve anyway: requests under no budget do not need it, budgets refuse (fail
            # closed) until their counters are restored, and the ledger keeps trying.
            log.error("spend ledger database unavailable: %s", exc)
        self.ledger.start()
        if self.failover is not None:
            await self.failover.start()
        if self.store is not None:
            with contextlib.suppress(StoreError):
                await self.load_managed()
            self._watch = asyncio.ensure_future(self._watch_managed())
        if self.failover is not None:
            # A Redis without the ledger's spend (new, or restarted empty) is seeded first.
            with contextlib.suppress(CountersUnavailable):
                await self.failover.ensure_seeded(wait_s=self.failover.flush_wait_s + 10)
        # Serve only once the counters hold the spend of the periods under way.
        self._rebuild(self.state())
        with contextlib.suppress(Exception):
            await self._ready()

    async def _stop(self, app: web.Application) -> None:
        if self._watch is not None:
            # Asked to stop, not cancelled: a cancel landing mid-transaction would roll back on
            # one SQLite connection while its last statement still runs in another thread.
            self._stopping.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._watch), 5)
            except TimeoutError:
                self._watch.cancel()
        if self._pending_settles:
            await asyncio.wait(list(self._pending_settles), timeout=5)
        await self.ledger.close()
        await self.webhooks.close()
        if self.failover is not None:
            await self.failover.close()
        if self.store is not None:
            await self.store.close()

    def state(self) -> CostState:
        # Before the runtime starts (our own startup runs first), the configuration as loaded.
        runtime = getattr(self.holder, "current", None)
        config = runtime.config if runtime is not None else self.holder.initial
        state = self._state
        if state is None or state.config is not config:
            if state is not None and config.counters != self.settings:
                log.warning("counters settings changed in the file; they take effect on restart")
            state = self._state = compile_cost(config)
            state.managed = compile_rows(self._managed_rows, config)
            if any(b.family not in self._loaded for b in _all_budgets(state)):
                self._rebuild(state)
        return state

    # ---- budgets managed in the database -------------------------------------------------------

    async def load_managed(self) -> bool:
        """Reload the database's budgets if their change counter moved; True when it did."""
        assert self.store is not None
        await self.ledger.ensure_ready()
        known = self._managed_version
        if known is not None and await budget_version(self.store) == known:
            return False
        version, rows = await load_rows(self.store)
        self._managed_version, self._managed_rows = version, rows
        state = self.state()
        state.managed = compile_rows(rows, state.config)
        self._forget_unused(state)
        if any(b.family not in self._loaded for b in _all_budgets(state)):
            self._rebuild(state)
        task = self._rebuilding
        if task is not None and not task.done():
            # Restored before this returns: a change reads back with its spend so far.
            with contextlib.suppress(Exception):
                await asyncio.shield(task)
        log.info("budgets from the database: %d (change counter %d)", len(rows), version)
        return True

    async def _watch_managed(self) -> None:
        failing = False
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._refresh_s)
            if self._stopping.is_set():
                return
            try:
                await self.load_managed()
                failing = False
            except StoreError as exc:
                # The budgets last read stay in force until the database answers again.
                if not failing:
                    log.error("budgets from the database not refreshed: %s", exc)
                failing = True
            except Exception:  # a dead watcher would leave changes unseen: keep it alive
                log.exception("budgets from the database not refreshed")

    def _forget_unused(self, state: CostState) -> None:
        """Counters of families no budget uses any more are dropped: were one to come back, it
        is restored from the ledger, with the spend made while nothing counted it."""
        active = {b.family for b in _all_budgets(state)}
        gone = self._loaded - active
        if not gone:
            return
        self._loaded -= gone
        kept = {family[:4] for family in active}
        dropped = {family[:4] for family in gone} - kept
        for key in [k for k in self.local.budgets if _key_family(k) in dropped]:
            del self.local.budgets[key]

    async def peek(self, keys: list[str]) -> list[tuple[int, int]]:
        try:
            return await self.counters.peek(keys)  # type: ignore[no-any-return]
        except CountersUnavailable:
            return await self.local.peek(keys)

    async def seed_shared(self, b: CompiledBudget) -> None:
        """Before a managed budget is saved: start its Redis counter from the ledger, so it
        counts this period's spend made before it existed (in-process counters are restored
        from the ledger when the budget loads)."""
        if self.failover is None or self.store is None or not self.failover.available:
            return
        period = b.current(self.clock())
        await self.ledger.flush()
        spent = await scope_spend(self.store, b, period)
        live = shares_counter(b, _all_budgets(self.state()))
        key = b.key(dict(b.scope or ()), period)
        try:
            await self.failover.shared.seed(key, spent, period.end + GRACE_S, overwrite=not live)
        except CountersUnavailable as exc:
            log.error("budget counter %s not seeded from the ledger: %s", key, exc)

    async def _ledger_seed(self, now: float) -> Any:
        from interlock.budget.reseed import ledger_seed

        return await ledger_seed(self.ledger, _all_budgets(self.state()), now)

    # ---- rebuilding in-process counters from the ledger ---------------------------------------

    def _rebuild(self, state: CostState) -> None:
        if self._rebuilding is not None and not self._rebuilding.done():
            return  # the running rebuild re-reads the state when it is done
        self._rebuilding = asyncio.ensure_future(self._rebuild_from_ledger())

    async def _rebuild_from_ledger(self) -> None:
        while True:
            state = self.state()
            todo: dict[tuple[Any, ...], CompiledBudget] = {}
            for b in _all_budgets(state):
                if b.family not in self._loaded:
                    todo.setdefault(b.family, b)
            if not todo:
                return
            if self.store is None:
                self._loaded.update(todo)
                continue
            now = self.clock()
            async with self.ledger.lock:
                starts = {b.current(now).start for b in todo.values()}
                rows_since = {start: await self.ledger.spend_since(start) for start in starts}
                marks = await self.ledger.marks_since(now)
                for family, b in todo.items():
                    period = b.current(now)
                    for row in rows_since[period.start]:
                        if not b.applies(row["model"]):
                            continue
                        values = {
                            "team": row["team_id"],
                            "app": row["app_id"],
                            "model": row["model"],
                            "key": row["key_id"],
                            "identity": row["identity_id"],
                        }
                        self.local.add_spend(
                            b.key(values, period), int(row["cost_nano"]), period.end + GRACE_S
                        )
                    self._loaded.add(family)
                for mark in marks:
                    self.local.marks[(mark["counter"], mark["threshold"])] = (
                        float(mark["period_end"]) + GRACE_S
                    )
            log.info("budget counters restored from the spend ledger for %d limit(s)", len(todo))

    async def _ready(self) -> None:
        task = self._rebuilding
        if task is None:
            return
        if not task.done():
            if self._restore_failed_at is None:
                await asyncio.shield(task)  # once, at start or after a reload: a short wait
            else:
                raise _restoring()  # retrying after a failure: do not hold requests meanwhile
        exc = task.exception() if task.done() else None
        if exc is None:
            self._restore_failed_at = None
            return
        now = time.monotonic()
        if self._restore_failed_at is None:
            log.error("cannot restore budget counters from the spend ledger: %s", exc)
        if self._restore_failed_at is None or now - self._restore_failed_at >= 1.0:
            self._restore_failed_at = now
            self._rebuilding = None
            self._rebuild(self.state())  # try again in the background
        raise _restoring()

    def _on_shared_down(self) -> None:
        # Local counters take over: start them from everything the ledger knows.
        self.local.budgets.clear()
        self._loaded.clear()
        self._rebuilding = None
        self._rebuild(self.state())

    # ---- admit ----------------------------------------------------------------------------------

    def on_plan(self, ex: Exchange, plan: list[Target]) -> list[Target] | Awaitable[list[Target]]:
        # A plain function: most exchanges fall under no budget and pay a call, not a
        # coroutine; the others get `_admit_plan`'s coroutine for the pipeline to await.
        principal = ex.principal
        if principal is None or not plan or ex.request is None:
            return plan
        state = self.state()
        policy = state.policies.get(principal.policy_name)
        if policy is None or not (policy.active or state.managed):
            return plan
        return self._admit_plan(ex, plan, state, policy)

    async def _admit_plan(
        self, ex: Exchange, plan: list[Target], state: CostState, policy: PolicyCost
    ) -> list[Target]:
        await self._ready()
        now = self.clock()
        input_tokens = estimate_input_tokens(ex.request, state.family_of(plan[0].provider))
        admission, checks, charges = await self._admit(ex, state, policy, plan, input_tokens, now)
        if not admission.admitted and admission.refused_rate is None:
            plan, admission, checks, charges = await self._exceeded(
                ex, state, policy, plan, input_tokens, now, admission, checks
            )
        self._tickets[ex.request_id] = Ticket(
            state, policy, now, admission.backend, admission.ticket,
            checks, charges, input_tokens, plan[0].name, near_threshold(admission, checks),
        )  # fmt: skip
        return plan

    async def _admit(
        self,
        ex: Exchange,
        state: CostState,
        policy: PolicyCost,
        plan: list[Target],
        input_tokens: int,
        now: float,
        exempt: tuple[CompiledBudget, ...] = (),
    ) -> tuple[Admission, list[tuple[BudgetCheck, CompiledBudget]], list[RateCheck]]:
        req = ex.request
        assert req is not None
        target = plan[0]
        values = dimension_values(ex.principal, target.name)
        budgets = [b for b in policy.budgets if b.applies(target.name)]
        budgets += [b for b in state.managed if b.applies(target.name) and b.matches(values)]
        checks: list[tuple[BudgetCheck, CompiledBudget]] = []
        worst = 0
        if budgets:
            worst = self._worst_case(state, plan, req, input_tokens)
            for b in budgets:
                period = b.current(now)
                limit = None if b in exempt else b.limit_nano
                check = BudgetCheck(b.key(values, period), limit, worst, period.end + GRACE_S)
                checks.append((check, b))
        rates: list[RateCheck] = []
        declared = (req.max_tokens or 0) * req.n if isinstance(req, ChatRequest) else 0
        for r in policy.rates:
            if not r.applies(target.name):
                continue
            for w in r.windows:
                cost = 1.0 if w.unit == "requests" else float(input_tokens + declared)
                if cost > w.limit:
                    ex.decide("rate_limit", "refused", limit=w.suffix, tokens=cost, max=w.limit)
                    raise GatewayError(
                        "rate_limited",
                        f"This request needs about {int(cost)} tokens, more than the limit of "
                        f"{w.limit} tokens per {'minute' if w.window_s == 60 else 'day'}; "
                        "send a shorter prompt or a lower max_tokens",
                    )
                rates.append(
                    RateCheck(
                        r.key(values, w), w.limit, w.limit / w.window_s, cost, w.window_s + 60
                    )
                )
        try:
            admission = await self.counters.admit(rates, [c for c, _ in checks])
        except CountersUnavailable as exc:
            ex.decide(STAGE, "refused", reason="counters_unavailable", error=str(exc))
            raise GatewayError(
                "counters_unavailable",
                "Budgets and rate limits cannot be checked right now; the request was not sent",
                status=503,
                retry_after=1,
            ) from None
        self._rate_headers(ex, policy, rates, admission)
        if admission.refused_rate is not None:
            refused = rates[admission.refused_rate]
            ex.decide(
                "rate_limit", "refused", key=refused.key, limit=refused.capacity,
                retry_after_s=round(admission.retry_after, 3), counters=admission.backend,
            )  # fmt: skip
            raise GatewayError(
                "rate_limited",
                f"Rate limit reached ({_describe_rate(refused)}); retry in "
                f"{max(1, math.ceil(admission.retry_after))} s",
                retry_after=admission.retry_after,
            )
        if admission.admitted:
            self._warning_header(ex, checks, admission)
            detail: dict[str, Any] = {
                "model": target.name,
                "input_estimate": input_tokens,
                "reserved_usd": usd(worst),
                "counters": admission.backend,
                "budgets": [
                    {"budget": b.label, "counter": c.key, "spent_usd": usd(admission.spent[j]),
                     "limit_usd": usd(b.limit_nano)}
                    for j, (c, b) in enumerate(checks)
                ],
            }  # fmt: skip
            if admission.backend == "local":
                detail["alarm"] = "redis unavailable: counted in this instance only"
            if rates:
                ex.decide("rate_limit", "allowed", counters=admission.backend)
            if checks:
                ex.decide(STAGE, "admitted", **detail)
        return admission, checks, [r for r in rates if not _is_request_window(r)]

    def _worst_case(self, state: CostState, plan: list[Target], req: Any, input_tokens: int) -> int:
        worst = 0
        for target in plan:
            price = state.prices.get(target.name)
            if price is None:
                # A budget cannot hold what it cannot price: refuse rather than let it through.
                raise GatewayError(
                    "price_unknown",
                    f"No price is known for the model '{target.name}'; an administrator must "
                    f"set models.{target.name}.price before it can be used under a budget",
                    status=503,
                )
            output = 0
            if isinstance(req, ChatRequest):
                output = (req.max_tokens or price.max_output_tokens or DEFAULT_MAX_OUTPUT) * req.n
            worst = max(worst, price.worst_case_nano(input_tokens, output))
        return worst

    async def _exceeded(
        self,
        ex: Exchange,
        state: CostState,
        policy: PolicyCost,
        plan: list[Target],
        input_tokens: int,
        now: float,
        admission: Admission,
        checks: list[tuple[BudgetCheck, CompiledBudget]],
    ) -> tuple[list[Target], Admission, list[tuple[BudgetCheck, CompiledBudget]], list[RateCheck]]:
        over = [(admission.spent[j], checks[j][0], checks[j][1]) for j in admission.exceeded]
        for spent, check, b in over:
            self._exceeded_once(ex, policy, b, check, spent)
        blocking = [item for item in over if item[2].on_exceed == "block"]
        downgrade = next((b for _, _, b in over if b.on_exceed == "downgrade"), None)
        if not blocking and downgrade is not None and downgrade.downgrade_to != plan[0].name:
            cheaper = self._downgrade_plan(ex, downgrade.downgrade_to or "")
            if cheaper:
                exempt = tuple(b for _, _, b in over)
                second, checks2, charges2 = await self._admit(
                    ex, state, policy, cheaper, input_tokens, now, exempt
                )
                if second.admitted:
                    ex.decide(
                        "routing", "downgraded", requested=plan[0].name, model=cheaper[0].name,
                        budget=downgrade.label, reason="budget exhausted",
                    )  # fmt: skip
                    ex.headers[DOWNGRADE_HEADER] = f"{plan[0].name} -> {cheaper[0].name}"
                    return cheaper, second, checks2, charges2
                # The cheaper model does not fit either: another budget blocks it.
                blocking = [
                    (second.spent[j], checks2[j][0], checks2[j][1]) for j in second.exceeded
                ]
        spent, _, first = (blocking or over)[0]
        ex.decide(
            STAGE, "refused", reason="budget_exceeded", budget=first.label,
            spent_usd=usd(spent), limit_usd=usd(first.limit_nano), period=first.period,
        )  # fmt: skip
        raise GatewayError(
            "budget_exceeded",
            f"The budget '{first.label}' of ${first.limit_nano / NANO_PER_USD:,.2f} per "
            f"{first.period} is used up (${spent / NANO_PER_USD:,.4f} spent, more reserved by "
            "requests in flight); this request was not sent",
            status=429,
            retry_after=max(1.0, first.current(now).end - now),
        )

    def _downgrade_plan(self, ex: Exchange, model: str) -> list[Target]:
        try:
            plan = self.holder.current.routes.plan(model, "chat")
        except GatewayError:
            return []
        if ex.model_filter is not None:
            plan = [t for t in plan if ex.model_filter(t.name)]
        return plan

    def _exceeded_once(
        self, ex: Exchange, policy: PolicyCost, b: CompiledBudget, check: BudgetCheck, spent: int
    ) -> None:
        """The first refusal (or downgrade) of a period is an event, once, off the path."""
        period = b.current(self.clock())

        async def mark() -> None:
            with contextlib.suppress(CountersUnavailable):
                if await self.counters.mark_once(check.key, "exceeded", check.expires_at):
                    self._event(
                        ex.request_id, policy, b, check.key, "exceeded", 1.0, spent, period.end
                    )

        self._background(mark())

    # ---- response headers ------------------------------------------------------------------------

    def _rate_headers(
        self, ex: Exchange, policy: PolicyCost, rates: list[RateCheck], admission: Admission
    ) -> None:
        for unit in ("requests", "tokens"):
            tightest: tuple[float, RateCheck, float] | None = None
            for check, level in zip(rates, admission.levels, strict=True):
                if _is_request_window(check) != (unit == "requests"):
                    continue
                share = level / check.capacity
                if tightest is None or share < tightest[0]:
                    tightest = (share, check, level)
            if tightest is None:
                continue
            _, check, level = tightest
            ex.headers[f"x-ratelimit-limit-{unit}"] = str(int(check.capacity))
            ex.headers[f"x-ratelimit-remaining-{unit}"] = str(max(0, math.floor(level)))
            ex.headers[f"x-ratelimit-reset-{unit}"] = _duration(
                max(0.0, check.capacity - level) / check.per_second
            )

    def _warning_header(
        self, ex: Exchange, checks: list[tuple[BudgetCheck, CompiledBudget]], admission: Admission
    ) -> None:
        warnings = []
        for j, (_, b) in enumerate(checks):
            used = admission.spent[j] / b.limit_nano
            if b.warn_at and used >= b.warn_at[0]:
                warnings.append(f"{b.label}: {used:.0%} of ${b.limit_nano / NANO_PER_USD:,.2f}")
        if warnings:
            ex.headers[WARNING_HEADER] = "; ".join(warnings)

    # ---- settle ---------------------------------------------------------------------------------

    def on_done(self, ex: Exchange) -> Awaitable[None] | None:
        """Settle the exchange; a coroutine to await only when a Redis settlement must land
        before later stages (the audit) see the exchange."""
        ticket = self._tickets.pop(ex.request_id, None)
        state = ticket.state if ticket is not None else self.state()
        served = ex.served_by
        usage = ex.usage
        cost = 0
        at = ticket.at if ticket is not None else self.clock()
        if served is not None:
            provider, model = served
            source = "provider"
            if usage.input_tokens == 0 and usage.output_tokens == 0 and ex.request is not None:
                # The provider reported nothing: count locally rather than record it as free.
                family = state.family_of(provider)
                usage = Usage(
                    input_tokens=ticket.input_estimate if ticket else estimate_input_tokens(ex.request, family),
                    output_tokens=count_output_tokens(ex.response, family)
                    if isinstance(ex.response, ChatResponse) else 0,
                )  # fmt: skip
                source = "local"
            price = state.prices.get(model)
            cost = price.cost_nano(usage) if price is not None else 0
            p = ex.principal
            self.ledger.record(
                at,
                (
                    p.team_id, p.app_id, model, provider, dimension_values(p, model)["key"],
                    p.identity_id,
                ) if p is not None else ("", "", model, provider, "", ""),
                (usage.input_tokens, usage.output_tokens, usage.cached_input_tokens,
                 usage.reasoning_tokens),
                cost,
            )  # fmt: skip
            ex.decide(
                "cost", "settled" if price is not None else "unpriced", model=model,
                usd=usd(cost), input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                cached_input_tokens=usage.cached_input_tokens,
                reasoning_tokens=usage.reasoning_tokens, usage=source,
                prices=price.source if price else None,
            )  # fmt: skip
        if ticket is None:
            return None
        settlement, budgets = self._settlement(ex, ticket, served, usage, cost)
        if ticket.backend == "memory":
            self._crossed(ex, ticket, settlement, budgets, self.local.settle_now(settlement))
        elif ticket.near_threshold:
            # Awaited (one round trip, batched with the settlements finishing meanwhile), so a
            # threshold this exchange crosses is a decision on it before the audit records it,
            # as with in-process counters. Redis marks each threshold once per period for all
            # instances (HSETNX in the settle script), so it fires once whoever crosses it.
            return self._settle_shared(ex, ticket, settlement, budgets)
        else:
            # Far from any threshold not yet crossed: settled off the path, as most are.
            self._background(self._settle_shared(ex, ticket, settlement, budgets))
        return None

    def _settlement(
        self, ex: Exchange, ticket: Ticket, served: tuple[str, str] | None, usage: Usage, cost: int
    ) -> tuple[Settlement, list[CompiledBudget]]:
        entries: dict[str, BudgetSettle] = {}
        owners: dict[str, CompiledBudget] = {}
        for check, b in ticket.reserved:
            entries[check.key] = BudgetSettle(
                check.key, check.reserve_nano, 0, b.limit_nano, b.warn_at, check.expires_at
            )
            owners[check.key] = b
        if served is not None and cost and served[1] == ticket.model:
            for entry in entries.values():  # the budgets that held its reservation
                entry.spend_nano += cost
        elif served is not None and cost and ex.principal is not None:
            # A fallback answered: spend goes to the budgets of the model that did.
            values = dimension_values(ex.principal, served[1])
            for b in [*ticket.policy.budgets, *ticket.state.managed]:
                if not b.applies(served[1]) or not b.matches(values):
                    continue
                period = b.current(ticket.at)
                key = b.key(values, period)
                entry = entries.get(key)
                if entry is None:
                    entry = entries[key] = BudgetSettle(
                        key, 0, 0, b.limit_nano, b.warn_at, period.end + GRACE_S
                    )
                    owners[key] = b
                entry.spend_nano += cost
        used = usage.input_tokens + usage.output_tokens if served is not None else 0
        refunds = [
            TokenRefund(c.key, c.capacity, c.per_second, c.cost - used)
            for c in ticket.token_charges
        ]
        budgets = list(entries.values())
        settlement = Settlement(refunds, budgets, ticket.slot, ex.request_id)
        return settlement, [owners[b.key] for b in budgets]

    async def _settle_shared(
        self, ex: Exchange, ticket: Ticket, settlement: Settlement, budgets: list[CompiledBudget]
    ) -> None:
        try:
            crossed = await self.counters.settle(settlement, ticket.backend)
        except CountersUnavailable as exc:
            log.error("settlement of %s not counted in Redis: %s", ex.request_id, exc)
            return
        self._crossed(ex, ticket, settlement, budgets, crossed)

    def _crossed(
        self,
        ex: Exchange,
        ticket: Ticket,
        settlement: Settlement,
        budgets: list[CompiledBudget],
        crossed: Crossed,
    ) -> None:
        for j, threshold, spent in crossed:
            b = budgets[j]
            key = settlement.budgets[j].key
            period_end = settlement.budgets[j].expires_at - GRACE_S
            self._event(
                ex.request_id, ticket.policy, b, key, "warning", threshold, spent, period_end
            )
            # On the exchange before the audit takes it: settlement is awaited in both modes.
            ex.decide(
                STAGE, "warning", budget=b.label, threshold=threshold, counter=key,
                spent_usd=usd(spent), limit_usd=usd(b.limit_nano),
            )  # fmt: skip

    def _event(
        self,
        request_id: str,
        policy: PolicyCost,
        b: CompiledBudget,
        counter: str,
        kind: str,
        threshold: float,
        spent: int,
        period_end: float,
    ) -> None:
        tag = "exceeded" if kind == "exceeded" else f"{threshold:g}"
        self.ledger.event(
            BudgetEvent(kind, counter, tag, policy.name, b.label, spent, b.limit_nano,
                        period_end, request_id)
        )  # fmt: skip
        log.warning(
            "budget %s: '%s' (%s) at %.0f%% of $%.2f", kind, b.label, counter,
            100 * spent / b.limit_nano, b.limit_nano / NANO_PER_USD,
        )  # fmt: skip
        if policy.webhook is not None:
            self.webhooks.send(
                policy.webhook,
                {
                    "type": f"budget.{kind}",
                    "policy": policy.name,
                    "budget": b.label,
                    "counter": counter,
                    "threshold": threshold,
                    "period": b.period,
                    "period_end": period_end,
                    "spent_usd": usd(spent),
                    "limit_usd": usd(b.limit_nano),
                    "on_exceed": b.on_exceed,
                    "request_id": request_id,
                    "at": time.time(),
                },
            )

    def _background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._pending_settles.add(task)
        task.add_done_callback(self._pending_settles.discard)

    # ---- status ---------------------------------------------------------------------------------

    def readiness(self) -> tuple[str, str | None]:
        """For /readyz: budgets must be enforceable, or every request under one is refused."""
        task = self._rebuilding
        if task is not None and task.done() and task.exception() is not None:
            return "budget", f"budget counters not restored: {task.exception()}"
        f = self.failover
        if f is not None and not f.available and f.mode == "refuse":
            return "budget", f"Redis counters unavailable: {f.last_error}"
        return "budget", None

    def status(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "backend": self.settings.backend,
            "persisted": self.store is not None,
            "ledger": {
                "pending_rows": len(self.ledger.pending),
                "flushed_rows": self.ledger.flushed_rows,
                "flush_failures": self.ledger.failures,
            },
            "webhooks": {"delivered": self.webhooks.delivered, "failed": self.webhooks.failed},
            "in_flight": len(self._tickets),
        }
        if self.failover is not None:
            f = self.failover
            out["redis"] = {
                "available": f.available,
                "on_unavailable": f.mode,
                "down_since": f.down_since,
                "outages": f.outages,
                "last_error": f.last_error,
                "owed_settlements": len(f.debt),
                "failed_calls": f.failed_calls,
                "reseeds": f.reseeds,
            }
        return out


def _all_budgets(state: CostState) -> list[CompiledBudget]:
    return [b for p in state.policies.values() for b in p.budgets] + state.managed


def _key_family(key: str) -> tuple[Any, ...]:
    """(dims, model filter, period kind, time zone) of a budget counter's key (limits.py)."""
    scope, period_id = key[2:].split(":", 1)
    parts = [] if scope == "all" else scope.split(";")
    dims = tuple(p.split("=", 1)[0] for p in parts if not p.startswith("models="))
    filt = next((unquote(p[7:]) for p in parts if p.startswith("models=")), "")
    kind, _, rest = period_id.partition(":")
    tz = rest.split("@", 1)[1] if "@" in rest else "UTC"
    return (dims, filt, kind, tz)


def _restoring() -> GatewayError:
    # Budgets cannot be trusted until their counters hold this period's spend: fail closed.
    return GatewayError(
        "counters_unavailable",
        "Budget counters are being restored from the spend ledger; retry shortly",
        status=503,
        retry_after=1,
    )


def near_threshold(admission: Admission, checks: list[tuple[BudgetCheck, CompiledBudget]]) -> bool:
    """Whether this request's settlement may cross a warning threshold no settlement crossed
    yet: one lies between the settled spend and that spend plus every reservation in flight
    with this one. Settled spend only grows through settlements, each marking what it crosses,
    so a threshold at or under it is done. (A request admitted later and settled sooner can
    still make an unexpected one cross: its warning is then recorded a moment later.)"""
    if not admission.admitted:
        return False
    for j, (check, b) in enumerate(checks):
        spent = admission.spent[j]
        ceiling = spent + admission.reserved[j] + check.reserve_nano
        if any(spent < t * b.limit_nano <= ceiling for t in b.warn_at):
            return True
    return False


def _is_request_window(check: RateCheck) -> bool:
    return check.key.endswith((":rpm", ":rpd"))


def _describe_rate(check: RateCheck) -> str:
    unit = "requests" if _is_request_window(check) else "tokens"
    window = "minute" if check.key.endswith(("pm",)) else "day"
    return f"{int(check.capacity)} {unit} per {window}"


def _duration(seconds: float) -> str:
    """OpenAI's reset format: 1s, 6m0s, 1h2m3s, 20ms."""
    if seconds < 1:
        return f"{max(0, round(seconds * 1000))}ms"
    s = math.ceil(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return f"{h}h{m}m{sec}s"
    if m:
        return f"{m}m{sec}s"
    return f"{sec}s"


def budget_stage(
    holder: RuntimeHolder, config: GatewayConfig, config_path: Path | None
) -> BudgetStage:
    return BudgetStage(holder, config, config_path)


__all__ = ["BUDGET_STAGE", "BudgetStage", "Price", "StoreError", "budget_stage"]
