"""Test support for the audit: a gateway with identity on, a seeded organisation, an audit
store of either engine, and helpers to wait for records to reach the store."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.auth.support import Database, Org, create_pg_database, drop_pg_database, seed_org
from tests.support import GatewayServer

from interlock.audit.search import query_from
from interlock.audit.store import AuditStore, open_audit_store

POLICIES = {"standard", "open", "quiet", "guarded", "pseudo"}


def audit_yaml(
    sim_url: str,
    db_url: str,
    audit: str = "",
    providers_extra: str = "",
    openai_key: str = "sim-openai-key",
) -> str:
    """Auth on (API keys), three policies with three content levels, and an `audit:` section."""
    return f"""
server: {{max_body_bytes: 200000, total_timeout_s: 20}}
providers:
  openai:
    type: openai
    base_url: {sim_url}/v1
    api_key: {openai_key}
    retry: {{max_attempts: 2, backoff_base_s: 0.01, backoff_max_s: 0.02}}
  backup:
    type: openai_compatible
    base_url: {sim_url}/v1
    api_key: {openai_key}
{providers_extra}
models:
  gpt-4o-mini: {{provider: openai, fallbacks: [local-llama]}}
  local-llama: {{provider: backup, model: llama-3.1-8b}}
  text-embedding-3-small: {{provider: openai, kind: embedding}}
database: {{url: "{db_url}", refresh_s: 0.2}}
policies:
  standard:
    models: [gpt-4o-mini, text-embedding-3-small]
    audit: {{content: metadata}}
  open:
    models: ["*"]
    # No request DLP (the default would redact pasted keys): what keeps secrets out of these
    # full-content records is the audit's own scrubbing.
    dlp: {{enabled: false}}
    audit: {{content: full, retention_days: 30}}
  quiet:
    models: ["*"]
    audit: {{content: none}}
  guarded:
    models: ["*"]
    dlp: {{entities: [EMAIL_ADDRESS], actions: {{default: redact}}}}
    audit: {{content: redacted}}
  pseudo:
    models: ["*"]
    dlp: {{entities: [EMAIL_ADDRESS], actions: {{default: pseudonymise}}}}
    audit: {{content: redacted}}
audit:
  flush_interval_ms: 20
  checkpoint_every: 50
  checkpoint_interval_s: 0.5
{audit}"""


@dataclass
class AuditEnv:
    tmp: Path
    db: Database
    org: Org
    gateway: GatewayServer
    store_url: str
    http: httpx.Client
    pg_store_db: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stage(self) -> Any:
        from interlock.audit.stage import AuditStage
        from interlock.server.app import PIPELINE

        pipeline = self.gateway.app[PIPELINE]
        for hook in pipeline.done_hooks:
            owner = getattr(hook, "__self__", None)
            if isinstance(owner, AuditStage):
                return owner
        raise AssertionError("no audit stage")

    def chat(
        self,
        key: str,
        app: str,
        text: str = "hello",
        model: str = "gpt-4o-mini",
        headers: dict[str, str] | None = None,
        **body: Any,
    ) -> httpx.Response:
        h = {"authorization": f"Bearer {key}", "x-interlock-app": app, **(headers or {})}
        payload = {"model": model, "messages": [{"role": "user", "content": text}], **body}
        return self.http.post("/v1/chat/completions", json=payload, headers=h)

    def store(self) -> AuditStore:
        store = open_audit_store(self.store_url, self.tmp)
        store.open()
        return store

    def find(self, timeout: float = 5.0, **filters: Any) -> list[dict[str, Any]]:
        """Records matching the filters once the store has at least one (or [] at timeout)."""
        store = self.store()
        try:
            deadline = time.monotonic() + timeout
            while True:
                found = [s.record for s in store.search(query_from(filters))]
                if found or time.monotonic() > deadline:
                    return found
                time.sleep(0.05)
        finally:
            store.close()

    def record_of(self, request_id: str, timeout: float = 5.0) -> dict[str, Any]:
        found = self.find(timeout, request_id=request_id, kind="exchange")
        assert found, f"no audit record for {request_id}"
        return found[0]

    def close(self) -> None:
        self.http.close()
        self.gateway.close()
        self.db.drop()
        if self.pg_store_db:
            drop_pg_database(self.pg_store_db)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def cli(argv: list[str]) -> CliResult:
    """`interlock …` in this process (the same entry point as the console script), captured."""
    import contextlib
    import io

    from interlock.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


def start_env(
    tmp: Path, sim_url: str, store_backend: str = "sqlite", audit: str = "", **yaml_args: Any
) -> AuditEnv:
    db = Database("sqlite", tmp)
    org = seed_org(db.url, POLICIES)
    pg_db = None
    if store_backend == "postgresql":
        pg_db = store_url = create_pg_database()
    else:
        store_url = "sqlite:///audit-store.db"
    store_section = f"  store: {{url: '{store_url}', batch: 200}}\n"
    config_path = tmp / "gateway.yaml"
    gateway = GatewayServer(
        audit_yaml(sim_url, db.url, store_section + audit, **yaml_args), config_path
    )
    http = httpx.Client(base_url=gateway.url, timeout=20)
    return AuditEnv(tmp, db, org, gateway, store_url, http, pg_db)


# ---- a pipeline without a gateway ----------------------------------------------------------

MINIMAL_YAML = """
auth: {{enabled: false}}
providers:
  openai: {{type: openai, api_key: {key}}}
models:
  gpt-4o-mini: {{provider: openai}}
audit:
  spool_dir: spool
  store: {{url: "{store}"}}
  checkpoint_every: {every}
  signing_key: checkpoint.pem
{extra}"""


def minimal_config(
    tmp: Path,
    store: str = "sqlite:///store.db",
    every: int = 10,
    extra: str = "",
    key: str = "sk-test-placeholder",
) -> Path:
    from interlock.audit.chain import generate_key

    if not (tmp / "checkpoint.pem").exists():
        generate_key(tmp / "checkpoint.pem")
    path = tmp / "audit.yaml"
    path.write_text(MINIMAL_YAML.format(store=store, every=every, extra=extra, key=key))
    return path


def fake_exchange_record(i: int, **fields: Any) -> dict[str, Any]:
    from interlock.audit.record import record_tags

    record = {
        "v": 1, "kind": "exchange", "id": f"req_{i:06d}", "ts": time.time(), "status": 200,
        "outcome": "ok", "team": "red", "app": "chat", "identity": "alice", "policy": "open",
        "end_user": f"cust-{i % 3}", "model": "gpt-4o-mini", "provider": "openai",
        "content_level": "full", "decisions": [{"stage": "auth", "outcome": "allowed"}],
        "request": {"messages": [{"role": "user", "text": f"message number {i}"}]},
        "response": {"choices": [{"index": 0, "text": f"answer {i}"}]},
        **fields,
    }  # fmt: skip
    record["tags"] = record_tags(record)
    return record


async def write_records(
    config_path: Path, records: list[dict[str, Any]], drain_s: float = 3.0
) -> Any:
    """Run the audit stage's pipeline of this configuration over prebuilt records, then stop."""
    from interlock.audit.stage import AuditStage
    from interlock.config import load_config
    from interlock.server.runtime import RuntimeHolder

    config = load_config(config_path)
    stage = AuditStage(RuntimeHolder(config_path, config), config, config_path)
    await stage.pipeline.start()
    for r in records:
        stage.pipeline.submit_record(r)
    await stage.pipeline.stop(drain_s)
    return stage
