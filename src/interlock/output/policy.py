"""A policy's `output` section compiled once: rules, the DLP engine for answers, schemas.

`find(text)` returns every hit in one text with the action its rule asks for; the stage (whole
answers) and the stream filter (pieces of answers) decide what to do with them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from jsonschema import validators

from interlock.dlp.config import DlpPolicy
from interlock.dlp.engine import Engine
from interlock.dlp.policy import compile_policy
from interlock.exchange import ChatRequest, Exchange, TextPart, ToolCall, ToolResult
from interlock.output.config import ACTION_RANK, OutputAction, OutputPolicy
from interlock.output.rules import RuleSet


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str  # the rule's name, or "dlp:<rule>" for a DLP finding
    kind: str  # term, pattern, dlp, hallucinated_pii, schema, classifier
    action: OutputAction
    start: int
    end: int
    entity: str | None = None

    def record(self, where: dict[str, Any], offset: int = 0) -> dict[str, Any]:
        """What the audit keeps: rule, kind, action and position, never the matched text."""
        found: dict[str, Any] = {"rule": self.rule, "kind": self.kind, "action": self.action}
        if self.entity:
            found["entity"] = self.entity
        found.update(where)
        found["start"], found["end"] = self.start + offset, self.end + offset
        return found


class CompiledOutput:
    def __init__(self, policy: OutputPolicy, backend: str = "auto") -> None:
        self.policy = policy
        self.rules = RuleSet(policy)
        self.dlp: Engine | None = None
        dlp = policy.dlp
        if dlp is not None and dlp.enabled:
            # DLP's own detectors: only the detection half of its policy is used here.
            detect = DlpPolicy(
                entities=dlp.entities, min_score=dlp.min_score, actions={"default": "detect"}
            )
            self.dlp = compile_policy(detect, backend).engine
        self.schema = (
            validators.validator_for(policy.json_schema)(policy.json_schema)
            if policy.json_schema is not None
            else None
        )
        self.dlp_window = dlp.window_chars if self.dlp is not None and dlp is not None else 0
        self.window = max(self.rules.window, self.dlp_window)
        # Nothing to scan: streams only need pseudonyms restored (or nothing at all).
        self.scans = not self.rules.empty or self.dlp is not None

    def hold(self, text: str) -> int:
        return max(self.rules.hold(text), min(len(text), self.dlp_window))

    def find(self, text: str, corpus: RequestCorpus | None, pos: int = 0) -> list[Hit]:
        hits = self.find_rules(text, pos) + self.find_dlp(text, corpus, pos)
        hits.sort(key=lambda h: (h.start, -ACTION_RANK[h.action]))
        return hits

    def find_rules(self, text: str, pos: int = 0) -> list[Hit]:
        return [Hit(h.rule, h.kind, h.action, h.start, h.end) for h in self.rules.find(text, pos)]

    def find_dlp(self, text: str, corpus: RequestCorpus | None, pos: int = 0) -> list[Hit]:
        if self.dlp is None or self.policy.dlp is None:
            return []
        hits = []
        for f in self.dlp.scan(text):
            if f.start < pos:
                continue
            made_up = corpus is not None and not corpus.contains(text[f.start : f.end])
            action = self.policy.dlp.action_for(f.entity, made_up)
            kind = "hallucinated_pii" if made_up else "dlp"
            hits.append(Hit(f"dlp:{f.rule}", kind, action, f.start, f.end, f.entity))
        return hits

    def schemas_for(self, ex: Exchange) -> list[Any]:
        # Only answers the caller asked to be structured (a JSON response format) are checked.
        req = ex.request
        fmt = req.response_format if isinstance(req, ChatRequest) else None
        if fmt is None or fmt.type == "text":
            return []
        checks = [self.schema] if self.schema is not None else []
        if self.policy.check_response_format and fmt.type == "json_schema" and fmt.schema:
            # A schema the client sent that is not one: nothing to check against.
            with contextlib.suppress(Exception):
                checks.append(validators.validator_for(fmt.schema)(fmt.schema))
        return checks


def schema_problem(validators_: list[Any], text: str) -> str | None:
    """Why `text` is not structured output matching every schema, or None when it is."""
    import orjson

    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return "not valid JSON"
    for validator in validators_:
        error = next(iter(validator.iter_errors(value)), None)
        if error is not None:
            path = "/".join(str(p) for p in error.absolute_path) or "(root)"
            return f"schema violation at {path}: {error.validator}"
    return None


def redact(text: str, hits: list[Hit], redaction: str) -> str:
    """`text` with every redact hit replaced (overlapping hits merged)."""
    spans = sorted((h.start, h.end) for h in hits if h.action == "redact")
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        if end <= last:
            continue
        start = max(start, last)
        out.append(text[last:start])
        out.append(redaction)
        last = end
    out.append(text[last:])
    return "".join(out)


class RequestCorpus:
    """Everything the caller sent (and DLP's real values): personal data in the answer that is
    not found here was made up by the model."""

    def __init__(self, ex: Exchange) -> None:
        pieces: list[str] = []
        req = ex.request
        if isinstance(req, ChatRequest):
            for message in req.messages:
                for part in message.parts:
                    if isinstance(part, TextPart):
                        pieces.append(part.text)
                    elif isinstance(part, ToolCall):
                        pieces.append(part.arguments)
                    elif isinstance(part, ToolResult):
                        pieces.append(part.text())
        vault = ex.pseudonyms
        values = getattr(vault, "values", None)
        if isinstance(values, dict):
            pieces.extend(v for v in values.values() if isinstance(v, str))
        self.text = "\n".join(pieces).casefold()

    def contains(self, value: str) -> bool:
        return value.casefold() in self.text
