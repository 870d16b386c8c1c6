"""`interlock audit list|search|show|verify|keygen`: the audit trail from the command line.

- list: the admin change trail (as before; see cli/identity.py).
- search/show: records in the audit store, through a running gateway's admin API (`--url`,
  auditor or org admin key) or straight from the store named by a configuration (`--config`).
- verify: the hash chain and signed checkpoints of the store (`--config`) or of a JSON-lines
  export (`--file`), with the operator's public key; exit status 1 when anything is wrong.
- keygen: a new Ed25519 checkpoint key pair.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from interlock.cli.remote import CommandError, admin_call

FILTERS = (
    "since", "until", "team", "app", "identity", "end_user", "model", "provider", "policy",
    "dlp_type", "decision", "status", "kind", "text", "limit", "before",
)  # fmt: skip


def add_audit_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    target = argparse.ArgumentParser(add_help=False)
    where = target.add_argument_group("where")
    where.add_argument("--config", help="configuration file whose databases to read directly")
    where.add_argument("--url", help="a running gateway, e.g. http://127.0.0.1:8080")
    where.add_argument("--admin-key", help="admin key for --url (default: $INTERLOCK_ADMIN_KEY)")

    audit = sub.add_parser("audit", help="the audit trail: search, verify, admin changes")
    actions = audit.add_subparsers(dest="action", required=True)
    a = actions.add_parser("list", parents=[target], help="admin changes (keys, bindings, …)")
    a.add_argument("--entity-type")
    a.add_argument("--entity-id")
    a.add_argument("--outcome", choices=["ok", "denied"])
    a.add_argument("--limit", type=int, default=100)

    s = actions.add_parser("search", parents=[target], help="search audit records")
    s.add_argument("--since", help="ISO date/time or UNIX seconds (inclusive)")
    s.add_argument("--until", help="ISO date/time or UNIX seconds (exclusive)")
    for name in ("team", "app", "identity", "end-user", "model", "provider", "policy"):
        s.add_argument(f"--{name}")
    s.add_argument("--dlp-type", help="records with a DLP finding of this type")
    s.add_argument("--decision", help="stage or stage:outcome, e.g. dlp:redacted, auth:refused")
    s.add_argument("--status", help="403, 4xx, or ok / refused / failed")
    s.add_argument("--kind", help="exchange, admin, retention, checkpoint, stream_open")
    s.add_argument("--text", help="words that must all appear in the recorded content")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--before", type=int, help="continue from a previous page's `next`")
    s.add_argument("--json", action="store_true", help="whole records as JSON lines")

    sh = actions.add_parser("show", parents=[target], help="the record(s) of one request id")
    sh.add_argument("request_id")

    v = actions.add_parser("verify", help="check the hash chain and the signed checkpoints")
    v.add_argument("--config", help="verify the audit store named by this configuration")
    v.add_argument("--file", action="append", default=[], help="verify JSON-lines file(s)")
    v.add_argument("--public-key", help="the checkpoint public key (PEM)")

    k = actions.add_parser("keygen", help="a new Ed25519 checkpoint key pair")
    k.add_argument("path", help="where to write the private key (the public one goes to .pub)")


def audit_command(args: argparse.Namespace) -> int:
    if args.action == "list":
        from interlock.cli.identity import identity_command

        return identity_command(args)
    try:
        if args.action == "keygen":
            return _keygen(Path(args.path))
        if args.action == "verify":
            return _verify(args)
        return _search(args)
    except CommandError as exc:
        print(f"interlock: {exc}", file=sys.stderr)
        return 1


def _keygen(path: Path) -> int:
    from interlock.audit.chain import generate_key, key_id, public_path

    try:
        private = generate_key(path)
    except FileExistsError:
        raise CommandError(f"{path} exists; not overwriting a key") from None
    print(
        f"private key: {path}\npublic key:  {public_path(path)}\nkey id:      {key_id(private.public_key())}"
    )
    return 0


# ---- search and show ---------------------------------------------------------------------------


def _params(args: argparse.Namespace) -> dict[str, Any]:
    if args.action == "show":
        return {"request_id": args.request_id, "limit": 1000}
    return {k: getattr(args, k) for k in FILTERS if getattr(args, k, None) is not None}


def _search(args: argparse.Namespace) -> int:
    if bool(args.config) == bool(args.url):
        raise CommandError("give exactly one of --config (local store) or --url")
    params = _params(args)
    result = _remote_search(args, params) if args.url else _local_search(args.config, params)
    records = result["records"]
    if args.action == "show" or getattr(args, "json", False):
        for r in records:
            print(json.dumps(r, ensure_ascii=False))
    else:
        for r in records:
            print(_line(r))
        print(
            f"{len(records)} record(s)"
            + (f"; more with --before {result['next']}" if result.get("next") else ""),
            file=sys.stderr,
        )
    return 0


def _line(r: dict[str, Any]) -> str:
    if r.get("kind") == "admin":
        return (
            f"{r.get('time')}  admin  {r.get('actor')} {r.get('action')} {r.get('entity_type')} "
            f"{r.get('entity_id') or ''} → {r.get('outcome')}"
        )
    if r.get("kind") != "exchange":
        return f"{r.get('time')}  {r.get('kind')}  {r.get('id')}"
    decisions = ",".join(f"{d.get('stage')}:{d.get('outcome')}" for d in r.get("decisions") or ())
    return (
        f"{r.get('time')}  {r.get('id')}  {r.get('status')}  team={r.get('team')} app={r.get('app')} "
        f"identity={r.get('identity')} end_user={r.get('end_user')} model={r.get('model') or r.get('model_requested')} "
        f"[{decisions}]"
    )


def _remote_search(args: argparse.Namespace, params: dict[str, Any]) -> dict[str, Any]:
    if args.action == "show":
        path = "/admin/audit/records/" + urllib.parse.quote(args.request_id, safe="")
    else:
        path = "/admin/audit/records?" + urllib.parse.urlencode(params)
    result: dict[str, Any] = admin_call(args, "GET", path, timeout=60)
    return result


def _store_for(config_path: str) -> Any:
    from interlock.audit.store import open_audit_store
    from interlock.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    if config.audit.store is None:
        raise CommandError("this configuration has no audit store (audit.store is null)")
    base = Path(config_path).resolve().parent
    store = open_audit_store(config.audit.store.url, base)
    store.open()
    return store, config, base


def _local_search(config_path: str, params: dict[str, Any]) -> dict[str, Any]:
    from interlock.audit.search import QueryError, query_from

    store, _, _ = _store_for(config_path)
    try:
        q = query_from(params)
        found = store.search(q)
    except QueryError as exc:
        raise CommandError(str(exc)) from None
    finally:
        store.close()
    return {
        "records": [s.record for s in found],
        "next": found[-1].rid if len(found) == q.limit else None,
    }


# ---- verify ------------------------------------------------------------------------------------


def _verify(args: argparse.Namespace) -> int:
    from interlock.audit.chain import load_public
    from interlock.audit.verify import verify_records

    if not args.config and not args.file:
        raise CommandError("give --config (verify the store) or --file (verify an export)")
    key_path = Path(args.public_key) if args.public_key else None
    reports: list[dict[str, Any]] = []
    if args.config:
        store, config, base = _store_for(args.config)
        if key_path is None:
            key_path = _default_public_key(config, base)
        public = load_public(key_path)
        try:
            from interlock.audit.http import verify_store

            reports = verify_store(store, public)
        finally:
            store.close()
    if args.file:
        if key_path is None:
            raise CommandError("--file needs --public-key")
        public = load_public(key_path)
        items = [(r, False) for r in _file_records(args.file)]
        reports += [r.as_dict() for r in verify_records(items, public)]
    ok = all(r["ok"] for r in reports)
    for r in reports:
        status = "OK" if r["ok"] else "FAILED"
        print(
            f"chain {r['chain']}: {status}  records={r['records']} pruned={r['pruned']} "
            f"checkpoints={r['checkpoints']} signed_through={r['signed_through']} "
            f"unsigned_tail={r['unsigned_tail']}"
        )
        for p in r["problems"]:
            print(f"  {p['kind']:<16} seq {p['seq']}: {p['message']}")
    if not reports:
        print("no records to verify")
    print("verified: OK" if ok else "verified: TAMPERING DETECTED", file=sys.stderr)
    return 0 if ok else 1


def _default_public_key(config: Any, base: Path) -> Path:
    from interlock.audit.chain import public_path

    if config.audit.signing_key:
        p = Path(config.audit.signing_key)
        private = p if p.is_absolute() else base / p
    else:
        spool = Path(config.audit.spool_dir) if config.audit.spool_dir else Path("interlock-audit")
        private = (spool if spool.is_absolute() else base / spool) / "checkpoint-key.pem"
    pub = public_path(private)
    if not pub.exists():
        raise CommandError(f"no public key at {pub}; pass --public-key")
    return pub


def _file_records(paths: list[str]) -> list[dict[str, Any]]:
    from interlock.audit.pipeline import decode

    out: list[dict[str, Any]] = []
    for name in paths:
        try:
            with open(name, "rb") as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        data = json.loads(line)
                    except ValueError:
                        raise CommandError(f"{name}:{n}: not JSON") from None
                    # Spool segments wrap records ({"seq","hash","r"}); exports are records.
                    out.append(decode(line) if "r" in data and "hash" in data else data)
        except OSError as exc:
            raise CommandError(str(exc)) from None
    return out
