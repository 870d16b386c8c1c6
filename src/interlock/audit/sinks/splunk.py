"""Splunk HTTP Event Collector: batched events on /services/collector/event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from interlock.audit.config import SplunkHecSink
from interlock.audit.formats import shape
from interlock.audit.sinks.base import SinkError
from interlock.audit.sinks.http import Poster, ssl_context


class SplunkHec:
    def __init__(self, name: str, config: SplunkHecSink, base_dir: Path) -> None:
        self.name = name
        self.config = config
        self.batch = config.batch
        self.retry_max_s = config.retry_max_s
        self.url = config.url.rstrip("/") + "/services/collector/event"
        self.poster = Poster(ssl_context(base_dir, config.ca_file, config.verify))

    async def start(self) -> None:
        return None

    async def send(self, records: list[dict[str, Any]]) -> None:
        c = self.config
        events = []
        for r in records:
            event: dict[str, Any] = {
                "time": r.get("ts"),
                "host": r.get("chain"),
                "source": c.source,
                "sourcetype": c.sourcetype,
                "event": shape(r, c.format),
            }
            if c.index:
                event["index"] = c.index
            events.append(orjson.dumps(event))
        # HEC takes several events in one body, simply concatenated.
        body = b"".join(events)
        answer = await self.poster.post(
            self.url,
            body,
            {"authorization": f"Splunk {c.token}", "content-type": "application/json"},
            f"splunk {self.name}",
        )
        try:
            code = orjson.loads(answer).get("code", 0)
        except (orjson.JSONDecodeError, AttributeError):
            code = 0
        if code != 0:
            raise SinkError(f"splunk {self.name}: HEC answered code {code}")

    async def close(self) -> None:
        await self.poster.close()
