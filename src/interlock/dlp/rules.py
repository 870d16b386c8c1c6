"""A detection rule: one pattern, what it finds, how a hit is confirmed and scored.

Patterns are written in the subset of regular-expression syntax that both Hyperscan and
Python's `re` accept (no look-around, no back-references), so the same rule runs on either
engine with the same result: Hyperscan finds where a rule can match in one pass over the text,
and Python's `re` then extracts the exact match inside that small window.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

Validator = Callable[[str], bool]

# Data classifications actions can refer to, from least to most sensitive.
CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected value: its type and where it is (offsets in the scanned text)."""

    entity: str  # PERSON, EMAIL_ADDRESS, SECRET, or a custom type's name
    start: int
    end: int
    rule: str  # which rule found it: "credit_card", "aws-access-key-id", "customer_id", …
    score: float
    classification: str


@dataclass(slots=True)
class Rule:
    name: str
    entity: str
    pattern: str
    classification: str = "confidential"
    score: float = 0.85  # confidence of a validated hit without context
    caseless: bool = False
    dotall: bool = False
    group: int = 0  # the regex group holding the sensitive value (a secret after `password=`)
    validate: Validator | None = None
    # Words near a hit that raise confidence (+0.35) and words that lower it (-0.5). With
    # `needs_context`, a hit with no context word is dropped: nine digits are an SSN only when
    # the text says so.
    context: frozenset[str] = frozenset()
    negative: frozenset[str] = frozenset()
    needs_context: bool = False
    # When validation fails, retry with the match cut back at its last separator (an IBAN
    # followed by more words, a card number followed by an expiry year).
    shrink: bool = False
    # The value must stand alone: not glued to letters, digits or "-"/"_", and not one group
    # of a longer space-separated number (12 digits of a 16-digit card are not an Aadhaar).
    isolated: bool = False
    min_entropy: float | None = None  # for secret values: Shannon bits per character
    # Lower-case literals of which one must occur for the rule to match: lets the fallback
    # engine skip rules without running them.
    keywords: tuple[str, ...] = ()
    # Names the rule after what matched (the service a credential belongs to).
    namer: Callable[[re.Match[str]], str] | None = None
    # A cheap literal-led pattern that locates the rule (email: "@domain.tld") for Hyperscan,
    # and how far before/after its end the full pattern is then searched: class-led patterns
    # cost Hyperscan far more than literal-led ones.
    anchor: str | None = None
    reach: tuple[int, int] = (0, 0)
    # Adjusts a validated hit's score from its shape (a "+44 …" number is a phone number anywhere).
    rescore: Callable[[str, float], float] | None = None
    regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        flags = re.ASCII  # the same character classes as Hyperscan's byte mode
        if self.caseless:
            flags |= re.IGNORECASE
        if self.dotall:
            flags |= re.DOTALL
        self.regex = re.compile(self.pattern, flags)


def words(*items: str) -> frozenset[str]:
    """Context words, lower case; multi-word phrases count by each of their words."""
    out: set[str] = set()
    for item in items:
        out.update(item.lower().split())
    return frozenset(out)
