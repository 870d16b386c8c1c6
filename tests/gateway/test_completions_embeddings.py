"""Legacy completions and embeddings through the gateway with the official openai SDK."""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

import httpx
import openai
import pytest

from tests.support import SIM_NAMES, GatewayServer

# An OpenAI model (served on the upstream's /completions) and one served through chat.
COMPLETION_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet"}
EMBEDDING_MODELS = ["text-embedding-3-small", "azure-embed", "gemini-embed"]


@pytest.fixture()
def client(gateway: GatewayServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url + "/v1", api_key="any", max_retries=0)


def expected(family: str, said: str) -> str:
    provider, model = SIM_NAMES[family]
    return f"Simulated {provider} reply from {model}. You said: {said}"


# ---- completions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("family", list(COMPLETION_MODELS))
def test_completion(client: openai.OpenAI, family: str) -> None:
    reply = client.completions.create(
        model=COMPLETION_MODELS[family], prompt="Once upon a time", max_tokens=100, temperature=0
    )
    assert reply.object == "text_completion"
    assert reply.choices[0].text == expected(family, "Once upon a time")
    assert reply.choices[0].finish_reason == "stop" and reply.choices[0].index == 0
    assert reply.usage is not None
    assert reply.usage.completion_tokens == len(reply.choices[0].text.split())
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


def test_openai_completion_goes_to_the_completions_endpoint(
    client: openai.OpenAI, sim: Any
) -> None:
    client.completions.create(model="gpt-4o-mini", prompt=["only one"], seed=7, stop="END")
    sent = [r for r in sim.requests() if r.get("model") == "gpt-4o-mini"][-1]
    assert "/completions" in str(sent.get("path", "")) and "chat" not in str(sent.get("path", ""))
    body = sent.get("body", sent)
    assert (body["prompt"], body["seed"], body["stop"]) == (["only one"], 7, "END")


@pytest.mark.parametrize("family", list(COMPLETION_MODELS))
def test_completion_stream(client: openai.OpenAI, family: str) -> None:
    stream = client.completions.create(
        model=COMPLETION_MODELS[family],
        prompt="tell me a story",
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "text_completion" for c in chunks)
    text = "".join(c.choices[0].text for c in chunks if c.choices)
    assert text == expected(family, "tell me a story")
    assert [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ] == ["stop"]
    usage = [c.usage for c in chunks if c.usage]
    assert len(usage) == 1 and chunks[-1].usage is usage[0] and not chunks[-1].choices
    assert usage[0].completion_tokens == len(text.split())


@pytest.mark.parametrize("family", list(COMPLETION_MODELS))
def test_completion_stream_without_usage(gateway: GatewayServer, family: str) -> None:
    body = {"model": COMPLETION_MODELS[family], "prompt": "no usage please", "stream": True}
    frames: list[Any] = []
    with httpx.stream("POST", gateway.url + "/v1/completions", json=body, timeout=20) as r:
        assert r.status_code == 200 and r.headers["x-request-id"].startswith("req_")
        for line in r.iter_lines():
            if line.startswith("data: "):
                data = line[6:]
                frames.append(data if data == "[DONE]" else json.loads(data))
    assert frames[-1] == "[DONE]"
    chunks = frames[:-1]
    assert chunks and not [c for c in chunks if c.get("usage")]
    assert "".join(c["choices"][0]["text"] for c in chunks) == expected(family, "no usage please")


@pytest.mark.parametrize(
    ("extra", "code", "param"),
    [
        ({"prompt": ["one", "two"]}, "unsupported_parameter", "prompt"),
        ({"prompt": [1, 2, 3]}, "unsupported_parameter", "prompt"),
        ({"prompt": "x", "echo": True}, "unsupported_parameter", "echo"),
        ({"prompt": "x", "suffix": "tail"}, "unsupported_parameter", "suffix"),
        ({"prompt": "x", "logprobs": 9}, "invalid_value", "logprobs"),
    ],
)
def test_completion_bad_requests(
    client: openai.OpenAI, extra: dict[str, Any], code: str, param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        client.completions.create(model="gpt-4o-mini", **extra)
    assert (exc.value.code, exc.value.param) == (code, param)
    assert exc.value.response.headers["x-request-id"].startswith("req_")


def test_completion_without_prompt(gateway: GatewayServer) -> None:
    # The SDK refuses this before sending; other clients do not.
    r = httpx.post(gateway.url + "/v1/completions", json={"model": "gpt-4o-mini"}, timeout=10)
    assert r.status_code == 400 and r.headers["x-request-id"].startswith("req_")
    assert (r.json()["error"]["code"], r.json()["error"]["param"]) == ("missing_field", "prompt")


# ---- embeddings -----------------------------------------------------------------------------------


def float32(values: list[float]) -> list[float]:
    return list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)))


@pytest.mark.parametrize("model", EMBEDDING_MODELS)
def test_embeddings_float_and_base64_agree(client: openai.OpenAI, model: str) -> None:
    texts = ["the cat sat", "on the mat", "the cat sat"]
    floats = client.embeddings.create(model=model, input=texts, encoding_format="float")
    assert floats.object == "list" and floats.model == model
    assert [d.index for d in floats.data] == [0, 1, 2]
    vectors = [d.embedding for d in floats.data]
    assert all(isinstance(x, float) for v in vectors for x in v)
    assert len({len(v) for v in vectors}) == 1 and len(vectors[0]) > 0
    assert vectors[0] == vectors[2] and vectors[0] != vectors[1]  # deterministic per text
    # Gemini's embedding API reports no token counts; the others do.
    assert floats.usage.prompt_tokens > 0 or model == "gemini-embed"
    assert floats.usage.total_tokens == floats.usage.prompt_tokens

    # The SDK asks for base64 by default and decodes float32 itself.
    decoded = client.embeddings.create(model=model, input=texts)
    for got, want in zip((d.embedding for d in decoded.data), vectors, strict=True):
        assert got == float32(want)
        assert all(
            math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(got, want, strict=True)
        )


def test_single_string_input_and_dimensions(client: openai.OpenAI, gateway: GatewayServer) -> None:
    one = client.embeddings.create(
        model="text-embedding-3-small", input="just one", encoding_format="float", dimensions=8
    )
    assert len(one.data) == 1 and len(one.data[0].embedding) == 8
    raw = httpx.post(
        gateway.url + "/v1/embeddings",
        json={"model": "text-embedding-3-small", "input": "just one", "encoding_format": "base64"},
        timeout=10,
    ).json()
    packed = base64.b64decode(raw["data"][0]["embedding"])
    assert len(packed) % 4 == 0 and len(packed) > 0
    assert raw["data"][0]["object"] == "embedding"


@pytest.mark.parametrize(
    ("body", "code", "param", "status"),
    [
        (
            {"model": "text-embedding-3-small", "input": [1, 2, 3]},
            "unsupported_parameter",
            "input",
            400,
        ),
        (
            {"model": "text-embedding-3-small", "input": [[1, 2]]},
            "unsupported_parameter",
            "input",
            400,
        ),
        ({"model": "text-embedding-3-small", "input": ""}, "invalid_value", "input", 400),
        ({"model": "text-embedding-3-small", "input": []}, "invalid_value", "input", 400),
        ({"model": "text-embedding-3-small"}, "missing_field", "input", 400),
        (
            {"model": "text-embedding-3-small", "input": "x", "encoding_format": "int8"},
            "invalid_value",
            "encoding_format",
            400,
        ),
        ({"model": "gpt-4o-mini", "input": "x"}, "invalid_value", "model", 400),
        ({"model": "no-such-embedder", "input": "x"}, "model_not_found", "model", 404),
    ],
)
def test_embedding_bad_requests(
    gateway: GatewayServer, body: dict[str, Any], code: str, param: str, status: int
) -> None:
    r = httpx.post(gateway.url + "/v1/embeddings", json=body, timeout=10)
    assert r.status_code == status, r.text
    assert r.headers["x-request-id"].startswith("req_")
    err = r.json()["error"]
    assert (err["code"], err["param"]) == (code, param)


def test_openai_completion_logprobs_and_n(client: openai.OpenAI) -> None:
    reply = client.completions.create(model="gpt-4o-mini", prompt="odds", logprobs=2, n=2)
    assert [c.index for c in reply.choices] == [0, 1]
    for choice in reply.choices:
        assert choice.logprobs is not None and choice.logprobs.tokens
        assert "".join(choice.logprobs.tokens) == choice.text


def test_completion_max_tokens_cuts_with_length(client: openai.OpenAI) -> None:
    for model, family in (("gpt-4o-mini", "openai"), ("claude-sonnet", "anthropic")):
        reply = client.completions.create(model=model, prompt="keep going", max_tokens=2)
        assert reply.choices[0].finish_reason == "length"
        assert reply.choices[0].text == " ".join(expected(family, "keep going").split()[:2])
