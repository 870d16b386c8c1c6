"""Assembles the provider simulator: every provider at its real paths on one aiohttp server.

OpenAI, Anthropic and Gemini (v1) all answer `GET /v1/models`; the caller's credentials tell
them apart: `x-goog-api-key` or `?key=` means Gemini, `anthropic-version` or `x-api-key` means
Anthropic, anything else OpenAI.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from interlock.simulator import anthropic, azure, bedrock, control, gemini, openai
from interlock.simulator.state import STATE, SimulatorConfig, SimulatorState

__all__ = ["RunningSimulator", "SimulatorConfig", "build_app", "run_simulator", "start_simulator"]

# Image and embedding batches can be large; the real providers accept tens of MiB.
MAX_BODY_BYTES = 64 * 1024 * 1024
# Hanging handlers are released at shutdown, so stopping never needs the 60 s default.
SHUTDOWN_TIMEOUT_S = 2.0


def _family(request: web.Request) -> str:
    if "x-goog-api-key" in request.headers or "key" in request.query:
        return "gemini"
    if "anthropic-version" in request.headers or "x-api-key" in request.headers:
        return "anthropic"
    return "openai"


async def list_models(request: web.Request) -> web.StreamResponse:
    handlers = {
        "gemini": gemini.list_models,
        "anthropic": anthropic.list_models,
        "openai": openai.list_models,
    }
    return await handlers[_family(request)](request)


async def get_model(request: web.Request) -> web.StreamResponse:
    if _family(request) == "gemini":
        return await gemini.describe_model(request, request.match_info["model_id"])
    if _family(request) == "anthropic":
        return await anthropic.get_model(request)
    return await openai.get_model(request)


async def _release_hanging_handlers(app: web.Application) -> None:
    app[STATE].closing.set()


def build_app(config: SimulatorConfig) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[STATE] = SimulatorState(config=config)
    control.add_routes(app)
    openai.add_routes(app)
    azure.add_routes(app)
    anthropic.add_routes(app)
    bedrock.add_routes(app)
    gemini.add_routes(app)
    app.router.add_get("/v1/models", list_models)
    app.router.add_get("/v1/models/{model_id}", get_model)
    app.on_shutdown.append(_release_hanging_handlers)
    return app


@dataclass
class RunningSimulator:
    """A simulator serving on a real socket; `url` has no trailing slash."""

    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app(self) -> web.Application:
        return self.runner.app

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_simulator(
    config: SimulatorConfig, host: str = "127.0.0.1", port: int = 0
) -> RunningSimulator:
    """Starts the simulator on the running loop; port 0 picks a free port."""
    runner = web.AppRunner(
        build_app(config),
        access_log=None,
        handler_cancellation=True,  # a client that gives up ends its handler (hang faults)
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = port
    for address in runner.addresses:
        bound_port = address[1]
        break
    return RunningSimulator(runner=runner, host=host, port=bound_port)


def run_simulator(config: SimulatorConfig, host: str, port: int) -> None:
    """Serves until interrupted (the `interlock simulate` command)."""
    import uvloop

    web.run_app(
        build_app(config),
        host=host,
        port=port,
        access_log=None,
        handler_cancellation=True,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        loop=uvloop.new_event_loop(),
    )
