"""The control API, the sync client, shared-path dispatch, and the server lifecycle."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from interlock.simulator import (
    SimulatorClient,
    SimulatorConfig,
    SimulatorControlError,
    build_app,
    start_simulator,
)
from tests.simulator.conftest import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY


async def test_request_log_newest_last_and_clearing(sim_url: str, control: SimulatorClient) -> None:
    async with httpx.AsyncClient(base_url=sim_url) as http:
        await http.post(
            "/v1/chat/completions",
            headers={"Authorization": f"Bearer {OPENAI_KEY}", "X-Custom": "yes"},
            json={"model": "first", "messages": [{"role": "user", "content": "1"}]},
        )
        await http.post(
            "/v1beta/models/second:generateContent",
            params={"key": GEMINI_KEY},
            json={"contents": [{"parts": [{"text": "2"}]}]},
        )
    log = control.requests()
    assert [(e["provider"], e["model"]) for e in log] == [("openai", "first"), ("gemini", "second")]
    assert log[0]["headers"]["x-custom"] == "yes"
    assert log[0]["method"] == "POST"
    assert log[0]["timestamp"] <= log[1]["timestamp"] <= time.time()
    assert log[1]["query"] == {"key": GEMINI_KEY}
    assert control.requests(provider="gemini") == log[1:]
    control.clear_requests()
    assert control.requests() == []


async def test_fault_listing_and_clearing(control: SimulatorClient) -> None:
    first = control.add_fault(provider="openai", status=500, times=-1)
    second = control.add_fault(model="x", latency_ms=5)
    assert first != second
    listed = control.faults()
    assert [f["id"] for f in listed] == [first, second]
    assert listed[0]["provider"] == "openai" and listed[1]["model"] == "x"
    control.clear_faults()
    assert control.faults() == []
    with pytest.raises(SimulatorControlError, match="unknown fault fields: colour"):
        control.add_fault(colour="red")


async def test_shared_models_path_is_dispatched_by_credentials(
    sim_url: str, control: SimulatorClient
) -> None:
    async with httpx.AsyncClient(base_url=sim_url) as http:
        as_openai = await http.get("/v1/models", headers={"Authorization": f"Bearer {OPENAI_KEY}"})
        as_anthropic = await http.get(
            "/v1/models", headers={"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"}
        )
        as_gemini = await http.get("/v1/models", headers={"x-goog-api-key": GEMINI_KEY})
        anonymous = await http.get("/v1/models")
    assert as_openai.json()["object"] == "list"
    assert as_anthropic.json()["data"][0]["type"] == "model"
    assert "models" in as_gemini.json()
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "invalid_request_error"
    assert [e["provider"] for e in control.requests()] == [
        "openai",
        "anthropic",
        "gemini",
        "openai",
    ]


async def test_stop_releases_hanging_requests() -> None:
    sim = await start_simulator(SimulatorConfig())
    SimulatorClient(sim.url)  # constructing it needs no connection
    async with httpx.AsyncClient(timeout=10) as http:
        await http.post(sim.url + "/_sim/faults", json={"hang": True, "times": -1})
        pending = asyncio.ensure_future(
            http.post(
                sim.url + "/v1/chat/completions",
                headers={"Authorization": f"Bearer {OPENAI_KEY}"},
                json={"model": "m", "messages": [{"role": "user", "content": "x"}]},
            )
        )
        await asyncio.sleep(0.2)
        assert not pending.done()
        started = time.monotonic()
        await sim.stop()
        assert time.monotonic() - started < 2.5
        with pytest.raises(httpx.HTTPError):
            await pending


def test_build_app_registers_every_provider() -> None:
    app = build_app(SimulatorConfig())
    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    for path in (
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/models",
        "/v1/messages",
        "/v1/messages/count_tokens",
        "/openai/deployments/{deployment}/chat/completions",
        "/openai/deployments/{deployment}/embeddings",
        "/model/{model_id}/converse",
        "/model/{model_id}/converse-stream",
        "/v1beta/models/{target}",
        "/_sim/faults",
        "/_sim/requests",
    ):
        assert path in paths
