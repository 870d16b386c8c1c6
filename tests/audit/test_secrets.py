"""Secrets stay out: provider keys, gateway keys, sink tokens and bearer tokens appear in no
record, log line or export, even at the `full` content level and even when a caller pastes them
into a prompt. Every output is read back byte for byte and searched for every key."""

from __future__ import annotations

import base64
import logging
import secrets
import string
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.audit.receivers import Receivers
from tests.audit.support import cli, start_env
from tests.support import LoopThread

from interlock.simulator import SimulatorConfig, start_simulator


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@pytest.fixture()
def provider_key() -> str:
    # Shaped like a real project key, made now: never a literal in the repository.
    return "sk-" + "proj-" + _random(string.ascii_letters + string.digits, 48)


@pytest.fixture()
def own_simulator(provider_key: str) -> Iterator[Any]:
    loop = LoopThread()
    sim = loop.run(start_simulator(SimulatorConfig(openai_key=provider_key)))
    yield sim
    loop.run(sim.stop())
    loop.stop()


def _jwt_shaped() -> str:
    def seg(obj: str) -> str:
        return base64.urlsafe_b64encode(obj.encode()).decode().rstrip("=")

    header = seg('{"alg":"RS256","kid":"k"}')
    payload = seg('{"sub":"' + secrets.token_hex(8) + '"}')
    return f"{header}.{payload}.{secrets.token_urlsafe(32)}"


def test_no_secret_in_any_record_log_or_export(
    tmp_path: Path, own_simulator: Any, provider_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receivers = Receivers(
        tmp_path, "hec-" + secrets.token_hex(16), "whsec-" + secrets.token_hex(16)
    ).start()
    p = receivers.ports
    sinks = f"""  sinks:
    - {{type: jsonl, path: export/audit.jsonl}}
    - {{type: jsonl, name: cef, path: export/audit.cef, format: cef}}
    - {{type: syslog, transport: tcp, port: {p["tcp"]}}}
    - {{type: splunk_hec, url: "http://127.0.0.1:{p["http"]}", token: {receivers.hec_token}}}
    - {{type: otlp, endpoint: "http://127.0.0.1:{p["http"]}", headers: {{authorization: "Bearer {receivers.webhook_secret}x"}}}}
    - {{type: webhook, url: "http://127.0.0.1:{p["http"]}/hook", secret: {receivers.webhook_secret}}}
"""
    env = start_env(tmp_path, own_simulator.url, audit=sinks, openai_key=provider_key)
    aws_shaped = "AKIA" + _random(string.ascii_uppercase + string.digits, 16)
    jwt_shaped = _jwt_shaped()
    alice = env.org.keys["alice"]
    secrets_to_find = {
        "provider key": provider_key,
        "gateway key": alice,
        "admin key": env.org.keys["auditor-admin"],
        "HEC token": receivers.hec_token,
        "webhook secret": receivers.webhook_secret,
        "pasted AWS key": aws_shaped,
        "pasted JWT": jwt_shaped,
    }
    try:
        prompt = f"my keys: {alice} {provider_key} {aws_shaped} and a token {jwt_shaped}"
        ok = env.chat(alice, "search", prompt, user="cust-1")  # policy `open`: content full
        assert ok.status_code == 200
        # the simulator echoes the prompt: the answer carries the secrets back too
        assert provider_key in ok.text
        wrong = alice[:-4] + "AAAA"  # a near-miss key: refused, still recorded
        assert env.chat(wrong, "search", "hi").status_code == 401
        stream = env.http.post(
            "/v1/chat/completions",
            json={"model": "gpt-4o-mini", "stream": True,
                  "messages": [{"role": "user", "content": prompt}]},
            headers={"authorization": f"Bearer {alice}", "x-interlock-app": "search"},
        )  # fmt: skip
        assert stream.status_code == 200
        made = env.http.post(
            "/admin/keys", json={"identity_id": "bob"},
            headers={"authorization": f"Bearer {env.org.keys['root-admin']}"},
        )  # fmt: skip
        assert made.status_code == 201
        secrets_to_find["new key"] = made.json()["key"]
        rid = ok.headers["x-request-id"]
        record = env.record_of(rid)
        assert "[secret removed]" in record["request"]["messages"][0]["text"]
        assert "my keys:" in record["request"]["messages"][0]["text"]  # the rest is kept
        assert env.find(kind="admin", text="key bob")  # the admin change reached the trail

        outputs: dict[str, bytes] = {}
        auditor = {"authorization": f"Bearer {env.org.keys['auditor-admin']}"}
        outputs["search API"] = env.http.get(
            "/admin/audit/records", params={"limit": 1000}, headers=auditor
        ).content
        outputs["metrics"] = env.http.get("/metrics").content
        out = cli(["audit", "search", "--config", str(tmp_path / "gateway.yaml"), "--json",
                   "--limit", "1000"])  # fmt: skip
        assert out.returncode == 0
        outputs["cli"] = (out.stdout + out.stderr).encode()
        time.sleep(0.5)
    finally:
        env.close()  # flush: every sink and the store get everything
    for path in tmp_path.rglob("*"):
        if (
            path.is_file()
            and "pem" not in path.name
            and path.name != "gateway.yaml"
            and "ids-" not in path.name
        ):
            outputs[str(path.relative_to(tmp_path))] = path.read_bytes()
    outputs["receivers"] = b"\n".join(receivers.raw)
    outputs["log"] = caplog.text.encode()
    receivers.close()
    assert any("export/audit.jsonl" in k for k in outputs) and len(receivers.raw) > 0
    assert any(b"my keys:" in v for v in outputs.values())  # content really was exported
    leaks = [
        f"{what} in {where}"
        for where, data in outputs.items()
        for what, value in secrets_to_find.items()
        if value.encode() in data
    ]
    assert leaks == []


def test_scrub_of_serialised_bytes_matches_the_text_scrub(provider_key: str) -> None:
    """The writer scrubs the encoded record in one marker pass (Hyperscan): every literal and
    shape still goes, non-ASCII text around them survives, a clean record is returned as is."""
    import orjson

    from interlock.audit.scrub import MARK, Scrubber

    configured = "cfg-" + _random(string.ascii_letters, 24)
    scrubber = Scrubber([configured])
    record = {
        "a": f"café {configured} …",
        "b": f"Authorization: Bearer {_random(string.ascii_letters, 32)}",
        "c": f"pasted {provider_key} here",
        "d": _jwt_shaped(),
        "key": "ilk_0123456789ab",  # a key id, not a key: kept
    }
    alnum = string.ascii_letters + string.digits
    upper = string.ascii_uppercase + string.digits
    # One of every other shape, made now (never a literal in the repository).
    shapes = [
        "ilk_" + _random(string.ascii_lowercase, 12) + "_" + _random(alnum, 32),
        "AK" + "IA" + _random(upper, 16),
        "AI" + "za" + _random(alnum, 35),
        "gh" + "p_" + _random(alnum, 36),
        "xo" + "xb-" + _random(alnum, 24),
        "-----BEGIN " + "PRIVATE KEY-----\n" + _random(alnum, 40) + "\n-----END PRIVATE KEY-----",
    ]
    record.update({f"s{i}": f"é\u00a0{v}\u00a0…" for i, v in enumerate(shapes)})
    raw = orjson.dumps(record)
    out = scrubber.json_bytes(raw)
    assert out == scrubber.json_text(raw.decode()).encode()
    text = out.decode()
    assert configured not in text and provider_key not in text and "Bearer" not in text
    assert text.count(MARK) == 4 + len(shapes) and "café" in text and "ilk_0123456789ab" in text
    assert not any(v in text for v in shapes)
    clean = orjson.dumps({"a": "nothing to see", "key": "ilk_0123456789ab"})
    assert scrubber.json_bytes(clean) is clean


def test_store_json_cut_from_the_spool_line_is_the_decoded_record() -> None:
    """The store takes each record's JSON cut out of its spool line, not re-encoded: the same
    text as decoding the line and encoding the record again."""
    import orjson

    from interlock.audit.pipeline import decode, encode_checked, stored_json
    from interlock.audit.scrub import Scrubber

    for seq in (1, 42, 10**12):
        record = {"seq": seq, "chain": "n-0", "prev": "0" * 64, "text": "ünïcode…", "n": [1, 2.5]}
        line, digest, scrubbed = encode_checked(record, Scrubber())
        assert not scrubbed
        assert stored_json(line) == orjson.dumps(decode(line)).decode()
        assert orjson.loads(stored_json(line))["hash"] == digest
