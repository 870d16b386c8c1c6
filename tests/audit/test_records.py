"""One record per exchange: who, what, every decision, attempts, usage, timings and content at
the policy's level; refused, streamed and cut-off exchanges too; admin changes in the same
trail; search through the admin API (auditor role) and the CLI, on both store engines."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from tests.audit.support import AuditEnv, cli, start_env


@pytest.fixture(params=["sqlite", "postgresql"])
def env(
    request: pytest.FixtureRequest, tmp_path: Path, simulator: Any, sim: Any
) -> Iterator[AuditEnv]:
    e = start_env(tmp_path, simulator.url, request.param)
    yield e
    e.close()


def test_a_full_content_exchange_is_recorded_with_every_field(env: AuditEnv) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    client = openai.OpenAI(
        base_url=env.gateway.url + "/v1",
        api_key=env.org.keys["alice"],
        default_headers={
            "x-interlock-app": "search",
            "traceparent": f"00-{trace}-00f067aa0ba902b7-01",
        },
    )
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "I want a refund for order 1234"}],
        user="cust-4711",
    )
    rid = raw.headers["x-request-id"]
    r = env.record_of(rid)
    assert r["kind"] == "exchange" and r["status"] == 200 and r["outcome"] == "ok"
    assert (r["identity"], r["team"], r["app"], r["policy"]) == ("alice", "red", "search", "open")
    assert r["end_user"] == "cust-4711"
    assert r["key"] == env.org.key_ids["alice"] and r["credential"] == "api_key"
    assert r["trace_id"] == trace and r["parent_span_id"] == "00f067aa0ba902b7"
    assert (r["provider"], r["model"], r["model_requested"]) == (
        "openai",
        "gpt-4o-mini",
        "gpt-4o-mini",
    )
    stages = [d["stage"] for d in r["decisions"]]
    assert stages[0] == "auth" and "cost" in stages  # every stage's decision, in order
    cost = next(d for d in r["decisions"] if d["stage"] == "cost")
    assert r["cost_usd"] == cost["usd"]
    assert r["decisions"][0]["outcome"] == "allowed" and r["decisions"][0]["at_ms"] >= 0
    assert r["attempts"][0]["provider"] == "openai" and r["attempts"][0]["status"] == 200
    assert r["usage"]["input_tokens"] > 0 and r["usage"]["output_tokens"] > 0
    assert {"authenticate_parse", "upstream", "total"} <= set(r["timings"])
    assert r["content_level"] == "full"
    assert r["request"]["messages"][0]["text"] == "I want a refund for order 1234"
    assert "You said: I want a refund" in r["response"]["choices"][0]["text"]
    assert r["chain"] and r["seq"] >= 1 and len(r["hash"]) == 64


def test_end_user_header_failover_and_metadata_level(env: AuditEnv, sim: Any) -> None:
    sim.add_fault(provider="openai", status=503, times=2)  # both attempts fail: fall back
    resp = env.chat(env.org.keys["alice"], "search", headers={"x-interlock-end-user": "cust-9"})
    assert resp.status_code == 200, resp.text
    r = env.record_of(resp.headers["x-request-id"])
    assert r["end_user"] == "cust-9" and r["failover"] is True
    assert [(a["provider"], a["status"]) for a in r["attempts"]] == [
        ("openai", 503), ("openai", 503), ("backup", 200),
    ]  # fmt: skip
    assert any(d["stage"] == "dispatch" and d["outcome"] == "failover" for d in r["decisions"])
    resp = env.chat(env.org.keys["alice"], "chat", "secret plans")
    r = env.record_of(resp.headers["x-request-id"])
    assert r["policy"] == "standard"
    # metadata: sizes, never the words
    assert r["content_level"] == "metadata"
    assert r["request"] == {"messages": 1, "chars": len("secret plans"), "images": 0, "tools": []}
    assert "secret plans" not in json.dumps(r)


def test_refused_requests_are_recorded(env: AuditEnv) -> None:
    bad = env.chat("ilk_nothere00000_" + "x" * 43, "chat")
    assert bad.status_code == 401
    r = env.record_of(bad.headers["x-request-id"])
    assert r["status"] == 401 and r["outcome"] == "refused" and r["identity"] is None
    assert r["decisions"][0]["stage"] == "auth" and r["decisions"][0]["outcome"] == "refused"
    assert r["source"] == "127.0.0.1" and r["path"] == "/v1/chat/completions"

    forbidden = env.chat(env.org.keys["alice"], "chat", model="local-llama")  # not in standard
    assert forbidden.status_code == 403
    r = env.record_of(forbidden.headers["x-request-id"])
    assert r["status"] == 403 and r["error_code"] == "model_not_allowed"
    assert (r["identity"], r["team"], r["app"]) == ("alice", "red", "chat")

    invalid = env.http.post(
        "/v1/chat/completions",
        content=b"{not json",
        headers={"authorization": f"Bearer {env.org.keys['alice']}", "x-interlock-app": "chat"},
    )
    assert invalid.status_code == 400
    r = env.record_of(invalid.headers["x-request-id"])
    assert r["status"] == 400 and r["error_code"] == "invalid_json" and r["identity"] == "alice"


def test_streams_are_recorded_whole_and_a_cut_stream_leaves_a_record(
    env: AuditEnv, sim: Any
) -> None:
    client = openai.OpenAI(
        base_url=env.gateway.url + "/v1",
        api_key=env.org.keys["alice"],
        default_headers={"x-interlock-app": "search"},
        max_retries=0,
    )
    stream = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "stream a refund"}], stream=True
    )
    rid = stream.headers["x-request-id"]
    text = "".join(c.choices[0].delta.content or "" for c in stream.parse() if c.choices)
    r = env.record_of(rid)
    assert r["stream"] is True and r["status"] == 200
    assert r["response"]["choices"][0]["text"] == text
    assert "first_chunk" in r["timings"]

    sim.add_fault(provider="openai", cut_after_chunks=2)
    cut = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "cut me off"}], stream=True
    )
    rid = cut.headers["x-request-id"]
    with pytest.raises(openai.APIError):
        for _ in cut.parse():
            pass
    r = env.record_of(rid)
    assert r["status"] == 502 and r["outcome"] == "failed" and r["error_code"] == "upstream_error"
    assert r["response"] is not None  # what had arrived before the cut


def test_content_level_none_keeps_no_content(env: AuditEnv) -> None:
    # bob (team blue) on billing is bound to "open"; rebind a quiet app through the admin API
    root = env.org.keys["root-admin"]
    assert env.http.post("/admin/apps", json={"id": "hush", "team_id": "blue"},
                         headers={"authorization": f"Bearer {root}"}).status_code == 201  # fmt: skip
    made = env.http.post(
        "/admin/bindings",
        json={"subject_type": "team", "subject_id": "blue", "app_id": "hush", "policy": "quiet"},
        headers={"authorization": f"Bearer {root}"},
    )
    assert made.status_code == 201, made.text
    time.sleep(0.5)  # the identity view refreshes
    resp = env.chat(env.org.keys["bob"], "hush", "nothing to see")
    assert resp.status_code == 200, resp.text
    r = env.record_of(resp.headers["x-request-id"])
    assert r["content_level"] == "none" and "request" not in r and "response" not in r
    # …and those admin changes are in the same trail, as admin records.
    admin = env.find(kind="admin", text="hush")
    actions = {(a["action"], a["entity_type"], a["entity_id"]) for a in admin}
    assert ("create", "application", "hush") in actions
    assert any(a[1] == "binding" for a in actions)


def test_search_by_api_and_cli(env: AuditEnv) -> None:
    before = time.time() - 1
    for user, text in (("cust-4711", "please refund my order"), ("cust-4711", "where is my parcel"),
                       ("cust-1", "refund now")):  # fmt: skip
        assert env.chat(env.org.keys["alice"], "search", text, user=user).status_code == 200
    env.find(end_user="cust-1", text="refund")  # wait for the store
    auditor = {"authorization": f"Bearer {env.org.keys['auditor-admin']}"}
    params = {"end_user": "cust-4711", "since": str(before), "until": str(time.time() + 60),
              "text": "refund", "team": "red", "app": "search", "model": "gpt-4o-mini",
              "provider": "openai", "status": "200", "decision": "auth:allowed"}  # fmt: skip
    found = env.http.get("/admin/audit/records", params=params, headers=auditor)
    assert found.status_code == 200, found.text
    records = found.json()["records"]
    assert [r["request"]["messages"][0]["text"] for r in records] == ["please refund my order"]
    # a viewer may read the organisation, not the audit; the refusal is itself recorded
    viewer = {"authorization": f"Bearer {env.org.keys['viewer-admin']}"}
    assert env.http.get("/admin/audit/records", headers=viewer).status_code == 403
    assert (
        env.http.get("/admin/audit/records", params={"bogus": "1"}, headers=auditor).status_code
        == 400
    )
    denied = env.find(kind="admin", text="audit_records viewer")
    assert any(a["outcome"] == "denied" and a["actor"] == "viewer" for a in denied)
    # one request by id
    rid = records[0]["id"]
    one = env.http.get(f"/admin/audit/records/{rid}", headers=auditor).json()["records"]
    assert [r["id"] for r in one] == [rid]

    search = ["audit", "search"]
    local = cli(
        [*search, "--config", str(env.tmp / "gateway.yaml"), "--end-user", "cust-4711",
         "--since", time.strftime("%Y-%m-%d", time.gmtime(before)), "--text", "refund", "--json"]
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    assert [json.loads(x)["id"] for x in local.stdout.splitlines()] == [rid]
    remote = cli(
        [*search, "--url", env.gateway.url, "--admin-key", env.org.keys["auditor-admin"],
         "--end-user", "cust-4711", "--text", "parcel"]
    )  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    assert "end_user=cust-4711" in remote.stdout and remote.stdout.count("\n") == 1


def test_dlp_findings_are_recorded_redacted_and_searchable(env: AuditEnv) -> None:
    root = {"authorization": f"Bearer {env.org.keys['root-admin']}"}
    assert (
        env.http.post(
            "/admin/apps", json={"id": "guard", "team_id": "red"}, headers=root
        ).status_code
        == 201
    )
    bound = env.http.post(
        "/admin/bindings",
        json={"subject_type": "team", "subject_id": "red", "app_id": "guard", "policy": "guarded"},
        headers=root,
    )
    assert bound.status_code == 201, bound.text
    time.sleep(0.5)
    resp = env.chat(env.org.keys["alice"], "guard", "mail jane.doe@example.com about the refund")
    assert resp.status_code == 200, resp.text
    r = env.record_of(resp.headers["x-request-id"])
    assert r["content_level"] == "redacted" and r["dlp_types"] == ["EMAIL_ADDRESS"]
    sent = r["request"]["messages"][0]["text"]
    assert "jane.doe@example.com" not in json.dumps(r) and "about the refund" in sent
    dlp = next(d for d in r["decisions"] if d["stage"] == "dlp")
    assert dlp["findings"][0]["type"] == "EMAIL_ADDRESS"
    found = env.find(dlp_type="EMAIL_ADDRESS", decision=f"dlp:{dlp['outcome']}", text="refund")
    assert [x["id"] for x in found] == [r["id"]]
    metrics = env.http.get("/metrics").text
    assert 'interlock_dlp_findings_total{type="EMAIL_ADDRESS"' in metrics


def test_a_policy_change_in_the_file_is_recorded(env: AuditEnv) -> None:
    path = env.tmp / "gateway.yaml"
    path.write_text(
        path.read_text().replace("audit: {content: none}", "audit: {content: metadata}")
    )
    assert env.gateway.call(env.gateway.holder.reload) is True
    found = env.find(kind="admin", text="reload quiet")
    assert found, "the policy change is not in the trail"
    r = found[0]
    assert r["action"] == "reload" and r["entity_id"] == "quiet"
    assert r["after"]["quiet"]["audit"]["content"] == "metadata"


def test_redacted_keeps_pseudonyms_the_client_gets_real_values(env: AuditEnv) -> None:
    root = {"authorization": f"Bearer {env.org.keys['root-admin']}"}
    assert (
        env.http.post(
            "/admin/apps", json={"id": "pseudo", "team_id": "red"}, headers=root
        ).status_code
        == 201
    )
    bound = env.http.post(
        "/admin/bindings",
        json={"subject_type": "team", "subject_id": "red", "app_id": "pseudo", "policy": "pseudo"},
        headers=root,
    )
    assert bound.status_code == 201, bound.text
    time.sleep(0.5)
    resp = env.chat(env.org.keys["alice"], "pseudo", "write to jane.doe@example.com today")
    assert resp.status_code == 200, resp.text
    assert "jane.doe@example.com" in resp.text  # the simulator echoed a token; DLP restored it
    r = env.record_of(resp.headers["x-request-id"])
    assert "jane.doe@example.com" not in json.dumps(r)
    assert "You said: write to" in r["response"]["choices"][0]["text"]  # as the provider sent it


def test_iso_time_is_the_datetime_formatting_with_its_rounding() -> None:
    """`iso` makes each second's text once; the result is what datetime gives, rounding
    included (half to even at the microsecond, a carry into the next second)."""
    import random
    from datetime import UTC, datetime

    from interlock.audit.record import iso

    def expected(ts: float) -> str:
        text = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")

    rng = random.Random(7)
    cases = [0.0, 0.9999995, 0.9999994999, 1795778326.0430517, 1_800_000_000.9999996, -1.25]
    cases += [rng.uniform(0, 4e9) for _ in range(20_000)]
    cases += [1.7e9 + k / 1e6 + 5e-7 for k in range(2_000)]  # halfway between microseconds
    assert [t for t in cases if iso(t) != expected(t)] == []


def test_a_client_that_leaves_mid_stream_still_leaves_a_record(
    env: AuditEnv, sim: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller hangs up after the first chunk: the exchange is still recorded, with what had
    been streamed and an outcome that says it did not finish."""
    sim.add_fault(provider="openai", chunk_latency_ms=150)
    headers = {"authorization": f"Bearer {env.org.keys['alice']}", "x-interlock-app": "search"}
    body = {
        "model": "gpt-4o-mini",
        "stream": True,
        "messages": [{"role": "user", "content": "a long story about refunds, please"}],
    }
    with env.http.stream("POST", "/v1/chat/completions", json=body, headers=headers) as r:
        assert r.status_code == 200
        rid = r.headers["x-request-id"]
        for line in r.iter_lines():
            if line.startswith("data: {"):
                break  # one chunk arrived: hang up
    record = env.record_of(rid, timeout=10.0)
    assert record["stream"] is True
    assert (record["status"], record["error_code"]) == (499, "client_disconnected"), record
    assert record["outcome"] == "failed"
    assert record["response"] is not None  # what had been streamed before the hang-up
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # no traceback: not ours
