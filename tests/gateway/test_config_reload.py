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


def config_text(sim_url: str, *models: str, poll_s: float = 0.1) -> str:
    lines = "".join(f"  {model}: {{provider: openai}}\n" for model in models)
    return f"""
auth: {{enabled: false}}
server: {{reload_poll_s: {poll_s}}}
providers:
  openai: {{type: openai, base_url: "{sim_url}/v1", api_key: sim-openai-key}}
models:
{lines}"""


# Generous: a loaded CI machine may take seconds for what takes milliseconds here. Waiting
# returns as soon as the condition holds, so the bound costs nothing when things work.
def wait_for(predicate: Any, timeout: float = 20) -> bool:
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
    # Polling slowed right down so only the signal can explain the reload.
    path.write_text(config_text(simulator.url, "before", poll_s=3600))
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:  # a file, not a pipe nobody reads: it never fills up
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
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # The SIGHUP handler is installed before the port answers; a signal sent earlier would
        # end the process (the default action), so wait for it to serve first.
        up = wait_for(lambda: proc.poll() is not None or _up(url), 60)
        assert up and proc.poll() is None, log_path.read_text()
        assert model_ids(url) == {"before"}
        path.write_text(config_text(simulator.url, "after", poll_s=3600))
        os.kill(proc.pid, signal.SIGHUP)
        assert wait_for(lambda: model_ids(url) == {"after"}), log_path.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_an_edit_that_keeps_size_and_timestamp_is_picked_up(simulator: Any, tmp_path: Path) -> None:
    # Two edits within one tick of the filesystem's clock (coarse: milliseconds here, a second
    # or two elsewhere) leave the same mtime; with the same size, a stat-based watcher never
    # sees the second. Restoring the timestamp makes that deterministic.
    path = tmp_path / "interlock.yaml"
    gw = GatewayServer(config_text(simulator.url, "model-aaaa"), config_path=path)
    try:
        assert model_ids(gw.url) == {"model-aaaa"}
        before = path.stat()
        path.write_text(config_text(simulator.url, "model-bbbb"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = path.stat()
        assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        assert wait_for(lambda: model_ids(gw.url) == {"model-bbbb"})
        assert gw.holder.reloads == 1 and gw.holder.last_error is None
    finally:
        gw.close()


def test_a_file_caught_half_written_is_not_loaded(simulator: Any, tmp_path: Path) -> None:
    # An in-place write truncates, then writes; a look in between sees a cut-off file. The
    # watcher loads a change only once it has seen the same bytes twice, SETTLE_S apart.
    # The poll interval is an hour so each look here is one explicit `check()`.
    path = tmp_path / "interlock.yaml"
    whole = config_text(simulator.url, "model-one", "model-two", "model-three", poll_s=3600)
    gw = GatewayServer(config_text(simulator.url, "model-zero", poll_s=3600), config_path=path)
    try:
        for cut_off in ("", whole[: whole.index("  model-two")]):  # nothing; valid but partial
            path.write_text(cut_off)
            assert gw.call(gw.holder.check) is True  # seen once: not loaded yet
            assert gw.holder.reloads == 0 and gw.holder.last_error is None
        path.write_text(whole)
        assert gw.call(gw.holder.check) is True  # changed again since the last look
        assert gw.holder.reloads == 0 and gw.holder.last_error is None
        assert model_ids(gw.url) == {"model-zero"}
        assert gw.call(gw.holder.check) is False  # the same bytes twice: the writer is done
        assert gw.holder.reloads == 1 and gw.holder.last_error is None
        assert model_ids(gw.url) == {"model-one", "model-two", "model-three"}
        assert gw.call(gw.holder.check) is False  # nothing new: nothing reloaded
        assert gw.holder.reloads == 1

        # A bad file that stays is refused once, and not again at every look.
        path.write_text("providers: {broken: {type: nope}}\nmodels: {}\n")
        assert gw.call(gw.holder.check) is True
        assert gw.holder.last_error is None
        assert gw.call(gw.holder.check) is False
        assert "providers.broken.type" in (gw.holder.last_error or "")
        for _ in range(2):
            assert gw.call(gw.holder.check) is False
        assert gw.holder.reloads == 1
        assert model_ids(gw.url) == {"model-one", "model-two", "model-three"}
    finally:
        gw.close()


def test_touching_a_refused_file_retries_it(simulator: Any, tmp_path: Path) -> None:
    # Refused because a `${file:}` secret is missing; once it is there, `touch` (same bytes, new
    # timestamp) is how an operator says "look again".
    path = tmp_path / "interlock.yaml"
    secret = tmp_path / "openai-key"
    gw = GatewayServer(config_text(simulator.url, "model-zero", poll_s=3600), config_path=path)
    try:
        needs_secret = config_text(simulator.url, "model-one", poll_s=3600).replace(
            "api_key: sim-openai-key", f'api_key: "${{file:{secret}}}"'
        )
        assert str(secret) in needs_secret
        path.write_text(needs_secret)
        assert gw.call(gw.holder.check) is True
        assert gw.call(gw.holder.check) is False
        assert gw.holder.last_error is not None and gw.holder.reloads == 0
        secret.write_text("sim-openai-key\n")
        assert gw.call(gw.holder.check) is False  # nothing in the file changed: not retried
        st = path.stat()  # touch: a later timestamp (set explicitly, clocks tick coarsely)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert gw.call(gw.holder.check) is True
        assert gw.call(gw.holder.check) is False
        assert gw.holder.last_error is None and gw.holder.reloads == 1
        assert model_ids(gw.url) == {"model-one"}
    finally:
        gw.close()


def _up(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
