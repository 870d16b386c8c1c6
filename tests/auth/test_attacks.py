"""The attacks of issue 3, against a real gateway, on SQLite and on PostgreSQL.

Every refusal must come back with the right status in the caller's API error shape, and must
reach the audit trail: the exchange's `auth` decision, which the audit stage persists.
"""

from __future__ import annotations

import time

import jwt
import pytest

from tests.auth.fixtures import Env
from tests.auth.support import AUDIENCE, ISSUER, rsa_key


def refused(env: Env, resp, status: int, reason: str, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"]["code"] == (code or {401: "unauthorized", 403: "forbidden"}[status])
    assert body["error"]["type"] == {401: "authentication_error", 403: "permission_error"}[status]
    rid = body["error"]["request_id"]  # what finds the audit record
    decision = env.capture.auth_decision(rid)
    assert (decision.outcome, decision.detail["reason"]) == ("refused", reason), decision
    assert decision.detail["status"] == status
    ex = env.capture.exchanges[rid]
    assert (ex.status == status and ex.principal is None) or reason == "model_not_allowed"
    return body


def test_valid_key_carries_identity_app_and_policy(env: Env, sim) -> None:
    resp = env.chat(env.org.keys["alice"], app="chat")
    assert resp.status_code == 200, resp.text
    assert resp.json()["choices"][0]["message"]["content"].startswith("Simulated openai reply")
    rid = env.capture.last.request_id
    decision = env.capture.auth_decision(rid)
    assert decision.outcome == "allowed"
    assert decision.detail["identity"] == "alice"
    assert decision.detail["team"] == "red"
    assert decision.detail["app"] == "chat"
    assert decision.detail["policy"] == "standard"
    principal = env.capture.exchanges[rid].principal
    assert principal.policy.audit.content == "metadata"
    assert principal.key_id == env.org.key_ids["alice"]
    # The provider sees the gateway's provider key, never the caller's gateway key.
    upstream = sim.requests()[-1]["headers"]
    assert upstream["authorization"] == "Bearer sim-openai-key"
    assert env.org.keys["alice"] not in str(sim.requests())


def test_identity_binding_and_alias(env: Env) -> None:
    # alice has her own binding to `search` with the open policy: any model, any alias.
    for model in ("gpt-4o", "fast", "local-llama"):
        resp = env.chat(env.org.keys["alice"], app="search", model=model)
        assert resp.status_code == 200, (model, resp.text)


def test_missing_credentials(env: Env) -> None:
    body = refused(env, env.chat(None, app="chat"), 401, "missing_credentials")
    assert "Authorization: Bearer" in body["error"]["message"]


def test_unknown_key_and_wrong_secret_read_the_same(env: Env) -> None:
    real = env.org.keys["alice"]
    forged = real[:17] + ("A" if real[17] != "A" else "B") + real[18:]
    unknown = "ilk_zzzzzzzzzzzz_" + "x" * 43
    a = refused(env, env.chat(forged, app="chat"), 401, "bad_secret")
    b = refused(env, env.chat(unknown, app="chat"), 401, "unknown_key")
    c = refused(env, env.chat("sk-not-ours", app="chat"), 401, "unrecognised_credential")
    assert a["error"]["message"] == b["error"]["message"] == c["error"]["message"]


def test_revoked_key(env: Env) -> None:
    made = env.admin(env.org.keys["root-admin"], "POST", "/admin/keys", {"identity_id": "alice"})
    key = made.json()["key"]
    assert env.chat(key, app="chat").status_code == 200
    revoked = env.admin(
        env.org.keys["root-admin"], "POST", f"/admin/keys/{made.json()['id']}/revoke"
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    body = refused(env, env.chat(key, app="chat"), 401, "key_revoked")
    assert "revoked" in body["error"]["message"]


# Validity windows in these tests: long enough that the "still valid" request lands inside
# them on a loaded machine; the "expired" request waits until the window has certainly closed.
WINDOW_S = 3.0


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def test_expired_key(env: Env) -> None:
    asked = time.monotonic()  # the expiry counts from a moment after this one
    made = env.admin(
        env.org.keys["root-admin"], "POST", "/admin/keys",
        {"identity_id": "alice", "expires_in_s": WINDOW_S},
    )  # fmt: skip
    key = made.json()["key"]
    assert env.chat(key, app="chat").status_code == 200
    sleep_until(asked + WINDOW_S + 0.1)
    body = refused(env, env.chat(key, app="chat"), 401, "key_expired")
    assert "expired" in body["error"]["message"]


def test_rotated_key_inside_and_after_overlap(env: Env) -> None:
    admin = env.org.keys["root-admin"]
    made = env.admin(admin, "POST", "/admin/keys", {"identity_id": "alice", "app_id": "chat"})
    old_id, old_key = made.json()["id"], made.json()["key"]
    asked = time.monotonic()
    rotated = env.admin(admin, "POST", f"/admin/keys/{old_id}/rotate", {"overlap_s": WINDOW_S})
    assert rotated.status_code == 201, rotated.text
    new_key = rotated.json()["key"]
    assert rotated.json()["replaces"] == old_id and rotated.json()["app_id"] == "chat"
    # Inside the overlap both work.
    assert env.chat(old_key, app="chat").status_code == 200
    assert env.chat(new_key, app="chat").status_code == 200
    sleep_until(asked + WINDOW_S + 0.1)
    refused(env, env.chat(old_key, app="chat"), 401, "key_expired")
    assert env.chat(new_key, app="chat").status_code == 200
    # Rotating the old key again is refused: rotate the new one.
    again = env.admin(admin, "POST", f"/admin/keys/{old_id}/rotate", {"overlap_s": 1.0})
    assert again.status_code == 409


def test_key_of_another_application(env: Env) -> None:
    # alice-chat is fixed to `chat`: naming `search` (which alice may use) is still refused.
    key = env.org.keys["alice-chat"]
    assert env.chat(key).status_code == 200  # the key names its application itself
    refused(env, env.chat(key, app="search"), 403, "app_mismatch")
    # bob (team blue) has no binding to red's `chat`.
    refused(env, env.chat(env.org.keys["bob"], app="chat"), 403, "no_binding")
    # unknown application: same answer as an unbound one.
    a = refused(env, env.chat(env.org.keys["bob"], app="no-such-app"), 403, "unknown_app")
    assert "not allowed to use the application" in a["error"]["message"]
    refused(env, env.chat(env.org.keys["alice"]), 403, "missing_app")


def test_model_not_allowed_by_policy(env: Env) -> None:
    resp = env.chat(env.org.keys["alice"], app="chat", model="gpt-4o")
    refused(env, resp, 403, "model_not_allowed", code="model_not_allowed")
    decision = env.capture.auth_decision(resp.json()["error"]["request_id"])
    assert decision.detail["model"] == "gpt-4o" and decision.detail["policy"] == "standard"
    # alias of an allowed model is allowed; unknown model names fall through to routing's 404.
    assert env.chat(env.org.keys["alice"], app="chat", model="fast").status_code == 200
    assert env.chat(env.org.keys["alice"], app="chat", model="nope").status_code == 404


def test_admin_key_cannot_call_models(env: Env) -> None:
    refused(env, env.chat(env.org.keys["root-admin"], app="chat"), 403, "admin_key_for_inference")


def test_anthropic_callers_get_anthropic_errors(env: Env) -> None:
    body = {
        "model": "gpt-4o-mini",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}],
    }
    headers = {"anthropic-version": "2023-06-01", "x-interlock-app": "chat"}
    resp = env.http.post("/v1/messages", json=body, headers={**headers, "x-api-key": "nope"})
    assert resp.status_code == 401
    assert resp.json()["type"] == "error"
    assert resp.json()["error"]["type"] == "authentication_error"
    ok = env.http.post(
        "/v1/messages", json=body, headers={**headers, "x-api-key": env.org.keys["alice"]}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["type"] == "message"


def test_conflicting_credentials(env: Env) -> None:
    resp = env.chat(env.org.keys["alice"], app="chat", headers={"x-api-key": env.org.keys["bob"]})
    refused(env, resp, 401, "conflicting_credentials")


# ---- JWT ------------------------------------------------------------------------------------


def test_jwt_valid_subject_with_record(env: Env) -> None:
    resp = env.chat(env.idp.token("carol@corp"), app="chat")
    assert resp.status_code == 200, resp.text
    d = env.capture.auth_decision(env.capture.last.request_id)
    assert d.detail["identity"] == "carol" and d.detail["credential"] == "jwt"
    assert d.detail["issuer"] == ISSUER


def test_jwt_subject_from_claims_only(env: Env) -> None:
    resp = env.chat(env.idp.token("dave@corp", team="blue"), app="billing")
    assert resp.status_code == 200, resp.text
    d = env.capture.auth_decision(env.capture.last.request_id)
    assert d.detail["identity"] == "jwt:dave@corp" and d.detail["team"] == "blue"
    # A team claim naming a team that does not exist gets nothing.
    refused(
        env, env.chat(env.idp.token("eve@corp", team="ghost"), app="billing"), 403, "unknown_team"
    )
    # The `app` claim fixes the application like a scoped key.
    token = env.idp.token("dave@corp", team="blue", app="billing")
    refused(env, env.chat(token, app="chat"), 403, "app_mismatch")


def test_jwt_forged_signature(env: Env) -> None:
    forged = env.idp.token(key=rsa_key())  # right kid, wrong private key
    refused(env, env.chat(forged, app="chat"), 401, "bad_signature")
    good = env.idp.token()
    head, payload, sig = good.split(".")
    tampered = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b"carol@corp", b"alice@corp")
    ).decode()
    refused(env, env.chat(f"{head}.{tampered}.{sig}", app="chat"), 401, "bad_signature")


def test_jwt_expired(env: Env) -> None:
    # Beyond the configured 5 s clock skew.
    body = refused(env, env.chat(env.idp.token(ttl=-10), app="chat"), 401, "token_expired")
    assert "expired" in body["error"]["message"]
    # Expired a second ago (`exp` is whole seconds: 1-2 s): inside the skew by at least 3 s.
    assert env.chat(env.idp.token(ttl=-1), app="chat").status_code == 200


def test_jwt_not_yet_valid(env: Env) -> None:
    token = env.idp.token(nbf=int(time.time()) + 60)
    refused(env, env.chat(token, app="chat"), 401, "token_not_yet_valid")
    assert env.chat(env.idp.token(nbf=int(time.time()) + 2), app="chat").status_code == 200


def test_jwt_wrong_issuer(env: Env) -> None:
    token = env.idp.token(iss="https://evil.example")
    refused(env, env.chat(token, app="chat"), 401, "untrusted_issuer")


def test_jwt_wrong_audience(env: Env) -> None:
    token = env.idp.token(aud="another-service")
    body = refused(env, env.chat(token, app="chat"), 401, "wrong_audience")
    assert "audience" in body["error"]["message"]
    refused(env, env.chat(env.idp.token(aud=None), app="chat"), 401, "invalid_token")


def test_jwt_alg_none(env: Env) -> None:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "carol@corp", "exp": int(time.time()) + 60}
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"})
    refused(env, env.chat(unsigned, app="chat"), 401, "algorithm_not_allowed")
    # also with a made-up signature appended
    refused(env, env.chat(unsigned + "c2ln", app="chat"), 401, "algorithm_not_allowed")


def test_jwt_hs256_signed_with_the_rsa_public_key(env: Env) -> None:
    from cryptography.hazmat.primitives import serialization

    public_pem = (
        env.idp.keys["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "carol@corp", "exp": int(time.time()) + 60}
    # PyJWT refuses to HMAC with a PEM key, which is what an attacker's tool would do: sign by hand.
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
        + "."
        + b64(json.dumps(claims).encode())
    )
    sig = b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    refused(env, env.chat(f"{signing_input}.{sig}", app="chat"), 401, "algorithm_not_allowed")


def test_jwt_unknown_kid_with_jwks_rotation(env: Env) -> None:
    fetches = env.idp.fetches
    # The IdP rotates: a new key appears; a token signed with it carries an unknown kid.
    env.idp.add_key("k-rotated")
    try:
        resp = env.chat(env.idp.token(kid="k-rotated"), app="chat")
        assert resp.status_code == 200, resp.text
        assert env.idp.fetches == fetches + 1  # refetched once, on the unknown kid
        # A kid the IdP does not publish is refused even after a refetch.
        stray = env.idp.token(kid="k-rotated", headers={"kid": "k-unknown"})
        refused(env, env.chat(stray, app="chat"), 401, "unknown_kid")
    finally:
        del env.idp.keys["k-rotated"]


def test_all_refusals_are_in_the_audit_and_never_reach_the_provider(env: Env, sim) -> None:
    sim.clear_requests()
    rids = [
        env.chat(k, app="chat").json()["error"]["request_id"] for k in (None, "ilk_bad", "x.y.z")
    ]
    for rid in rids:
        assert env.capture.auth_decision(rid).outcome == "refused"
        assert env.capture.exchanges[rid].request is None  # the body was never even parsed
    assert sim.requests() == []


@pytest.mark.parametrize("header", ["authorization", "x-api-key", "api-key"])
def test_every_credential_header(env: Env, header: str) -> None:
    key = env.org.keys["alice"]
    value = f"Bearer {key}" if header == "authorization" else key
    resp = env.http.post(
        "/v1/chat/completions",
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        headers={header: value, "x-interlock-app": "chat"},
    )
    assert resp.status_code == 200, resp.text


def test_streams_and_embeddings_pass_the_same_stage(env: Env) -> None:
    key = env.org.keys["alice"]
    headers = {"authorization": f"Bearer {key}", "x-interlock-app": "chat"}
    body = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with env.http.stream("POST", "/v1/chat/completions", json=body, headers=headers) as resp:
        assert resp.status_code == 200
        assert "data: [DONE]" in resp.read().decode()
    assert env.capture.last.principal.app_id == "chat"
    refused(
        env,
        env.http.post("/v1/chat/completions", json=body, headers={"x-interlock-app": "chat"}),
        401,
        "missing_credentials",
    )
    emb = {"model": "text-embedding-3-small", "input": "hello"}
    assert env.http.post("/v1/embeddings", json=emb, headers=headers).status_code == 200
    # `search` is bound to alice with the open policy, `chat` (standard) has no local-llama.
    resp = env.http.post(
        "/v1/completions", json={"model": "local-llama", "prompt": "x"}, headers=headers
    )
    refused(env, resp, 403, "model_not_allowed", code="model_not_allowed")
