"""The `dlp` section of a policy: what to detect and what to do with each finding.

dlp:
  on_failure: closed            # an error inside DLP refuses the request (or: open)
  actions:                      # per entity type, per classification, or default
    default: redact
    internal: detect            # LOCATION, ORGANIZATION, IP_ADDRESS are internal
    EMAIL_ADDRESS: pseudonymise
    CREDIT_CARD: mask
    SECRET: block
  entities: [EMAIL_ADDRESS, CREDIT_CARD, SECRET, PERSON]   # omit for every built-in type
  mask: {keep_last: 4}
  custom:
    - name: CUSTOMER_ID
      patterns: ['CUST-\\d{6}']
      classification: confidential
    - name: PROJECT_CODENAME
      terms: [Bluebird, Nightjar]
      classification: restricted
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Action = Literal["allow", "detect", "redact", "mask", "hash", "pseudonymise", "block"]
Classification = Literal["public", "internal", "confidential", "restricted"]
ValidatorName = Literal["luhn", "iban", "mod97", "verhoeff", "none"]

ACTION_ORDER: tuple[str, ...] = (
    "allow",
    "detect",
    "hash",
    "mask",
    "redact",
    "pseudonymise",
    "block",
)


_ACTION_KEYWORDS = frozenset({"default", "public", "internal", "confidential", "restricted"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MaskSettings(_Strict):
    keep_last: int = Field(4, ge=0, le=64)
    keep_first: int = Field(0, ge=0, le=64)
    char: str = Field("*", min_length=1, max_length=1)


class CustomEntity(_Strict):
    """The organisation's own identifier: patterns and/or dictionary terms."""

    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    patterns: list[str] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list)  # exact words or phrases (case-insensitive)
    case_sensitive: bool = False
    classification: Classification = "confidential"
    context: list[str] = Field(default_factory=list)
    context_required: bool = False
    validator: ValidatorName = "none"
    score: float = Field(0.9, ge=0, le=1)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(
                    f"pattern {p!r} is not a valid regular expression: {exc}"
                ) from None
            if re.compile(p).match(""):
                raise ValueError(f"pattern {p!r} matches the empty string")
        return patterns

    @model_validator(mode="after")
    def _something_to_find(self) -> CustomEntity:
        if not self.patterns and not self.terms:
            raise ValueError(f"custom entity {self.name} needs patterns or terms")
        return self


class DlpPolicy(_Strict):
    enabled: bool = True
    # What happens when the DLP engine itself fails on a request: refuse it (closed) or let it
    # through unscanned (open), recorded either way.
    on_failure: Literal["closed", "open"] = "closed"
    # Keys: an entity type (EMAIL_ADDRESS, SECRET, a custom name), a classification (public,
    # internal, confidential, restricted) or "default". The most specific key wins.
    actions: dict[str, Action] = Field(
        default_factory=lambda: {"default": "redact", "internal": "detect", "public": "allow"}
    )
    entities: list[str] | None = None  # built-in types to detect; None = all of them
    min_score: float = Field(0.5, ge=0, le=1)
    allow_values: list[str] = Field(default_factory=list)  # values never reported (support@…)
    custom: list[CustomEntity] = Field(default_factory=list)
    mask: MaskSettings = MaskSettings()
    # Environment variable holding the key of the `hash` action (HMAC-SHA256): the same value
    # hashes the same everywhere it is set. Unset: a random key per process.
    hash_key_env: str | None = None
    scan_tool_definitions: bool = True
    restore_pseudonyms: bool = True  # put real values back into the answer
    record_values: bool = False  # include the matched values in audit decisions (not advised)
    max_findings_recorded: int = Field(100, ge=0, le=10_000)
    # Findings of this many recently scanned texts are kept (digests and offsets, never text),
    # so a conversation resent whole each turn is scanned for its new messages only. 0: off.
    recent_scans: int = Field(4096, ge=0, le=1_000_000)

    @field_validator("actions")
    @classmethod
    def _known_keys(cls, actions: dict[str, str]) -> dict[str, str]:
        for key in actions:
            if key not in _ACTION_KEYWORDS and not re.fullmatch(r"[A-Z][A-Z0-9_]{1,63}", key):
                raise ValueError(
                    f"actions key {key!r}: use an entity type (EMAIL_ADDRESS), a "
                    "classification (public, internal, confidential, restricted) or default"
                )
        return actions

    @model_validator(mode="after")
    def _known_entities(self) -> DlpPolicy:
        from interlock.dlp.policy import builtin_entities  # the rule catalogue imports this module

        if self.entities is not None:
            unknown = set(self.entities) - builtin_entities()
            if unknown:
                raise ValueError(
                    f"entities: unknown types {sorted(unknown)} "
                    f"(known: {', '.join(sorted(builtin_entities()))})"
                )
        names = [c.name for c in self.custom]
        if len(set(names)) != len(names):
            raise ValueError("custom: entity names must be unique")
        return self

    def action_for(self, entity: str, classification: str) -> str:
        return (
            self.actions.get(entity)
            or self.actions.get(classification)
            or self.actions.get("default")
            or "redact"
        )
