"""Redis counters with the policy's answer to an outage: refuse traffic, or count locally.

With `on_unavailable: local`, an admission that cannot reach Redis is counted by this
process's own counters, with an alarm (an error in the log when the outage starts and ends, a
decision on every exchange counted locally, the state in `/admin/spend/status`). Spend settled
meanwhile is kept as a debt and added to the shared counters when Redis answers again, so the
outage loses no spend. Rate limits are per instance during the outage: N instances may admit
up to N times the limit until Redis is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Literal

from interlock.budget.counters import (
    Admission,
    BudgetCheck,
    BudgetSettle,
    CountersUnavailable,
    Crossed,
    MemoryCounters,
    RateCheck,
    Settlement,
)
from interlock.budget.redis_counters import RedisCounters

log = logging.getLogger("interlock.budget")


class FailoverCounters:
    name = "redis"

    def __init__(
        self,
        shared: RedisCounters,
        local: MemoryCounters,
        on_unavailable: Literal["refuse", "local"],
        probe_s: float,
        on_down: Callable[[], None] | None = None,
    ) -> None:
        self.shared = shared
        self.local = local
        self.mode = on_unavailable
        self.probe_s = probe_s
        self.on_down = on_down
        self.down_since: float | None = None
        self.last_error: str | None = None
        self.outages = 0
        # Settlements Redis has not (knowingly) applied, replayed when it is back. Each carries
        # its exchange's id, so one that did reach Redis after all is not counted twice.
        self.debt: list[Settlement] = []
        self._probe: asyncio.Task[None] | None = None

    @property
    def available(self) -> bool:
        return self.down_since is None

    def _down(self, exc: Exception) -> None:
        self.last_error = str(exc)
        if self.down_since is not None:
            return
        self.down_since = time.time()
        self.outages += 1
        log.error(
            "ALARM: Redis counters unavailable (%s); %s",
            exc,
            "counting locally in this process until it is back"
            if self.mode == "local"
            else "refusing requests under budgets or rate limits until it is back",
        )
        if self.on_down is not None:
            self.on_down()
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(self._recover())

    async def start(self) -> None:
        try:
            await self.shared.warm()
        except CountersUnavailable as exc:
            self._down(exc)

    async def admit(self, rates: list[RateCheck], budgets: list[BudgetCheck]) -> Admission:
        if self.down_since is None:
            try:
                return await self.shared.admit(rates, budgets)
            except CountersUnavailable as exc:
                self._down(exc)
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
                except CountersUnavailable as exc:
                    self._down(exc)
            # Admitted in Redis: the replay releases its reservation there too.
            self.debt.append(settlement)
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
            Settlement(
                [],
                [
                    BudgetSettle(b.key, 0, b.spend_nano, b.limit_nano, b.thresholds, b.expires_at)
                    for b in settlement.budgets
                ],
                0,
                settlement.id,
            )
        )
        return self.local.settle_now(settlement)

    async def mark_once(self, key: str, tag: str, expires_at: float) -> bool:
        if self.down_since is None:
            try:
                return await self.shared.mark_once(key, tag, expires_at)
            except CountersUnavailable as exc:
                self._down(exc)
        return await self.local.mark_once(key, tag, expires_at)

    async def peek(self, keys: list[str]) -> list[tuple[int, int]]:
        if self.down_since is None:
            try:
                return await self.shared.peek(keys)
            except CountersUnavailable as exc:
                self._down(exc)
        return await self.local.peek(keys)

    async def _recover(self) -> None:
        while self.down_since is not None:
            await asyncio.sleep(self.probe_s)
            try:
                await self.shared.ping()
                while self.debt:
                    batch = self.debt[:500]
                    await self.shared.replay(batch)
                    del self.debt[: len(batch)]
            except CountersUnavailable as exc:
                self.last_error = str(exc)
                continue
            log.error(
                "Redis counters are back after %.1f s%s",
                time.time() - self.down_since,
                "; spend counted locally meanwhile was added" if self.mode == "local" else "",
            )
            self.down_since = None

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._probe
        await self.shared.close()
