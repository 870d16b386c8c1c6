"""Serves the console's static files under /console.

The console is plain HTML, CSS and JavaScript shipped in this package: no build step and no
external assets. The pages hold no data and no secret; the browser calls the admin JSON APIs
(`/admin/...`) with the admin key the user signed in with, so every read and change is
authorised, scoped and audited by the admin API exactly as for any other client.

The overview's data is one admin route added here, `GET /admin/usage` (see `aggregate.py`):
requests, tokens and spend over time by team, application, model and provider, and the
incident panels, from a rollup of the audit store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from importlib import resources
from typing import Any

from aiohttp import web

from interlock.console.aggregate import UsageError, UsageRollup, overview, window

log = logging.getLogger("interlock.console")

# name -> content type; only these files are served (no directory listing, no path traversal).
ASSETS = {
    "index.html": "text/html",
    "console.css": "text/css",
    "console.js": "application/javascript",
}

# Same-origin only: the console loads nothing from elsewhere, runs no inline script, and must
# not be framed (clickjacking of the management actions).
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-cache",
}


def _load() -> dict[str, bytes]:
    folder = resources.files("interlock.console") / "static"
    return {name: (folder / name).read_bytes() for name in ASSETS}


class Console:
    """An addon with routes only: it sees no exchange.

    `audit` is the audit stage (set by `server/stages.py` once it is built): its store feeds the
    usage rollup behind `GET /admin/usage`, the overview's charts over time.
    """

    def __init__(self) -> None:
        self.files = _load()  # read once at build time: no disk I/O while serving
        self.audit: Any = None
        self._rollup: UsageRollup | None = None
        self._catching_up: asyncio.Task[None] | None = None

    def install(self, app: web.Application) -> None:
        self._install_usage(app)
        app.on_cleanup.append(self._close)

        async def page(request: web.Request) -> web.Response:
            return self._send("index.html")

        async def asset(request: web.Request) -> web.Response:
            name = request.match_info["name"]
            if name not in ASSETS or name == "index.html":
                raise web.HTTPNotFound()
            return self._send(name)

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPFound("/console/")

        app.router.add_get("/console", redirect)
        app.router.add_get("/console/", page)
        app.router.add_get("/console/static/{name}", asset)

    # ---- usage over time -------------------------------------------------------------------

    def rollup(self) -> UsageRollup | None:
        store = getattr(self.audit, "store", None)
        if store is None:
            return None
        if self._rollup is None:
            self._rollup = UsageRollup(store)
        return self._rollup

    def _install_usage(self, app: web.Application) -> None:
        from interlock.admin.http import ADMIN_ROUTES, Route
        from interlock.admin.rbac import Actor
        from interlock.admin.service import AdminError, AdminService
        from interlock.audit.search import QueryError, parse_time

        add = app.get(ADMIN_ROUTES)
        if add is None:
            return  # no admin API without identity: no console data either

        async def usage(svc: AdminService, actor: Actor, req: web.Request, body: Any) -> Any:
            # Same reach as spend: org admins and auditors see every team, team admins theirs.
            if actor.org_admin or "auditor" in actor.roles:
                scope = None
            elif actor.team_admin:
                scope = actor.team_id
            else:
                await svc.record_denied(actor, "read", "usage", None, "usage_not_allowed")
                raise AdminError(
                    403,
                    "forbidden",
                    "Only organisation admins, auditors and team admins read usage",
                )
            q = req.query
            team = q.get("team") or None
            if scope is not None:
                if team not in (None, scope):
                    await svc.record_denied(actor, "read", "usage", team, "other_team")
                    raise AdminError(403, "forbidden", "Team admins can only read their own team")
                team = scope
            rollup = self.rollup()
            if rollup is None:
                raise AdminError(404, "not_found", "This gateway keeps no audit store")
            try:
                since = parse_time(q["since"]) if q.get("since") else None
                until = parse_time(q["until"]) if q.get("until") else None
                size, start, end = window(
                    q.get("range"), since, until, q.get("bucket"), time.time()
                )
            except (QueryError, UsageError) as exc:
                raise AdminError(400, "invalid_request", str(exc)) from None
            try:
                answer = await asyncio.to_thread(self._answer, rollup, size, start, end, team)
            except Exception as exc:  # the store's driver errors: the caller gets a clear 503
                log.error("usage from the audit store failed: %s", exc)
                raise AdminError(
                    503, "store_unavailable", "The audit store is unavailable"
                ) from None
            if answer["backlog"] and self._catching_up is None:
                self._catching_up = asyncio.ensure_future(self._catch_up(rollup))
            return answer

        add(Route("GET", "/admin/usage", "usage_over_time",
                  "Requests, tokens and spend over time by team, app, model and provider; top DLP "
                  "types, decisions, upstream errors, failovers (?range=24h|7d|30d|90d or "
                  "since/until, bucket=hour|day, team=)",
                  usage, tag="usage"))  # fmt: skip

    @staticmethod
    def _answer(rollup: UsageRollup, size: int, start: int, end: int, team: str | None) -> Any:
        # A few steps here keep the page current; a larger backlog (a first look at a big
        # store) is folded in by a background task while the page shows what is there.
        rollup.catch_up(max_steps=1, chunk=5000, wait=False)
        answer = overview(rollup, size, start, end, team)
        answer["backlog"] = rollup.backlog()
        return answer

    async def _catch_up(self, rollup: UsageRollup) -> None:
        try:
            await asyncio.to_thread(rollup.catch_up)
        except Exception:
            log.exception("usage rollup could not catch up")
        finally:
            self._catching_up = None

    async def _close(self, app: web.Application) -> None:
        if self._rollup is not None:
            self._rollup.stopping = True  # a long catch-up ends after its current step
        if self._catching_up is not None:
            with contextlib.suppress(BaseException):
                await self._catching_up
        if self._rollup is not None:
            self._rollup.close()

    def _send(self, name: str) -> web.Response:
        return web.Response(
            body=self.files[name],
            content_type=ASSETS[name],
            charset="utf-8",
            headers=SECURITY_HEADERS,
        )


def console_stage() -> Console:
    return Console()
