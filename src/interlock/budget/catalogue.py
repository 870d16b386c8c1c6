"""Prices: the catalogue shipped with the package, overridden per model by the configuration.

Money is counted in integer nano-dollars (1e-9 USD) everywhere below this module's surface:
exact sums in Python, SQL and Redis alike, and room for $9 billion in a signed 64-bit counter.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from interlock.exchange import Usage

if TYPE_CHECKING:
    from interlock.config.schema import GatewayConfig

log = logging.getLogger("interlock.budget")

NANO_PER_USD = 1_000_000_000
# A price per million tokens in dollars is this many nano-dollars per token, times the price.
_NANO_PER_TOKEN_PER_MTOK = NANO_PER_USD / 1_000_000
# Ids as providers spell them around the catalogue's: a region or API-path prefix.
_PREFIXES = ("models/", "us.", "eu.", "apac.", "global.", "jp.", "au.")


@dataclass(frozen=True, slots=True)
class Tier:
    input: float
    output: float
    cached_input: float
    cache_write: float


@dataclass(frozen=True, slots=True)
class Price:
    """What one model costs, per million tokens, and how large its requests can be."""

    model: str  # the catalogue id, or the configured name for an override
    base: Tier
    long: Tier | None = None  # the tier above `long_above` input tokens
    long_above: int = 0
    context_window: int | None = None
    max_output_tokens: int | None = None
    capabilities: tuple[str, ...] = ()
    source: str = "catalogue"  # "catalogue <version>" or "config"

    def tier(self, input_tokens: int) -> Tier:
        if self.long is not None and input_tokens > self.long_above:
            return self.long
        return self.base

    def cost_nano(self, usage: Usage) -> int:
        """What a settled exchange cost, from its normalised usage."""
        t = self.tier(usage.input_tokens)
        cached = min(usage.cached_input_tokens, usage.input_tokens)
        written = min(usage.cache_write_tokens, usage.input_tokens - cached)
        fresh = usage.input_tokens - cached - written
        dollars_mtok = (
            fresh * t.input
            + cached * t.cached_input
            + written * t.cache_write
            + usage.output_tokens * t.output
        )
        return round(dollars_mtok * _NANO_PER_TOKEN_PER_MTOK)

    def worst_case_nano(self, input_tokens: int, output_tokens: int) -> int:
        """The most a request can cost: every input token uncached, every output token used."""
        t = self.tier(input_tokens)
        # The dearest input rate: a cache write can cost more than a plain input token.
        input_rate = max(t.input, t.cache_write)
        return math.ceil(
            (input_tokens * input_rate + output_tokens * t.output) * _NANO_PER_TOKEN_PER_MTOK
        )


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    prices: dict[str, Price]
    aliases: dict[str, str]

    def lookup(self, model_id: str) -> Price | None:
        """The catalogue entry for a provider's model id, dated or prefixed as it may be."""
        for candidate in _spellings(model_id):
            key = self.aliases.get(candidate, candidate)
            if key in self.prices:
                return self.prices[key]
            # A dated snapshot or versioned id: the longest catalogue id it starts with, cut at
            # a separator ("gpt-4o-mini-2024-07-18" is gpt-4o-mini, not gpt-4o).
            best = ""
            for known in (*self.prices, *self.aliases):
                if (
                    len(known) > len(best)
                    and candidate.startswith(known)
                    and candidate[len(known) : len(known) + 1] in ("-", ":", "@", "_")
                ):
                    best = known
            if best:
                return self.prices[self.aliases.get(best, best)]
        return None


def _spellings(model_id: str) -> list[str]:
    out = [model_id]
    stripped = model_id
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if stripped.startswith(prefix):
                stripped = stripped[len(prefix) :]
                out.append(stripped)
                changed = True
    return out


def _tier(raw: dict[str, Any], fallback: Tier | None = None) -> Tier:
    def get(key: str, default: float) -> float:
        value = raw.get(key)
        return float(value) if value is not None else default

    base_input = get("input", fallback.input if fallback else 0.0)
    return Tier(
        input=base_input,
        output=get("output", fallback.output if fallback else 0.0),
        cached_input=get("cached_input", base_input),
        cache_write=get("cache_write", base_input),
    )


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    if data.get("schema") != 1:
        raise ValueError(f"unsupported price catalogue schema {data.get('schema')!r}")
    version = str(data["version"])
    prices: dict[str, Price] = {}
    aliases: dict[str, str] = {}
    for model_id, raw in data["models"].items():
        base = _tier(raw)
        long_raw = raw.get("long_context")
        prices[model_id] = Price(
            model=model_id,
            base=base,
            long=_tier(long_raw, base) if long_raw else None,
            long_above=int(long_raw["above"]) if long_raw else 0,
            context_window=raw.get("context"),
            max_output_tokens=raw.get("max_output"),
            capabilities=tuple(raw.get("capabilities") or ()),
            source=f"catalogue {version}",
        )
        for alias in raw.get("aliases") or ():
            aliases[alias] = model_id
    return Catalogue(version, prices, aliases)


@cache
def shipped_catalogue() -> Catalogue:
    """The catalogue in this package (`prices.yaml`), parsed once per process."""
    text = resources.files("interlock.budget").joinpath("prices.yaml").read_text("utf-8")
    return parse_catalogue(yaml.safe_load(text))


_warned: set[tuple[str, str]] = set()


def price_book(config: GatewayConfig) -> dict[str, Price | None]:
    """Every configured model's price: its `price` override, else the catalogue's entry for the
    provider's model id, else for the configured name; None when neither knows it."""
    catalogue = shipped_catalogue()
    book: dict[str, Price | None] = {}
    for name, model in config.models.items():
        upstream = model.model or name
        listed = catalogue.lookup(upstream) or catalogue.lookup(name)
        override = model.price
        if override is not None:
            tier = Tier(
                input=override.input_per_mtok,
                output=override.output_per_mtok,
                cached_input=_or(override.cached_input_per_mtok, override.input_per_mtok),
                cache_write=_or(override.cache_write_per_mtok, override.input_per_mtok),
            )
            book[name] = Price(
                model=name,
                base=tier,
                context_window=override.context_window
                or (listed.context_window if listed else None),
                max_output_tokens=override.max_output_tokens
                or (listed.max_output_tokens if listed else None),
                capabilities=listed.capabilities if listed else (),
                source="config",
            )
        else:
            book[name] = listed
            if listed is None and (name, upstream) not in _warned:
                _warned.add((name, upstream))  # once per process, not at every compile
                log.warning(
                    "no price for model '%s' (%s): its cost is recorded as 0 and budgets refuse "
                    "it; set models.%s.price",
                    name,
                    upstream,
                    name,
                )
    return book


def _or(value: float | None, default: float) -> float:
    return default if value is None else value
