"""`interlock serve` and `interlock simulate` as real processes, as a user starts them."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest

from tests.support import free_port


@contextmanager
def process(*args: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "interlock.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_up(url: str, timeout: float = 60) -> None:  # a loaded machine starts slowly
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def test_quickstart_serves_answers_through_the_simulator(tmp_path: Path) -> None:
    sim_port, gw_port = free_port(), free_port()
    quickstart = Path(__file__).resolve().parents[2] / "examples" / "quickstart.yaml"
    config = tmp_path / "quickstart.yaml"
    config.write_text(
        quickstart.read_text()
        .replace("127.0.0.1:9999", f"127.0.0.1:{sim_port}")
        .replace("../.interlock/", f"{tmp_path}/")  # the database, the audit spool and store
    )
    # The quick start is zero trust too: the same script as `make run` makes its demo key.
    script = Path(__file__).resolve().parents[2] / "scripts" / "demo-identity.sh"
    key = subprocess.run(
        [str(script), str(config), str(tmp_path / "key")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert key.startswith("ilk_")
    with (
        process("simulate", "--port", str(sim_port)),
        process("serve", "--config", str(config), "--port", str(gw_port), "--workers", "2") as gw,
    ):
        wait_up(f"http://127.0.0.1:{sim_port}/_sim/requests")
        wait_up(f"http://127.0.0.1:{gw_port}/healthz")
        anonymous = openai.OpenAI(base_url=f"http://127.0.0.1:{gw_port}/v1", api_key="unused")
        with pytest.raises(openai.AuthenticationError):
            anonymous.chat.completions.create(
                model="fast", messages=[{"role": "user", "content": "hi"}]
            )
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{gw_port}/v1", api_key=key)
        for model, provider in [
            ("fast", "openai"),
            ("claude-sonnet", "bedrock"),
            ("gemini-flash", "gemini"),
            ("claude-haiku", "anthropic"),
        ]:
            reply = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "hi"}]
            )
            assert reply.choices[0].message.content.startswith(f"Simulated {provider} reply")
        assert gw.poll() is None


def test_serve_refuses_a_bad_config_with_the_key_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("providers:\n  p: {type: openai}\nmodels: {}\n")
    result = subprocess.run(
        [sys.executable, "-m", "interlock.cli.main", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "providers.p: provider type 'openai' needs: api_key" in result.stderr


def test_several_workers_refuse_per_process_counters_for_policies_with_limits(
    tmp_path: Path,
) -> None:
    """In-process counters are per worker: with a budget or rate limit in a policy, `workers: 2`
    would enforce it twice over, so serve says why and exits instead of starting."""
    config = tmp_path / "gw.yaml"
    config.write_text(
        """
server: {host: 127.0.0.1, port: 0}
database: {url: "sqlite:///ids.db"}
providers:
  openai: {type: openai, base_url: "http://127.0.0.1:9/v1", api_key: x}
models:
  m: {provider: openai, price: {input_per_mtok: 1, output_per_mtok: 1}}
policies:
  metered:
    models: ["*"]
    rate_limits: {limits: [{per: [team], requests_per_minute: 60}]}
"""
    )
    done = subprocess.run(
        [sys.executable, "-m", "interlock.cli.main", "serve", "--config", str(config),
         "--workers", "2"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "counters.backend: redis" in done.stderr and "metered" in done.stderr


def test_metrics_of_several_workers_are_gathered_in_one_scrape(tmp_path: Path) -> None:
    """A scrape reaches one worker; it answers for all of them: each sample labelled with its
    worker, each family once, and the counts add up to every request whichever worker served it."""
    sim_port, gw_port = free_port(), free_port()
    config = tmp_path / "gw.yaml"
    config.write_text(
        f"""
auth: {{enabled: false}}
providers:
  openai: {{type: openai, base_url: "http://127.0.0.1:{sim_port}/v1", api_key: sim-openai-key}}
models:
  gpt-4o-mini: {{provider: openai}}
"""
    )
    sent = 24
    with (
        process("simulate", "--port", str(sim_port)),
        process("serve", "--config", str(config), "--port", str(gw_port), "--workers", "2"),
    ):
        wait_up(f"http://127.0.0.1:{sim_port}/_sim/requests")
        wait_up(f"http://127.0.0.1:{gw_port}/healthz")
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
        for _ in range(sent):  # a new connection each time: the kernel spreads them
            with httpx.Client(base_url=f"http://127.0.0.1:{gw_port}", timeout=10) as client:
                assert client.post("/v1/chat/completions", json=body).status_code == 200

        def scrape() -> tuple[dict[str, float], str]:
            text = httpx.get(f"http://127.0.0.1:{gw_port}/metrics", timeout=10).text
            per_worker: dict[str, float] = {}
            for line in text.splitlines():
                if line.startswith("interlock_requests_total{"):
                    worker = line.split('worker="', 1)[1].split('"', 1)[0]
                    per_worker[worker] = per_worker.get(worker, 0) + float(line.rsplit(" ", 1)[1])
            return per_worker, text

        deadline = time.monotonic() + 30
        per_worker, text = scrape()
        while sum(per_worker.values()) < sent and time.monotonic() < deadline:
            time.sleep(0.2)
            per_worker, text = scrape()
        assert sum(per_worker.values()) == sent, per_worker
        assert set(per_worker) <= {"0", "1"}
        types = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
        assert len(types) == len(set(types))  # each family once
        # every worker answers, whichever got the scrape
        assert {"0", "1"} <= {
            line.split('worker="', 1)[1][0] for line in text.splitlines() if 'worker="' in line
        }
