"""An organisation's catalogue and routing rules, shared by the routing benchmark and replay.

Real catalogue models (prices, windows and capabilities from the shipped price catalogue),
every provider pointed at one base URL (the simulator), quality tiers set as an organisation
would set them, and rules a reader can check against the workload.
"""

from __future__ import annotations

FLAGSHIP = "gpt-5"


def org_config(base_url: str) -> str:
    retry = "{max_attempts: 2, backoff_base_s: 0.01, backoff_max_s: 0.05}"
    return f"""
auth: {{enabled: false}}
server: {{max_body_bytes: 2000000, total_timeout_s: 30}}
providers:
  openai: {{type: openai, base_url: {base_url}/v1, api_key: sim-openai-key, retry: {retry}}}
  anthropic: {{type: anthropic, base_url: {base_url}, api_key: sim-anthropic-key, retry: {retry}}}
  gemini: {{type: gemini, base_url: {base_url}, api_key: sim-gemini-key, retry: {retry}}}
models:
  gpt-5: {{provider: openai, quality_tier: high}}
  gpt-5-mini: {{provider: openai, quality_tier: medium}}
  gpt-4.1-nano: {{provider: openai, quality_tier: low}}
  gpt-4o-mini: {{provider: openai, quality_tier: low}}
  claude-sonnet: {{provider: anthropic, model: claude-sonnet-4-5, quality_tier: high}}
  claude-haiku: {{provider: anthropic, model: claude-haiku-4-5, quality_tier: medium}}
  gemini-flash: {{provider: gemini, model: gemini-2.5-flash, quality_tier: medium}}
  gemini-flash-lite: {{provider: gemini, model: gemini-2.0-flash-lite, quality_tier: low}}
routes:
  auto:
    candidates: ["*"]
    fallbacks: 2
    rules:
      - name: hard reasoning needs a high-quality reasoning model
        when: {{task: reasoning}}
        require: [reasoning]
        min_quality: high
        stop: true
      - name: code needs at least medium quality and tools
        when: {{task: code}}
        require: [tools]
        min_quality: medium
        stop: true
      - name: summaries of long documents need medium quality
        when: {{task: summarisation}}
        min_quality: medium
      - name: classification and extraction stay in the cheap tier
        when: {{task: [classification, extraction]}}
        max_cost_tier: low
"""
