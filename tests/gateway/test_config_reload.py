"""Hot reload: a changed file takes effect atomically; a bad one is refused and the old one stays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import openai

from tests.support import GatewayServer, free_port


def config_text(sim_url: str, model: str) -> str:
    return f"""
auth: {{enabled: false}}
server: {{reload_poll_s: 0.1}}
providers:
  openai: {{type: openai, base_url: "{sim_url}/v1", api_key: sim-openai-key}}
models:
  {model}: {{provider: openai}}
"""


def wait_for(predicate: Any, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def model_ids(url: str) -> set[str]:
    client = openai.OpenAI(base_url=url + "/v1", api_key="unused")
    return {m.id for m in client.models.list()}


def test_file_change_reloads_and_bad_file_is_refused(simulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "interlock.yaml"
    gw = GatewayServer(config_text(simulator.url, "first-model"), config_path=path)
    try:
        assert model_ids(gw.url) == {"first-model"}
        path.write_text(config_text(simulator.url, "second-model"))
        assert wait_for(lambda: model_ids(gw.url) == {"second-model"})
        client = openai.OpenAI(base_url=gw.url + "/v1", api_key="unused")
        reply = client.chat.completions.create(
            model="second-model", messages=[{"role": "user", "content": "hi"}]
        )
        assert "second-model" in reply.choices[0].message.content

        reloads = gw.holder.reloads
        path.write_text("providers: {broken: {type: nope}}\nmodels: {}\n")
        assert wait_for(lambda: gw.holder.last_error is not None)
        assert "providers.broken.type" in gw.holder.last_error
        assert gw.holder.reloads == reloads
        assert model_ids(gw.url) == {"second-model"}  # the running configuration stayed
    finally:
        gw.close()


def test_sighup_reloads_a_served_gateway(simulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "interlock.yaml"
    # Polling slowed right down so only the signal can explain a quick reload.
    path.write_text(config_text(simulator.url, "before").replace("0.1", "3600"))
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "interlock.cli.main",
            "serve",
            "--config",
            str(path),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _up(url), 15)
        assert model_ids(url) == {"before"}
        path.write_text(config_text(simulator.url, "after").replace("0.1", "3600"))
        os.kill(proc.pid, signal.SIGHUP)
        assert wait_for(lambda: model_ids(url) == {"after"})
    finally:
        proc.terminate()
        proc.wait(10)


def _up(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False
