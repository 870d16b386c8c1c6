"""The `output` section of a policy: what an answer must not say, and what happens when it does.

output:
  rules:                              # deny-lists and patterns: brand, legal and tone rules
    - name: competitors
      terms: [Contoso, Fabrikam]      # words or phrases, case-insensitive, whole words
      action: redact
    - name: promises
      patterns: ['guarantee[ds]? (a )?refunds?']
      action: block
  dlp:                                # personal data and secrets in the answer (DLP's engine)
    actions: {default: log, hallucinated: redact, SECRET: block}
  json_schema: {type: object, required: [answer]}   # structured output must match
  classifier: {url: "http://guard:8080/classify", timeout_s: 1.5, on_failure: closed}
  replace_message: "I can't help with that."

Actions: redact (the match becomes `redaction`), replace (the whole answer becomes
`replace_message`), block (an error in the caller's format; a stream ends with an error event),
flag (a response header and the audit), log (the audit only).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

OutputAction = Literal["redact", "replace", "block", "flag", "log"]
# Stronger actions win when several rules hit the same answer.
ACTION_RANK: dict[str, int] = {"log": 0, "flag": 1, "redact": 2, "replace": 3, "block": 4}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutputRule(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    terms: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    case_sensitive: bool = False
    action: OutputAction = "redact"

    @field_validator("terms")
    @classmethod
    def _no_empty_terms(cls, terms: list[str]) -> list[str]:
        if any(not t.strip() for t in terms):
            raise ValueError("terms must not be empty")
        return terms

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                compiled = re.compile(p)
            except re.error as exc:
                raise ValueError(
                    f"pattern {p!r} is not a valid regular expression: {exc}"
                ) from None
            if compiled.match(""):
                raise ValueError(f"pattern {p!r} matches the empty string")
        return patterns

    @model_validator(mode="after")
    def _something_to_find(self) -> OutputRule:
        if not self.terms and not self.patterns:
            raise ValueError(f"output rule {self.name} needs terms or patterns")
        return self


class OutputDlp(_Strict):
    """DLP on the answer, with the DLP engine's detectors (types as in the `dlp` section)."""

    enabled: bool = True
    entities: list[str] | None = None  # None: every built-in type
    min_score: float = Field(0.5, ge=0, le=1)
    # Keys: an entity type, "hallucinated" (a value that appeared nowhere in the request), or
    # "default". Entity beats hallucinated beats default.
    actions: dict[str, OutputAction] = Field(
        default_factory=lambda: {"default": "log", "hallucinated": "redact", "SECRET": "block"}
    )
    # How much of a streamed answer is held back for DLP: the longest value it must catch
    # whole (an e-mail address, a card number, most keys). Longer values are caught in part.
    window_chars: int = Field(96, ge=8, le=4096)

    def action_for(self, entity: str, hallucinated: bool) -> OutputAction:
        return (
            self.actions.get(entity)
            or (self.actions.get("hallucinated") if hallucinated else None)
            or self.actions.get("default")
            or "log"
        )


class ClassifierHook(_Strict):
    """An HTTP service asked about each whole answer: POST {"text", "policy", "request_id"} →
    {"flagged": bool, "label": str?, "score": float?}."""

    url: str = Field(pattern=r"^https?://")
    timeout_s: float = Field(2.0, gt=0, le=60)
    on_failure: Literal["open", "closed"] = "closed"  # service down or slow: block or pass
    action: OutputAction = "block"
    threshold: float = Field(0.5, ge=0, le=1)  # with a score, flagged means score >= threshold
    headers: dict[str, str] = Field(default_factory=dict)


class OutputPolicy(_Strict):
    enabled: bool = True
    rules: list[OutputRule] = Field(default_factory=list)
    deny_list: list[str] = Field(default_factory=list)  # shorthand: one rule, action deny_action
    deny_action: OutputAction = "redact"
    dlp: OutputDlp | None = None
    # Structured output (answers to requests with a JSON response format): checked against this
    # schema and, when `check_response_format` is on, the request's own json_schema.
    json_schema: dict[str, Any] | None = None
    check_response_format: bool = True
    schema_action: OutputAction = "block"
    classifier: ClassifierHook | None = None
    restore_pseudonyms: bool = True  # streams: put DLP's real values back (whole answers: DLP)
    redaction: str = "[REDACTED]"
    replace_message: str = "This answer was withheld by the organisation's output policy."
    # Hold-back bound for patterns with unbounded repeats (`\d+`): a match longer than this,
    # split across chunks, is caught only in part.
    max_pattern_chars: int = Field(256, ge=8, le=8192)
    on_failure: Literal["open", "closed"] = "closed"  # the filter itself fails

    @field_validator("json_schema")
    @classmethod
    def _valid_schema(cls, schema: dict[str, Any] | None) -> dict[str, Any] | None:
        if schema is not None:
            from jsonschema import SchemaError, validators

            try:
                validators.validator_for(schema).check_schema(schema)
            except SchemaError as exc:
                raise ValueError(f"json_schema is not a valid JSON schema: {exc.message}") from None
        return schema

    @model_validator(mode="after")
    def _unique_rule_names(self) -> OutputPolicy:
        names = [r.name for r in self.rules]
        if len(names) != len(set(names)):
            raise ValueError("output rule names must be unique")
        return self
