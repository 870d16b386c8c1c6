"""The Bedrock Runtime surface: SigV4 enforcement, Converse, and ConverseStream framing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import botocore.session
import httpx
import pytest
from botocore.config import Config

from interlock.simulator import SimulatorClient
from tests.simulator.bedrock_signing import decode_events, signed_request
from tests.simulator.conftest import AWS_KEY_ID, AWS_REGION, AWS_SECRET

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
TOOLS = {
    "tools": [
        {
            "toolSpec": {
                "name": "lookup",
                "inputSchema": {
                    "json": {
                        "type": "object",
                        "properties": {"q": {"type": "string"}, "n": {"type": "integer"}},
                    }
                },
            }
        },
        {
            "toolSpec": {
                "name": "second",
                "inputSchema": {"json": {"type": "object", "properties": {}}},
            }
        },
    ]
}


def converse_url(base: str, model: str = MODEL, stream: bool = False) -> str:
    encoded = model.replace(":", "%3A")  # as botocore encodes the modelId label
    return f"{base}/model/{encoded}/{'converse-stream' if stream else 'converse'}"


def user(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": [{"text": text}]}]}


def post_signed(url: str, body: Any, **sign: Any) -> httpx.Response:
    headers, data = signed_request(url, body, **sign)
    return httpx.post(url, headers=headers, content=data)


@pytest.fixture()
def bedrock_client(sim_url: str, control: SimulatorClient) -> Any:
    session = botocore.session.get_session()
    return session.create_client(
        "bedrock-runtime",
        region_name=AWS_REGION,
        endpoint_url=sim_url,
        aws_access_key_id=AWS_KEY_ID,
        aws_secret_access_key=AWS_SECRET,
        config=Config(retries={"max_attempts": 1}),
    )


def test_botocore_client_converse(bedrock_client: Any, control: SimulatorClient) -> None:
    response = bedrock_client.converse(
        modelId=MODEL,
        system=[{"text": "sys"}],
        messages=[{"role": "user", "content": [{"text": "Hello Bedrock"}]}],
        inferenceConfig={"maxTokens": 100},
    )
    expected = f"Simulated bedrock reply from {MODEL}. You said: Hello Bedrock"
    assert response["output"]["message"]["content"] == [{"text": expected}]
    assert response["stopReason"] == "end_turn"
    assert response["usage"]["inputTokens"] == 4  # ceil(len("sys" + "Hello Bedrock") / 4)
    assert response["usage"]["outputTokens"] == len(expected.split())
    assert response["usage"]["totalTokens"] == 4 + len(expected.split())
    assert response["metrics"]["latencyMs"] >= 0
    (logged,) = control.requests()
    assert logged["provider"] == "bedrock"
    assert logged["model"] == MODEL
    assert logged["headers"]["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=SIMULATORKEYID/"
    )


def test_botocore_client_converse_stream(bedrock_client: Any) -> None:
    response = bedrock_client.converse_stream(
        modelId=MODEL, messages=[{"role": "user", "content": [{"text": "stream please"}]}]
    )
    events = list(response["stream"])
    kinds = [next(iter(e)) for e in events]
    assert kinds[0] == "messageStart"
    assert kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    text = "".join(
        e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e
    )
    assert text == f"Simulated bedrock reply from {MODEL}. You said: stream please"
    assert events[-2]["messageStop"]["stopReason"] == "end_turn"
    usage = events[-1]["metadata"]["usage"]
    assert usage["outputTokens"] == len(text.split())


def test_botocore_client_with_wrong_secret_is_refused(sim_url: str) -> None:
    client = botocore.session.get_session().create_client(
        "bedrock-runtime",
        region_name=AWS_REGION,
        endpoint_url=sim_url,
        aws_access_key_id=AWS_KEY_ID,
        aws_secret_access_key="not-the-secret",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.converse(modelId=MODEL, messages=[{"role": "user", "content": [{"text": "x"}]}])
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == "InvalidSignatureException"
    assert "signature we calculated does not match" in error["Error"]["Message"]


def test_sigv4_signed_request_is_accepted(sim_url: str, control: SimulatorClient) -> None:
    response = post_signed(converse_url(sim_url), user("signed"))
    assert response.status_code == 200
    assert response.json()["output"]["message"]["content"][0]["text"].endswith("You said: signed")


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("body", "InvalidSignatureException"),
        ("header", "InvalidSignatureException"),
        ("path", "InvalidSignatureException"),
        ("unsigned", "MissingAuthenticationTokenException"),
    ],
)
def test_tampered_requests_are_refused(
    sim_url: str, control: SimulatorClient, tamper: str, code: str
) -> None:
    url = converse_url(sim_url)
    headers, data = signed_request(url, user("original"))
    if tamper == "body":
        data = json.dumps(user("tampered")).encode()
    elif tamper == "header":
        signed_at = dt.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        headers["X-Amz-Date"] = (signed_at + dt.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    elif tamper == "path":
        url = converse_url(sim_url, model="anthropic.claude-3-haiku-20240307-v1:0")
    else:
        del headers["Authorization"]
    response = httpx.post(url, headers=headers, content=data)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].split(":")[0] == code
    assert set(response.json()) == {"message"}


@pytest.mark.parametrize(
    ("sign", "code"),
    [
        ({"key_id": "OTHERKEY"}, "UnrecognizedClientException"),
        ({"secret": "wrong"}, "InvalidSignatureException"),
        ({"region": "eu-west-1"}, "InvalidSignatureException"),
        ({"service": "s3"}, "InvalidSignatureException"),
    ],
)
def test_wrong_credentials_are_refused(
    sim_url: str, control: SimulatorClient, sign: dict[str, str], code: str
) -> None:
    response = post_signed(converse_url(sim_url), user("x"), **sign)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].startswith(code)


def test_tool_use_and_tool_result(sim_url: str, control: SimulatorClient) -> None:
    body = {**user("find it in parallel"), "toolConfig": TOOLS}
    response = post_signed(converse_url(sim_url), body).json()
    assert response["stopReason"] == "tool_use"
    assert response["output"]["message"]["content"] == [
        {
            "toolUse": {
                "toolUseId": "tooluse_sim_0",
                "name": "lookup",
                "input": {"q": "sim", "n": 1},
            }
        },
        {"toolUse": {"toolUseId": "tooluse_sim_1", "name": "second", "input": {}}},
    ]
    follow_up = {
        "messages": [
            *user("find it")["messages"],
            {"role": "assistant", "content": response["output"]["message"]["content"][:1]},
            {
                "role": "user",
                "content": [
                    {
                        "toolResult": {
                            "toolUseId": "tooluse_sim_0",
                            "content": [{"json": {"hits": 2}}],
                        }
                    }
                ],
            },
        ],
        "toolConfig": TOOLS,
    }
    answer = post_signed(converse_url(sim_url), follow_up).json()
    assert answer["stopReason"] == "end_turn"
    assert answer["output"]["message"]["content"][0]["text"] == (
        f'Simulated bedrock reply from {MODEL}. Tool results: {{"hits":2}}'
    )


def test_stream_framing_decodes_with_botocore(sim_url: str, control: SimulatorClient) -> None:
    url = converse_url(sim_url, stream=True)
    body = {**user("find"), "toolConfig": TOOLS}
    response = post_signed(url, body)
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    events = decode_events(response.content)
    assert all(h[":message-type"] == "event" for h, _ in events)
    assert all(h[":content-type"] == "application/json" for h, _ in events)
    kinds = [h[":event-type"] for h, _ in events]
    assert kinds[:2] == ["messageStart", "contentBlockStart"]
    assert kinds[-4:] == ["contentBlockDelta", "contentBlockStop", "messageStop", "metadata"]
    payloads = [json.loads(p) for _, p in events]
    assert payloads[1] == {
        "contentBlockIndex": 0,
        "start": {"toolUse": {"toolUseId": "tooluse_sim_0", "name": "lookup"}},
    }
    arguments = "".join(
        p["delta"]["toolUse"]["input"]
        for h, p in zip(kinds, payloads, strict=True)
        if h == "contentBlockDelta"
    )
    assert json.loads(arguments) == {"q": "sim", "n": 1}
    assert payloads[-2] == {"stopReason": "tool_use"}
    metadata = payloads[-1]
    assert set(metadata) == {"usage", "metrics"}
    assert metadata["usage"]["outputTokens"] == -(-len(arguments) // 4)
    assert metadata["metrics"]["latencyMs"] >= 0


def test_cache_usage_and_max_tokens(sim_url: str, control: SimulatorClient) -> None:
    body = {**user("a" * 40), "inferenceConfig": {"maxTokens": 2}}
    response = post_signed(converse_url(sim_url, model="model-with-cache"), body).json()
    assert response["stopReason"] == "max_tokens"
    assert response["output"]["message"]["content"][0]["text"] == "Simulated bedrock"
    assert response["usage"] == {
        "inputTokens": 5,
        "outputTokens": 2,
        "totalTokens": 12,
        "cacheReadInputTokens": 5,
        "cacheWriteInputTokens": 0,
    }


def test_arn_model_id_survives_encoding(bedrock_client: Any, control: SimulatorClient) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-v2"
    response = bedrock_client.converse(
        modelId=arn, messages=[{"role": "user", "content": [{"text": "arn?"}]}]
    )
    text = response["output"]["message"]["content"][0]["text"]
    assert text == f"Simulated bedrock reply from {arn}. You said: arn?"
    assert control.requests()[0]["model"] == arn
