"""What every counter backend does, and the in-process backend.

Two operations per request, each atomic over all the counters it names:

- `admit`: take one request from each rate bucket (a token bucket: `capacity` refilled at
  `per_second`), and reserve the request's worst-case cost on each budget counter — all or
  nothing. A budget admits a request only if spent + reserved + this reservation stays within
  its limit, so concurrent requests can never together pass a budget while their worst cases
  hold; what overspend remains comes only from real usage above the reservation.
- `settle`: replace the reservation by the real cost, give back unused tokens to token
  buckets, and report the warning thresholds this spend crossed for the first time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(slots=True)
class RateCheck:
    key: str
    capacity: float  # the most the bucket holds: the limit per window
    per_second: float  # refill rate: limit / window
    cost: float  # 1 for a request bucket; the worst-case tokens for a token bucket
    ttl_s: int  # idle buckets are full again after this: forget them


@dataclass(slots=True)
class BudgetCheck:
    key: str  # names the period, so a new period starts a new counter
    limit_nano: int | None  # None: reserve and count, but do not refuse (already downgraded)
    reserve_nano: int
    expires_at: float  # the period's end, plus a grace period for late settlements


@dataclass(slots=True)
class Admission:
    admitted: bool
    # Per rate check: what the bucket holds now (after this request, if admitted).
    levels: list[float]
    # Per budget check, before this request: settled spend and reservations in flight.
    spent: list[int]
    reserved: list[int]
    refused_rate: int | None = None  # index of the first rate check that refused
    retry_after: float = 0.0
    exceeded: list[int] = field(default_factory=list)  # budget checks that did not fit
    ticket: int = 0  # what settle needs to release the reservation (Redis: its time slot)
    backend: str = "memory"


@dataclass(slots=True)
class TokenRefund:
    key: str
    capacity: float
    per_second: float
    tokens: float  # reserved minus used: negative when the answer used more than reserved


@dataclass(slots=True)
class BudgetSettle:
    key: str
    release_nano: int
    spend_nano: int
    limit_nano: int
    thresholds: tuple[float, ...]  # warning fractions of the limit
    expires_at: float


@dataclass(slots=True)
class Settlement:
    refunds: list[TokenRefund]
    budgets: list[BudgetSettle]
    ticket: int = 0
    id: str = ""  # unique per exchange: a settlement replayed after an outage applies once


# (index in Settlement.budgets, threshold, spend after) for each threshold first crossed now.
Crossed = list[tuple[int, float, int]]


class Counters(Protocol):
    name: str

    async def admit(self, rates: list[RateCheck], budgets: list[BudgetCheck]) -> Admission: ...

    async def settle(self, settlement: Settlement, backend: str = ...) -> Crossed:
        """`backend`: where the admission was counted (Admission.backend)."""
        ...

    async def mark_once(self, key: str, tag: str, expires_at: float) -> bool:
        """True the first time `tag` is marked on the counter `key` (e.g. "exceeded")."""
        ...


class CountersUnavailable(Exception):
    """The shared counters could not be reached."""


class CountersUnseeded(CountersUnavailable):
    """Redis answered, but its budget counters lost their data (no epoch): reseed them first."""


class MemoryCounters:
    """Counters of this process: a dict lookup and a few float operations per check.

    The event loop is single-threaded and nothing here awaits, so each call is atomic.
    """

    name = "memory"

    def __init__(self, clock: object = time.time) -> None:
        self.clock = clock
        self.buckets: dict[str, list[float]] = {}  # key -> [level, at, expires]
        self.budgets: dict[str, list[float]] = {}  # key -> [spent, reserved, expires]
        self.marks: dict[tuple[str, str], float] = {}  # (key, tag) -> expires
        self._next_sweep = 0.0

    def _now(self) -> float:
        return self.clock()  # type: ignore[operator, no-any-return]

    def _level(self, check: RateCheck | TokenRefund, now: float) -> float:
        bucket = self.buckets.get(check.key)
        if bucket is None:
            return check.capacity
        return min(check.capacity, bucket[0] + (now - bucket[1]) * check.per_second)

    async def admit(self, rates: list[RateCheck], budgets: list[BudgetCheck]) -> Admission:
        return self.admit_now(rates, budgets)

    def admit_now(self, rates: list[RateCheck], budgets: list[BudgetCheck]) -> Admission:
        now = self._now()
        if now >= self._next_sweep:
            self._sweep(now)
        levels = [self._level(r, now) for r in rates]
        refused, retry = None, 0.0
        for i, (check, level) in enumerate(zip(rates, levels, strict=True)):
            if level < check.cost:
                refused, retry = i, (check.cost - level) / check.per_second
                break
        spent, reserved, exceeded = [], [], []
        for j, b in enumerate(budgets):
            state = self.budgets.get(b.key)
            s, r = (int(state[0]), int(state[1])) if state else (0, 0)
            spent.append(s)
            reserved.append(r)
            if b.limit_nano is not None and s + r + b.reserve_nano > b.limit_nano:
                exceeded.append(j)
        if refused is not None or exceeded:
            return Admission(False, levels, spent, reserved, refused, retry, exceeded)
        for i, check in enumerate(rates):
            levels[i] -= check.cost
            self.buckets[check.key] = [levels[i], now, now + check.ttl_s]
        for b in budgets:
            state = self.budgets.setdefault(b.key, [0, 0, b.expires_at])
            state[1] += b.reserve_nano
        return Admission(True, levels, spent, reserved)

    async def settle(self, settlement: Settlement, backend: str = "memory") -> Crossed:
        return self.settle_now(settlement)

    def settle_now(self, settlement: Settlement) -> Crossed:
        now = self._now()
        for refund in settlement.refunds:
            level = self._level(refund, now) + refund.tokens
            self.buckets[refund.key] = [
                min(refund.capacity, level),
                now,
                now + refund.capacity / refund.per_second,
            ]
        crossed: Crossed = []
        for j, b in enumerate(settlement.budgets):
            state = self.budgets.setdefault(b.key, [0, 0, b.expires_at])
            state[1] = max(0, state[1] - b.release_nano)
            state[0] += b.spend_nano
            for threshold in b.thresholds:
                if state[0] >= threshold * b.limit_nano and self._first(
                    b.key, f"{threshold:g}", b.expires_at
                ):
                    crossed.append((j, threshold, int(state[0])))
        return crossed

    async def peek(self, keys: list[str]) -> list[tuple[int, int]]:
        """(spent, reserved) of budget counters, for reports; changes nothing."""
        out = []
        for key in keys:
            state = self.budgets.get(key)
            out.append((int(state[0]), int(state[1])) if state else (0, 0))
        return out

    def add_spend(self, key: str, spend_nano: int, expires_at: float) -> None:
        """Spend counted elsewhere (the ledger, after a restart) joins this counter."""
        state = self.budgets.setdefault(key, [0, 0, expires_at])
        state[0] += spend_nano

    def _first(self, key: str, tag: str, expires_at: float) -> bool:
        if (key, tag) in self.marks:
            return False
        self.marks[(key, tag)] = expires_at
        return True

    async def mark_once(self, key: str, tag: str, expires_at: float) -> bool:
        return self._first(key, tag, expires_at)

    def _sweep(self, now: float) -> None:
        # Forget periods that are over and buckets that have refilled: memory stays bounded by
        # what is live.
        self._next_sweep = now + 60
        for store in (self.buckets, self.budgets):
            for key in [k for k, v in store.items() if v[2] < now]:
                del store[key]
        self.marks = {mark: until for mark, until in self.marks.items() if until >= now}
