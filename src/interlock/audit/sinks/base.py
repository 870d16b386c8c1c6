"""What a sink is: somewhere records are delivered, in order, at least once."""

from __future__ import annotations

from typing import Any, Protocol


class Sink(Protocol):
    name: str
    batch: int
    retry_max_s: float

    async def start(self) -> None: ...

    async def send(self, records: list[dict[str, Any]]) -> None:
        """Deliver these records (in order) or raise: the shipper retries the same batch."""

    async def close(self) -> None: ...


class SinkError(Exception):
    """A delivery failed; the message says why, without any credential."""
