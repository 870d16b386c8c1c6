"""The `injection` section of a policy: thresholds and actions per context, external guards.

Imported by `interlock.config.schema`, so it depends on pydantic only (no numpy, no model).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Action = Literal["block", "flag", "log"]
Failure = Literal["closed", "open"]


class _Strict(BaseModel):
    # Same rules as the rest of the schema: unknown keys are errors, values are frozen.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContextPolicy(_Strict):
    """What to do when a text of this context scores at or above `threshold` (0..1)."""

    threshold: float = Field(0.5, ge=0, le=1)
    action: Action = "block"


class ExternalDetector(_Strict):
    """An HTTP guard service (a hosted prompt shield, an in-house classifier) asked as well.

    The gateway POSTs `{"<text_field>": text, "context": "user"|"indirect"}` and reads a score
    (0..1) or a boolean at `score_path` (dotted, list indexes allowed: "results.0.score").
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    url: str
    text_field: str = "text"
    score_path: str = "score"
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(0.5, gt=0, le=30)
    # What a timeout, an error status or an unreadable answer means: closed refuses the request.
    on_failure: Failure = "closed"
    contexts: list[Literal["user", "indirect"]] = Field(
        default_factory=lambda: ["user", "indirect"], min_length=1
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v


class InjectionPolicy(_Strict):
    enabled: bool = True
    # User turns: what a person (or a client acting for one) typed.
    user: ContextPolicy = ContextPolicy(threshold=0.5, action="block")
    # Tool results, retrieved documents and quoted blocks: data that should hold no
    # instructions for the model, so its own (lower) threshold.
    indirect: ContextPolicy = ContextPolicy(threshold=0.4, action="block")
    # Fenced, quoted or tagged blocks inside a user turn (```…```, <document>…</document>,
    # "> " lines) are also checked as indirect content.
    quoted_blocks: bool = True
    # Assistant turns come from the model; a client can forge them, so they can be checked too.
    check_assistant: bool = False
    # If the detector itself fails: closed refuses the request, open lets it through (recorded).
    on_failure: Failure = "closed"
    external: list[ExternalDetector] = Field(default_factory=list)


# What a policy without an `injection` section gets: checked at the default thresholds, but
# only flagged (response header and audit record), never blocked. The gateway validates what
# reaches a model by default, without refusing traffic nobody configured it to refuse;
# `injection: {enabled: false}` turns the check off, an explicit section sets the actions.
WHEN_ABSENT = InjectionPolicy(
    user=ContextPolicy(threshold=0.5, action="flag"),
    indirect=ContextPolicy(threshold=0.4, action="flag"),
)
