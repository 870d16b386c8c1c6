"""The Azure OpenAI surface, driven through the official `AsyncAzureOpenAI` client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import openai
import pytest

from interlock.simulator import SimulatorClient
from interlock.simulator.answers import embedding_vector
from tests.simulator.conftest import AZURE_KEY

API_VERSION = "2024-10-21"


@pytest.fixture()
async def azure(sim_url: str, control: SimulatorClient) -> AsyncIterator[openai.AsyncAzureOpenAI]:
    async with openai.AsyncAzureOpenAI(
        azure_endpoint=sim_url, api_version=API_VERSION, api_key=AZURE_KEY, max_retries=0
    ) as sdk:
        yield sdk


async def test_chat_by_deployment(azure: openai.AsyncAzureOpenAI, control: SimulatorClient) -> None:
    response = await azure.chat.completions.create(
        model="my-deployment", messages=[{"role": "user", "content": "Hi Azure"}]
    )
    assert response.choices[0].message.content == (
        "Simulated azure reply from my-deployment. You said: Hi Azure"
    )
    assert response.model == "my-deployment"
    (logged,) = control.requests()
    assert logged["provider"] == "azure"
    assert logged["model"] == "my-deployment"
    assert logged["path"] == "/openai/deployments/my-deployment/chat/completions"
    assert logged["query"] == {"api-version": API_VERSION}
    assert logged["headers"]["api-key"] == AZURE_KEY
    dumped = response.model_dump()
    assert dumped["prompt_filter_results"][0]["content_filter_results"]["hate"]["filtered"] is False


async def test_stream_starts_with_azure_filter_chunk(azure: openai.AsyncAzureOpenAI) -> None:
    stream = await azure.chat.completions.create(
        model="dep",
        messages=[{"role": "user", "content": "streaming"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [c async for c in stream]
    # Real Azure opens with an annotation-only chunk: empty choices, no usage.
    assert chunks[0].choices == []
    assert chunks[0].usage is None
    assert chunks[0].model_dump()["prompt_filter_results"]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Simulated azure reply from dep. You said: streaming"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


async def test_embeddings(azure: openai.AsyncAzureOpenAI) -> None:
    result = await azure.embeddings.create(model="embed-deployment", input="vector me")
    assert result.data[0].embedding == pytest.approx(embedding_vector("vector me", 8))
    assert result.model == "embed-deployment"


async def test_wrong_key_is_401_in_azure_shape(sim_url: str) -> None:
    async with openai.AsyncAzureOpenAI(
        azure_endpoint=sim_url, api_version=API_VERSION, api_key="wrong", max_retries=0
    ) as bad:
        with pytest.raises(openai.AuthenticationError) as caught:
            await bad.chat.completions.create(
                model="d", messages=[{"role": "user", "content": "x"}]
            )
    assert caught.value.status_code == 401
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["code"] == "401"
    assert "Access denied" in caught.value.body["message"]


async def test_missing_api_version_is_refused(sim_url: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            sim_url + "/openai/deployments/d/chat/completions",
            headers={"api-key": AZURE_KEY},
            json={"messages": [{"role": "user", "content": "x"}]},
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MissingApiVersionParameter"
