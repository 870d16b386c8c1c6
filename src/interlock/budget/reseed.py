"""What Redis's budget counters should hold, read from the spend ledger (the source of truth).

Used when Redis lost its data (restarted without persistence, flushed, replaced): the seeding
instance (failover.py) writes this period's spend per counter, and the warnings already sent,
so no budget starts again from zero and no warning is sent twice.
"""

from __future__ import annotations

from interlock.budget.counters import CountersUnavailable
from interlock.budget.failover import LedgerSeed
from interlock.budget.ledger import Ledger
from interlock.budget.limits import GRACE_S, CompiledBudget
from interlock.store import StoreError


async def ledger_seed(ledger: Ledger, budgets: list[CompiledBudget], now: float) -> LedgerSeed:
    """Spend per budget counter in the periods under way at `now`, with the warnings sent."""
    families: dict[object, CompiledBudget] = {}
    for b in budgets:
        families.setdefault(b.family, b)  # budgets of one family share their counters
    if ledger.store is None:
        return {}, []
    try:
        async with ledger.lock:  # no flush moves rows between memory and the database meanwhile
            starts = {b.current(now).start for b in families.values()}
            rows_since = {start: await ledger.spend_since(start) for start in starts}
            marks = await ledger.marks_since(now)
    except StoreError as exc:
        raise CountersUnavailable(f"spend ledger unavailable: {exc}") from None
    spent: dict[str, tuple[int, float]] = {}
    for b in families.values():
        period = b.current(now)
        expires = period.end + GRACE_S
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
            key = b.key(values, period)
            total = spent.get(key, (0, expires))[0]
            spent[key] = (total + int(row["cost_nano"] or 0), expires)
    return spent, [(str(m["counter"]), str(m["threshold"])) for m in marks]
