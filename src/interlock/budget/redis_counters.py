"""Counters in Redis, shared by every gateway instance: one Lua script per admission.

Scripts run atomically on the server, so all instances see one consistent count, and time
comes from the Redis server's clock, so instances with skewed clocks share one rate window.

A budget counter is a hash: `s` (settled spend, nano-dollars), `r<slot>` (reservations made
in that minute) and `w<threshold>` (warnings sent). Reservations older than the longest a
request may take are ignored and deleted by the next admission: the reservations of an
instance that crashed mid-request free themselves. A rate bucket is a hash `v` (level) and
`t` (when it was last computed). Settlements are batched off the request path: one pipeline
round trip for every settlement that finished meanwhile.
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
from redis.exceptions import NoScriptError, RedisError

from interlock.budget.counters import (
    Admission,
    BudgetCheck,
    CountersUnavailable,
    Crossed,
    RateCheck,
    Settlement,
)

log = logging.getLogger("interlock.budget")

SLOT_S = 60

ADMIT = """
local A = {}  -- every number comes in one argument: far cheaper for the client to send
for v in string.gmatch(ARGV[1], '%S+') do A[#A + 1] = v end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n_rate = tonumber(A[1])
local live = tonumber(A[2])
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
local n_budget = #KEYS - n_rate
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
-- The last key marks this settlement as applied: a command that timed out on the client may
-- still run once Redis answers again, and the client then replays it; either runs once.
if redis.call('SET', KEYS[#KEYS], '1', 'NX', 'EX', 600) == false then return {} end
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
for j = 1, #KEYS - 1 - n_rate do
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
            # No client-side retries: an outage must be noticed within `timeout_s`, and the
            # policy (refuse or count locally) decides what happens then.
            retry=Retry(NoBackoff(), 0),
        )
        self.client: aioredis.Redis = aioredis.Redis(connection_pool=pool)
        self._admit = self.client.register_script(ADMIT)
        self._settle = self.client.register_script(SETTLE)
        self._mark = self.client.register_script(MARK)
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

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 2)
        with contextlib.suppress(Exception):
            await self.client.aclose()
