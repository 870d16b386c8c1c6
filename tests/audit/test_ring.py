"""The hand-off ring between a gateway worker and its audit writer (ring.py): what it holds
survives the death of either process or both, a message too big for it still arrives in order,
and a writer that falls behind makes the worker wait in memory, not lose records."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tests.audit.test_durability import durable_ids
from tests.audit.test_writer import audit_stage, chat_exchange
from tests.auth.support import wait_for
from tests.support import GatewayServer, free_port, gateway_config

from interlock.audit.capture import encode_exchange
from interlock.audit.ring import HEADER, PREFIX, SHM, Ring, RingError, orphans, ring_dirs
from interlock.audit.ring import create as create_ring
from interlock.audit.spool import SEGMENT_PREFIX

BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


def spool_records(spool: Path) -> list[dict[str, Any]]:
    out = []
    for seg in sorted(spool.rglob(f"{SEGMENT_PREFIX}*")):
        out += [orjson.loads(line)["r"] for line in seg.read_bytes().splitlines()]
    return out


# ---- the ring itself -----------------------------------------------------------------------


def test_messages_wrap_around_and_free_space_comes_only_from_the_read_position(
    tmp_path: Path,
) -> None:
    ring = Ring.create(tmp_path, 64 * 1024)
    reader = Ring.attach(ring.path)
    assert reader is not None
    sent: list[bytes] = []
    taken = 0
    for i in range(800):
        # Lengths that do not divide the capacity: some messages are split at its end.
        msg = b"[%d,%s]\n" % (i, b"7" * (300 + i % 97))
        while not ring.put(msg):
            # Full until the reader says what it made durable.
            stop = reader.published()
            assert stop > reader.read_pos(), "full with nothing to read"
            data = reader.read(taken, stop)
            sent_lines = data.split(b"\n")[:-1]
            assert [line + b"\n" for line in sent_lines] == sent[: len(sent_lines)]
            del sent[: len(sent_lines)]
            taken = stop
            reader.release(stop, i - 1)
        ring.publish(i)
        sent.append(msg)
    assert ring.w_pos > 3 * ring.capacity  # it went round several times
    rest = reader.read(taken, reader.published())
    assert rest == b"".join(sent)
    reader.release(reader.published(), 799)
    assert reader.empty() and ring.durable_wid() == 799
    reader.close()
    ring.close(unlink=True)
    assert not ring.path.exists()


def test_a_ring_with_a_live_holder_is_no_orphan_and_a_bad_file_is_refused(tmp_path: Path) -> None:
    held = Ring.create(tmp_path, 64 * 1024)
    left = Ring.create(tmp_path, 64 * 1024)
    left.put(b'[1,"x"]\n')
    left.publish(1)
    left.close()  # its worker and writer are gone: the lock went with them
    (tmp_path / f"{PREFIX}garbage").write_bytes(b"\0" * (HEADER + 10))
    found = list(orphans(tmp_path, None))
    assert [r.path for r in found] == [left.path]
    assert found[0].read(0, found[0].published()) == b'[1,"x"]\n'
    # While the adopter holds it, nobody else can take it.
    assert list(orphans(tmp_path, None)) == []
    with pytest.raises(RingError):
        Ring.attach(tmp_path / f"{PREFIX}garbage")
    found[0].close()
    held.close(unlink=True)


def test_a_memory_directory_someone_else_can_read_is_not_used(tmp_path: Path) -> None:
    """The name in /dev/shm is predictable: a directory there that others can open is refused
    and the ring goes in the spool directory instead."""
    if not SHM.is_dir():
        pytest.skip("no /dev/shm on this system")
    spool = tmp_path / "spool"
    memory = ring_dirs(spool)[0]
    memory.mkdir(mode=0o755)
    memory.chmod(0o755)
    try:
        ring = create_ring(spool, 64 * 1024)
        assert ring.path.parent == spool
        ring.close(unlink=True)
        memory.chmod(0o700)
        ring = create_ring(spool, 64 * 1024)
        assert ring.path.parent == memory
        ring.close(unlink=True)
        assert not memory.exists()  # the last ring out removes its directory
    finally:
        shutil.rmtree(memory, ignore_errors=True)


# ---- with the writer process -----------------------------------------------------------------


def _serve(config: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "interlock.cli.main", "serve", "--config", str(config),
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
            return proc
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.05)


def _writer_pid(gateway_pid: int) -> int:
    out = subprocess.run(["pgrep", "-g", str(gateway_pid)], capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        # The writer is a fork of the fork server: a child of a process of the group that is not
        # the gateway itself, with the fork server's command line.
        if pid != gateway_pid and b"forkserver" in cmdline:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent != gateway_pid:
                return pid
    raise AssertionError(f"no writer among {pids}")


def test_what_a_stalled_writer_had_not_written_survives_kill_9_of_both(
    tmp_path: Path, simulator: Any
) -> None:
    """The writer is stopped (SIGSTOP), so answered exchanges pile up in the ring; then the
    gateway and its writer are killed together. The next start on the same spool writes them."""
    port = free_port()
    config = tmp_path / "gw.yaml"
    config.write_text(
        gateway_config(simulator.url)
        + "\naudit: {flush_interval_ms: 20, spool_dir: spool, store: null}\n"
    )
    proc = _serve(config, port)
    answered: list[str] = []
    try:
        writer = _writer_pid(proc.pid)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(5):
                answered.append(
                    client.post("/v1/chat/completions", json=BODY).headers["x-request-id"]
                )
            time.sleep(0.3)  # the writer wrote those
            os.kill(writer, signal.SIGSTOP)
            for _ in range(30):
                r = client.post("/v1/chat/completions", json=BODY)
                assert r.status_code == 200
                answered.append(r.headers["x-request-id"])
            time.sleep(0.1)  # handed off (2 ms) into the ring
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    written = durable_ids(tmp_path / "spool")
    assert set(answered[:5]) <= written
    assert not set(answered[5:]) & written  # the stalled writer never wrote these
    rings = [p for d in ring_dirs(tmp_path / "spool") for p in d.glob(f"{PREFIX}*")]
    assert len(rings) == 1  # the ring is still there
    if SHM.is_dir():
        # In memory: the worker's captures (before the scrub) never reach the disk.
        assert rings[0].parent.parent == SHM
        assert list((tmp_path / "spool").glob(f"{PREFIX}*")) == []
    # The next gateway on this spool takes the ring over.
    gw = GatewayServer(config.read_text(), config)
    try:
        wait_for(lambda: set(answered) <= durable_ids(tmp_path / "spool"), timeout=20)
    finally:
        gw.close()
    records = [r for r in spool_records(tmp_path / "spool") if r.get("kind") == "exchange"]
    assert sorted(r["id"] for r in records) == sorted(answered)  # each once
    assert [p for d in ring_dirs(tmp_path / "spool") for p in d.glob(f"{PREFIX}*")] == []
    assert all(not d.exists() for d in ring_dirs(tmp_path / "spool")[:-1])  # and their directory


@pytest.mark.parametrize("durability", ["batched", "strict"])
def test_a_message_too_big_for_the_ring_arrives_in_its_place(
    tmp_path: Path, simulator: Any, durability: str
) -> None:
    yaml = (
        gateway_config(simulator.url)
        + f"""
server: {{max_body_bytes: 1000000}}
audit: {{ring_bytes: 65536, durability: {durability}, content: full, spool_dir: spool,
         store: null, flush_interval_ms: 20}}
"""
    )
    gw = GatewayServer(yaml, tmp_path / "gw.yaml")
    sent: list[tuple[str, int]] = []
    try:
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            for i in range(12):
                size = 40_000 if i % 4 == 1 else 10  # a quarter of the ring and more
                body = {"model": "gpt-4o-mini",
                        "messages": [{"role": "user", "content": "y" * size}]}  # fmt: skip
                r = client.post("/v1/chat/completions", json=body)
                assert r.status_code == 200
                sent.append((r.headers["x-request-id"], size))
        wait_for(lambda: {rid for rid, _ in sent} <= durable_ids(tmp_path / "spool"), timeout=20)
    finally:
        gw.close()
    records = [r for r in spool_records(tmp_path / "spool") if r.get("kind") == "exchange"]
    assert [r["id"] for r in records] == [rid for rid, _ in sent]  # in the order answered
    for record, (_, size) in zip(records, sent, strict=True):
        assert ("y" * size) in orjson.dumps(record["request"]).decode()
    seqs = [r["seq"] for r in spool_records(tmp_path / "spool")]
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_writer_behind_a_full_ring_loses_nothing_and_queue_max_still_holds(
    tmp_path: Path, simulator: Any
) -> None:
    """With the writer stopped, a 64 KiB ring fills; later exchanges wait in the worker's
    memory, and beyond `queue_max` the policy refuses. Once the writer runs again, every
    answered exchange is written, in order."""
    yaml = (
        gateway_config(simulator.url)
        + """
audit: {ring_bytes: 65536, queue_max: 150, content: full, spool_dir: spool, store: null,
        flush_interval_ms: 20, on_spool_full: refuse}
"""
    )
    gw = GatewayServer(yaml, tmp_path / "gw.yaml")
    stage = audit_stage(gw)
    answered: list[str] = []
    statuses: list[int] = []
    try:
        writer = stage.pipeline._proc.pid
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "z" * 1000}]}
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            os.kill(writer, signal.SIGSTOP)
            try:
                for _ in range(200):
                    r = client.post("/v1/chat/completions", json=body)
                    statuses.append(r.status_code)
                    if r.status_code == 200:
                        answered.append(r.headers["x-request-id"])
                    else:
                        assert r.json()["error"]["code"] == "audit_unavailable"
                    time.sleep(0.003)  # lets the hand-off run between requests
                overflowed = len(stage.pipeline._overflow)
            finally:
                os.kill(writer, signal.SIGCONT)
            wait_for(lambda: set(answered) <= durable_ids(tmp_path / "spool"), timeout=20)
            r = client.post("/v1/chat/completions", json=body)
            assert r.status_code == 200  # the backlog is gone: traffic is admitted again
            answered.append(r.headers["x-request-id"])
            wait_for(lambda: set(answered) <= durable_ids(tmp_path / "spool"), timeout=20)
    finally:
        gw.close()
    assert overflowed > 0  # more than the ring held was waiting in the worker
    assert 150 <= len([s for s in statuses if s == 200]) <= 152  # queue_max, then refused
    assert 503 in statuses
    records = [r for r in spool_records(tmp_path / "spool") if r.get("kind") == "exchange"]
    assert [r["id"] for r in records] == answered


def test_a_killed_writer_resumes_from_the_ring_in_batched_mode(
    tmp_path: Path, simulator: Any
) -> None:
    yaml = (
        gateway_config(simulator.url)
        + "\naudit: {spool_dir: spool, store: null, on_spool_full: drop, flush_interval_ms: 500}\n"
    )
    gw = GatewayServer(yaml, tmp_path / "gw.yaml")
    stage = audit_stage(gw)
    answered: list[str] = []
    try:
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            for _ in range(20):
                answered.append(
                    client.post("/v1/chat/completions", json=BODY).headers["x-request-id"]
                )
            time.sleep(0.05)  # in the ring, not yet written (the flush interval is 500 ms)
            first = stage.pipeline._proc.pid
            assert not set(answered) & durable_ids(tmp_path / "spool")
            os.kill(first, signal.SIGKILL)
            wait_for(lambda: stage.pipeline._proc.pid != first and not stage.pipeline.down,
                     timeout=30)  # fmt: skip
            for _ in range(5):
                answered.append(
                    client.post("/v1/chat/completions", json=BODY).headers["x-request-id"]
                )
            wait_for(lambda: set(answered) <= durable_ids(tmp_path / "spool"), timeout=20)
    finally:
        gw.close()
    records = [r for r in spool_records(tmp_path / "spool") if r.get("kind") == "exchange"]
    assert [r["id"] for r in records] == answered


def test_the_worker_writes_what_the_writer_reads(tmp_path: Path) -> None:
    """The capture in the ring is the capture the writer builds the record from."""
    ring = Ring.create(tmp_path, 64 * 1024)
    data = encode_exchange(3, False, chat_exchange("full"), None, 0.0)
    assert ring.put(data)
    ring.publish(3)
    reader = Ring.attach(ring.path)
    assert reader is not None
    assert reader.read(0, reader.published()) == data
    reader.close()
    ring.close(unlink=True)


def test_an_idle_writer_sleeps_and_the_next_exchange_wakes_it(
    tmp_path: Path, simulator: Any
) -> None:
    """Idle, the writer stops reading the ring on its clock (no wake-ups of an idle process);
    the worker's next hand-off wakes it, so the flush interval still bounds the wait, far below
    the writer's fallback look every second."""
    yaml = (
        gateway_config(simulator.url)
        + "\naudit: {spool_dir: spool, store: null, flush_interval_ms: 20}\n"
    )
    gw = GatewayServer(yaml, tmp_path / "gw.yaml")
    stage = audit_stage(gw)
    try:
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            for _ in range(3):
                client.post("/v1/chat/completions", json=BODY)
                wait_for(lambda: stage.pipeline._ring.writer_sleeping(), timeout=5)
                rid = client.post("/v1/chat/completions", json=BODY).headers["x-request-id"]
                took = wait_for(lambda r=rid: r in durable_ids(tmp_path / "spool"), timeout=5)
                assert took < 0.5, f"written {took:.2f} s after the answer"
    finally:
        gw.close()
