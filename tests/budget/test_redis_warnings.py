"""Budget warnings with Redis counters, across two gateway processes: each threshold fires once
per period for the whole fleet (an event, a signed webhook), the exchange that crossed it
carries the warning decision in its audit record, and later answers carry the warning header —
the same behaviour as in-process counters (tests/budget/test_budgets.py)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx
import redis

from tests.budget.support import (
    WEBHOOK_SECRET,
    GatewayProcess,
    WebhookReceiver,
    budget_yaml,
    new_org,
    redis_url,
)
from tests.budget.test_multi_instance import burst

WARNING_HEADER = "x-interlock-budget-warning"


def audit_decisions(url: str, admin_key: str, request_id: str) -> list[dict[str, Any]]:
    """The exchange's decisions as the audit stored them (written off the path: wait a little)."""
    deadline = time.monotonic() + 15
    while True:
        r = httpx.get(
            f"{url}/admin/audit/records/{request_id}",
            headers={"authorization": f"Bearer {admin_key}"},
            timeout=10,
        )
        if r.status_code == 200:
            return [d for rec in r.json()["records"] for d in rec["decisions"]]
        assert r.status_code == 404, r.text
        assert time.monotonic() < deadline, f"no audit record for {request_id}"
        time.sleep(0.1)


def test_warnings_fire_once_per_threshold_across_two_redis_instances(
    simulator: Any, tmp_path, sim
) -> None:
    db_url, org = new_org(tmp_path)
    prefix = f"t{os.urandom(4).hex()}:"
    receiver = WebhookReceiver()
    config = tmp_path / "gateway.yaml"
    config.write_text(
        budget_yaml(
            simulator.url,
            db_url,
            standard=f"""
            budgets:
              limits: [{{name: red-daily, per: [team], period: day, amount_usd: 0.10,
                         warn_at: [0.5, 0.8]}}]
              webhook: {{url: "{receiver.url}", secret: "{WEBHOOK_SECRET}"}}
            """,
            counters=f"counters: {{backend: redis, url: '{redis_url()}', prefix: '{prefix}', "
            "flush_s: 0.2, timeout_ms: 1000}",
        )
    )
    a = GatewayProcess(config, tmp_path / "a.log")
    b = GatewayProcess(config, tmp_path / "b.log")
    r = redis.Redis.from_url(redis_url())
    try:
        # Sequential requests, alternating between the instances, until the budget blocks.
        alice = {"authorization": f"Bearer {org.keys['alice']}", "x-interlock-app": "chat"}
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
        answers: list[httpx.Response] = []
        for i in range(60):
            gw = (a, b)[i % 2]
            resp = httpx.post(f"{gw.url}/v1/chat/completions", json=body, headers=alice, timeout=20)
            answers.append(resp)
            if resp.status_code == 429:
                break
        assert answers[-1].status_code == 429 and len(answers) > 5, [x.status_code for x in answers]
        assert answers[-1].json()["error"]["code"] == "budget_exceeded"

        events = receiver.wait_for(3)
        # A burst from both instances at once after the budget is spent changes nothing.
        results = asyncio.run(
            burst([a.url, b.url], org.keys["alice"], "chat", 40, model="gpt-4o", max_tokens=1)
        )
        assert {status for status, _, _ in results} == {429}
        time.sleep(0.5)
        assert [(e["type"], e["threshold"]) for e in receiver.events] == [
            ("budget.warning", 0.5), ("budget.warning", 0.8), ("budget.exceeded", 1.0),
        ], receiver.events  # fmt: skip
        assert receiver.bad_signatures == 0
        assert events[0]["budget"] == "red-daily" and events[0]["spent_usd"] >= 0.05

        # The header: absent on the first answer, present once the first threshold is passed,
        # whichever instance answered.
        headers = [x.headers.get(WARNING_HEADER, "") for x in answers[:-1]]
        assert headers[0] == ""
        warned = [h for h in headers if h]
        assert warned and all("red-daily: " in h and "% of $0.10" in h for h in warned)
        assert {i % 2 for i, h in enumerate(headers) if h} == {0, 1}, "one instance never warned"

        # The decision: on the exchanges that crossed each threshold, in their audit records.
        root = org.keys["root-admin"]
        crossing = []
        for i, x in enumerate(answers[:-1]):
            for d in audit_decisions((a, b)[i % 2].url, root, x.headers["x-request-id"]):
                if d["stage"] == "budget" and d["outcome"] == "warning":
                    crossing.append(d["threshold"])
        assert sorted(crossing) == [0.5, 0.8]

        # Redis holds the marks: one per threshold of this period's counter.
        [counter] = [k for k in r.scan_iter(match=prefix + "b:*")]
        marks = sorted(k.decode() for k in r.hkeys(counter) if k.startswith(b"w"))
        assert marks == ["w0.5", "w0.8", "wexceeded"]
    finally:
        a.close()
        b.close()
        receiver.close()
        keys = list(r.scan_iter(match=prefix + "*"))
        if keys:
            r.delete(*keys)
        r.close()


def test_the_crossing_exchange_carries_its_warning_when_it_is_done(
    make_gateway, receiver, monkeypatch
) -> None:
    """With Redis counters the settlement is awaited in `on_done`: the warning decision is on
    the exchange when later stages (the audit recorder) take it, not added at some later time."""
    import tests.budget.support as support
    from tests.auth.support import Capture

    class Snapshot(Capture):
        def __init__(self) -> None:
            super().__init__()
            self.at_done: dict[str, list[tuple[str, str]]] = {}

        async def on_done(self, ex: Any) -> None:
            self.at_done[ex.request_id] = [(d.stage, d.outcome) for d in ex.decisions]
            await super().on_done(ex)

    monkeypatch.setattr(support, "Capture", Snapshot)
    prefix = f"t{os.urandom(4).hex()}:"
    gw = make_gateway(
        standard=f"""
        budgets:
          limits: [{{name: red-daily, per: [team], period: day, amount_usd: 0.10,
                     warn_at: [0.3, 0.6]}}]
          webhook: {{url: "{receiver.url}", secret: "{WEBHOOK_SECRET}"}}
        """,
        counters=f"counters: {{backend: redis, url: '{redis_url()}', prefix: '{prefix}'}}",
    )
    r = redis.Redis.from_url(redis_url())
    try:
        while gw.chat("gpt-4o", "hi", max_tokens=1).status_code == 200:
            pass
        snap = gw.capture.at_done
        warned = [rid for rid, ds in snap.items() if ("budget", "warning") in ds]
        assert len(warned) == 2, snap
        receiver.wait_for(3)
    finally:
        keys = list(r.scan_iter(match=prefix + "*"))
        if keys:
            r.delete(*keys)
        r.close()
