"""Every export against a real receiver on loopback: JSON lines (rotation, OCSF), syslog RFC 5424
over UDP, TCP and TLS carrying CEF, Splunk HEC, OTLP/HTTP logs and traces (GenAI conventions),
and a signed webhook; a receiver that fails gets the records later, in order."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.audit.receivers import Receivers
from tests.audit.support import fake_exchange_record, minimal_config, write_records


@pytest.fixture()
def receivers(tmp_path: Path) -> Iterator[Receivers]:
    r = Receivers(
        tmp_path, "hec-" + secrets.token_hex(16), "whsec-" + secrets.token_hex(16)
    ).start()
    yield r
    r.close()


def sinks_yaml(r: Receivers, tmp: Path) -> str:
    p = r.ports
    return f"""  sinks:
    - {{type: jsonl, name: files, path: export/audit.jsonl, max_bytes: 4096, keep: 3}}
    - {{type: jsonl, name: ocsf-file, path: export/ocsf.jsonl, format: ocsf}}
    - {{type: syslog, name: syslog-udp, transport: udp, port: {p["udp"]}}}
    - {{type: syslog, name: syslog-tcp, transport: tcp, port: {p["tcp"]}}}
    - {{type: syslog, name: syslog-tls, transport: tls, port: {p["tls"]}, server_name: localhost, ca_file: {r.cert}}}
    - {{type: splunk_hec, url: "http://127.0.0.1:{p["http"]}", token: {r.hec_token}, index: ai}}
    - {{type: otlp, endpoint: "http://127.0.0.1:{p["http"]}"}}
    - {{type: webhook, url: "http://127.0.0.1:{p["http"]}/hook", secret: {r.webhook_secret}, format: ocsf}}
"""


def records(n: int) -> list[dict]:
    out = []
    for i in range(1, n + 1):
        out.append(
            fake_exchange_record(
                i,
                wire="openai.chat",
                model_requested="gpt-4o-mini",
                trace_id=f"{i:032x}",
                span_id=f"{i:016x}",
                duration_ms=12.5,
                usage={"input_tokens": 10 + i, "output_tokens": 20},
                attempts=[
                    {
                        "provider": "openai",
                        "model": "gpt-4o-mini",
                        "status": 503,
                        "error": "status_503",
                        "start_ms": 0.1,
                        "duration_ms": 3.0,
                    },
                    {
                        "provider": "openai",
                        "model": "gpt-4o-mini",
                        "status": 200,
                        "error": None,
                        "start_ms": 4.0,
                        "duration_ms": 5.0,
                    },
                ],
            )
        )
    return out


def wait(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the receivers did not get everything in time"
        time.sleep(0.05)


def test_every_sink_delivers_every_record_in_order(receivers: Receivers, tmp_path: Path) -> None:
    n = 40
    receivers.fail_http = 3  # HEC / OTLP / webhook answer 503 at first: retried, in order
    config = minimal_config(tmp_path, every=1000, extra=sinks_yaml(receivers, tmp_path))
    asyncio.run(write_records(config, records(n)))
    ids = [f"req_{i:06d}" for i in range(1, n + 1)]

    # syslog: RFC 5424 headers, CEF messages, one per record, in order, on every transport
    wait(lambda: all(len(receivers.syslog[t]) >= n for t in ("udp", "tcp", "tls")))
    for transport in ("udp", "tcp", "tls"):
        got = receivers.syslog[transport]
        assert got[0].version == "1" and got[0].app == "interlock" and got[0].msgid == "exchange"
        assert got[0].pri == 13 * 8 + 6  # log audit, informational
        assert all(m.msg.startswith("CEF:0|Interlock|Interlock Gateway|") for m in got)
        cef_ids = [
            m.msg.split("externalId=")[1].split(" ")[0] for m in got if "externalId=req_" in m.msg
        ]
        assert cef_ids == ids, transport
        assert "suser=alice" in got[0].msg and "cs3=gpt-4o-mini" in got[0].msg

    # Splunk HEC: events with the native record
    wait(lambda: len([e for e in receivers.hec if e["event"]["kind"] == "exchange"]) >= n)
    events = [e for e in receivers.hec if e["event"]["kind"] == "exchange"]
    assert [e["event"]["id"] for e in events] == ids
    assert events[0]["index"] == "ai" and events[0]["sourcetype"] == "interlock:audit"

    # OTLP: a log record per record, a server span per exchange with a client span per attempt
    wait(
        lambda: (
            sum(len(b["resourceSpans"][0]["scopeSpans"][0]["spans"]) for b in receivers.otlp_traces)
            >= 3 * n
        )
    )
    logs = [
        lr for b in receivers.otlp_logs for lr in b["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    ]
    ex_logs = [lr for lr in logs if lr["eventName"] == "interlock.audit.exchange"]
    assert [orjson.loads(lr["body"]["stringValue"])["id"] for lr in ex_logs] == ids
    assert ex_logs[0]["traceId"] == f"{1:032x}" and int(ex_logs[0]["timeUnixNano"]) > 0
    spans = [
        s for b in receivers.otlp_traces for s in b["resourceSpans"][0]["scopeSpans"][0]["spans"]
    ]
    server = [s for s in spans if s["kind"] == 2]
    clients = [s for s in spans if s["kind"] == 3]
    assert len(server) == n and len(clients) == 2 * n
    attrs = {a["key"]: a["value"] for a in server[0]["attributes"]}
    assert attrs["gen_ai.operation.name"] == {"stringValue": "chat"}
    assert attrs["gen_ai.request.model"] == {"stringValue": "gpt-4o-mini"}
    assert attrs["gen_ai.usage.input_tokens"] == {"intValue": "11"}
    assert server[0]["name"] == "chat gpt-4o-mini"
    first_attempt = next(c for c in clients if c["traceId"] == server[0]["traceId"])
    assert first_attempt["parentSpanId"] == server[0]["spanId"]
    assert first_attempt["status"]["code"] == 2  # the 503 attempt is an error span

    # webhook: signed (the receiver refuses a bad signature), OCSF API Activity, in order
    wait(lambda: sum(len(d["records"]) for d in receivers.webhook) >= n)
    ocsf = [
        r
        for d in receivers.webhook
        for r in d["records"]
        if r["metadata"]["uid"].startswith("req_")
    ]
    assert [r["metadata"]["uid"] for r in ocsf] == ids
    assert ocsf[0]["class_uid"] == 6003 and ocsf[0]["type_uid"] == 600399
    assert ocsf[0]["actor"]["user"]["uid"] == "alice" and ocsf[0]["status_id"] == 1

    # JSON lines: rotated at 4 KiB, nothing lost across the files, oldest file last
    export = tmp_path / "export"
    files = [
        export / "audit.jsonl.3",
        export / "audit.jsonl.2",
        export / "audit.jsonl.1",
        export / "audit.jsonl",
    ]
    assert all(f.exists() for f in files)
    assert all(f.stat().st_size <= 4096 + 2048 for f in files)
    kept = [orjson.loads(x) for f in files for x in f.read_bytes().splitlines()]
    kept_ids = [r["id"] for r in kept if r["kind"] == "exchange"]
    assert kept_ids == ids[-len(kept_ids) :]  # the newest, in order; older rotated away (keep: 3)
    ocsf_lines = [orjson.loads(x) for x in (export / "ocsf.jsonl").read_bytes().splitlines()]
    assert [
        o["metadata"]["uid"] for o in ocsf_lines if o["metadata"]["uid"].startswith("req_")
    ] == ids


def test_a_sink_that_is_down_gets_its_records_later_in_order(
    receivers: Receivers, tmp_path: Path
) -> None:
    from tests.support import free_port

    port = free_port()  # nothing listens: every delivery fails until the receiver appears
    yaml = f"""  sinks:
    - {{type: syslog, name: late, transport: tcp, port: {port}, retry_max_s: 0.2}}
"""
    config = minimal_config(tmp_path, extra=yaml)
    asyncio.run(write_records(config, records(10), drain_s=0.5))  # shipped nowhere: stays
    cursors = orjson.loads((tmp_path / "spool" / "chain-0" / "cursors.json").read_bytes())
    assert cursors["late"] == 0 and cursors["store"] > 0

    # The receiver comes up; the next gateway start ships the backlog first, then new records.
    got: list[bytes] = []

    async def serve() -> asyncio.AbstractServer:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    n = await reader.readuntil(b" ")
                    got.append(await reader.readexactly(int(n[:-1])))
            except (asyncio.IncompleteReadError, ConnectionError):
                pass

        return await asyncio.start_server(handle, "127.0.0.1", port)

    server = receivers.loop.run(serve())
    try:
        asyncio.run(write_records(config, records(15)[10:]))
        wait(lambda: sum(b"externalId=req_" in g for g in got) >= 15)
    finally:
        server.close()
    seen = [
        g.split(b"externalId=")[1].split(b" ")[0].decode() for g in got if b"externalId=req_" in g
    ]
    assert seen == [f"req_{i:06d}" for i in range(1, 16)]


def test_a_shipper_survives_a_failure_outside_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault while preparing a batch (reading the spool, decoding) is retried: the shipper
    must not die and leave every later record in the spool unshipped."""
    from interlock.audit.pipeline import AuditPipeline

    real = AuditPipeline.store_rows
    calls = {"n": 0}

    def flaky(self: AuditPipeline, first_seq: int, lines: list[bytes]) -> list[Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("a line that does not decode")
        return real(self, first_seq, lines)

    monkeypatch.setattr(AuditPipeline, "store_rows", flaky)
    config = minimal_config(tmp_path, every=1000, extra="  writer: inline\n")  # patchable here
    asyncio.run(write_records(config, records(10), drain_s=5.0))
    cursors = orjson.loads((tmp_path / "spool" / "chain-0" / "cursors.json").read_bytes())
    assert calls["n"] >= 2
    assert cursors["store"] >= 10  # every record (and any checkpoint before it) was shipped


def test_a_hanging_delivery_is_reported_and_still_awaited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A delivery that does not return (a sink's thread blocked on a dead connection) is said
    in the log while the shipper keeps waiting for it; nothing is skipped."""
    from interlock.audit import pipeline
    from interlock.audit.pipeline import StoreSink

    monkeypatch.setattr(pipeline, "STUCK_S", 0.2)
    real = StoreSink.send_rows
    calls = {"n": 0}

    async def slow_once(self: StoreSink, rows: list[Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            await asyncio.sleep(1.0)
        await real(self, rows)

    monkeypatch.setattr(StoreSink, "send_rows", slow_once)
    config = minimal_config(tmp_path, every=1000, extra="  writer: inline\n")
    with caplog.at_level("ERROR", logger="interlock.audit"):
        asyncio.run(write_records(config, records(10), drain_s=5.0))
    assert any("has not returned for" in r.getMessage() for r in caplog.records)
    cursors = orjson.loads((tmp_path / "spool" / "chain-0" / "cursors.json").read_bytes())
    assert cursors["store"] >= 10


def test_a_store_unreachable_at_start_is_opened_once_it_answers(tmp_path: Path) -> None:
    """A writer that starts while its store cannot be opened (a database restarting) starts
    anyway: records go to the spool, and reach the store once it can be opened."""
    from interlock.audit.stage import AuditStage
    from interlock.config import load_config
    from interlock.server.runtime import RuntimeHolder

    config_path = minimal_config(tmp_path, every=1000, extra="  writer: inline\n")
    blocker = tmp_path / "store.db"
    blocker.mkdir()  # a directory where the database file should be: SQLite cannot open it

    async def run() -> tuple[int, int]:
        config = load_config(config_path)
        stage = AuditStage(RuntimeHolder(config_path, config), config, config_path)
        pipeline = stage.pipeline
        await pipeline.start()
        for r in records(5):
            pipeline.submit_record(r)
        await asyncio.sleep(0.5)
        while_down = pipeline.shippers[0].cursor
        blocker.rmdir()  # the store comes back
        deadline = time.monotonic() + 20
        while pipeline.shippers[0].cursor < pipeline.durable_seq and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        shipped = pipeline.shippers[0].cursor
        await pipeline.stop(1.0)
        return while_down, shipped

    while_down, shipped = asyncio.run(run())
    assert while_down == 0
    assert shipped >= 5
    import sqlite3

    with sqlite3.connect(tmp_path / "store.db") as db:
        ids = {
            row[0] for row in db.execute("SELECT id FROM audit_records WHERE kind != 'checkpoint'")
        }
    assert ids == {f"req_{i:06d}" for i in range(1, 6)}
