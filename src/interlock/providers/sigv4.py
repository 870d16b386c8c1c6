"""AWS Signature Version 4 request signing, with nothing but hmac and hashlib.

The gateway signs every Bedrock request itself so botocore stays out of the runtime
dependencies. The rules followed (and checked against botocore's `SigV4Auth` in the tests):
the canonical URI is the request path as sent, URI-encoded once more (all services but S3),
the query string is re-encoded and sorted, header values are trimmed, and the payload hash is
sent as `x-amz-content-sha256` and signed like any other header.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
# Hop-by-hop and tracing headers that proxies may rewrite: never signed (botocore's list).
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:  # keeps the secret out of logs and tracebacks
        return f"AwsCredentials(access_key_id={self.access_key_id!r}, ...)"


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: AwsCredentials,
    region: str,
    service: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """The request's headers plus `host`, `x-amz-date`, `x-amz-content-sha256`, the session
    token when there is one, and `authorization`. `url` must be sent exactly as given."""
    now = now or datetime.now(UTC)
    timestamp = now.strftime("%Y%m%dT%H%M%SZ")
    date = timestamp[:8]
    payload_hash = hashlib.sha256(body).hexdigest()

    out = {k.lower(): v for k, v in headers.items() if k.lower() != "authorization"}
    out["host"] = host_header(url)
    out["x-amz-date"] = timestamp
    out["x-amz-content-sha256"] = payload_hash
    if credentials.session_token:
        out["x-amz-security-token"] = credentials.session_token

    signed = sorted(k for k in out if k not in UNSIGNED_HEADERS)
    parts = urlsplit(url)
    canonical = "\n".join(
        [
            method.upper(),
            canonical_uri(parts.path),
            canonical_query(parts.query),
            "".join(f"{k}:{_trim(out[k])}\n" for k in signed),
            ";".join(signed),
            payload_hash,
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = signing_key(credentials.secret_access_key, date, region, service)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    out["authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
        f"SignedHeaders={';'.join(signed)}, Signature={signature}"
    )
    return out


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def canonical_uri(path: str) -> str:
    # `path` is already percent-encoded as it goes on the wire; non-S3 services sign it encoded
    # once more, so a model id's `%3A` is signed as `%253A`.
    return quote(_remove_dot_segments(path) or "/", safe="/~")


def canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = []
    for item in query.split("&"):
        key, _, value = item.partition("=")
        # Decode then encode with the strict unreserved set, so either spelling signs the same.
        pairs.append((_encode(unquote(key)), _encode(unquote(value))))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def host_header(url: str) -> str:
    """The Host value an HTTP client sends for this URL: lowercase, default port left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port != default:
        host = f"{host}:{parts.port}"
    return host


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _trim(value: str) -> str:
    return " ".join(value.split())


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 §5.2.4, and AWS also collapses repeated slashes.
    if not path:
        return ""
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if out:
                out.pop()
        elif segment and segment != ".":
            out.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and out else ""
    return first + "/".join(out) + last
