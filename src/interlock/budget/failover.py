"""Redis counters with the policy's answer to an outage: refuse traffic, or count locally.

An outage needs evidence. A call that fails or answers later than `timeout_ms` fails its own
request only (503 `counters_unavailable`, Retry-After 1, in both modes: the local counters are
trusted only once an outage is declared and they were rebuilt from the ledger); it starts a
probe, and the outage is declared only if `outage_after_failures` consecutive PINGs, one at a
time, fail too. One slow reply, or a burst of calls timing out together because this process's
event loop stalled, is not an outage; Redis frozen or gone is, within about
`outage_after_failures` x `timeout_ms`.

With `on_unavailable: local`, once the outage is declared, admissions are counted by this
process's own counters, with an alarm (an error in the log when the outage starts and ends, a
decision on every exchange counted locally, the state in `/admin/spend/status`). Spend settled
meanwhile is kept as a debt and added to the shared counters when Redis answers again, so the
outage loses no spend. Rate limits are per instance during the outage: N instances may admit
up to N times the limit until Redis is back.

A Redis that lost its data (see redis_counters.py) is reseeded from the spend ledger, the
source of truth, by one instance: it takes the lock, waits one ledger flush interval so every
instance has written the spend it settled, reads this period's spend per counter and writes it
with a new epoch. Admissions wait for that (fail closed: refused if it takes too long).
Settlements that met the empty counters, and debts of an outage, are dropped when the ledger
read by the seeding surely holds them (recorded over a flush interval before it), and added
otherwise: spend is never lost, and at most a flush interval's worth is counted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from interlock.budget.counters import (
    Admission,
    BudgetCheck,
    BudgetSettle,
    CountersUnavailable,
    CountersUnseeded,
    Crossed,
    MemoryCounters,
    RateCheck,
    Settlement,
)
from interlock.budget.redis_counters import RedisCounters

log = logging.getLogger("interlock.budget")

# What the seeding instance writes: spend per counter (key -> (nano-dollars, expiry)) and the
# warnings already sent ((key, tag) pairs), read from the ledger as of the given time.
LedgerSeed = tuple[dict[str, tuple[int, float]], list[tuple[str, str]]]
SeedSource = Callable[[float], Awaitable[LedgerSeed]]

PROBE_GAP_S = 0.05  # between the probes confirming an outage
SEED_LOCK_S = 30.0  # a seeding instance that dies frees the lock after this


class FailoverCounters:
    name = "redis"

    def __init__(
        self,
        shared: RedisCounters,
        local: MemoryCounters,
        on_unavailable: Literal["refuse", "local"],
        probe_s: float,
        on_down: Callable[[], None] | None = None,
        outage_after_failures: int = 3,
        seed_source: SeedSource | None = None,
        flush_s: float | None = None,
    ) -> None:
        self.shared = shared
        self.local = local
        self.mode = on_unavailable
        self.probe_s = probe_s
        self.on_down = on_down
        self.outage_after = outage_after_failures
        self.seed_source = seed_source
        # How long a seeding waits for every instance to flush its ledger rows.
        self.flush_wait_s = (flush_s if flush_s is not None else probe_s) + 0.25
        self.down_since: float | None = None
        self.last_error: str | None = None
        self.outages = 0
        self.failed_calls = 0  # calls that failed (each failed its own request only)
        self.failed_probes = 0
        self.reseeds = 0  # seedings this instance wrote
        self.epoch: str | None = None  # the seeding these counters were last seen to hold
        # Settlements Redis has not (knowingly) applied, with when they were recorded, replayed
        # when it answers. Each carries its exchange's id: one that did reach Redis after all
        # is not counted twice.
        self.debt: list[tuple[float, Settlement]] = []
        self._watch: asyncio.Task[None] | None = None
        self._seeding: asyncio.Task[None] | None = None

    @property
    def available(self) -> bool:
        return self.down_since is None

    def _failed(self, exc: Exception) -> None:
        """A call failed: evidence, not yet an outage. The watcher probes to confirm."""
        self.last_error = str(exc)
        self.failed_calls += 1
        self._watching()

    def _watching(self) -> None:
        if self._watch is None or self._watch.done():
            self._watch = asyncio.ensure_future(self._run_watch())

    def _declare_down(self) -> None:
        if self.down_since is not None:
            return
        self.down_since = time.time()
        self.outages += 1
        log.error(
            "ALARM: Redis counters unavailable (%s; %d probes failed in a row); %s",
            self.last_error,
            self.failed_probes,
            "counting locally in this process until it is back"
            if self.mode == "local"
            else "refusing requests under budgets or rate limits until it is back",
        )
        if self.on_down is not None:
            self.on_down()

    async def start(self) -> None:
        try:
            await self.shared.warm()
        except CountersUnavailable as exc:
            # Nothing answered at all: no request to fail, the probes decide.
            self._failed(exc)

    async def admit(self, rates: list[RateCheck], budgets: list[BudgetCheck]) -> Admission:
        if self.down_since is None:
            for attempt in range(2):
                try:
                    return await self.shared.admit(rates, budgets)
                except CountersUnseeded:
                    if attempt:
                        raise
                    # Held until the counters hold the ledger's spend again, then once more.
                    await self.ensure_seeded(wait_s=self.flush_wait_s + 5)
                except CountersUnavailable as exc:
                    self._failed(exc)
                    raise
        if self.mode == "refuse":
            raise CountersUnavailable(self.last_error or "Redis is unavailable")
        admission = self.local.admit_now(rates, budgets)
        admission.backend = "local"
        return admission

    async def settle(self, settlement: Settlement, backend: str = "redis") -> Crossed:
        if backend == "redis":
            if self.down_since is None:
                try:
                    return await self.shared.settle(settlement)
                except CountersUnseeded:
                    self._watching()
                except CountersUnavailable as exc:
                    self._failed(exc)
            # Admitted in Redis: the replay releases its reservation there too.
            self.debt.append((time.time(), settlement))
            local = Settlement(
                settlement.refunds,
                [
                    BudgetSettle(b.key, 0, b.spend_nano, b.limit_nano, b.thresholds, b.expires_at)
                    for b in settlement.budgets
                ],
            )
            return self.local.settle_now(local)
        # Admitted locally: Redis holds no reservation for it, only the spend is owed.
        self.debt.append(
            (
                time.time(),
                Settlement(
                    [],
                    [
                        BudgetSettle(
                            b.key, 0, b.spend_nano, b.limit_nano, b.thresholds, b.expires_at
                        )
                        for b in settlement.budgets
                    ],
                    0,
                    settlement.id,
                ),
            )
        )
        return self.local.settle_now(settlement)

    async def mark_once(self, key: str, tag: str, expires_at: float) -> bool:
        if self.down_since is None:
            try:
                return await self.shared.mark_once(key, tag, expires_at)
            except CountersUnavailable as exc:
                self._failed(exc)
        return await self.local.mark_once(key, tag, expires_at)

    async def peek(self, keys: list[str]) -> list[tuple[int, int]]:
        if self.down_since is None:
            try:
                return await self.shared.peek(keys)
            except CountersUnavailable as exc:
                self._failed(exc)
        return await self.local.peek(keys)

    # ---- probing, declaring and ending outages --------------------------------------------------

    async def _run_watch(self) -> None:
        """Confirm or dismiss a failure, then (outage or not) pay what is owed to Redis."""
        self.failed_probes = 0
        while True:
            if self.down_since is not None:
                await asyncio.sleep(self.probe_s)
            try:
                await self.shared.ping()
            except CountersUnavailable as exc:
                self.last_error = str(exc)
                self.failed_probes += 1
                if self.down_since is None:
                    if self.failed_probes >= self.outage_after:
                        self._declare_down()
                    else:
                        await asyncio.sleep(PROBE_GAP_S)
                continue
            self.failed_probes = 0
            try:
                await self._pay_debt()
            except CountersUnavailable as exc:
                self.last_error = str(exc)
                if self.down_since is None:
                    await asyncio.sleep(self.probe_s)  # e.g. the ledger is away: try again
                continue
            if self.down_since is not None:
                log.error(
                    "Redis counters are back after %.1f s%s",
                    time.time() - self.down_since,
                    "; spend counted locally meanwhile was added" if self.mode == "local" else "",
                )
                self.down_since = None
            if not self.debt:
                return

    async def _pay_debt(self) -> None:
        epoch = await self.shared.epoch()
        if epoch is None:
            await self.ensure_seeded()
        elif epoch != self.epoch:
            self._adopt(epoch)
        while self.debt:
            batch = self.debt[:500]
            try:
                await self.shared.replay([s for _, s in batch])
            except CountersUnseeded:
                await self.ensure_seeded()
                continue
            del self.debt[: len(batch)]

    # ---- seeding the counters from the ledger ---------------------------------------------------

    async def ensure_seeded(self, wait_s: float | None = None) -> None:
        """Return once Redis holds a seeding (this instance's or another's); one seeding task
        per instance, shared by every caller waiting for it."""
        if self._seeding is None or self._seeding.done():
            self._seeding = asyncio.ensure_future(self._seed())
        if wait_s is None:
            await asyncio.shield(self._seeding)
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._seeding), wait_s)
        except TimeoutError:
            raise CountersUnavailable(
                "budget counters are being reseeded from the ledger"
            ) from None

    async def _seed(self) -> None:
        while True:
            epoch = await self.shared.epoch()
            if epoch is not None:
                self._adopt(epoch)
                return
            if self.seed_source is None:
                # Nothing to seed from (no ledger): start the counters from zero.
                epoch = f"{os.urandom(8).hex()}:{time.time():.3f}"
                if await self.shared.lock_seeding(epoch, SEED_LOCK_S):
                    await self.shared.write_seed(epoch, epoch, {}, [])
                continue
            token = os.urandom(8).hex()
            if not await self.shared.lock_seeding(token, SEED_LOCK_S):
                await asyncio.sleep(PROBE_GAP_S)  # another instance seeds: wait for its epoch
                continue
            started = time.monotonic()
            try:
                # Every instance writes its settled spend to the ledger once per flush interval:
                # after one, the ledger holds all spend settled before the lock was taken.
                await asyncio.sleep(self.flush_wait_s)
                read_at = time.time()
                spent, marks = await self.seed_source(read_at)
                epoch = f"{token}:{read_at:.3f}"
                if not await self.shared.write_seed(token, epoch, spent, marks):
                    continue  # the lock expired meanwhile: start over
            except BaseException:
                await self.shared.unlock_seeding(token)
                raise
            self.reseeds += 1
            # An epoch seen before and now gone: Redis lost the counters (an alarm). None seen
            # yet: a new Redis, or this instance started after it lost them.
            log.log(
                logging.ERROR if self.epoch is not None else logging.WARNING,
                "%sRedis held no budget counters from the ledger; %d counter(s) seeded from the "
                "spend ledger in %.2f s",
                "ALARM: " if self.epoch is not None else "",
                len(spent),
                time.monotonic() - started,
            )
            self._adopt(epoch)
            return

    def _adopt(self, epoch: str) -> None:
        """Counters seeded anew (by any instance): debts the ledger read already holds go."""
        if epoch == self.epoch:
            return
        self.epoch = epoch
        try:
            read_at = float(epoch.rsplit(":", 1)[1])
        except (IndexError, ValueError):
            return
        cutoff = read_at - self.flush_wait_s
        kept = [(at, s) for at, s in self.debt if at >= cutoff]
        if len(kept) < len(self.debt):
            log.warning(
                "%d settlement(s) owed to Redis are in the ledger it was reseeded from: dropped",
                len(self.debt) - len(kept),
            )
        self.debt = kept

    async def close(self) -> None:
        for task in (self._watch, self._seeding):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self.shared.close()
