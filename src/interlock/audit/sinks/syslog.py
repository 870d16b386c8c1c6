"""Syslog (RFC 5424) over UDP, TCP or TLS (RFC 5425 octet-counting framing), carrying CEF."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from interlock.audit.config import SyslogSink
from interlock.audit.formats import cef, severity
from interlock.audit.sinks.base import SinkError

_MAX_UDP = 8192  # a datagram larger than this is cut: UDP syslog is lossy by design anyway


def _sd_value(v: Any) -> str:
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def rfc5424(record: dict[str, Any], config: SyslogSink, hostname: str) -> bytes:
    pri = config.facility * 8 + severity(record)
    ts = datetime.fromtimestamp(record.get("ts") or 0, UTC).isoformat(timespec="microseconds")
    ts = ts.replace("+00:00", "Z")
    msgid = str(record.get("kind") or "exchange")[:32]
    sd = (
        f'[interlock@32473 id="{_sd_value(record.get("id"))}" chain="{_sd_value(record.get("chain"))}"'
        f' seq="{_sd_value(record.get("seq"))}"]'
    )
    body = cef(record) if config.format == "cef" else orjson.dumps(record).decode()
    header = f"<{pri}>1 {ts} {hostname[:255]} {config.app_name[:48]} {os.getpid()} {msgid} {sd} "
    # BOM: the MSG part is UTF-8 (RFC 5424 §6.4).
    return header.encode() + b"\xef\xbb\xbf" + body.encode()


class SyslogSender:
    def __init__(self, name: str, config: SyslogSink, base_dir: Path) -> None:
        self.name = name
        self.config = config
        self.batch = config.batch
        self.retry_max_s = config.retry_max_s
        self.hostname = socket.gethostname() or "-"
        self._writer: asyncio.StreamWriter | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._ssl: ssl.SSLContext | None = None
        if config.transport == "tls":
            ctx = ssl.create_default_context(
                cafile=str(base_dir / config.ca_file) if config.ca_file else None
            )
            if not config.verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            self._ssl = ctx

    async def start(self) -> None:
        return None

    async def _connect(self) -> None:
        c = self.config
        try:
            if c.transport == "udp":
                loop = asyncio.get_running_loop()
                self._udp, _ = await loop.create_datagram_endpoint(
                    asyncio.DatagramProtocol, remote_addr=(c.host, c.port)
                )
            else:
                _, self._writer = await asyncio.wait_for(
                    asyncio.open_connection(
                        c.host,
                        c.port,
                        ssl=self._ssl,
                        server_hostname=(c.server_name or c.host) if self._ssl else None,
                    ),
                    10,
                )
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            raise SinkError(f"syslog {c.transport}://{c.host}:{c.port}: {exc}") from None

    async def send(self, records: list[dict[str, Any]]) -> None:
        if self._writer is None and self._udp is None:
            await self._connect()
        messages = [rfc5424(r, self.config, self.hostname) for r in records]
        try:
            if self._udp is not None:
                for m in messages:
                    self._udp.sendto(m[:_MAX_UDP])
                return
            assert self._writer is not None
            # Octet counting (RFC 5425 / RFC 6587 §3.4.1): a message may contain newlines.
            self._writer.write(b"".join(str(len(m)).encode() + b" " + m for m in messages))
            await asyncio.wait_for(self._writer.drain(), 30)
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            await self.close()
            raise SinkError(f"syslog send failed: {exc}") from None

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)
