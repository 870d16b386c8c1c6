"""Serves the console's static files under /console.

The console is plain HTML, CSS and JavaScript shipped in this package: no build step and no
external assets. The pages hold no data and no secret; the browser calls the admin JSON APIs
(`/admin/...`) with the admin key the user signed in with, so every read and change is
authorised, scoped and audited by the admin API exactly as for any other client.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

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
    """An addon with routes only: it sees no exchange."""

    def __init__(self) -> None:
        self.files = _load()  # read once at build time: no disk I/O while serving

    def install(self, app: web.Application) -> None:
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

    def _send(self, name: str) -> web.Response:
        return web.Response(
            body=self.files[name],
            content_type=ASSETS[name],
            charset="utf-8",
            headers=SECURITY_HEADERS,
        )


def console_stage() -> Console:
    return Console()
