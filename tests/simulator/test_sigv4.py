"""SigV4 verification against requests signed by botocore's SigV4Auth."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from interlock.simulator import sigv4

KEY = sigv4.SigningKey("AKIDEXAMPLE", "secret/with+chars", "us-west-2", "bedrock")


def botocore_signed(
    url: str, body: bytes = b"{}", token: str | None = None
) -> tuple[sigv4.SignedRequest, dt.datetime]:
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/json"}
    )
    credentials = Credentials(KEY.access_key_id, KEY.secret_access_key, token)
    SigV4Auth(credentials, KEY.service, KEY.region).add_auth(request)
    parts = urlsplit(url)
    headers = [(k, v) for k, v in request.headers.items()]
    headers.append(("Host", parts.netloc))  # what an HTTP client puts on the wire
    signed_at = dt.datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    signed = sigv4.SignedRequest("POST", parts.path, parts.query, headers, body)
    return signed, signed_at.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8123/model/anthropic.claude-v2%3A1/converse",
        "http://127.0.0.1:8123/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A1%3Afoundation-model%2Fx/converse",
        "http://localhost/model/m/converse?b=2&a=1&a=0&sp=a%20b",
    ],
)
def test_botocore_signatures_verify(url: str) -> None:
    signed, at = botocore_signed(url, b'{"messages": []}')
    sigv4.verify(signed, KEY, now=at)


def test_session_token_is_signed_and_verified() -> None:
    signed, at = botocore_signed("http://h/model/m/converse", token="session-token")
    assert signed.header_values("x-amz-security-token") == ["session-token"]
    sigv4.verify(signed, KEY, now=at)


def test_tampered_body_query_and_headers_fail() -> None:
    signed, at = botocore_signed("http://h/model/m/converse?x=1", b'{"a": 1}')
    variants = [
        sigv4.SignedRequest(
            signed.method, signed.raw_path, signed.raw_query, signed.headers, b'{"a": 2}'
        ),
        sigv4.SignedRequest(signed.method, signed.raw_path, "x=2", signed.headers, signed.body),
        sigv4.SignedRequest("PUT", signed.raw_path, signed.raw_query, signed.headers, signed.body),
        sigv4.SignedRequest(
            signed.method,
            signed.raw_path,
            signed.raw_query,
            [(k, "text/plain" if k.lower() == "content-type" else v) for k, v in signed.headers],
            signed.body,
        ),
    ]
    for variant in variants:
        with pytest.raises(sigv4.SignatureRejected) as caught:
            sigv4.verify(variant, KEY, now=at)
        assert caught.value.code == "InvalidSignatureException"


def test_expired_signature_and_scope_checks() -> None:
    signed, at = botocore_signed("http://h/model/m/converse")
    with pytest.raises(sigv4.SignatureRejected, match="Signature expired"):
        sigv4.verify(signed, KEY, now=at + dt.timedelta(minutes=6))
    other_region = sigv4.SigningKey(
        KEY.access_key_id, KEY.secret_access_key, "eu-west-1", "bedrock"
    )
    with pytest.raises(sigv4.SignatureRejected, match="scoped"):
        sigv4.verify(signed, other_region, now=at)


def test_canonical_uri_double_encodes_like_botocore() -> None:
    assert sigv4.canonical_uri("/model/a%3A0/converse") == "/model/a%253A0/converse"
    assert sigv4.canonical_uri("/model/a:0/./x/../converse") == "/model/a%3A0/converse"
    assert sigv4.canonical_query("b=2&a=%7E1&a=0") == "a=0&a=~1&b=2"
