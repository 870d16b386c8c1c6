"""JSON lines files with size-based rotation: path, path.1 (newest rotated) … path.keep."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import orjson

from interlock.audit.config import JsonlSink
from interlock.audit.formats import shape


class JsonlFileSink:
    def __init__(self, name: str, config: JsonlSink, base_dir: Path) -> None:
        self.name = name
        self.config = config
        self.batch = config.batch
        self.retry_max_s = config.retry_max_s
        path = Path(config.path)
        self.path = path if path.is_absolute() else base_dir / path

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

    async def send(self, records: list[dict[str, Any]]) -> None:
        fmt = self.config.format
        if fmt == "cef":
            lines = [shape(r, fmt).encode() + b"\n" for r in records]
        else:
            lines = [orjson.dumps(shape(r, fmt)) + b"\n" for r in records]
        await asyncio.to_thread(self._write_lines, lines)

    def _write_lines(self, lines: list[bytes]) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            size = 0
        chunk: list[bytes] = []
        for line in lines:
            # Rotate between records, never inside one: each file stays valid JSON lines.
            if size and size + len(line) > self.config.max_bytes:
                if chunk:
                    self._write(b"".join(chunk))
                    chunk = []
                self._rotate()
                size = 0
            chunk.append(line)
            size += len(line)
        if chunk:
            self._write(b"".join(chunk))

    def _write(self, data: bytes) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if self.config.fsync:
                os.fdatasync(fd)
        finally:
            os.close(fd)

    def _rotate(self) -> None:
        keep = self.config.keep
        oldest = self.path.with_name(f"{self.path.name}.{keep}")
        if oldest.exists():
            oldest.unlink()
        for i in range(keep - 1, 0, -1):
            src = self.path.with_name(f"{self.path.name}.{i}")
            if src.exists():
                os.replace(src, self.path.with_name(f"{self.path.name}.{i + 1}"))
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))

    async def close(self) -> None:
        return None
