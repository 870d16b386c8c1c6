"""The control API that tests use to steer the simulator (`/_sim/...`)."""

from __future__ import annotations

import orjson
from aiohttp import web

from interlock.simulator.exchange import json_response, parse_json
from interlock.simulator.faults import FaultSpecError
from interlock.simulator.state import STATE


async def add_fault(request: web.Request) -> web.Response:
    spec = parse_json(await request.read())
    try:
        fault = request.app[STATE].faults.add(spec)
    except FaultSpecError as exc:
        return json_response({"error": str(exc)}, status=400)
    return json_response({"id": fault.id, "fault": fault.describe()}, status=201)


async def list_faults(request: web.Request) -> web.Response:
    return json_response(request.app[STATE].faults.describe())


async def clear_faults(request: web.Request) -> web.Response:
    request.app[STATE].faults.clear()
    return web.Response(status=204)


async def list_requests(request: web.Request) -> web.Response:
    # Bodies came from JSON, so they serialize back; non-str keys cannot occur.
    entries = list(request.app[STATE].requests)
    return web.Response(body=orjson.dumps(entries), content_type="application/json")


async def clear_requests(request: web.Request) -> web.Response:
    request.app[STATE].requests.clear()
    return web.Response(status=204)


async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_sim/faults", add_fault)
    app.router.add_get("/_sim/faults", list_faults)
    app.router.add_delete("/_sim/faults", clear_faults)
    app.router.add_get("/_sim/requests", list_requests)
    app.router.add_delete("/_sim/requests", clear_requests)
    app.router.add_get("/_sim/health", health)
