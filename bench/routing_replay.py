"""Replay a mixed workload through a real gateway and the simulator, twice: once with
`model: auto` under the organisation's routing rules (bench/routing_org.py), once with every
request sent to the flagship. Prints the cost of each, per task and in total, and checks that
no routed request went to a model lacking a capability or a context window it needed.

Texts come from ../shared/datasets (read in place, never copied into the repo):
classifications and extractions from self-instruct, reasoning from GSM8K, code from GPTeacher,
long documents stitched from GPTeacher role-play answers.

    .venv/bin/python bench/routing_replay.py [--per-task 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import openai
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interlock.budget.catalogue import NANO_PER_USD, price_book
from interlock.config import parse_config
from interlock.routing.catalogue import build_catalogue
from interlock.server.app import build_app
from interlock.simulator import SimulatorConfig, start_simulator
from routing_org import FLAGSHIP, org_config

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
PNG_1PX = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
TOOL = {
    "type": "function",
    "function": {
        "name": "save_record",
        "description": "Store the extracted fields",
        "parameters": {"type": "object", "properties": {"fields": {"type": "object"}}},
    },
}
JSON_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "label",
        "schema": {"type": "object", "properties": {"label": {"type": "string"}}},
    },
}


class Recorder:
    def __init__(self) -> None:
        self.exchanges: dict[str, Any] = {}

    async def on_done(self, ex: Any) -> None:
        self.exchanges[ex.request_id] = ex


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def workload(per_task: int, rnd: random.Random) -> list[dict[str, Any]]:
    """Requests as (task, body, needs); `needs` is what the answer model must have."""
    instructions = _jsonl(DATASETS / "self-instruct" / "user_oriented_instructions.jsonl")
    gsm8k = _jsonl(DATASETS / "gsm8k" / "test.jsonl")
    code = json.loads((DATASETS / "gpteacher" / "codegen-instruct.json").read_text())
    roleplay = json.loads(
        (DATASETS / "gpteacher" / "roleplay-simple-deduped-roleplay-instruct.json").read_text()
    )
    items: list[dict[str, Any]] = []

    def user(text: str) -> list[dict[str, Any]]:
        return [{"role": "user", "content": text}]

    for i in range(per_task):
        inst = rnd.choice(instructions)
        sample = (inst.get("instances") or [{}])[0].get("input", "")
        body: dict[str, Any] = {"messages": user(f"Classify the intent: {sample[:400]}"),
                                "max_tokens": 5}  # fmt: skip
        if i % 4 == 0:
            body["response_format"] = JSON_SCHEMA
        if i % 10 == 0:
            body["messages"] = [{"role": "user", "content": [
                {"type": "text", "text": "Classify this picture"},
                {"type": "image_url", "image_url": {"url": PNG_1PX}}]}]  # fmt: skip
        items.append({"task": "classification", "body": body})
    for i in range(per_task):
        inst = rnd.choice(instructions)
        sample = (inst.get("instances") or [{}])[0].get("input", "")
        body = {"messages": user(f"{inst['instruction']}\n\n{sample}"), "max_tokens": 150}
        if i % 2 == 0:
            body["tools"] = [TOOL]
        items.append({"task": "extraction", "body": body})
    for _ in range(per_task):
        q = rnd.choice(gsm8k)["question"]
        items.append({"task": "reasoning", "body": {"messages": user(q), "max_tokens": 600}})
    for _ in range(per_task):
        c = rnd.choice(code)
        text = f"{c['instruction']}\n\n{c.get('input', '')}"
        items.append({"task": "code", "body": {"messages": user(text), "tools": [TOOL],
                                                "max_tokens": 500}})  # fmt: skip
    for i in range(per_task):
        # Long documents: most of ~30k tokens, every fifth of ~150k (past 128k windows).
        target_chars = 600_000 if i % 5 == 0 else 120_000
        parts: list[str] = []
        size = 0
        while size < target_chars:
            r = rnd.choice(roleplay)["response"]
            parts.append(r)
            size += len(r) + 2
        doc = "\n\n".join(parts)
        items.append({"task": "summarisation", "body": {
            "messages": user(f"Summarise this document:\n\n{doc}"), "max_tokens": 400}})  # fmt: skip
    return items


def needs(body: dict[str, Any], task: str) -> set[str]:
    need = set()
    if body.get("tools"):
        need.add("tools")
    if body.get("response_format"):
        need.add("json")
    content = body["messages"][0]["content"]
    if isinstance(content, list) and any(p.get("type") == "image_url" for p in content):
        need.add("vision")
    if task == "reasoning":
        need.add("reasoning")
    return need


async def run(per_task: int) -> int:
    logging.disable(logging.WARNING)  # unpriced-model warnings etc.: not this script's output
    sim = await start_simulator(SimulatorConfig())
    config = parse_config(org_config(sim.url))
    recorder = Recorder()
    app = build_app(config, None, [recorder])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = openai.AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused",
                                max_retries=0, timeout=60)  # fmt: skip
    prices = price_book(config)
    catalogue = build_catalogue(config)
    items = workload(per_task, random.Random(7))
    cost: dict[tuple[str, str], int] = defaultdict(int)
    chosen: dict[str, Counter[str]] = defaultdict(Counter)
    violations: list[str] = []
    failures = 0
    sem = asyncio.Semaphore(8)

    async def send(item: dict[str, Any], arm: str) -> None:
        nonlocal failures
        model = "auto" if arm == "routed" else FLAGSHIP
        async with sem:
            try:
                raw = await client.chat.completions.with_raw_response.create(
                    model=model, extra_headers={"x-interlock-task": item["task"]}, **item["body"]
                )
            except openai.APIError as exc:
                failures += 1
                print(f"  {arm} {item['task']}: {exc}", file=sys.stderr)
                return
        ex = recorder.exchanges[raw.headers["x-request-id"]]
        served = ex.served_by[1]
        price = prices[served]
        cost[(arm, item["task"])] += price.cost_nano(ex.usage) if price else 0
        if arm != "routed":
            return
        chosen[item["task"]][served] += 1
        entry = catalogue[served]
        missing = needs(item["body"], item["task"]) - entry.capabilities
        if missing:
            violations.append(f"{item['task']} -> {served}: lacks {sorted(missing)}")
        if ex.usage.input_tokens > entry.context_window:
            violations.append(f"{item['task']} -> {served}: {ex.usage.input_tokens} tokens "
                              f"> window {entry.context_window}")  # fmt: skip

    await asyncio.gather(*(send(item, arm) for item in items for arm in ("routed", "flagship")))
    tasks = list(dict.fromkeys(i["task"] for i in items))
    print(f"{len(items)} requests per arm, flagship: {FLAGSHIP}\n")
    print(f"{'task':<15} {'routed $':>10} {'flagship $':>11} {'saving':>7}  models chosen")
    total_r = total_f = 0
    for task in tasks:
        r, f = cost[("routed", task)], cost[("flagship", task)]
        total_r, total_f = total_r + r, total_f + f
        models = ", ".join(f"{m} {n}" for m, n in chosen[task].most_common())
        print(f"{task:<15} {r / NANO_PER_USD:>10.4f} {f / NANO_PER_USD:>11.4f} "
              f"{_saving(r, f):>7}  {models}")  # fmt: skip
    print(f"{'total':<15} {total_r / NANO_PER_USD:>10.4f} {total_f / NANO_PER_USD:>11.4f} "
          f"{_saving(total_r, total_f):>7}")  # fmt: skip
    print(f"\ncapability or context-window violations: {len(violations)}; failed requests: "
          f"{failures}")  # fmt: skip
    for v in violations[:20]:
        print("  " + v)
    await client.close()
    await runner.cleanup()
    await sim.stop()
    return 1 if violations or failures else 0


def _saving(routed: int, flagship: int) -> str:
    return f"{(1 - routed / flagship) * 100:.1f}%" if flagship else "-"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-task", type=int, default=40)
    sys.exit(asyncio.run(run(parser.parse_args().per_task)))
