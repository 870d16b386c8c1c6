"""Real receivers on loopback for every export: syslog (UDP, TCP, TLS), Splunk HEC, OTLP/HTTP,
a signed webhook. Each keeps what it received, parsed the way its protocol says."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac
import ipaddress
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.support import LoopThread


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """A CA-less self-signed certificate for 127.0.0.1 / localhost, made at run time."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "syslog-cert.pem", tmp / "syslog-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Syslog5424:
    pri: int
    version: str
    timestamp: str
    hostname: str
    app: str
    procid: str
    msgid: str
    sd: str
    msg: str


def parse_5424(frame: bytes) -> Syslog5424:
    text = frame.decode()
    assert text.startswith("<")
    pri, rest = text[1:].split(">", 1)
    version, ts, host, app, proc, msgid, rest = rest.split(" ", 6)
    assert rest.startswith("[")
    end = rest.index("] ")
    sd, msg = rest[: end + 1], rest[end + 2 :]
    return Syslog5424(int(pri), version, ts, host, app, proc, msgid, sd, msg.lstrip("\ufeff"))


@dataclass
class Receivers:
    tmp: Path
    hec_token: str
    webhook_secret: str
    loop: LoopThread = field(default_factory=LoopThread)
    syslog: dict[str, list[Syslog5424]] = field(
        default_factory=lambda: {"udp": [], "tcp": [], "tls": []}
    )
    raw: list[bytes] = field(default_factory=list)  # every byte received, for the secrets grep
    hec: list[dict[str, Any]] = field(default_factory=list)
    otlp_logs: list[dict[str, Any]] = field(default_factory=list)
    otlp_traces: list[dict[str, Any]] = field(default_factory=list)
    webhook: list[dict[str, Any]] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)
    fail_http: int = 0  # answer this many HTTP deliveries with 503 first
    cert: Path | None = None

    def start(self) -> Receivers:
        self.cert, key = self_signed(self.tmp)
        self.loop.run(self._start(key))
        return self

    async def _start(self, key: Path) -> None:
        loop = asyncio.get_running_loop()
        receivers = self

        class Udp(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: Any) -> None:
                receivers.raw.append(data)
                receivers.syslog["udp"].append(parse_5424(data))

        transport, _ = await loop.create_datagram_endpoint(Udp, local_addr=("127.0.0.1", 0))
        self.ports["udp"] = transport.get_extra_info("sockname")[1]
        self._udp = transport

        def framed(kind: str) -> Any:
            async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                try:
                    while True:
                        length = await reader.readuntil(b" ")  # octet counting: "LEN SP MSG"
                        frame = await reader.readexactly(int(length[:-1]))
                        self.raw.append(frame)
                        self.syslog[kind].append(parse_5424(frame))
                except (asyncio.IncompleteReadError, ConnectionError):
                    writer.close()

            return handle

        tcp = await asyncio.start_server(framed("tcp"), "127.0.0.1", 0)
        self.ports["tcp"] = tcp.sockets[0].getsockname()[1]
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.cert), str(key))
        tls = await asyncio.start_server(framed("tls"), "127.0.0.1", 0, ssl=ctx)
        self.ports["tls"] = tls.sockets[0].getsockname()[1]
        self._servers = [tcp, tls]

        app = web.Application()
        app.router.add_post("/services/collector/event", self._hec)
        app.router.add_post("/v1/logs", self._otlp)
        app.router.add_post("/v1/traces", self._otlp)
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.ports["http"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def _flaky(self) -> web.Response | None:
        if self.fail_http > 0:
            self.fail_http -= 1
            return web.json_response({"text": "busy"}, status=503)
        return None

    async def _hec(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.raw.append(body)
        if request.headers.get("authorization") != f"Splunk {self.hec_token}":
            return web.json_response({"text": "Invalid token", "code": 4}, status=403)
        if (fail := self._flaky()) is not None:
            return fail
        # HEC bodies are JSON objects one after another.
        decoder_pos, text = 0, body.decode()
        import json

        dec = json.JSONDecoder()
        while decoder_pos < len(text):
            obj, end = dec.raw_decode(text, decoder_pos)
            self.hec.append(obj)
            decoder_pos = end
            while decoder_pos < len(text) and text[decoder_pos].isspace():
                decoder_pos += 1
        return web.json_response({"text": "Success", "code": 0})

    async def _otlp(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.raw.append(body)
        if request.content_type != "application/json":
            return web.Response(status=415)
        if (fail := self._flaky()) is not None:
            return fail
        data = orjson.loads(body)
        (self.otlp_logs if request.path == "/v1/logs" else self.otlp_traces).append(data)
        return web.json_response({})  # an empty Export*ServiceResponse: all accepted

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.raw.append(body)
        ts = request.headers["x-interlock-timestamp"]
        expected = (
            "v1="
            + hmac.new(
                self.webhook_secret.encode(), ts.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        )
        if not hmac.compare_digest(expected, request.headers["x-interlock-signature"]):
            return web.Response(status=401)
        if (fail := self._flaky()) is not None:
            return fail
        self.webhook.append(
            {"delivery": request.headers["x-interlock-delivery"], **orjson.loads(body)}
        )
        return web.Response(status=204)

    def close(self) -> None:
        async def stop() -> None:
            self._udp.close()
            for s in self._servers:
                s.close()
            await self._runner.cleanup()

        self.loop.run(stop())
        self.loop.stop()
