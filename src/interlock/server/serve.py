"""Process management for `interlock serve`: one event loop per worker, sharing the port."""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from interlock.config import ConfigError, GatewayConfig, load_config
from interlock.server.logs import configure_logging
from interlock.server.workers import WorkerInfo, set_current

log = logging.getLogger("interlock.serve")


def serve_command(path: str, host: str | None, port: int | None, workers: int | None) -> int:
    configure_logging()
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"interlock: {exc}", file=sys.stderr)
        return 2
    host = host or config.server.host
    port = port if port is not None else config.server.port
    workers = workers or config.server.workers
    if workers > 1 and config.counters.backend == "memory":
        why = per_worker_counters(config, workers)
        if why is not None:
            print(f"interlock: {why}", file=sys.stderr)
            return 2
        log.warning(
            "counters.backend is memory with %d workers: each worker counts its own budgets and "
            "rate limits; a budget added in the database later would hold %d times over. Use "
            "counters.backend: redis, or workers: 1",
            workers,
            workers,
        )
    if workers == 1:
        _run_worker(Path(path), config, host, port, reuse_port=False)
        return 0
    # Several processes on one port via SO_REUSEPORT: the kernel spreads connections. A
    # directory of this process's own (0700) holds their sockets for what must see them all.
    run_dir = Path(tempfile.mkdtemp(prefix=f"interlock-{os.getpid()}-"))
    procs = [
        multiprocessing.Process(
            target=_worker_main,
            args=(path, host, port, WorkerInfo(index, workers, run_dir)),
            daemon=False,
        )
        for index in range(workers)
    ]
    for p in procs:
        p.start()

    def forward(signum: int, _frame: object) -> None:
        for p in procs:
            if p.pid:
                os.kill(p.pid, signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    for p in procs:
        p.join()
    shutil.rmtree(run_dir, ignore_errors=True)
    return 0


def per_worker_counters(config: GatewayConfig, workers: int) -> str | None:
    """Why these workers cannot share this configuration's limits, if they cannot: in-process
    counters are per process, so every worker would enforce each budget and rate limit alone."""
    limited = sorted(
        name
        for name, policy in config.policies.items()
        if (policy.budgets and policy.budgets.limits)
        or (policy.rate_limits and policy.rate_limits.limits)
    )
    if not limited:
        return None
    return (
        f"workers: {workers} with counters.backend: memory would count the budgets and rate "
        f"limits of {', '.join(limited)} in each worker separately ({workers} times the limit); "
        "use counters.backend: redis (one count for every worker and instance), or workers: 1"
    )


def _worker_main(path: str, host: str, port: int, info: WorkerInfo) -> None:
    configure_logging()
    set_current(info)
    _run_worker(Path(path), load_config(path), host, port, reuse_port=True)


GC_INTERVAL_S = 1.0


async def scheduled_collection(app: web.Application) -> AsyncIterator[None]:
    """Cycle collection on a timer instead of on allocation counts.

    Reference counting frees almost everything a request allocates; the cyclic collector,
    triggered every few hundred allocations, cost ~10 µs per request in the benchmark. Here
    the long-lived start-up objects are frozen out of its reach, the young generations are
    collected once a second (what in-flight requests hold) and everything once a minute.
    """
    gc.collect()
    gc.freeze()
    gc.disable()

    async def collect_forever() -> None:
        ticks = 0
        while True:
            await asyncio.sleep(GC_INTERVAL_S)
            ticks += 1
            # The young generations every tick; everything that survived them once a minute.
            gc.collect(2 if ticks % 60 == 0 else 1)

    task = asyncio.ensure_future(collect_forever())
    yield
    task.cancel()
    gc.enable()


def _run_worker(path: Path, config: GatewayConfig, host: str, port: int, reuse_port: bool) -> None:
    from interlock.server.app import build_app

    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:  # pragma: no cover - uvloop is a dependency, but not on every platform
        pass
    app = build_app(config, path)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    log.info(
        "interlock listening on http://%s:%d (pid %d)", host, sock.getsockname()[1], os.getpid()
    )
    app.cleanup_ctx.append(scheduled_collection)
    # On SIGTERM: stop accepting, let in-flight requests and streams finish within the grace
    # period, then run the cleanup hooks (which flush what stages still hold).
    web.run_app(
        app,
        sock=sock,
        print=None,
        access_log=None,
        handle_signals=True,
        shutdown_timeout=config.server.shutdown_grace_s,
    )
