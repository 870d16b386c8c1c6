"""/metrics for every worker at once.

With several workers a scrape reaches one of them at random; each worker's counters alone would
jump between scrapes. So each worker also answers on a Unix socket with its own exposition, and
the one that gets the scrape gathers them all: every sample gets a `worker` label (sum them
away in queries) and each metric family is written once, with every worker's samples, as the
text format requires. A worker that does not answer in time is left out of that scrape.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from interlock.server.workers import WorkerInfo

log = logging.getLogger("interlock.audit")

PEER_TIMEOUT_S = 2.0


async def serve_own(info: WorkerInfo, render: Callable[[], Awaitable[bytes]]) -> asyncio.Server:
    """This worker's exposition, to whichever worker asks (one connection, one answer)."""
    path = info.socket(info.index)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # left by a worker of this index that died

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(await render())
            await writer.drain()
        finally:
            writer.close()

    return await asyncio.start_unix_server(answer, path=str(path))


async def _ask(path: Path) -> bytes | None:
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_unix_connection(str(path)), PEER_TIMEOUT_S
        )
        try:
            return await asyncio.wait_for(reader.read(), PEER_TIMEOUT_S)
        finally:
            writer.close()
    except (OSError, TimeoutError) as exc:
        log.debug("metrics of %s not gathered: %s", path.name, exc)
        return None


async def gather(info: WorkerInfo, render: Callable[[], Awaitable[bytes]]) -> bytes:
    """Every worker's exposition, labelled by worker and merged family by family."""
    others = [i for i in range(info.count) if i != info.index]
    answers = await asyncio.gather(render(), *(_ask(info.socket(i)) for i in others))
    texts = [(info.index, answers[0])] + [
        (i, text) for i, text in zip(others, answers[1:], strict=True) if text is not None
    ]
    return merge(sorted(texts))


def merge(texts: list[tuple[int, bytes]]) -> bytes:
    families: dict[str, list[str]] = {}  # name -> HELP and TYPE lines, then every sample
    for worker, text in texts:
        family = ""
        for line in text.decode().splitlines():
            if line.startswith("# HELP "):
                family = line.split(" ", 3)[2]
                if family not in families:
                    families[family] = [line]
            elif line.startswith("# TYPE "):
                lines = families[family]
                if len(lines) == 1:
                    lines.append(line)
            elif line and not line.startswith("#"):
                families.setdefault(family, []).append(with_worker(line, worker))
    return ("\n".join(line for lines in families.values() for line in lines) + "\n").encode()


def with_worker(sample: str, worker: int) -> str:
    """`name{a="b"} 1` -> `name{worker="0",a="b"} 1`; `name 1` -> `name{worker="0"} 1`."""
    cut = min(i for i in (sample.find("{"), sample.find(" ")) if i >= 0)
    if sample[cut] == "{":
        comma = "" if sample[cut + 1] == "}" else ","
        return f'{sample[: cut + 1]}worker="{worker}"{comma}{sample[cut + 1 :]}'
    return f'{sample[:cut]}{{worker="{worker}"}}{sample[cut:]}'
