"""The audit configuration: the gateway-wide `audit:` section and each policy's `audit:` part.

Per policy: how much content a record keeps, how long records live, whether the answer waits
for its record to be on disk, and what happens when the spool is full. Gateway-wide: where the
spool lives, how often it is flushed, the audit store, the sinks and the checkpoint key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ContentLevel = Literal["none", "metadata", "redacted", "full"]
Durability = Literal["batched", "strict"]
OnFull = Literal["refuse", "drop"]
RecordFormat = Literal["native", "ocsf", "cef"]


class _Strict(BaseModel):
    # Same rule as the main schema: an unknown key is an error, not a silent no-op.
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuditPolicy(_Strict):
    """A policy's audit settings; unset fields take the gateway-wide defaults."""

    # none: no content at all; metadata: sizes and counts; redacted: the request as sent to the
    # provider (after DLP) and the answer as sent to the client; full: what the client sent.
    content: ContentLevel = "metadata"
    retention_days: float | None = Field(None, gt=0)
    durability: Durability | None = None
    on_spool_full: OnFull | None = None


# ---- sinks -----------------------------------------------------------------------------------


class SinkBase(_Strict):
    name: str | None = None  # defaults to the type; names must be unique (cursors are per name)
    retry_max_s: float = Field(30.0, gt=0)  # the longest pause between two delivery attempts
    batch: int = Field(200, ge=1, le=10_000)


class JsonlSink(SinkBase):
    type: Literal["jsonl"]
    path: str  # relative to the configuration file
    format: RecordFormat = "native"
    max_bytes: int = Field(64 * 1024 * 1024, ge=1024)  # rotate when the file would exceed this
    keep: int = Field(10, ge=1)  # rotated files kept: path.1 … path.keep
    fsync: bool = True


class SyslogSink(SinkBase):
    type: Literal["syslog"]
    host: str = "127.0.0.1"
    port: int = Field(514, ge=1, le=65535)
    transport: Literal["udp", "tcp", "tls"] = "tcp"
    format: Literal["cef", "native"] = "cef"
    app_name: str = "interlock"
    facility: int = Field(13, ge=0, le=23)  # 13: log audit
    ca_file: str | None = None  # TLS: trust these CAs (default: the system's)
    server_name: str | None = None  # TLS: the name on the certificate (default: host)
    verify: bool = True


class SplunkHecSink(SinkBase):
    type: Literal["splunk_hec"]
    url: str  # https://splunk:8088 (the /services/collector/event path is added)
    token: str
    index: str | None = None
    source: str = "interlock"
    sourcetype: str = "interlock:audit"
    format: RecordFormat = "native"
    ca_file: str | None = None
    verify: bool = True


class OtlpSink(SinkBase):
    type: Literal["otlp"]
    endpoint: str  # http://collector:4318 (/v1/logs and /v1/traces are added)
    headers: dict[str, str] = Field(default_factory=dict)
    logs: bool = True
    traces: bool = True
    service_name: str = "interlock"


class WebhookSink(SinkBase):
    type: Literal["webhook"]
    url: str
    secret: str  # HMAC-SHA256 key for the signature header
    format: RecordFormat = "native"
    headers: dict[str, str] = Field(default_factory=dict)


SinkConfig = Annotated[
    JsonlSink | SyslogSink | SplunkHecSink | OtlpSink | WebhookSink, Field(discriminator="type")
]


class AuditStoreSettings(_Strict):
    # sqlite:///relative.db (relative to the configuration file) or postgresql://…
    url: str = "sqlite:///interlock-audit.db"
    batch: int = Field(500, ge=1, le=10_000)

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not v.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite://, postgresql:// or postgres://")
        return v


class AuditSettings(_Strict):
    enabled: bool = True
    # The durable local spool; relative to the configuration file. Without a file (embedded use,
    # tests) a temporary directory is used and the gateway says so in its log.
    spool_dir: str | None = None
    flush_interval_ms: float = Field(50.0, gt=0, le=10_000)
    spool_max_bytes: int = Field(1024 * 1024 * 1024, ge=64 * 1024)
    segment_bytes: int = Field(16 * 1024 * 1024, ge=4 * 1024)
    queue_max: int = Field(100_000, ge=10)
    # `writer: process`: the file each gateway worker shares with its writer (ring.py), holding
    # what is not yet fsynced; while it is full, messages wait in the worker (up to queue_max).
    ring_bytes: int = Field(16 * 1024 * 1024, ge=64 * 1024)
    durability: Durability = "batched"
    on_spool_full: OnFull = "refuse"  # fail closed unless a policy says otherwise
    content: ContentLevel = "metadata"  # for exchanges without a policy (refused, auth off)
    retention_days: float = Field(365.0, gt=0)
    retention_check_s: float = Field(3600.0, gt=0)
    node: str | None = None  # names this host's chains; default: the host name
    signing_key: str | None = None  # Ed25519 private key (PEM); default: generated in the spool
    checkpoint_every: int = Field(1000, ge=1)
    checkpoint_interval_s: float = Field(30.0, gt=0)
    store: AuditStoreSettings | None = AuditStoreSettings()
    sinks: list[SinkConfig] = Field(default_factory=list)
    admin_trail: bool = True  # copy admin changes (admin_audit rows) into this trail
    metrics: bool = True  # Prometheus text on GET /metrics
    # process: records are built, scrubbed, chained, written and shipped by a writer process per
    # gateway worker (the worker only encodes the finished exchange); inline: all of it in the
    # worker's own event loop and threads (embedding without child processes).
    writer: Literal["process", "inline"] = "process"
    # CPUs the writer process runs on (default: the worker's own); lets a pinned worker keep its
    # core for requests.
    writer_cpus: list[int] | None = None
    # Niceness added to the writer process: a worker that shares its core with the writer then
    # runs first when a request arrives, and the writer catches up in between (see README).
    writer_nice: int = Field(0, ge=0, le=19)
    # Linux SCHED_IDLE for the writer: it runs only on CPU time nothing else wants, and any other
    # task that wakes up (a worker, the load balancer, a client on the same host) takes the CPU
    # at once; a niced writer keeps its time slice first (on EEVDF kernels a few ms: the p99 of
    # whatever shares its CPU). For a writer on a CPU with spare time; on a saturated one it
    # falls behind until `queue_max` refuses or drops (per policy). See README.
    writer_idle: bool = False
    # Request content kept per text part in a record; longer text is cut (and says so).
    max_text_chars: int = Field(100_000, ge=100)

    @field_validator("sinks")
    @classmethod
    def _unique_names(cls, sinks: list[SinkBase]) -> list[SinkBase]:
        seen: set[str] = set()
        for sink in sinks:
            name = sink.name or sink.type  # type: ignore[attr-defined]
            if name in seen or name == "store":
                raise ValueError(f"sink name '{name}' is used twice (set `name:` on each)")
            seen.add(name)
        return sinks
