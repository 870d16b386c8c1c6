"""The failover's bookkeeping without a server: which owed settlements a reseed drops."""

from __future__ import annotations

from interlock.budget.counters import BudgetSettle, MemoryCounters, Settlement
from interlock.budget.failover import FailoverCounters
from interlock.budget.redis_counters import RedisCounters


def owed(id: str) -> Settlement:
    return Settlement([], [BudgetSettle("b:k", 0, 1000, 10_000, (), 4e9)], 0, id)


async def test_a_reseed_drops_only_debts_the_ledger_read_surely_holds() -> None:
    shared = RedisCounters("redis://127.0.0.1:1/0", 0.2, "unit:")  # never contacted
    f = FailoverCounters(shared, MemoryCounters(), "refuse", 0.2, flush_s=0.2)
    assert f.flush_wait_s == 0.45
    read_at = 1000.0
    # Recorded well before the ledger was read (flushed by then), just before it (maybe not
    # flushed yet) and after it.
    f.debt = [(read_at - 5, owed("old")), (read_at - 0.2, owed("edge")), (read_at + 1, owed("new"))]
    f._adopt(f"token:{read_at:.3f}")
    assert [s.id for _, s in f.debt] == ["edge", "new"]  # kept: replayed, at worst twice counted
    # The same epoch seen again changes nothing.
    f.debt.append((read_at - 100, owed("outage")))
    f._adopt(f"token:{read_at:.3f}")
    assert [s.id for _, s in f.debt] == ["edge", "new", "outage"]
    await shared.close()
