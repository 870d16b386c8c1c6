"""The CLI against a running gateway: one admin API call and its errors, for every command."""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from typing import Any


class CommandError(Exception):
    """A failure the CLI reports on one line, without a traceback."""


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
