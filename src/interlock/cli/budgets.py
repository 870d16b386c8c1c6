"""`interlock budgets list|show|create|update|delete`: budgets managed in the database.

    interlock budgets create --url http://gw:8080 --team red --period month --limit-usd 500 \\
        --threshold 0.5 --threshold 0.8 --action downgrade --downgrade-to gpt-4o-mini
    interlock budgets list --config gateway.yaml

Against the configuration's database (`--config`; acts as an org admin, like the other local
commands), or a running gateway's admin API (`--url` with an admin key in `--admin-key` or
$INTERLOCK_ADMIN_KEY, with that key's role). Either way every change is in the admin audit
trail, and every gateway applies it within its `database.refresh_s`. The list shows the
configuration's budgets too (read-only) and what each has used this period.
"""

from __future__ import annotations

import argparse
import getpass
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from interlock.cli.remote import CommandError, admin_call, against_gateway_or_database

FIELDS = ("name", "period", "timezone", "limit_usd", "action", "downgrade_to")
SCOPE = ("team", "app", "model", "key")


def add_budget_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    target = argparse.ArgumentParser(add_help=False)
    where = target.add_argument_group("where")
    where.add_argument("--config", help="configuration file whose database to change directly")
    where.add_argument("--url", help="a running gateway, e.g. http://127.0.0.1:8080")
    where.add_argument("--admin-key", help="admin key for --url (default: $INTERLOCK_ADMIN_KEY)")
    where.add_argument("--json", action="store_true", help="print JSON")

    fields = argparse.ArgumentParser(add_help=False)
    f = fields.add_argument_group("budget")
    f.add_argument("--name")
    for dim in SCOPE:
        f.add_argument(f"--{dim}", help=f"scope: only this {dim} (default: any)")
    f.add_argument("--period", choices=["day", "week", "month"])
    f.add_argument("--timezone", help="IANA time zone the period starts in (default UTC)")
    f.add_argument("--limit-usd", type=float)
    f.add_argument("--threshold", type=float, action="append",
                   help="warning fraction, repeatable (default 0.8)")  # fmt: skip
    f.add_argument("--action", choices=["block", "downgrade"], help="at 100 %% (default block)")
    f.add_argument("--downgrade-to", help="the cheaper model, with --action downgrade")

    p = sub.add_parser("budgets", help="budgets managed in the database (admin API)")
    actions = p.add_subparsers(dest="action_name", required=True)
    actions.add_parser("list", parents=[target], help="every budget with its use this period")
    for verb in ("show", "delete"):
        actions.add_parser(verb, parents=[target], help=f"{verb} one").add_argument("id")
    actions.add_parser("create", parents=[target, fields], help="create a budget")
    actions.add_parser("update", parents=[target, fields], help="change the fields given").add_argument("id")  # fmt: skip


def body_from(args: argparse.Namespace, create: bool) -> dict[str, Any]:
    body: dict[str, Any] = {k: getattr(args, k) for k in FIELDS if getattr(args, k) is not None}
    scope = {d: getattr(args, d) for d in SCOPE if getattr(args, d) is not None}
    if scope or create:
        body["scope"] = scope
    if args.threshold is not None:
        body["thresholds"] = args.threshold
    if create and "limit_usd" not in body:
        raise CommandError("create needs --limit-usd")
    return body


def budgets_command(args: argparse.Namespace) -> int:
    result, status = against_gateway_or_database(args, _remote, _local)
    if status:
        return status
    if args.action_name == "list" and not args.json:
        print(table(result))
    else:
        print(json.dumps(result, indent=2))
    return 0


def table(budgets: list[dict[str, Any]]) -> str:
    heads = ["id", "name", "source", "scope", "period", "limit USD", "spent USD", "reserved USD",
             "used", "action"]  # fmt: skip
    rows = []
    for b in budgets:
        scope = ",".join(f"{k}={v}" for k, v in b["scope"].items() if v) or "all"
        action = b["action"] + (f" -> {b['downgrade_to']}" if b.get("downgrade_to") else "")
        used = (b["spent_usd"] + b["reserved_usd"]) / b["limit_usd"]
        rows.append([
            b["id"], b["name"], b["source"], scope, f"{b['period']} ({b['timezone']})",
            f"{b['limit_usd']:,.2f}", f"{b['spent_usd']:,.4f}", f"{b['reserved_usd']:,.4f}",
            f"{used:.0%}", action,
        ])  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(heads, *rows, strict=True)]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in [heads, *rows]
    )


# ---- against a running gateway ------------------------------------------------------------


def _remote(args: argparse.Namespace) -> Any:
    base = "/admin/budgets"
    one = base + "/" + urllib.parse.quote(getattr(args, "id", "") or "", safe="")
    method, url, body = {
        "list": lambda: ("GET", base, None),
        "show": lambda: ("GET", one, None),
        "create": lambda: ("POST", base, body_from(args, True)),
        "update": lambda: ("PATCH", one, body_from(args, False)),
        "delete": lambda: ("DELETE", one, None),
    }[args.action_name]()
    result = admin_call(args, method, url, body)
    return result["data"] if args.action_name == "list" else result


# ---- against the local database -----------------------------------------------------------


async def _local(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from pydantic import ValidationError

    from interlock.admin.rbac import Actor
    from interlock.admin.service import AdminError
    from interlock.budget.limits import CompiledBudget, compile_cost
    from interlock.budget.managed import (
        BudgetAdmin,
        BudgetCreate,
        BudgetPatch,
        compile_rows,
        load_rows,
        scope_spend,
        shares_counter,
    )
    from interlock.config import ConfigError, load_config
    from interlock.store import StoreError, migrate, open_store

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    store = open_store(config.database.url, Path(args.config).resolve().parent)
    state = compile_cost(config)

    async def reload() -> None:
        state.managed = compile_rows((await load_rows(store))[1], config)

    async def seed(b: CompiledBudget) -> None:
        # With Redis counters the gateways count in Redis: start the counter from the ledger.
        if config.counters.backend != "redis":
            return  # in-process counters are restored from the ledger when the budget loads
        from interlock.budget.limits import GRACE_S
        from interlock.budget.redis_counters import RedisCounters

        assert config.counters.url is not None
        shared = RedisCounters(config.counters.url, config.counters.timeout_ms / 1000,
                               config.counters.prefix)  # fmt: skip
        try:
            period = b.current(time.time())
            live = shares_counter(b, [*state.managed,
                                      *(x for p in state.policies.values() for x in p.budgets)])  # fmt: skip
            spent = await scope_spend(store, b, period)
            await shared.seed(b.key(dict(b.scope or ()), period), spent, period.end + GRACE_S,
                              overwrite=not live)  # fmt: skip
        finally:
            await shared.close()

    service = BudgetAdmin(store, lambda: state, before_change=seed, after_change=reload)
    actor = Actor(f"cli:{getpass.getuser()}", None, frozenset({"org_admin"}), "cli")
    try:
        await store.open()
        await migrate(store)
        await reload()
        action = args.action_name
        if action == "list":
            return await service.list(actor)
        if action == "show":
            return await service.show(actor, args.id)
        if action == "delete":
            return await service.delete(actor, args.id)
        if action == "create":
            return await service.create(actor, BudgetCreate.model_validate(body_from(args, True)))
        return await service.update(
            actor, args.id, BudgetPatch.model_validate(body_from(args, False))
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CommandError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    except AdminError as exc:
        raise CommandError(f"{exc.code}: {exc.message}") from None
    except StoreError as exc:
        raise CommandError(f"database: {exc}") from None
    finally:
        await store.close()
