"""Background work one instance does for all: copy admin changes into the trail, apply retention.

Admin changes are written by the admin service in the same transaction as the change itself
(`admin_audit`, in the identity database: nothing can change without its row, also from the
CLI when no gateway runs). This task tails that table and puts each row into the audit trail
as a `kind: admin` record, so admin changes are chained, signed, searchable and exported like
exchanges. One instance holds a lease in the audit store and does it; the cursor (the last
admin row copied) is saved only once the records are durable in that instance's spool.

Retention drops the content of records older than their policy's `retention_days` (the place
in the chain stays, so verification still links across) and records the run itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from interlock.audit.record import iso, record_tags

if TYPE_CHECKING:
    from interlock.audit.stage import AuditStage

log = logging.getLogger("interlock.audit")

LEASE_TTL_S = 15.0
LEASE_RENEW_S = 4.0
ADMIN_CURSOR = "admin_audit_cursor"


def _digest(policy: Any) -> str:
    return hashlib.sha256(policy.model_dump_json().encode()).hexdigest()[:16]


def admin_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {
        "v": 1,
        "kind": "admin",
        "id": f"adm-{row['id']}",
        "admin_id": row["id"],
        "ts": float(row["at"]),
        "time": iso(float(row["at"])),
        "actor": row.get("actor"),
        "actor_roles": row.get("actor_roles"),
        "action": row.get("action"),
        "entity_type": row.get("entity_type"),
        "entity_id": row.get("entity_id"),
        "outcome": row.get("outcome"),
        "reason": row.get("reason"),
        "before": row.get("before"),
        "after": row.get("after"),
        "request_id": row.get("request_id"),
        "source": row.get("source"),
    }
    record["tags"] = record_tags(record)
    return record


class Maintenance:
    def __init__(self, stage: AuditStage) -> None:
        self.stage = stage
        self.holder_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.leader = False
        self._next_retention = 0.0
        self.poll_s = 0.5
        self._config: Any = None
        self._last_warning = 0.0
        self._digests: dict[str, str] | None = None
        self._stopping = asyncio.Event()
        self._lease_due = 0.0
        self._cursor: int | None = None  # the admin rows copied so far (while leader)

    @property
    def store(self) -> Any:
        return self.stage.store

    async def run(self) -> None:
        while not self._stopping.is_set():
            if self.store is None:
                self.record_config_change()
            else:
                try:
                    await self.tick()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # Retried every poll; said once a minute (a database outage is not news
                    # twice a second).
                    if time.monotonic() - self._last_warning > 60:
                        self._last_warning = time.monotonic()
                        log.warning("audit maintenance: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_s)

    def stop(self) -> None:
        """End `run` after the tick in progress (its queries finish: no thread is left inside
        a database connection that is about to be closed)."""
        self._stopping.set()

    async def tick(self) -> None:
        self.record_config_change()
        now = time.time()
        # The lease is renewed a few times per TTL, not every poll: each renewal is a write to
        # the store from the gateway worker, whose CPU serves requests.
        if now >= self._lease_due:
            leader = await asyncio.to_thread(
                self.store.acquire_lease, "maintenance", self.holder_id, LEASE_TTL_S, now
            )
            self._lease_due = now + LEASE_RENEW_S
            if leader != self.leader:
                self._cursor = None  # another holder may have moved it meanwhile
            self.leader = leader
        if not self.leader:
            return
        await self.copy_admin_trail()
        if now >= self._next_retention:
            self._next_retention = now + self.stage.settings.retention_check_s
            await self.apply_retention(now)

    # ---- policy changes (the configuration file is policy as code) ----------------------------

    def record_config_change(self) -> dict[str, Any] | None:
        """A reloaded configuration whose policies differ is recorded by every instance that
        runs it: which policies were added, removed or changed, with their new content."""
        config = self.stage.holder.current.config
        if config is self._config:
            return None
        digests = {name: _digest(p) for name, p in config.policies.items()}
        previous, self._config, self._digests = self._digests, config, digests
        if previous is None or previous == digests:
            return None
        changed = sorted(n for n in digests if n in previous and digests[n] != previous[n])
        added = sorted(set(digests) - set(previous))
        removed = sorted(set(previous) - set(digests))
        now = time.time()
        record = {
            "v": 1,
            "kind": "admin",
            "id": f"cfg-{int(now * 1000)}-{os.getpid()}",
            "ts": now,
            "time": iso(now),
            "actor": f"config:{self.stage.holder.path}",
            "action": "reload",
            "entity_type": "policies",
            "entity_id": ",".join(changed + added + removed),
            "outcome": "ok",
            "before": {n: previous[n] for n in changed + removed},
            "after": {
                n: config.policies[n].model_dump(mode="json", exclude_none=True)
                for n in changed + added
            },
            "source": self.holder_id,
        }
        record["tags"] = record_tags(record)
        self.stage.pipeline.submit_record(record)
        return record

    # ---- admin trail ---------------------------------------------------------------------------

    async def copy_admin_trail(self, limit: int = 500) -> int:
        identity = self.stage.identity
        if identity is None or not self.stage.settings.admin_trail:
            return 0
        from interlock.store.repo import list_audit

        if self._cursor is None:
            self._cursor = int(await asyncio.to_thread(self.store.get_state, ADMIN_CURSOR) or 0)
        cursor = self._cursor
        async with identity.store.transaction(write=False) as tx:
            rows = await list_audit(tx, after_id=cursor, limit=limit)
        if not rows:
            return 0
        waiter = None
        for row in rows:
            waiter = self.stage.pipeline.submit_record(admin_record(row), strict=row is rows[-1])
        if waiter is not None:
            await waiter  # durable in the spool: only now move the cursor
        await asyncio.to_thread(self.store.set_state, ADMIN_CURSOR, str(rows[-1]["id"]))
        self._cursor = int(rows[-1]["id"])
        return len(rows)

    async def flush_admin_trail(self) -> None:
        """At shutdown: copy what the admin service wrote since the last poll."""
        if self.leader and self.store is not None:
            try:
                await self.copy_admin_trail()
            except Exception as exc:
                log.warning("audit: final admin trail copy failed: %s", exc)

    # ---- retention -----------------------------------------------------------------------------

    async def apply_retention(self, now: float) -> dict[str, Any]:
        settings = self.stage.settings
        config = self.stage.holder.current.config
        cutoffs: dict[str, float] = {}
        for name, policy in config.policies.items():
            days = policy.audit.retention_days if policy.audit is not None else None
            cutoffs[name] = now - (days or settings.retention_days) * 86400
        default_cutoff = now - settings.retention_days * 86400
        counts = await asyncio.to_thread(self.store.prune, cutoffs, default_cutoff)
        if counts:
            record = {
                "v": 1,
                "kind": "retention",
                "id": f"ret-{int(now * 1000)}",
                "ts": now,
                "time": iso(now),
                "action": "prune",
                "outcome": "ok",
                "pruned": counts,
                "cutoffs": {**cutoffs, "*": default_cutoff},
            }
            record["tags"] = record_tags(record)
            waiter = self.stage.pipeline.submit_record(record, strict=True)
            if waiter is not None:
                await waiter
            log.info("audit retention: dropped the content of %s", counts)
        return counts
