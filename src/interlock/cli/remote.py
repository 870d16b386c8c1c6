"""The CLI against a running gateway: one admin API call and its errors, for every command."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from typing import Any


class CommandError(Exception):
    """A failure the CLI reports on one line, without a traceback."""


def against_gateway_or_database(
    args: argparse.Namespace,
    remote: Callable[[argparse.Namespace], Any],
    local: Callable[[argparse.Namespace], Coroutine[Any, Any, Any]],
) -> tuple[Any, int]:
    """(result, 0) from `--url` (remote) or `--config` (local), or (None, exit status) after
    saying on stderr why not: 2 without exactly one of them, 1 when the command failed."""
    if bool(args.config) == bool(args.url):
        print("interlock: give exactly one of --config (local database) or --url", file=sys.stderr)
        return None, 2
    try:
        return (remote(args) if args.url else asyncio.run(local(args))), 0
    except CommandError as exc:
        print(f"interlock: {exc}", file=sys.stderr)
        return None, 1


def admin_call(
    args: argparse.Namespace,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    timeout: float = 30,
) -> Any:
    """`method path` on `args.url` with the admin key (`--admin-key` or $INTERLOCK_ADMIN_KEY);
    the decoded JSON answer, or CommandError naming the gateway's error code and message."""
    key = args.admin_key or os.environ.get("INTERLOCK_ADMIN_KEY")
    if not key:
        raise CommandError("--url needs an admin key (--admin-key or $INTERLOCK_ADMIN_KEY)")
    req = urllib.request.Request(
        args.url.rstrip("/") + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            err = json.loads(exc.read())["error"]
            message = f"{err.get('code')}: {err.get('message')}"
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {exc.code}"
        raise CommandError(message) from None
    except urllib.error.URLError as exc:
        raise CommandError(f"cannot reach {args.url}: {exc.reason}") from None
