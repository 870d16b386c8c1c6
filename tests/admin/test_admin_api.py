"""The admin API on a real gateway, on SQLite and PostgreSQL: roles, audit, OpenAPI."""

from __future__ import annotations

from typing import Any

from interlock.admin.http import ROUTES
from tests.auth.fixtures import Env


def audit(env: Env, **query: Any) -> list[dict[str, Any]]:
    resp = env.http.get(
        "/admin/audit",
        params={"limit": 1000, **query},
        headers={"authorization": f"Bearer {env.org.keys['auditor-admin']}"},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def denied_in_audit(env: Env, rid: str) -> dict[str, Any]:
    rows = [r for r in audit(env, outcome="denied") if r["request_id"] == rid]
    assert len(rows) == 1, rows
    return rows[0]


def forbidden(env: Env, resp, actor: str, reason: str) -> None:
    assert resp.status_code == 403, resp.text
    assert resp.json()["error"]["code"] == "forbidden"
    row = denied_in_audit(env, resp.headers["x-request-id"])
    assert (row["actor"], row["reason"]) == (actor, reason), row


def test_openapi_document_describes_every_route(env: Env) -> None:
    resp = env.http.get("/admin/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"] == "3.1.0"
    for route in ROUTES:
        op = doc["paths"][route.path][route.method.lower()]
        assert op["operationId"] == route.operation
        if route.body is not None:
            assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schemas = doc["components"]["schemas"]

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    assert "key" in schemas["KeyCreated"]["properties"]
    assert "hash" not in schemas["ApiKey"]["properties"]
    # Every documented operation exists on the server (no 404/405 from the router).
    for route in ROUTES:
        path = route.path.replace("{id}", "nothing-here")
        r = env.http.request(route.method, path, json={})
        assert r.status_code == 401, (route.path, r.status_code)


def test_whoami(env: Env) -> None:
    resp = env.admin(env.org.keys["redadmin-admin"], "GET", "/admin/whoami")
    assert resp.json() == {
        "identity_id": "redadmin", "team_id": "red", "roles": ["team_admin"], "credential": "api_key"
    }  # fmt: skip


def test_org_admin_lifecycle_reaches_inference(env: Env) -> None:
    k = env.org.keys["root-admin"]
    assert env.admin(k, "POST", "/admin/teams", {"id": "green", "name": "Green"}).status_code == 201
    assert (
        env.admin(k, "POST", "/admin/apps", {"id": "g-app", "team_id": "green"}).status_code == 201
    )
    ident = env.admin(
        k, "POST", "/admin/identities", {"id": "gina", "team_id": "green", "kind": "person"}
    )
    assert ident.status_code == 201 and ident.json()["kind"] == "person"
    key = env.admin(k, "POST", "/admin/keys", {"identity_id": "gina", "name": "laptop"}).json()[
        "key"
    ]
    assert env.chat(key, app="g-app").status_code == 403  # no binding yet
    binding = env.admin(
        k, "POST", "/admin/bindings",
        {"subject_type": "identity", "subject_id": "gina", "app_id": "g-app", "policy": "standard"},
    )  # fmt: skip
    assert binding.status_code == 201, binding.text
    assert env.chat(key, app="g-app").status_code == 200
    assert env.admin(k, "POST", f"/admin/bindings/{binding.json()['id']}/revoke").status_code == 200
    assert env.chat(key, app="g-app").status_code == 403
    # Revoking the team disables every credential in it.
    env.admin(
        k,
        "POST",
        "/admin/bindings",
        {"subject_type": "team", "subject_id": "green", "app_id": "g-app", "policy": "standard"},
    )
    assert env.chat(key, app="g-app").status_code == 200
    assert env.admin(k, "POST", "/admin/teams/green/revoke").json()["status"] == "revoked"
    resp = env.chat(key, app="g-app")
    assert resp.status_code == 401 and "team" in resp.json()["error"]["message"]
    # The audit shows before and after of that revocation.
    row = next(
        r for r in audit(env, entity_type="team", entity_id="green") if r["action"] == "revoke"
    )
    assert row["actor"] == "root" and row["before"]["status"] == "active"
    assert row["after"]["status"] == "revoked"


def test_validation_conflicts_and_missing(env: Env) -> None:
    k = env.org.keys["root-admin"]
    bad = env.admin(k, "POST", "/admin/teams", {"id": "Not A Slug"})
    assert bad.status_code == 400 and bad.json()["error"]["message"].startswith("id:")
    assert env.admin(k, "POST", "/admin/teams", {"id": "x1", "extra": 1}).status_code == 400
    assert env.admin(k, "POST", "/admin/teams", {"id": "red"}).status_code == 409
    assert env.admin(k, "GET", "/admin/apps/nope").status_code == 404
    unknown = env.admin(
        k, "POST", "/admin/bindings",
        {"subject_type": "team", "subject_id": "red", "app_id": "search", "policy": "nope"},
    )  # fmt: skip
    assert unknown.status_code == 400 and "standard" in unknown.json()["error"]["message"]
    dup = env.admin(
        k, "POST", "/admin/bindings",
        {"subject_type": "team", "subject_id": "red", "app_id": "chat", "policy": "open"},
    )  # fmt: skip
    assert dup.status_code == 409
    not_admin = env.admin(k, "POST", "/admin/keys", {"identity_id": "alice", "kind": "admin"})
    assert not_admin.status_code == 400


def test_team_admin_touching_another_team(env: Env) -> None:
    k = env.org.keys["redadmin-admin"]
    forbidden(
        env,
        env.admin(k, "POST", "/admin/apps", {"id": "sneaky", "team_id": "blue"}),
        "redadmin",
        "other_team",
    )
    forbidden(
        env,
        env.admin(k, "POST", f"/admin/keys/{env.org.key_ids['bob']}/revoke"),
        "redadmin",
        "other_team",
    )
    forbidden(
        env, env.admin(k, "POST", "/admin/keys", {"identity_id": "bob"}), "redadmin", "other_team"
    )
    forbidden(env, env.admin(k, "GET", "/admin/apps/billing"), "redadmin", "other_team")
    forbidden(
        env,
        env.admin(k, "POST", "/admin/bindings", {"subject_type": "team", "subject_id": "red", "app_id": "billing", "policy": "open"}),
        "redadmin", "other_team",
    )  # fmt: skip
    forbidden(
        env, env.admin(k, "POST", "/admin/teams", {"id": "mine"}), "redadmin", "org_admin_required"
    )
    # bob's key still works: nothing was changed.
    assert env.chat(env.org.keys["bob"], app="billing").status_code == 200
    # Lists show only the team's own entities.
    apps = {a["id"] for a in env.admin(k, "GET", "/admin/apps").json()}
    assert "billing" not in apps and {"chat", "search"} <= apps
    keys = env.admin(k, "GET", "/admin/keys").json()
    assert env.org.key_ids["bob"] not in {x["id"] for x in keys}
    assert all("hash" not in x and "key" not in x for x in keys)


def test_team_admin_within_own_team_and_no_escalation(env: Env) -> None:
    k = env.org.keys["redadmin-admin"]
    assert (
        env.admin(k, "POST", "/admin/apps", {"id": "red-tool", "team_id": "red"}).status_code == 201
    )
    made = env.admin(k, "POST", "/admin/keys", {"identity_id": "alice", "app_id": "red-tool"})
    assert made.status_code == 201
    ok = env.admin(
        k, "POST", "/admin/bindings",
        {"subject_type": "identity", "subject_id": "alice", "app_id": "red-tool", "policy": "standard"},
    )  # fmt: skip
    assert ok.status_code == 201
    assert env.chat(made.json()["key"]).status_code == 200
    # May not mint an org admin, nor a key for one, nor revoke one's key.
    forbidden(
        env,
        env.admin(k, "POST", "/admin/identities", {"id": "evil", "team_id": "red", "roles": ["org_admin"]}),
        "redadmin", "role_escalation",
    )  # fmt: skip
    forbidden(
        env,
        env.admin(k, "POST", "/admin/keys", {"identity_id": "root", "kind": "admin"}),
        "redadmin",
        "role_escalation",
    )
    forbidden(
        env,
        env.admin(k, "POST", f"/admin/keys/{env.org.key_ids['root-admin']}/revoke"),
        "redadmin",
        "role_escalation",
    )
    assert env.admin(env.org.keys["root-admin"], "GET", "/admin/whoami").status_code == 200


def test_viewer_trying_to_write(env: Env) -> None:
    k = env.org.keys["viewer-admin"]
    assert env.admin(k, "GET", "/admin/teams").status_code == 200
    assert {t["id"] for t in env.admin(k, "GET", "/admin/teams").json()} >= {"red", "blue"}
    assert env.admin(k, "GET", "/admin/apps/chat").status_code == 200
    forbidden(
        env, env.admin(k, "POST", "/admin/teams", {"id": "v"}), "viewer", "org_admin_required"
    )
    forbidden(
        env,
        env.admin(k, "POST", "/admin/apps", {"id": "v", "team_id": "blue"}),
        "viewer",
        "write_not_allowed",
    )
    forbidden(
        env,
        env.admin(k, "POST", f"/admin/keys/{env.org.key_ids['bob']}/revoke"),
        "viewer",
        "write_not_allowed",
    )
    forbidden(
        env,
        env.admin(k, "POST", f"/admin/keys/{env.org.key_ids['bob']}/rotate", {}),
        "viewer",
        "write_not_allowed",
    )
    forbidden(env, env.admin(k, "GET", "/admin/audit"), "viewer", "audit_not_allowed")
    assert env.chat(env.org.keys["bob"], app="billing").status_code == 200


def test_auditor_reads_audit_only(env: Env) -> None:
    k = env.org.keys["auditor-admin"]
    assert len(audit(env)) > 0
    forbidden(env, env.admin(k, "GET", "/admin/teams"), "auditor", "read_not_allowed")
    forbidden(
        env, env.admin(k, "POST", "/admin/teams", {"id": "a"}), "auditor", "org_admin_required"
    )


def test_admin_api_needs_admin_credentials(env: Env) -> None:
    none = env.http.get("/admin/teams")
    assert none.status_code == 401
    row = denied_in_audit(env, none.headers["x-request-id"])
    assert row["reason"] == "missing_credentials" and row["action"] == "GET /admin/teams"
    inference = env.admin(env.org.keys["alice"], "GET", "/admin/teams")
    assert inference.status_code == 403
    row = denied_in_audit(env, inference.headers["x-request-id"])
    assert row["reason"] == "inference_key_for_admin"
    bad = env.admin("ilk_zzzzzzzzzzzz_" + "x" * 43, "GET", "/admin/teams")
    assert bad.status_code == 401


def test_admin_by_jwt_roles(env: Env) -> None:
    token = env.idp.token("ops@corp", team="red", roles=["org_admin"])
    resp = env.admin(token, "POST", "/admin/apps", {"id": "from-jwt", "team_id": "blue"})
    assert resp.status_code == 201, resp.text
    row = next(iter(audit(env, entity_id="from-jwt")))
    assert row["actor"] == "jwt:ops@corp" and row["actor_roles"] == ["org_admin"]
    plain = env.idp.token("dev@corp", team="red")
    forbidden_resp = env.admin(plain, "GET", "/admin/teams")
    assert forbidden_resp.status_code == 403
    team_admin = env.idp.token("lead@corp", team="blue", roles="team_admin")
    assert (
        env.admin(
            team_admin, "POST", "/admin/apps", {"id": "blue-2", "team_id": "blue"}
        ).status_code
        == 201
    )
    forbidden(
        env,
        env.admin(team_admin, "POST", "/admin/apps", {"id": "r2", "team_id": "red"}),
        "jwt:lead@corp",
        "other_team",
    )
