"""Counters in Redis, shared by every gateway instance: one Lua script per admission.

Scripts run atomically on the server, so all instances see one consistent count, and time
comes from the Redis server's clock, so instances with skewed clocks share one rate window.

A budget counter is a hash: `s` (settled spend, nano-dollars), `r<slot>` (reservations made
in that minute) and `w<threshold>` (warnings sent). Reservations older than the longest a
request may take are ignored and deleted by the next admission: the reservations of an
instance that crashed mid-request free themselves. A rate bucket is a hash `v` (level) and
`t` (when it was last computed). Settlements are batched off the request path: one pipeline
round trip for every settlement that finished meanwhile.

The key `epoch` says the budget counters were seeded from the spend ledger. A Redis that lost
its data (restarted without persistence, flushed, failed over to an empty replica) has none:
admissions and settlements under a budget then change nothing and answer "unseeded", in the
same round trip, and the instance reseeds the counters from the ledger (failover.py), one
instance for all under the lock key `seeding`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import time
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError

from interlock.budget.counters import (
    Admission,
    BudgetCheck,
    CountersUnavailable,
    CountersUnseeded,
    Crossed,
    RateCheck,
    Settlement,
)

log = logging.getLogger("interlock.budget")

SLOT_S = 60

ADMIT = """
local n_keys = #KEYS - 1  -- the last key is the epoch
local A = {}  -- every number comes in one argument: far cheaper for the client to send
for v in string.gmatch(ARGV[1], '%S+') do A[#A + 1] = v end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n_rate = tonumber(A[1])
local live = tonumber(A[2])
-- Budgets counted from zero after Redis lost its data could be overspent by their whole amount.
if n_keys > n_rate and redis.call('EXISTS', KEYS[#KEYS]) == 0 then return {'u'} end
local slot = math.floor(now / 60)
local a = 3
local levels, refused, retry = {}, 0, 0
for i = 1, n_rate do
  local cap, rate, cost = tonumber(A[a]), tonumber(A[a + 1]), tonumber(A[a + 2])
  a = a + 4
  local h = redis.call('HMGET', KEYS[i], 'v', 't')
  local level = cap
  if h[1] then level = math.min(cap, tonumber(h[1]) + (now - tonumber(h[2])) * rate) end
  levels[i] = level
  if refused == 0 and level < cost then refused = i; retry = (cost - level) / rate end
end
local n_budget = n_keys - n_rate
local spent, reserved, exceeded = {}, {}, {}
for j = 1, n_budget do
  local key = KEYS[n_rate + j]
  local limit, reserve = tonumber(A[a]), tonumber(A[a + 1])
  a = a + 3
  local f = redis.call('HGETALL', key)
  local s, r = 0, 0
  for k = 1, #f, 2 do
    local name = f[k]
    if name == 's' then
      s = tonumber(f[k + 1])
    elseif string.byte(name, 1) == 114 then -- 'r': reservations of one minute
      if tonumber(string.sub(name, 2)) < slot - live then
        redis.call('HDEL', key, name)
      else
        r = r + tonumber(f[k + 1])
      end
    end
  end
  spent[j], reserved[j] = s, r
  if limit >= 0 and s + r + reserve > limit then exceeded[#exceeded + 1] = j end
end
local out = {}
if refused > 0 or #exceeded > 0 then
  out[1] = '0'; out[2] = tostring(refused); out[3] = tostring(retry)
else
  a = 3
  for i = 1, n_rate do
    local cost, ttl = tonumber(A[a + 2]), tonumber(A[a + 3])
    a = a + 4
    levels[i] = levels[i] - cost
    redis.call('HSET', KEYS[i], 'v', tostring(levels[i]), 't', tostring(now))
    redis.call('EXPIRE', KEYS[i], ttl)
  end
  for j = 1, n_budget do
    local key = KEYS[n_rate + j]
    redis.call('HINCRBY', key, 'r' .. slot, tonumber(A[a + 1]))
    redis.call('EXPIREAT', key, tonumber(A[a + 2]))
    a = a + 3
  end
  out[1] = '1'; out[2] = tostring(slot); out[3] = '0'
end
for i = 1, n_rate do out[#out + 1] = tostring(levels[i]) end
for j = 1, n_budget do
  out[#out + 1] = string.format('%.0f', spent[j])
  out[#out + 1] = string.format('%.0f', reserved[j])
end
for _, j in ipairs(exceeded) do out[#out + 1] = tostring(j) end
return out
"""

SETTLE = """
local A = {}
for v in string.gmatch(ARGV[1], '%S+') do A[#A + 1] = v end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n_rate = tonumber(A[1])
local slot = A[2]
-- The last key is the epoch: spend added to counters that lost their data would be all they
-- hold; the caller keeps the settlement until they are reseeded from the ledger.
local n_budget = #KEYS - 2 - n_rate
if n_budget > 0 and redis.call('EXISTS', KEYS[#KEYS]) == 0 then return {'u'} end
-- The key before it marks this settlement as applied: a command that timed out on the client may
-- still run once Redis answers again, and the client then replays it; either runs once.
if redis.call('SET', KEYS[#KEYS - 1], '1', 'NX', 'EX', 600) == false then return {} end
local a = 3
for i = 1, n_rate do
  local cap, rate, refund = tonumber(A[a]), tonumber(A[a + 1]), tonumber(A[a + 2])
  a = a + 3
  local h = redis.call('HMGET', KEYS[i], 'v', 't')
  local level = cap
  if h[1] then level = math.min(cap, tonumber(h[1]) + (now - tonumber(h[2])) * rate) end
  level = math.min(cap, level + refund)
  redis.call('HSET', KEYS[i], 'v', tostring(level), 't', tostring(now))
  redis.call('EXPIRE', KEYS[i], math.ceil(cap / rate) + 60)
end
local crossed = {}
for j = 1, n_budget do
  local key = KEYS[n_rate + j]
  local release, spend, limit = tonumber(A[a]), tonumber(A[a + 1]), tonumber(A[a + 2])
  local expires, n_thr = tonumber(A[a + 3]), tonumber(A[a + 4])
  a = a + 5
  if release > 0 and slot ~= '0' then
    local left = redis.call('HINCRBY', key, 'r' .. slot, -release)
    if left <= 0 then redis.call('HDEL', key, 'r' .. slot) end
  end
  local s = redis.call('HINCRBY', key, 's', spend)
  redis.call('EXPIREAT', key, expires)
  for k = 1, n_thr do
    local thr = A[a]
    a = a + 1
    if s >= tonumber(thr) * limit and redis.call('HSETNX', key, 'w' .. thr, '1') == 1 then
      crossed[#crossed + 1] = tostring(j)
      crossed[#crossed + 1] = thr
      crossed[#crossed + 1] = string.format('%.0f', s)
    end
  end
end
return crossed
"""

MARK = """
local first = redis.call('HSETNX', KEYS[1], 'w' .. ARGV[1], '1')
redis.call('EXPIREAT', KEYS[1], tonumber(ARGV[2]))
return first
"""


SEED = """
-- KEYS: epoch, lock, then one per counter. ARGV: lock token, epoch value, then per counter its
-- spend and expiry, then the number of warning marks and (counter index, tag) pairs.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local a = 3
for i = 3, #KEYS do
  redis.call('HSET', KEYS[i], 's', ARGV[a])
  redis.call('EXPIREAT', KEYS[i], tonumber(ARGV[a + 1]))
  a = a + 2
end
local n_marks = tonumber(ARGV[a])
a = a + 1
for m = 1, n_marks do
  redis.call('HSETNX', KEYS[tonumber(ARGV[a])], 'w' .. ARGV[a + 1], '1')
  a = a + 2
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
"""

UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisCounters:
    name = "redis"

    def __init__(
        self,
        url: str,
        timeout_s: float,
        prefix: str,
        max_request_s: float = 600.0,
        max_connections: int = 32,
    ) -> None:
        self.prefix = prefix
        # A bounded pool: a burst of requests queues for a connection (each is held for one
        # script, well under a millisecond) instead of opening hundreds of sockets at once.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=max(timeout_s, 1.0),
            socket_timeout=timeout_s,
            socket_connect_timeout=max(timeout_s, 1.0),
            retry_on_timeout=False,
            health_check_interval=0,
            # No retry of a call that timed out: it may still run, and the caller must know
            # within `timeout_s` (see failover.py). One retry, on a fresh connection, of a call
            # whose connection was dead: pooled connections opened before a Redis restart fail
            # their next command, which never reached the new server.
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        self.client: aioredis.Redis = aioredis.Redis(connection_pool=pool)
        self._admit = self.client.register_script(ADMIT)
        self._settle = self.client.register_script(SETTLE)
        self._mark = self.client.register_script(MARK)
        self._seed = self.client.register_script(SEED)
        self._unlock = self.client.register_script(UNLOCK)
        self.epoch_key = prefix + "epoch"
        self.lock_key = prefix + "seeding"
        # Reservations live this many minutes past their own: the longest a request may take.
        self.live_slots = math.ceil(max_request_s / SLOT_S) + 1
        self._queue: list[tuple[Settlement, asyncio.Future[Crossed]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def ping(self) -> None:
        """The outage probe. Idle pooled connections are dropped first: those opened before a
        Redis restart point at a server that is gone, and redis-py finds out only when one fails
        its next command, which would start a false outage (one per stale connection)."""
        try:
            await self.client.connection_pool.disconnect(inuse_connections=False)
            await self.client.ping()
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None

    async def warm(self) -> None:
        """Open a few connections and load the scripts before the first request needs them."""
        try:
            await asyncio.gather(*(self.client.ping() for _ in range(4)))
            for script in (ADMIT, SETTLE, MARK):
                await self.client.script_load(script)
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None

    async def admit(self, rates: list[RateCheck], budgets: list[BudgetCheck]) -> Admission:
        keys = [self.prefix + r.key for r in rates] + [self.prefix + b.key for b in budgets]
        keys.append(self.epoch_key)
        args: list[Any] = [len(rates), self.live_slots]
        for r in rates:
            args += [repr(r.capacity), repr(r.per_second), repr(r.cost), r.ttl_s]
        for b in budgets:
            limit = -1 if b.limit_nano is None else b.limit_nano
            args += [limit, b.reserve_nano, math.ceil(b.expires_at)]
        try:
            raw = await self._admit(keys=keys, args=[" ".join(map(str, args))])
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None
        out = [x.decode() if isinstance(x, bytes) else str(x) for x in raw]
        if out == ["u"]:
            raise CountersUnseeded("the budget counters in Redis lost their data")
        n_rate, n_budget = len(rates), len(budgets)
        admitted = out[0] == "1"
        levels = [float(x) for x in out[3 : 3 + n_rate]]
        pairs = out[3 + n_rate : 3 + n_rate + 2 * n_budget]
        spent = [int(pairs[2 * j]) for j in range(n_budget)]
        reserved = [int(pairs[2 * j + 1]) for j in range(n_budget)]
        exceeded = [int(x) - 1 for x in out[3 + n_rate + 2 * n_budget :]]
        if admitted:
            return Admission(True, levels, spent, reserved, ticket=int(out[1]), backend="redis")
        refused = int(out[1]) - 1 if out[1] != "0" else None
        return Admission(
            False, levels, spent, reserved, refused, float(out[2]), exceeded, backend="redis"
        )

    # ---- settlements, batched off the request path --------------------------------------------

    def _settle_args(self, s: Settlement) -> tuple[list[str], list[Any]]:
        keys = [self.prefix + r.key for r in s.refunds] + [self.prefix + b.key for b in s.budgets]
        keys.append(f"{self.prefix}settled:{s.id or os.urandom(12).hex()}")
        keys.append(self.epoch_key)
        args: list[Any] = [len(s.refunds), s.ticket]
        for r in s.refunds:
            args += [repr(r.capacity), repr(r.per_second), repr(r.tokens)]
        for b in s.budgets:
            args += [b.release_nano, b.spend_nano, b.limit_nano, math.ceil(b.expires_at)]
            args += [len(b.thresholds), *(f"{t:g}" for t in b.thresholds)]
        return keys, args

    async def settle(self, settlement: Settlement, backend: str = "redis") -> Crossed:
        """Queue the settlement for the next batch; resolves when Redis has applied it."""
        future: asyncio.Future[Crossed] = asyncio.get_running_loop().create_future()
        self._queue.append((settlement, future))
        self._wakeup.set()
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            self._wakeup.clear()
            batch, self._queue = self._queue, []
            try:
                results = await self._settle_batch([s for s, _ in batch])
            except (RedisError, OSError) as exc:
                error = CountersUnavailable(str(exc) or type(exc).__name__)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(CountersUnavailable(str(result)))
                elif _unseeded(result):
                    future.set_exception(CountersUnseeded("the budget counters lost their data"))
                else:
                    flat = [x.decode() if isinstance(x, bytes) else str(x) for x in result]
                    future.set_result(
                        [
                            (int(flat[i]) - 1, float(flat[i + 1]), int(flat[i + 2]))
                            for i in range(0, len(flat), 3)
                        ]
                    )

    async def _settle_batch(self, batch: list[Settlement]) -> list[Any]:
        # EVALSHA straight into a pipeline: redis-py's Script objects would first ask the server
        # whether the script exists (a second round trip) on every pipeline.
        calls = []
        for settlement in batch:
            keys, args = self._settle_args(settlement)
            calls.append((len(keys), *keys, " ".join(map(str, args))))
        for attempt in range(2):
            async with self.client.pipeline(transaction=False) as pipe:
                for call in calls:
                    pipe.evalsha(self._settle.sha, *call)
                results = await pipe.execute(raise_on_error=False)
            if attempt == 0 and any(isinstance(r, NoScriptError) for r in results):
                await self.client.script_load(SETTLE)  # a restarted Redis forgot it: once more
                continue
            break
        return results

    async def mark_once(self, key: str, tag: str, expires_at: float) -> bool:
        try:
            first = await self._mark(keys=[self.prefix + key], args=[tag, math.ceil(expires_at)])
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None
        return bool(first)

    async def peek(self, keys: list[str]) -> list[tuple[int, int]]:
        """(spent, reserved) of budget counters, reservations counted as admission counts them."""
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.hgetall(self.prefix + key)
                raw = await pipe.execute()
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None
        oldest = math.floor(time.time() / SLOT_S) - self.live_slots
        out = []
        for fields in raw:
            spent = reserved = 0
            for name, value in fields.items():
                name = name.decode()
                if name == "s":
                    spent = int(value)
                elif name.startswith("r") and int(name[1:]) >= oldest:
                    reserved += int(value)
            out.append((spent, reserved))
        return out

    async def seed(self, key: str, spent_nano: int, expires_at: float, overwrite: bool) -> None:
        """Start a budget counter from the ledger's spend: `overwrite` when no budget kept it
        up to date meanwhile, else only if it holds no spend yet."""
        try:
            if overwrite:
                await self.client.hset(self.prefix + key, "s", spent_nano)
            else:
                await self.client.hsetnx(self.prefix + key, "s", spent_nano)
            await self.client.expireat(self.prefix + key, math.ceil(expires_at))
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None

    async def replay(self, batch: list[Settlement]) -> None:
        """Settlements counted locally while Redis was away join the shared counters."""
        try:
            results = await self._settle_batch(batch)
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None
        failed = [r for r in results if isinstance(r, Exception)]
        if failed:
            raise CountersUnavailable(str(failed[0]))
        if any(_unseeded(r) for r in results):
            raise CountersUnseeded("the budget counters lost their data")

    # ---- seeding from the ledger after Redis lost its data ------------------------------------

    async def epoch(self) -> str | None:
        try:
            value = await self.client.get(self.epoch_key)
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None
        return value.decode() if isinstance(value, bytes) else value

    async def lock_seeding(self, token: str, ttl_s: float) -> bool:
        """Only one instance seeds: the one that sets the lock; it expires if that one dies."""
        try:
            got = await self.client.set(self.lock_key, token, nx=True, px=int(ttl_s * 1000))
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None
        return bool(got)

    async def unlock_seeding(self, token: str) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._unlock(keys=[self.lock_key], args=[token])

    async def write_seed(
        self,
        token: str,
        epoch: str,
        spent: dict[str, tuple[int, float]],
        marks: list[tuple[str, str]],
    ) -> bool:
        """Set every counter's spend (key -> (nano-dollars, expiry)), the warnings already sent
        and the epoch, in one atomic script; False if the lock was lost meanwhile."""
        names = list(spent)
        index = {name: i + 3 for i, name in enumerate(names)}
        args: list[Any] = [token, epoch]
        for name in names:
            args += [spent[name][0], math.ceil(spent[name][1])]
        known = [(index[key], tag) for key, tag in marks if key in index]
        args.append(len(known))
        for i, tag in known:
            args += [i, tag]
        keys = [self.epoch_key, self.lock_key, *(self.prefix + n for n in names)]
        try:
            return bool(await self._seed(keys=keys, args=args))
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc) or type(exc).__name__) from None

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 2)
        with contextlib.suppress(Exception):
            await self.client.aclose()


def _unseeded(result: Any) -> bool:
    return isinstance(result, list) and len(result) == 1 and result[0] in (b"u", "u")
