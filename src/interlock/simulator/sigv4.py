"""AWS Signature Version 4 verification, recomputed from the request exactly as it arrived.

The canonical request follows the SigV4 specification for non-S3 services (the form botocore
signs): the URI path is URI-encoded once more on top of its wire encoding (so `%3A` becomes
`%253A`), query parameters are decoded, re-encoded and sorted, and only the headers named in
`SignedHeaders` take part, with their values trimmed and inner spaces collapsed. The payload
hash is SHA-256 of the body received.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class SigningKey:
    access_key_id: str
    secret_access_key: str
    region: str
    service: str


class SignatureRejected(Exception):
    """The request is not validly signed; `code` is the AWS error type to report."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """The parts of an HTTP request that SigV4 covers, as they arrived on the wire."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name]


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 dot-segment removal, also dropping empty segments (as AWS does)."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if output:
                output.pop()
        elif segment and segment != ".":
            output.append(segment)
    trailing = "/" if path.endswith("/") and output else ""
    return "/" + "/".join(output) + trailing


def canonical_uri(raw_path: str) -> str:
    return quote(_remove_dot_segments(raw_path or "/"), safe="/~")


def canonical_query(raw_query: str) -> str:
    pairs = []
    for item in raw_query.split("&") if raw_query else []:
        key, _, value = item.partition("=")
        pairs.append((quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(request: SignedRequest, signed_headers: list[str], payload_hash: str) -> str:
    lines = []
    for name in signed_headers:
        values = request.header_values(name)
        if not values:
            raise SignatureRejected(
                "InvalidSignatureException", f"Signed header '{name}' is missing from the request."
            )
        lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}")
    return "\n".join(
        [
            request.method.upper(),
            canonical_uri(request.raw_path),
            canonical_query(request.raw_query),
            "\n".join(lines) + "\n",
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signature(key: SigningKey, date: str, string_to_sign: str) -> str:
    k_date = _hmac(f"AWS4{key.secret_access_key}".encode(), date)
    k_signing = _hmac(_hmac(_hmac(k_date, key.region), key.service), "aws4_request")
    return hmac.new(k_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()


def parse_authorization(header: str) -> Mapping[str, str]:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureRejected(
            "IncompleteSignatureException", f"Unsupported authorization algorithm '{algorithm}'."
        )
    fields = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    missing = [f for f in ("Credential", "SignedHeaders", "Signature") if not fields.get(f)]
    if missing:
        raise SignatureRejected(
            "IncompleteSignatureException",
            f"Authorization header requires {', '.join(missing)}.",
        )
    return fields


def verify(request: SignedRequest, key: SigningKey, now: dt.datetime | None = None) -> None:
    """Raises `SignatureRejected` unless `request` carries a valid signature by `key`."""
    authorizations = request.header_values("authorization")
    if not authorizations:
        raise SignatureRejected(
            "MissingAuthenticationTokenException", "Missing Authentication Token"
        )
    fields = parse_authorization(authorizations[0])
    access_key_id, date, region, service, terminator = (fields["Credential"].split("/") + [""] * 5)[
        :5
    ]
    if access_key_id != key.access_key_id:
        raise SignatureRejected(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    if terminator != "aws4_request" or region != key.region or service != key.service:
        raise SignatureRejected(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region and to service '{key.service}'.",
        )
    amz_date = _request_time(request, date, now or dt.datetime.now(dt.UTC))
    payload_hash = hashlib.sha256(request.body).hexdigest()
    declared = request.header_values("x-amz-content-sha256")
    if declared and declared[0] != payload_hash:
        raise SignatureRejected(
            "InvalidSignatureException",
            "The provided x-amz-content-sha256 does not match the body.",
        )
    signed_headers = fields["SignedHeaders"].split(";")
    if "host" not in signed_headers:
        raise SignatureRejected("InvalidSignatureException", "The 'host' header must be signed.")
    canonical = canonical_request(request, signed_headers, payload_hash)
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    expected = signature(key, date, string_to_sign)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise SignatureRejected(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        )


def _request_time(request: SignedRequest, scope_date: str, now: dt.datetime) -> str:
    values = request.header_values("x-amz-date")
    if not values:
        raise SignatureRejected("IncompleteSignatureException", "X-Amz-Date header is required.")
    amz_date = values[0]
    try:
        when = dt.datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise SignatureRejected("IncompleteSignatureException", "Invalid X-Amz-Date.") from exc
    if amz_date[:8] != scope_date:
        raise SignatureRejected(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            "from HTTP.",
        )
    if abs(now - when) > MAX_CLOCK_SKEW:
        raise SignatureRejected(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier or later than the allowed "
            "5 minutes of clock skew.",
        )
    return amz_date
