"""`interlock teams|apps|identities|keys|bindings|audit …`: manage the organisation.

Against the local database named by a configuration file (`--config`; whoever can read that
database is already all-powerful, so this acts as an org admin), or against a running gateway's
admin API (`--url` and an admin key in `--admin-key` or $INTERLOCK_ADMIN_KEY, with that key's
role). Every change is recorded in the admin audit trail either way.
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from interlock.cli.remote import CommandError, admin_call, against_gateway_or_database

ENTITIES = {
    # command: (API path segment, create-body builder)
    "teams": "teams",
    "apps": "apps",
    "identities": "identities",
    "keys": "keys",
    "bindings": "bindings",
}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """'90d', '12h', '30m', '45s' or plain seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 45s, 30m, 12h, 90d)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def add_identity_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    target = argparse.ArgumentParser(add_help=False)
    where = target.add_argument_group("where")
    where.add_argument("--config", help="configuration file whose database to change directly")
    where.add_argument("--url", help="a running gateway, e.g. http://127.0.0.1:8080")
    where.add_argument("--admin-key", help="admin key for --url (default: $INTERLOCK_ADMIN_KEY)")

    def group(name: str, help: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
        p = sub.add_parser(name, help=help)
        actions = p.add_subparsers(dest="action", required=True)
        actions.add_parser("list", parents=[target], help=f"list {name}")
        for verb in ("show", "revoke"):
            a = actions.add_parser(verb, parents=[target], help=f"{verb} one")
            a.add_argument("id")
        return actions

    teams = group("teams", "organisation teams")
    c = teams.add_parser("create", parents=[target])
    c.add_argument("id")
    c.add_argument("--name")

    apps = group("apps", "applications")
    c = apps.add_parser("create", parents=[target])
    c.add_argument("id")
    c.add_argument("--team", required=True)
    c.add_argument("--name")

    identities = group("identities", "people and workloads")
    c = identities.add_parser("create", parents=[target])
    c.add_argument("id")
    c.add_argument("--team", required=True)
    c.add_argument("--kind", choices=["person", "workload"], default="workload")
    c.add_argument("--name")
    c.add_argument("--subject", help="the token subject (JWT `sub`) of this identity")
    c.add_argument(
        "--role", action="append", default=[],
        choices=["org_admin", "team_admin", "auditor", "viewer"], help="admin role (repeatable)",
    )  # fmt: skip

    keys = group("keys", "gateway API keys")
    c = keys.add_parser("create", parents=[target])
    c.add_argument("--identity", required=True, help="the key's owner")
    c.add_argument("--app", help="fix the key to this application")
    c.add_argument("--admin", action="store_true", help="an admin-API key instead of inference")
    c.add_argument("--name", default="")
    c.add_argument("--expires-in", type=duration, help="e.g. 90d")
    r = keys.add_parser("rotate", parents=[target], help="new key now; old one until --overlap")
    r.add_argument("id")
    r.add_argument("--overlap", type=duration, default=3600.0, help="default 1h")
    r.add_argument("--expires-in", type=duration)

    bindings = group("bindings", "policy bindings of (identity or team, application)")
    c = bindings.add_parser("create", parents=[target])
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--team")
    who.add_argument("--identity")
    c.add_argument("--app", required=True)
    c.add_argument("--policy", required=True)

    # `interlock audit …` (admin trail `list`, search, verify) lives in cli/audit_cmd.py.


def create_body(command: str, args: argparse.Namespace) -> dict[str, Any]:
    if command == "teams":
        return {"id": args.id, "name": args.name}
    if command == "apps":
        return {"id": args.id, "team_id": args.team, "name": args.name}
    if command == "identities":
        return {
            "id": args.id, "team_id": args.team, "kind": args.kind, "name": args.name,
            "subject": args.subject, "roles": args.role,
        }  # fmt: skip
    if command == "keys":
        return {
            "identity_id": args.identity, "app_id": args.app,
            "kind": "admin" if args.admin else "inference", "name": args.name,
            "expires_in_s": args.expires_in,
        }  # fmt: skip
    if command == "bindings":
        subject_type = "team" if args.team else "identity"
        return {
            "subject_type": subject_type, "subject_id": args.team or args.identity,
            "app_id": args.app, "policy": args.policy,
        }  # fmt: skip
    raise ValueError(command)


def identity_command(args: argparse.Namespace) -> int:
    result, status = against_gateway_or_database(args, _remote, _local)
    if status:
        return status
    print(json.dumps(result, indent=2))
    if isinstance(result, dict) and "key" in result:
        print("Store this key now: it is shown only once.", file=sys.stderr)
    return 0


# ---- against a running gateway ------------------------------------------------------------


def _remote(args: argparse.Namespace) -> Any:
    method, path, body = _request_for(args)
    return admin_call(args, method, path, body)


def _request_for(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    if args.command == "audit":
        query = {
            k: v
            for k, v in (
                ("entity_type", args.entity_type), ("entity_id", args.entity_id),
                ("outcome", args.outcome), ("limit", args.limit),
            )
            if v is not None
        }  # fmt: skip
        return "GET", "/admin/audit?" + urllib.parse.urlencode(query), None
    base = "/admin/" + ENTITIES[args.command]
    if args.action == "list":
        return "GET", base, None
    if args.action == "create":
        return "POST", base, create_body(args.command, args)
    quoted = urllib.parse.quote(args.id, safe="")
    if args.action == "show":
        return "GET", f"{base}/{quoted}", None
    if args.action == "revoke":
        return "POST", f"{base}/{quoted}/revoke", None
    if args.action == "rotate":
        return (
            "POST",
            f"{base}/{quoted}/rotate",
            {
                "overlap_s": args.overlap,
                "expires_in_s": args.expires_in,
            },
        )
    raise CommandError(f"unknown action {args.action}")


# ---- against the local database -----------------------------------------------------------


async def _local(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from pydantic import ValidationError

    from interlock.admin import schemas
    from interlock.admin.rbac import Actor
    from interlock.admin.service import AdminError, AdminService
    from interlock.config import ConfigError, load_config
    from interlock.store import StoreError, migrate, open_store

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    store = open_store(config.database.url, Path(args.config).resolve().parent)
    service = AdminService(store, lambda: set(config.policies))
    actor = Actor(f"cli:{getpass.getuser()}", None, frozenset({"org_admin"}), "cli")
    singular = {"teams": "team", "apps": "app", "identities": "identity", "keys": "key",
                "bindings": "binding"}  # fmt: skip
    models = {"teams": schemas.TeamCreate, "apps": schemas.AppCreate,
              "identities": schemas.IdentityCreate, "keys": schemas.KeyCreate,
              "bindings": schemas.BindingCreate}  # fmt: skip
    try:
        await store.open()
        await migrate(store)
        if args.command == "audit":
            return await service.list_audit(
                actor, entity_type=args.entity_type, entity_id=args.entity_id,
                outcome=args.outcome, limit=args.limit,
            )  # fmt: skip
        name = singular[args.command]
        if args.action == "list":
            return await getattr(service, f"list_{'apps' if name == 'app' else args.command}")(
                actor
            )
        if args.action == "create":
            body = models[args.command].model_validate(create_body(args.command, args))
            return await getattr(service, f"create_{name}")(actor, body)
        if args.action == "rotate":
            body = schemas.KeyRotate(overlap_s=args.overlap, expires_in_s=args.expires_in)
            return await service.rotate_key(actor, args.id, body)
        return await getattr(service, f"{args.action}_{name}")(actor, args.id)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CommandError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    except AdminError as exc:
        raise CommandError(f"{exc.code}: {exc.message}") from None
    except StoreError as exc:
        raise CommandError(f"database: {exc}") from None
    finally:
        await store.close()
