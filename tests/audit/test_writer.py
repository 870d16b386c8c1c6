"""The audit writer process: the record it builds from a worker's capture is the record the
worker would have built itself, and a writer that dies is replaced without losing what the
worker had handed it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tests.audit.test_durability import durable_ids
from tests.auth.support import wait_for
from tests.support import GatewayServer, gateway_config

from interlock.audit.capture import encode_exchange
from interlock.audit.record import Notes, build_record, record_from_capture
from interlock.audit.spool import SEGMENT_PREFIX
from interlock.audit.stage import AuditStage
from interlock.auth.principal import Principal
from interlock.config.schema import PolicyConfig
from interlock.exchange import (
    Attempt,
    ChatRequest,
    ChatResponse,
    Choice,
    EmbeddingRequest,
    EmbeddingResponse,
    Exchange,
    ImagePart,
    Message,
    TextPart,
    Tool,
    ToolCall,
    ToolResult,
    Usage,
)
from interlock.server.app import PIPELINE


def chat_exchange(level: str) -> Exchange:
    req = ChatRequest(
        model="gpt-4o-mini",
        messages=[
            Message("system", [TextPart("be brief")]),
            Message("user", [TextPart("what is in "), ImagePart.from_url("data:image/png;base64,AAAA"),
                             TextPart("this picture? mail bob@example.com")]),
            Message("assistant", [ToolCall("call_1", "lookup", '{"q": "picture"}')]),
            Message("tool", [ToolResult("call_1", [TextPart("a cat")], name="lookup")]),
        ],
        tools=[Tool("lookup", "find things", {"type": "object"})],
        user="cust-4711",
        metadata={"user_id": "ignored-when-user-is-set"},
        raw={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "original"}]},
        modified=True,
    )  # fmt: skip
    ex = Exchange("req_abc", "openai.chat", request=req)
    ex.principal = Principal("alice", "red", "search", "open", PolicyConfig(models=["*"]), "b1",
                             "api_key", key_id="ilk_abcdefabcdef")  # fmt: skip
    ex.audit = Notes(end_user="hdr-user", traceparent="00-" + "ab" * 16 + "-" + "cd" * 8 + "-01",
                     source="127.0.0.1", user_agent="test/1", path="/v1/chat/completions",
                     content=level, retention_days=30.0)  # fmt: skip
    ex.decide("auth", "allowed")
    ex.decide("dlp", "redacted", findings=[{"type": "EMAIL_ADDRESS", "action": "redact"}],
              types={"EMAIL_ADDRESS": 1})  # fmt: skip
    ex.decide("cost", "settled", usd=0.0012)
    ex.attempts.append(Attempt("openai", "gpt-4o-mini", 503, "unavailable", ex.received_at, 4.2))
    ex.attempts.append(Attempt("backup", "llama", 200, None, ex.received_at + 0.01, 7.5))
    ex.served_by = ("backup", "llama")
    ex.usage = Usage(12, 9, 2, 0, 1)
    ex.response = ChatResponse(
        "resp_1", "llama",
        [Choice(0, [TextPart("a cat, "), TextPart("sleeping")], "stop"),
         Choice(1, [ToolCall("call_2", "lookup", "{}")], "tool_calls")],
        ex.usage, raw={"big": "x" * 100}, raw_body=b"{}",
    )  # fmt: skip
    for mark in ("parsed", "inspected", "planned", "answered", "response_inspected", "done"):
        ex.audit.marks[mark] = time.perf_counter()
    return ex


def embedding_exchange(level: str) -> Exchange:
    ex = Exchange("req_emb", "openai.embeddings", request=EmbeddingRequest("emb", ["a", "bc"]))
    ex.audit = Notes(content=level)
    ex.response = EmbeddingResponse("emb", [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], Usage(3, 0))
    ex.status, ex.error_code = 200, None
    ex.audit.marks["done"] = time.perf_counter()
    return ex


def through_the_writer(ex: Exchange, kind: str | None = None) -> dict[str, Any]:
    wid, tag, strict, capture = orjson.loads(encode_exchange(7, True, ex, kind, 0.0))
    assert (wid, tag, strict) == (7, "x", True)
    assert capture[1] == kind
    return record_from_capture(capture, 100_000)


def audit_stage(gw: GatewayServer) -> AuditStage:
    """The gateway's audit stage (its writer client is `stage.pipeline`)."""
    return next(
        h.__self__ for h in gw.app[PIPELINE].done_hooks if isinstance(h.__self__, AuditStage)
    )


@pytest.mark.parametrize("level", ["none", "metadata", "redacted", "full"])
def test_the_writer_builds_the_record_the_worker_would_have_built(level: str) -> None:
    for make in (chat_exchange, embedding_exchange):
        ex = make(level)
        here = build_record(ex, 100_000)
        there = through_the_writer(ex)
        assert there == here, make.__name__
    # What a level does not keep is not even sent to the writer.
    line = encode_exchange(1, False, chat_exchange("none"), None, 0.0)
    assert b"bob@example.com" not in line and b"a cat" not in line
    assert b"original" not in encode_exchange(1, False, chat_exchange("redacted"), None, 0.0)


def test_a_refused_exchange_without_request_or_principal() -> None:
    ex = Exchange("req_refused", "anthropic.messages")
    ex.status, ex.error_code = 401, "invalid_api_key"
    ex.decide("auth", "refused", reason="unknown key")
    ex.audit = Notes(content="metadata")
    ex.audit.marks["done"] = time.perf_counter()
    assert through_the_writer(ex) == build_record(ex, 100_000)


def _spool_seqs(spool: Path) -> list[int]:
    seqs = []
    for seg in sorted(spool.rglob(f"{SEGMENT_PREFIX}*")):
        seqs += [orjson.loads(line)["seq"] for line in seg.read_bytes().splitlines()]
    return seqs


def test_a_killed_writer_is_replaced_and_nothing_answered_is_lost(
    tmp_path: Path, simulator: Any
) -> None:
    yaml = (
        gateway_config(simulator.url)
        + """
audit: {durability: strict, spool_dir: spool, store: null, on_spool_full: refuse}
"""
    )
    gw = GatewayServer(yaml, tmp_path / "gw.yaml")
    stage = audit_stage(gw)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    answered: list[str] = []
    statuses: list[int] = []
    try:
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            for _ in range(20):
                r = client.post("/v1/chat/completions", json=body)
                assert r.status_code == 200
                answered.append(r.headers["x-request-id"])
            first = stage.pipeline._proc.pid
            os.kill(first, signal.SIGKILL)
            deadline = time.monotonic() + 30
            # While it is replaced the policy (refuse) holds; then traffic is recorded again.
            while time.monotonic() < deadline:
                r = client.post("/v1/chat/completions", json=body)
                statuses.append(r.status_code)
                if r.status_code == 200:
                    answered.append(r.headers["x-request-id"])
                    if stage.pipeline._proc.pid != first and len(statuses) > 5:
                        break
                else:
                    assert r.json()["error"]["code"] == "audit_unavailable"
                time.sleep(0.01)
            assert stage.pipeline._proc.pid != first
            for _ in range(20):
                r = client.post("/v1/chat/completions", json=body)
                assert r.status_code == 200
                answered.append(r.headers["x-request-id"])
    finally:
        gw.close()
    assert set(answered) <= durable_ids(tmp_path / "spool")
    seqs = _spool_seqs(tmp_path / "spool")
    assert seqs == list(range(1, len(seqs) + 1))  # one chain, continued by the new writer


def test_a_script_that_builds_a_gateway_at_module_level_is_not_run_again_by_its_writer(
    tmp_path: Path, simulator: Any
) -> None:
    # multiprocessing runs the parent's main script in a child to find its functions; the
    # writer must not, or a script without a `__main__` guard would start a gateway in there.
    import subprocess
    import sys

    script = tmp_path / "embed.py"
    script.write_text(
        "import httpx\n"
        "from tests.support import GatewayServer, gateway_config\n"
        f"gw = GatewayServer(gateway_config({simulator.url!r}))\n"
        "body = {'model': 'gpt-4o-mini', 'messages': [{'role': 'user', 'content': 'hi'}]}\n"
        "print(httpx.post(gw.url + '/v1/chat/completions', json=body, timeout=10).status_code)\n"
        "gw.close()\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script)], cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["200"]


def test_the_writer_runs_at_the_configured_niceness(tmp_path: Path, simulator: Any) -> None:
    """`writer_nice` lowers the writer's priority (so a worker sharing its core runs first);
    the worker itself keeps its own."""
    yaml = (
        gateway_config(simulator.url) + "\naudit: {spool_dir: spool, store: null, writer_nice: 7}\n"
    )
    gw = GatewayServer(yaml, tmp_path / "gw.yaml")
    stage = audit_stage(gw)
    try:
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
            assert client.post("/v1/chat/completions", json=body).status_code == 200
        writer = stage.pipeline._proc.pid
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, writer) == min(19, mine + 7)
        assert os.sched_getscheduler(writer) == os.SCHED_OTHER
    finally:
        gw.close()


def test_an_idle_writer_runs_under_sched_idle_and_still_records(
    tmp_path: Path, simulator: Any
) -> None:
    """`writer_idle` puts the writer under SCHED_IDLE (it runs on CPU time nothing else
    wants); on a machine with spare time it still makes every record durable."""
    yaml = gateway_config(simulator.url) + (
        "\naudit: {spool_dir: spool, store: {url: 'sqlite:///audit.db'}, writer_idle: true}\n"
    )
    gw = GatewayServer(yaml, tmp_path / "gw.yaml")
    stage = audit_stage(gw)
    try:
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
            ids = [
                client.post("/v1/chat/completions", json=body).headers["x-request-id"]
                for _ in range(5)
            ]
        assert os.sched_getscheduler(stage.pipeline._proc.pid) == os.SCHED_IDLE
        assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the worker keeps its own
        assert stage.store is not None
        wait_for(lambda: all(stage.store.by_request_id(i) for i in ids), 10)
    finally:
        gw.close()
