"""Helpers that sign Bedrock requests exactly as AWS clients do, with botocore's SigV4Auth."""

from __future__ import annotations

import json
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from tests.simulator.conftest import AWS_KEY_ID, AWS_REGION, AWS_SECRET


def signed_request(
    url: str,
    body: Any,
    *,
    key_id: str = AWS_KEY_ID,
    secret: str = AWS_SECRET,
    region: str = AWS_REGION,
    service: str = "bedrock",
) -> tuple[dict[str, str], bytes]:
    """The headers and body of a POST to `url`, SigV4-signed by botocore."""
    data = json.dumps(body).encode()
    request = AWSRequest(
        method="POST", url=url, data=data, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials(key_id, secret), service, region).add_auth(request)
    return dict(request.headers.items()), data


def decode_events(raw: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """Decodes an AWS event stream with botocore's own parser (which checks both CRCs)."""
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    return [(message.headers, message.payload) for message in buffer]
