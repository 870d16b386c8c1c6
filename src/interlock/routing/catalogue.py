"""The model catalogue as routing sees it: configuration + the cost stage's price catalogue.

Prices, context windows and capabilities come from `interlock.budget.catalogue` (one catalogue
for billing and routing); the configuration overrides capabilities, tiers and region per model.
"""

from __future__ import annotations

from dataclasses import dataclass

from interlock.budget.catalogue import Price, price_book
from interlock.config.schema import GatewayConfig

# Blended price (3 input : 1 output, per million tokens) below which a model is in a cost tier.
COST_TIER_BOUNDS = (("low", 1.0), ("medium", 5.0))
# A model the catalogue does not know is assumed to hold this much, so long inputs avoid it.
UNKNOWN_CONTEXT_WINDOW = 8192


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str  # the configured name
    provider: str
    upstream: str  # the provider's name for it
    price: Price | None
    context_window: int
    context_known: bool
    capabilities: frozenset[str]
    cost_tier: str
    quality_tier: str
    region: str | None

    def estimated_cost_usd(self, input_tokens: int, output_tokens: int) -> float | None:
        if self.price is None:
            return None
        tier = self.price.tier(input_tokens)
        return (input_tokens * tier.input + output_tokens * tier.output) / 1_000_000

    def describe(self) -> dict[str, object]:
        base = self.price.base if self.price else None
        return {
            "provider": self.provider,
            "upstream": self.upstream,
            "input_per_mtok": base.input if base else None,
            "output_per_mtok": base.output if base else None,
            "context_window": self.context_window if self.context_known else None,
            "capabilities": sorted(self.capabilities),
            "cost_tier": self.cost_tier,
            "quality_tier": self.quality_tier,
            "region": self.region,
        }


def cost_tier_of(price: Price | None) -> str:
    if price is None:
        return "high"  # unknown cost: never passes a cheap-only constraint
    blended = (3 * price.base.input + price.base.output) / 4
    for tier, bound in COST_TIER_BOUNDS:
        if blended < bound:
            return tier
    return "high"


def build_catalogue(config: GatewayConfig) -> dict[str, ModelEntry]:
    """Every configured chat model, in configuration order."""
    prices = price_book(config)
    entries: dict[str, ModelEntry] = {}
    for name, model in config.models.items():
        if model.kind != "chat":
            continue
        price = prices.get(name)
        caps = model.capabilities
        if caps is None:
            caps = list(price.capabilities) if price and price.capabilities else ["chat"]
        window = price.context_window if price else None
        cost_tier = model.cost_tier or cost_tier_of(price)
        entries[name] = ModelEntry(
            name=name,
            provider=model.provider,
            upstream=model.model or name,
            price=price,
            context_window=window or UNKNOWN_CONTEXT_WINDOW,
            context_known=window is not None,
            capabilities=frozenset(caps) | {"chat"},
            cost_tier=cost_tier,
            # Price is the only default signal of quality (none when unpriced); configurations
            # say better.
            quality_tier=model.quality_tier or (cost_tier if price else "low"),
            region=model.region or config.providers[model.provider].region,
        )
    return entries
