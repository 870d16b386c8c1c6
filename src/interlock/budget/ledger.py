"""The spend ledger: settled exchanges summed in memory, written to the database off the path.

Each settlement adds to an in-memory row keyed by (15-minute bucket, team, application, model,
provider, key, identity); a background task writes the rows every `flush_s` seconds in one
transaction, adding to what the database already holds (so any number of instances can write
the same rows), and once more when the gateway stops. A crash loses at most the last interval.

The ledger is what spend reports read, and what in-process budget counters are rebuilt from
after a restart. Budget warnings that were sent are recorded here too, once per threshold and
period, so a restart does not send them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from interlock.store import Row, Store, StoreError, migrate

log = logging.getLogger("interlock.budget")

BUCKET_S = 900
LedgerKey = tuple[float, str, str, str, str, str, str]
COLUMNS = (
    "requests",
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "reasoning_tokens",
    "cost_nano",
)

UPSERT = (
    "INSERT INTO spend_ledger (bucket_start, team_id, app_id, model, provider, key_id, "
    "identity_id, requests, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, "
    "cost_nano) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (bucket_start, team_id, app_id, model, provider, key_id, identity_id) "
    "DO UPDATE SET " + ", ".join(f"{c} = spend_ledger.{c} + excluded.{c}" for c in COLUMNS)
)


@dataclass(slots=True)
class BudgetEvent:
    kind: str  # "warning" (a threshold crossed) or "exceeded" (first refusal or downgrade)
    counter: str
    threshold: str
    policy: str
    budget: str
    spent_nano: int
    limit_nano: int
    period_end: float
    request_id: str | None
    at: float = 0.0


class Ledger:
    def __init__(self, store: Store | None, flush_s: float) -> None:
        self.store = store
        self.flush_s = flush_s
        self.pending: dict[LedgerKey, list[int]] = {}
        self.events: list[BudgetEvent] = []
        self.lock = asyncio.Lock()  # one flush at a time; held while counters are rebuilt
        self._task: asyncio.Task[None] | None = None
        self.flushed_rows = 0
        self.failures = 0
        self.ready = False  # the store is open and migrated

    async def ensure_ready(self) -> None:
        """Open and migrate the store on first use; raises StoreError while it is unreachable."""
        if self.store is not None and not self.ready:
            await self.store.open()
            await migrate(self.store)
            self.ready = True

    def record(
        self,
        at: float,
        who: tuple[str, str, str, str, str, str],
        tokens: tuple[int, int, int, int],
        cost_nano: int,
    ) -> None:
        """One settled exchange: who = (team, app, model, provider, key, identity)."""
        key = (at - at % BUCKET_S, *who)
        row = self.pending.get(key)
        if row is None:
            self.pending[key] = [1, *tokens, cost_nano]
        else:
            row[0] += 1
            row[1] += tokens[0]
            row[2] += tokens[1]
            row[3] += tokens[2]
            row[4] += tokens[3]
            row[5] += cost_nano

    def event(self, event: BudgetEvent) -> None:
        event.at = event.at or time.time()
        self.events.append(event)

    # ---- background writing --------------------------------------------------------------------

    def start(self) -> None:
        if self.store is not None and self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_s)
            await self.flush()

    async def flush(self) -> bool:
        async with self.lock:
            return await self._flush_locked()

    async def _flush_locked(self) -> bool:
        if self.store is None or not (self.pending or self.events):
            return True
        rows, self.pending = self.pending, {}
        events, self.events = self.events, []
        try:
            await self.ensure_ready()
            async with self.store.transaction() as tx:
                for key, values in rows.items():
                    await tx.execute(UPSERT, (*key, *values))
                for e in events:
                    await tx.execute(
                        "INSERT INTO budget_events (at, kind, counter, threshold, policy, budget, "
                        "spent_nano, limit_nano, period_end, request_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (counter, threshold) DO NOTHING",
                        (e.at, e.kind, e.counter, e.threshold, e.policy, e.budget,
                         e.spent_nano, e.limit_nano, e.period_end, e.request_id),
                    )  # fmt: skip
        except StoreError as exc:
            # Keep everything for the next attempt: spend is never dropped while we run.
            self.failures += 1
            for key, values in rows.items():
                row = self.pending.setdefault(key, [0] * len(COLUMNS))
                for i, v in enumerate(values):
                    row[i] += v
            self.events[:0] = events
            log.error("spend ledger flush failed (will retry): %s", exc)
            return False
        self.flushed_rows += len(rows)
        return True

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for _ in range(3):
            if await self.flush():
                break

    # ---- reading back ----------------------------------------------------------------------------

    async def spend_since(self, start: float) -> list[Row]:
        """Spend per (team, app, model, provider, key, identity) since `start`, flushed or not.

        Call with `lock` held (see `rebuild`) so no flush moves rows between the two sources.
        """
        assert self.store is not None
        # What is not flushed yet, as of now: settlements during the query below reach the
        # counters themselves, so they must not be added twice.
        unflushed = [(k, v[5]) for k, v in self.pending.items() if k[0] >= start]
        await self.ensure_ready()
        async with self.store.transaction(write=False) as tx:
            rows = await tx.fetchall(
                "SELECT team_id, app_id, model, provider, key_id, identity_id, "
                "SUM(cost_nano) AS cost_nano FROM spend_ledger WHERE bucket_start >= ? "
                "GROUP BY team_id, app_id, model, provider, key_id, identity_id",
                (start,),
            )
        names = ("team_id", "app_id", "model", "provider", "key_id", "identity_id")
        for key, cost in unflushed:
            rows.append({**dict(zip(names, key[1:], strict=True)), "cost_nano": cost})
        return rows

    async def marks_since(self, start: float) -> list[Row]:
        assert self.store is not None
        await self.ensure_ready()
        async with self.store.transaction(write=False) as tx:
            return await tx.fetchall(
                "SELECT counter, threshold, period_end FROM budget_events WHERE period_end > ?",
                (start,),
            )
