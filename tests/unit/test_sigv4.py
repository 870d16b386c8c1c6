"""Our SigV4 signer against botocore's `SigV4Auth` (the reference implementation)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from interlock.providers.sigv4 import (
    AwsCredentials,
    canonical_query,
    canonical_uri,
    host_header,
    sign,
    signing_key,
)

NOW = datetime(2024, 8, 30, 12, 34, 56, tzinfo=UTC)
BODY = b'{"messages":[{"role":"user","content":[{"text":"hi"}]}]}'


def botocore_signature(
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    creds: AwsCredentials,
    region: str,
) -> dict[str, str]:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: NOW.replace(tzinfo=None))
    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    auth = SigV4Auth(
        Credentials(creds.access_key_id, creds.secret_access_key, creds.session_token),
        "bedrock",
        region,
    )
    auth.add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


CASES = [
    # (url, session token)
    (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
        "anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
        None,
    ),
    (
        "https://bedrock-runtime.eu-west-3.amazonaws.com/model/"
        "anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
        "FwoGZXIvYXdzEJr//////////wEaDAtoken+with/slashes==",
    ),
    # An inference-profile ARN: `:` and `/` encoded inside one path segment.
    (
        "https://bedrock-runtime.us-west-2.amazonaws.com/model/"
        "arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.meta.llama3-v1%3A0"
        "/converse",
        None,
    ),
    # A non-default port and a query string that needs sorting and encoding.
    ("http://127.0.0.1:8443/model/amazon.nova-lite-v1%3A0/converse?b=2&a=x%20y&a=1", None),
]


@pytest.mark.parametrize(("url", "token"), CASES)
def test_signature_matches_botocore(
    monkeypatch: pytest.MonkeyPatch, url: str, token: str | None
) -> None:
    creds = AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    region = (
        url.split("bedrock-runtime.")[1].split(".")[0] if "bedrock-runtime." in url else "us-east-1"
    )
    headers = {"content-type": "application/json", "accept": "application/json"}

    ours = sign("POST", url, headers, BODY, creds, region, "bedrock", now=NOW)
    # botocore signs the headers it is given; hand it the same ones ours adds besides auth.
    given = {k: v for k, v in ours.items() if k not in ("authorization", "x-amz-security-token")}
    theirs = botocore_signature(monkeypatch, "POST", url, given, BODY, creds, region)

    assert ours["authorization"] == theirs["authorization"]
    assert ours["x-amz-date"] == theirs["x-amz-date"] == "20240830T123456Z"
    if token:
        assert ours["x-amz-security-token"] == theirs["x-amz-security-token"] == token
        assert "x-amz-security-token" in ours["authorization"]
    else:
        assert "x-amz-security-token" not in ours


def test_signature_covers_payload_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse"
    creds = AwsCredentials("AKIDEXAMPLE", "secret")
    base = sign("POST", url, {}, BODY, creds, "us-east-1", "bedrock", now=NOW)
    assert base["x-amz-content-sha256"] == hashlib.sha256(BODY).hexdigest()
    assert base["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240830/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="
    )
    for changed in (
        sign("POST", url, {}, BODY + b" ", creds, "us-east-1", "bedrock", now=NOW),
        sign(
            "POST",
            url,
            {},
            BODY,
            AwsCredentials("AKIDEXAMPLE", "other"),
            "us-east-1",
            "bedrock",
            now=NOW,
        ),
        sign(
            "POST", url.replace("m%3A0", "m%3A1"), {}, BODY, creds, "us-east-1", "bedrock", now=NOW
        ),
        sign("POST", url, {}, BODY, creds, "us-west-2", "bedrock", now=NOW),
    ):
        assert changed["authorization"] != base["authorization"]


def test_aws_documented_signing_key() -> None:
    # The worked example of AWS's "Derive a signing key" documentation.
    key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


def test_canonical_uri_encodes_the_wire_path_once_more() -> None:
    assert canonical_uri("/model/anthropic.claude-v2%3A1/converse") == (
        "/model/anthropic.claude-v2%253A1/converse"
    )
    assert canonical_uri("") == "/"
    assert canonical_uri("/a/./b/../c//d/") == "/a/c/d/"


def test_canonical_query_sorts_and_encodes() -> None:
    assert canonical_query("b=2&a=x%20y&a=1&c") == "a=1&a=x%20y&b=2&c="
    assert canonical_query("k=a b") == "k=a%20b"
    assert canonical_query("") == ""


def test_host_header_leaves_out_default_ports() -> None:
    assert host_header("https://Bedrock-Runtime.us-east-1.amazonaws.com/x") == (
        "bedrock-runtime.us-east-1.amazonaws.com"
    )
    assert host_header("https://example.com:443/x") == "example.com"
    assert host_header("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert host_header("http://[::1]:9000/x") == "[::1]:9000"


def test_credentials_repr_hides_the_secret() -> None:
    assert "secret-value" not in repr(AwsCredentials("AKID", "secret-value", "token"))
