"""Provider adapters, one module per wire family; `adapter_for` picks one by provider type."""

from __future__ import annotations

from importlib import import_module

from interlock.config.schema import ProviderConfig
from interlock.providers.base import ProviderAdapter

_ADAPTERS: dict[str, str] = {
    "openai": "interlock.providers.openai:OpenAIAdapter",
    "openai_compatible": "interlock.providers.openai:OpenAIAdapter",
    "azure": "interlock.providers.openai:AzureOpenAIAdapter",
    "anthropic": "interlock.providers.anthropic:AnthropicAdapter",
    "bedrock": "interlock.providers.bedrock:BedrockAdapter",
    "gemini": "interlock.providers.gemini:GeminiAdapter",
}


def adapter_for(name: str, config: ProviderConfig) -> ProviderAdapter:
    module, _, cls = _ADAPTERS[config.type].partition(":")
    adapter: ProviderAdapter = getattr(import_module(module), cls)(name, config)
    return adapter
