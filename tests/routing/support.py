"""A gateway whose `auto` route chooses among four priced models, all on the simulator."""

from __future__ import annotations

from typing import Any

from tests.support import gateway_config

# Ordered from cheapest to dearest; each lacks something the next one has.
ROUTED_MODELS = """
  tiny: {provider: vllm, model: tiny-1b, capabilities: [chat],
         price: {input_per_mtok: 0.05, output_per_mtok: 0.10, context_window: 4000}}
  small: {provider: openai, model: small-model, capabilities: [chat, tools, json],
          price: {input_per_mtok: 0.20, output_per_mtok: 0.80, context_window: 32000}}
  twin: {provider: azure, model: twin-model, capabilities: [chat, tools, json],
         price: {input_per_mtok: 0.20, output_per_mtok: 0.80, context_window: 32000}}
  seer: {provider: gemini, model: seer-model, capabilities: [chat, vision, tools, json],
         price: {input_per_mtok: 1.00, output_per_mtok: 4.00, context_window: 1000000}}
  sage: {provider: anthropic, model: sage-model, quality_tier: high,
         capabilities: [chat, vision, tools, json, reasoning],
         price: {input_per_mtok: 3.00, output_per_mtok: 15.00, context_window: 200000}}
"""

ROUTES = """
routes:
  auto:
    candidates: [tiny, small, twin, seer, sage]
    fallbacks: 2
    rules:
      - name: hard reasoning goes to a high-quality reasoning model
        when: {task: reasoning}
        require: [reasoning]
        min_quality: high
        stop: true
      - name: classifications stay in the cheap tier
        when: {task: [classification, extraction]}
        max_cost_tier: low
  ab:
    candidates: [small, twin, seer]
    fallbacks: 1
    rules:
      - name: compare small and twin
        split: {small: 75, twin: 25}
  strict:
    candidates: [tiny, small]
    rules:
      - name: never the tiny one for code
        when: {task: code}
        exclude: [tiny]
"""


def routed_config(sim_url: str, extra: str = "") -> str:
    retry = "{max_attempts: 1, backoff_base_s: 0.01, backoff_max_s: 0.05}"
    text = gateway_config(sim_url, extra_models=ROUTED_MODELS, retry=retry)
    return text + ROUTES + extra


def routing_decision(records: list[Any], request_id: str) -> dict[str, Any]:
    for ex in records:
        if ex.request_id == request_id:
            for d in ex.decisions:
                if d.stage == "routing":
                    return {"outcome": d.outcome, **d.detail}
    raise AssertionError(f"no routing decision for {request_id}")


class Recorder:
    """An addon that keeps every finished exchange, to read the recorded decisions."""

    def __init__(self) -> None:
        self.exchanges: list[Any] = []

    async def on_done(self, ex: Any) -> None:
        self.exchanges.append(ex)
