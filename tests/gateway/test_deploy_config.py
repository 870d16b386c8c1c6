"""The deployment configuration (deploy/gateway.yaml, mounted read-only in the container
artefacts) run for real: `interlock serve` with its workers against a real PostgreSQL and Redis,
the provider URLs pointed at the simulator. What several instances must share is shared: the
audit record lands in PostgreSQL, the budget counters in Redis, and nothing is written next to
the configuration file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openai
import psycopg
import pytest
import redis

from tests.auth.support import create_pg_database, drop_pg_database
from tests.budget.support import redis_url
from tests.gateway.test_cli import process, wait_up
from tests.support import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "gateway.yaml"
REDIS_DB = 9  # a database of the test Redis of its own: flushed afterwards


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "interlock.cli.main", *args],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


def test_the_deployment_config_shares_state_and_writes_only_its_spool(
    tmp_path: Path, simulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg = create_pg_database()
    counters = redis_url().rsplit("/", 1)[0] + f"/{REDIS_DB}"
    spool = tmp_path / "var-lib-interlock" / "audit"
    etc = tmp_path / "etc"
    etc.mkdir()
    text = DEPLOY.read_text()
    assert "/var/lib/interlock/audit" in text
    text = (
        text.replace("/var/lib/interlock/audit", str(spool))
        .replace("    type: openai\n", f"    type: openai\n    base_url: {simulator.url}/v1\n")
        .replace("    type: anthropic\n", f"    type: anthropic\n    base_url: {simulator.url}\n")
    )
    config = etc / "interlock.yaml"
    config.write_text(text)
    port = free_port()
    # What the artefacts put in the environment (compose.yaml, the k8s Secret).
    monkeypatch.setenv("INTERLOCK_DATABASE_URL", pg)
    monkeypatch.setenv("INTERLOCK_REDIS_URL", counters)
    monkeypatch.setenv("OPENAI_API_KEY", "sim-openai-key")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sim-anthropic-key")
    r = redis.Redis.from_url(counters)
    r.flushdb()
    try:
        cfg = ("--config", str(config))
        _cli("teams", "create", *cfg, "shop")
        _cli("apps", "create", *cfg, "checkout", "--team", "shop")
        _cli("identities", "create", *cfg, "checkout-svc", "--team", "shop")
        _cli("bindings", "create", *cfg, "--team", "shop", "--app", "checkout",
             "--policy", "default")  # fmt: skip
        key = json.loads(
            _cli("keys", "create", *cfg, "--identity", "checkout-svc", "--app", "checkout")
        )["key"]
        with process("serve", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)):
            wait_up(f"http://127.0.0.1:{port}/healthz")
            client = openai.OpenAI(
                base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=2,
                default_headers={"x-interlock-app": "checkout"},
            )  # fmt: skip
            raw = client.chat.completions.with_raw_response.create(
                model="gpt-4.1-mini", messages=[{"role": "user", "content": "hello"}]
            )
            assert raw.http_response.status_code == 200
            rid = raw.headers["x-request-id"]
            # The audit record reaches the shared PostgreSQL (searchable from any instance).
            deadline = time.monotonic() + 30
            found = 0
            while not found and time.monotonic() < deadline:
                with psycopg.connect(pg) as conn:
                    row = conn.execute(
                        "SELECT count(*) FROM audit_records WHERE id = %s", (rid,)
                    ).fetchone()
                found = int(row[0]) if row else 0
                time.sleep(0.2)
            assert found == 1
            # Budgets and rate windows count in the shared Redis, not in each worker.
            assert r.dbsize() > 0
        assert [p.name for p in etc.iterdir()] == ["interlock.yaml"]  # read-only in the artefacts
        assert any(spool.rglob("*")), "the audit spool is where the config says"
    finally:
        r.flushdb()
        drop_pg_database(pg)
