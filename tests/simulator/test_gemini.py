"""The Gemini surface over plain HTTP (the REST API as documented)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from interlock.simulator import SimulatorClient
from interlock.simulator.answers import embedding_vector
from tests.simulator.conftest import GEMINI_KEY

HEADERS = {"x-goog-api-key": GEMINI_KEY}
TOOLS = [
    {
        "functionDeclarations": [
            {
                "name": "find_place",
                "parameters": {
                    "type": "OBJECT",
                    "properties": {"name": {"type": "STRING"}, "radius": {"type": "NUMBER"}},
                },
            },
            {"name": "noop", "parameters": {"type": "OBJECT", "properties": {}}},
        ]
    }
]


@pytest.fixture()
async def http(sim_url: str, control: SimulatorClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sim_url, headers=HEADERS) as client:
        yield client


def contents(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "parts": [{"text": text}]}]


def sse_bodies(text: str) -> list[dict[str, Any]]:
    assert text.endswith("\r\n\r\n")
    return [json.loads(block.removeprefix("data: ")) for block in text.split("\r\n\r\n") if block]


async def test_generate_content(http: httpx.AsyncClient, control: SimulatorClient) -> None:
    response = await http.post(
        "/v1beta/models/gemini-2.0-flash:generateContent",
        json={"systemInstruction": {"parts": [{"text": "sys"}]}, "contents": contents("Hi Gemini")},
    )
    assert response.status_code == 200
    body = response.json()
    expected = "Simulated gemini reply from gemini-2.0-flash. You said: Hi Gemini"
    (candidate,) = body["candidates"]
    assert candidate["content"] == {"parts": [{"text": expected}], "role": "model"}
    assert candidate["finishReason"] == "STOP"
    usage = body["usageMetadata"]
    assert usage["promptTokenCount"] == 3  # ceil(len("sys" + "Hi Gemini") / 4)
    assert usage["candidatesTokenCount"] == len(expected.split())
    assert usage["totalTokenCount"] == 3 + len(expected.split())
    assert "cachedContentTokenCount" not in usage and "thoughtsTokenCount" not in usage
    assert body["modelVersion"] == "gemini-2.0-flash"
    (logged,) = control.requests()
    assert (logged["provider"], logged["model"]) == ("gemini", "gemini-2.0-flash")


async def test_snake_case_request_and_key_query(sim_url: str, control: SimulatorClient) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{sim_url}/v1beta/models/gemini-pro:generateContent?key={GEMINI_KEY}",
            json={
                "system_instruction": {"parts": [{"text": "s"}]},
                "contents": contents("snake"),
                "generation_config": {"max_output_tokens": 2},
            },
        )
    body = response.json()
    assert body["candidates"][0]["content"]["parts"][0]["text"] == "Simulated gemini"
    assert body["candidates"][0]["finishReason"] == "MAX_TOKENS"


async def test_stream_sse(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1beta/models/gemini-reason-cache:streamGenerateContent",
        params={"alt": "sse"},
        json={"contents": contents("stream this please")},
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    bodies = sse_bodies(response.text)
    words = [b["candidates"][0]["content"]["parts"][0]["text"] for b in bodies]
    expected = "Simulated gemini reply from gemini-reason-cache. You said: stream this please"
    assert "".join(words) == expected
    assert len(words) == len(expected.split())
    assert all("finishReason" not in b["candidates"][0] for b in bodies[:-1])
    assert bodies[-1]["candidates"][0]["finishReason"] == "STOP"
    final = bodies[-1]["usageMetadata"]
    assert final["promptTokenCount"] == 5  # ceil(18 / 4)
    assert final["cachedContentTokenCount"] == 2
    assert final["thoughtsTokenCount"] == 7
    assert final["candidatesTokenCount"] == len(expected.split())
    assert final["totalTokenCount"] == 5 + len(expected.split()) + 7
    assert bodies[0]["usageMetadata"]["candidatesTokenCount"] == 1


async def test_stream_without_sse_is_a_json_array(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1beta/models/gemini-2.0-flash:streamGenerateContent", json={"contents": contents("x")}
    )
    bodies = json.loads(response.text)
    assert isinstance(bodies, list) and len(bodies) > 1
    assert "".join(b["candidates"][0]["content"]["parts"][0]["text"] for b in bodies).endswith(
        "said: x"
    )


async def test_function_calls(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1beta/models/gemini-2.0-flash:generateContent",
        json={"contents": contents("search in parallel"), "tools": TOOLS},
    )
    candidate = response.json()["candidates"][0]
    assert candidate["finishReason"] == "STOP"
    assert candidate["content"]["parts"] == [
        {"functionCall": {"name": "find_place", "args": {"name": "sim", "radius": 1.5}}},
        {"functionCall": {"name": "noop", "args": {}}},
    ]
    streamed = await http.post(
        "/v1beta/models/gemini-2.0-flash:streamGenerateContent",
        params={"alt": "sse"},
        json={"contents": contents("search"), "tools": TOOLS},
    )
    (only,) = sse_bodies(streamed.text)
    assert only["candidates"][0]["content"]["parts"] == [
        {"functionCall": {"name": "find_place", "args": {"name": "sim", "radius": 1.5}}}
    ]


async def test_function_response_answer(http: httpx.AsyncClient) -> None:
    history = [
        *contents("search"),
        {"role": "model", "parts": [{"functionCall": {"name": "find_place", "args": {}}}]},
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "find_place", "response": {"found": "park"}}}],
        },
    ]
    response = await http.post(
        "/v1beta/models/gemini-2.0-flash:generateContent",
        json={"contents": history, "tools": TOOLS},
    )
    assert response.json()["candidates"][0]["content"]["parts"][0]["text"] == (
        'Simulated gemini reply from gemini-2.0-flash. Tool results: {"found":"park"}'
    )


async def test_json_mode_and_images(http: httpx.AsyncClient) -> None:
    image = {"inlineData": {"mimeType": "image/jpeg", "data": "AAAA"}}
    response = await http.post(
        "/v1beta/models/gemini-2.0-flash:generateContent",
        json={
            "contents": [{"role": "user", "parts": [{"text": "describe"}, image]}],
            "generationConfig": {"responseMimeType": "application/json"},
        },
    )
    text = response.json()["candidates"][0]["content"]["parts"][0]["text"]
    assert json.loads(text) == {
        "answer": "Simulated gemini reply from gemini-2.0-flash. You said: describe [images: 1]"
    }
    schema = {"type": "OBJECT", "properties": {"ok": {"type": "BOOLEAN"}, "n": {"type": "INTEGER"}}}
    with_schema = await http.post(
        "/v1beta/models/gemini-2.0-flash:generateContent",
        json={
            "contents": contents("x"),
            "generationConfig": {"responseMimeType": "application/json", "responseSchema": schema},
        },
    )
    assert json.loads(with_schema.json()["candidates"][0]["content"]["parts"][0]["text"]) == {
        "ok": True,
        "n": 1,
    }


async def test_embeddings(http: httpx.AsyncClient) -> None:
    single = await http.post(
        "/v1beta/models/text-embedding-004:embedContent",
        json={"content": {"parts": [{"text": "embed me"}]}, "outputDimensionality": 4},
    )
    assert single.json() == {"embedding": {"values": embedding_vector("embed me", 4)}}
    batch = await http.post(
        "/v1beta/models/text-embedding-004:batchEmbedContents",
        json={
            "requests": [
                {"model": "models/text-embedding-004", "content": {"parts": [{"text": "a"}]}},
                {"model": "models/text-embedding-004", "content": {"parts": [{"text": "b"}]}},
            ]
        },
    )
    assert batch.json() == {
        "embeddings": [{"values": embedding_vector("a")}, {"values": embedding_vector("b")}]
    }


async def test_count_tokens_and_models(http: httpx.AsyncClient, sim_url: str) -> None:
    counted = await http.post(
        "/v1beta/models/gemini-2.0-flash:countTokens", json={"contents": contents("12345")}
    )
    assert counted.json() == {"totalTokens": 2}
    listed = await http.get(sim_url + "/v1beta/models")
    assert "models/gemini-2.0-flash" in [m["name"] for m in listed.json()["models"]]
    one = await http.get(sim_url + "/v1/models/gemini-2.5-pro")
    assert one.json()["name"] == "models/gemini-2.5-pro"


async def test_wrong_key_is_401_in_google_shape(sim_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            sim_url + "/v1beta/models/gemini-2.0-flash:generateContent",
            headers={"x-goog-api-key": "bad"},
            json={"contents": contents("x")},
        )
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 401
    assert error["status"] == "UNAUTHENTICATED"
    assert error["message"]


async def test_missing_contents_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1beta/models/gemini-2.0-flash:generateContent", json={})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
