"""A gateway configured like production for the security tests, and what every answer must hold.

Zero trust on (a seeded SQLite organisation), the audit trail on (spool + store), a policy with
DLP, injection checks, output filtering, a budget and a rate limit, the simulator upstream.
Every log record the process emits while it runs is kept, so a test can look for secrets and
tracebacks in what an operator would see.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tests.auth.support import Org, seed_org
from tests.support import GatewayServer

# Cases per operation: small in the suite, larger by hand (INTERLOCK_FUZZ_EXAMPLES=500).
FUZZ_EXAMPLES = int(os.environ.get("INTERLOCK_FUZZ_EXAMPLES", "8"))
PROVIDER_KEYS = ("sim-openai-key", "sim-anthropic-key")
CHAT_MODEL, CLAUDE_MODEL, EMBED_MODEL = "gpt-4o-mini", "claude-sonnet", "text-embedding-3-small"


def secure_yaml(sim_url: str, tmp: Path, server: str = "") -> str:
    return f"""
server: {{max_body_bytes: 200000, total_timeout_s: 10{server}}}
database: {{url: "sqlite:///{tmp / "identity.db"}", refresh_s: 0.2}}
auth: {{throttle: {{threshold: 100000}}}}
audit:
  spool_dir: "{tmp / "spool"}"
  store: {{url: "sqlite:///{tmp / "audit.db"}"}}
providers:
  openai:
    type: openai
    base_url: {sim_url}/v1
    api_key: {PROVIDER_KEYS[0]}
    retry: {{max_attempts: 1}}
    timeouts: {{connect_s: 2, read_s: 5}}
  anthropic:
    type: anthropic
    base_url: {sim_url}
    api_key: {PROVIDER_KEYS[1]}
    retry: {{max_attempts: 1}}
    timeouts: {{connect_s: 2, read_s: 5}}
models:
  {CHAT_MODEL}: {{provider: openai}}
  {CLAUDE_MODEL}: {{provider: anthropic, model: claude-sonnet-4-5}}
  {EMBED_MODEL}: {{provider: openai, kind: embedding}}
policies:
  standard:
    models: ["*"]
    dlp: {{actions: {{default: redact, EMAIL_ADDRESS: pseudonymise, SECRET: block}}}}
    injection: {{}}
    output: {{deny_list: [forbidden-brand]}}
    budgets: {{limits: [{{per: [team], period: day, amount_usd: 100000}}]}}
    rate_limits: {{limits: [{{per: [key], requests_per_minute: 1000000}}]}}
    audit: {{content: redacted}}
  open:
    models: ["*"]
"""


@dataclass(repr=False)  # its keys must not end up in a test report
class Secured:
    gateway: GatewayServer
    org: Org

    @property
    def inference_key(self) -> str:
        return self.org.keys["alice-chat"]  # team red, app chat: the `standard` policy

    @property
    def admin_key(self) -> str:
        return self.org.keys["root-admin"]

    def secrets(self) -> list[str]:
        return [*self.org.keys.values(), *PROVIDER_KEYS]


def start_secured(sim_url: str, tmp: Path, server: str = "") -> Secured:
    db = f"sqlite:///{tmp / 'identity.db'}"
    org = seed_org(db, {"standard", "open"})
    gw = GatewayServer(secure_yaml(sim_url, tmp, server), tmp / "gateway.yaml")
    return Secured(gw, org)


class LogCapture(logging.Handler):
    """Every record, formatted as an operator would see it (with tracebacks)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def __enter__(self) -> LogCapture:
        root = logging.getLogger()
        self._old = root.level, logging.getLogger("interlock").level
        root.addHandler(self)
        root.setLevel(logging.INFO)
        logging.getLogger("interlock").setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._old[0])
        logging.getLogger("interlock").setLevel(self._old[1])

    def text(self) -> str:
        return "\n".join(self.lines)


def assert_clean_logs(logs: LogCapture, secrets: list[str]) -> None:
    text = logs.text()
    leaked = [f"{s[:6]}…" for s in secrets if s in text]
    assert not leaked, f"secrets in the gateway's logs: {leaked}"
    assert "Traceback" not in text, text[text.index("Traceback") - 500 :][:3000]


TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")


def assert_answer(path: str, status: int, headers: Any, body: bytes, admin: bool = False) -> None:
    """What every answer to any input must hold: no 5xx, no traceback, a request id, and errors
    in the caller's own wire format."""
    where = f"{status} on {path}: {body[:300]!r}"
    assert status < 500, where
    assert not TRACEBACK.search(body), where
    rid = headers.get("x-request-id")
    if isinstance(rid, list):  # schemathesis' responses keep every value of a header
        rid = rid[0] if len(rid) == 1 else None
    assert rid, f"no x-request-id: {where}"
    if status < 400:
        return
    data = orjson.loads(body)
    if admin:
        assert set(data) == {"error"}, where
        assert data["error"]["request_id"] == rid and data["error"]["code"], where
    elif path.startswith("/v1/messages"):
        assert data["type"] == "error" and data["request_id"] == rid, where
        assert data["error"]["type"] and data["error"]["message"], where
    else:
        err = data["error"]
        assert err["request_id"] == rid and err["code"] and err["message"], where
