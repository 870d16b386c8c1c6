"""`interlock spend`: who spent what — per team, application, model, provider, key or identity.

    interlock spend --config gateway.yaml --by team,app,model --period last-month --csv > bill.csv
    interlock spend --url http://gw:8080 --by model --period 2025-11 --tz Europe/Paris
    interlock spend --config gateway.yaml --by day,team --period this-month --tz Europe/Paris

Against the configuration's database (`--config`), or a running gateway's admin API (`--url`
with an admin key in `--admin-key` or $INTERLOCK_ADMIN_KEY; org admins and auditors see every
team, team admins their own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from interlock.cli.remote import CommandError, admin_call


def add_spend_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("spend", help="spend report (tokens and cost) from the ledger")
    p.add_argument("--config", help="configuration file whose database to read")
    p.add_argument("--url", help="a running gateway, e.g. http://127.0.0.1:8080")
    p.add_argument("--admin-key", help="admin key for --url (default: $INTERLOCK_ADMIN_KEY)")
    p.add_argument(
        "--by", default="team,app,model",
        help="group by day or hour (spend over time), team, app, model, provider, key, "
        "identity (comma-separated; default team,app,model)",
    )  # fmt: skip
    p.add_argument(
        "--period", default="this-month",
        help="today, yesterday, this-week, last-week, this-month (default), last-month, "
        "YYYY-MM, YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD, or e.g. 7d, 24h",
    )  # fmt: skip
    p.add_argument("--tz", default="UTC", help="time zone the period is read in (default UTC)")
    p.add_argument("--team", help="only this team")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true", help="CSV for a spreadsheet")
    out.add_argument("--json", action="store_true", help="JSON rows")


def spend_command(args: argparse.Namespace) -> int:
    from interlock.budget.report import ReportError, parse_groups, parse_period, to_csv, to_table

    if bool(args.config) == bool(args.url):
        print("interlock: give exactly one of --config (local database) or --url", file=sys.stderr)
        return 2
    try:
        groups = parse_groups(args.by)
        span = parse_period(args.period, args.tz)
        rows = _remote(args) if args.url else asyncio.run(_local(args, groups, span))
    except (ReportError, CommandError) as exc:
        print(f"interlock: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        sys.stdout.write(to_csv(rows, groups))
    elif args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(to_table(rows, groups, span))
    return 0


async def _local(args: argparse.Namespace, groups: list[str], span: Any) -> list[dict[str, Any]]:
    from pathlib import Path

    from interlock.budget.report import spend_report
    from interlock.config import ConfigError, load_config
    from interlock.store import StoreError, open_store

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    store = open_store(config.database.url, Path(args.config).resolve().parent)
    try:
        await store.open()
        return await spend_report(store, groups, span, args.team)
    except StoreError as exc:
        raise CommandError(f"database: {exc}") from None
    finally:
        await store.close()


def _remote(args: argparse.Namespace) -> list[dict[str, Any]]:
    from interlock.budget.report import parse_groups

    query = {"by": args.by, "period": args.period, "tz": args.tz}
    if args.team:
        query["team"] = args.team
    rows = admin_call(args, "GET", "/admin/spend?" + urllib.parse.urlencode(query), timeout=60)
    groups = parse_groups(args.by)
    # The API fills absent groupings with null; keep the columns asked for.
    return [{k: v for k, v in row.items() if k not in _GROUPS or k in groups} for row in rows]


_GROUPS = {"day", "hour", "team", "app", "model", "provider", "key", "identity"}
