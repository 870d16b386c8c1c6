"""`interlock teams|apps|identities|keys|bindings|audit`: on the local database and remotely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from interlock.cli.main import main
from tests.auth.fixtures import Env
from tests.auth.support import Database, IdentityProvider, gateway_yaml
from tests.support import GatewayServer


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def test_local_database_bootstrap_and_lifecycle(
    database: Database, simulator, idp: IdentityProvider, tmp_path: Path, capsys
) -> None:
    config = tmp_path / "gw.yaml"
    config.write_text(gateway_yaml(simulator.url, database.url, idp.url))
    c = ("--config", str(config))
    assert run(capsys, "teams", "create", "platform", "--name", "Platform", *c)[0] == 0
    assert run(capsys, "apps", "create", "assistant", "--team", "platform", *c)[0] == 0
    code, ident, _ = run(
        capsys,
        "identities",
        "create",
        "ops",
        "--team",
        "platform",
        "--role",
        "org_admin",
        "--kind",
        "person",
        *c,
    )
    assert code == 0 and ident["roles"] == ["org_admin"]
    assert run(capsys, "identities", "create", "svc", "--team", "platform", *c)[0] == 0
    code, admin, err = run(capsys, "keys", "create", "--identity", "ops", "--admin", *c)
    assert code == 0 and admin["kind"] == "admin" and "shown only once" in err
    code, key, _ = run(
        capsys,
        "keys",
        "create",
        "--identity",
        "svc",
        "--app",
        "assistant",
        "--expires-in",
        "90d",
        *c,
    )
    assert code == 0 and key["key"].startswith(key["id"] + "_")
    code, binding, _ = run(
        capsys,
        "bindings",
        "create",
        "--team",
        "platform",
        "--app",
        "assistant",
        "--policy",
        "standard",
        *c,
    )
    assert code == 0 and binding["policy"] == "standard"
    code, _, err = run(
        capsys,
        "bindings",
        "create",
        "--team",
        "platform",
        "--app",
        "assistant",
        "--policy",
        "nope",
        *c,
    )
    assert code == 1 and "unknown_policy" in err

    # A gateway on the same database accepts what the CLI created.
    gw = GatewayServer(config.read_text())
    try:
        chat = httpx.post(
            f"{gw.url}/v1/chat/completions",
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
            headers={"authorization": f"Bearer {key['key']}"},
        )
        assert chat.status_code == 200, chat.text
        # Rotation and revocation through the CLI reach the running gateway by polling.
        code, rotated, _ = run(capsys, "keys", "rotate", key["id"], "--overlap", "0", *c)
        assert code == 0 and rotated["replaces"] == key["id"]
        code, shown, _ = run(capsys, "keys", "show", key["id"], *c)
        assert shown["replaced_by"] == rotated["id"] and shown["status"] == "expired"
        assert run(capsys, "keys", "revoke", rotated["id"], *c)[0] == 0
        from tests.auth.support import wait_for

        def refused() -> bool:
            r = httpx.post(
                f"{gw.url}/v1/chat/completions",
                json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
                headers={"authorization": f"Bearer {rotated['key']}"},
            )
            return r.status_code == 401

        assert wait_for(refused, timeout=2.0) < 2.0
    finally:
        gw.close()

    code, listed, _ = run(capsys, "keys", "list", *c)
    assert {k["id"] for k in listed} == {admin["id"], key["id"], rotated["id"]}
    assert all("key" not in k and "hash" not in k for k in listed)
    code, trail, _ = run(capsys, "audit", "list", "--entity-type", "key", *c)
    assert [r["action"] for r in trail] == ["create", "create", "rotate", "revoke"]
    assert all(r["actor"].startswith("cli:") and r["source"] == "cli" for r in trail)
    code, _, err = run(capsys, "teams", "show", "nope", *c)
    assert code == 1 and "not_found" in err


def test_remote_gateway_with_admin_key(env: Env, capsys) -> None:
    url = ("--url", env.gateway.url)
    root = ("--admin-key", env.org.keys["root-admin"])
    code, team, _ = run(capsys, "teams", "create", "cli-remote", *url, *root)
    assert code == 0 and team["id"] == "cli-remote"
    code, apps, _ = run(capsys, "apps", "list", *url, *root)
    assert code == 0 and "chat" in {a["id"] for a in apps}
    code, made, _ = run(
        capsys, "keys", "create", "--identity", "alice", "--app", "chat", *url, *root
    )
    assert code == 0
    assert env.chat(made["key"]).status_code == 200
    code, rotated, _ = run(capsys, "keys", "rotate", made["id"], "--overlap", "30s", *url, *root)
    assert code == 0 and env.chat(rotated["key"]).status_code == 200
    assert env.chat(made["key"]).status_code == 200  # inside the overlap
    code, _, _ = run(capsys, "keys", "revoke", made["id"], *url, *root)
    assert code == 0 and env.chat(made["key"]).status_code == 401
    # The viewer's key cannot write, and the CLI says why.
    code, _, err = run(
        capsys, "teams", "create", "nope", *url, "--admin-key", env.org.keys["viewer-admin"]
    )
    assert code == 1 and "forbidden" in err
    code, trail, _ = run(
        capsys,
        "audit",
        "list",
        "--entity-type",
        "team",
        *url,
        "--admin-key",
        env.org.keys["auditor-admin"],
    )
    assert code == 0 and any(r["entity_id"] == "cli-remote" and r["actor"] == "root" for r in trail)


def test_cli_usage_errors(capsys) -> None:
    assert main(["teams", "list"]) == 2
    assert "exactly one of --config" in capsys.readouterr().err
    assert main(["teams", "list", "--url", "http://127.0.0.1:9"]) == 1
    assert "admin key" in capsys.readouterr().err
    assert main(["teams", "list", "--url", "http://127.0.0.1:9", "--admin-key", "k"]) == 1
    assert "cannot reach" in capsys.readouterr().err
