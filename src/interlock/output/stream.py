"""Output policies on a stream, chunk by chunk, with a hold-back window instead of buffering.

Each text a stream carries (a choice's text; each tool call's argument JSON) is a channel.
A delta is appended to its channel, pseudonym tokens are restored (a token split across
chunks waits until it is whole), and the channel is scanned: what cannot be (the start of) a
match goes out at once; only a tail that could still become a match is held, at most the
policy's window (its longest term or pattern, or DLP's window). Hits are acted on before the
client sees them: redacted in place, the rest of the answer replaced, or the stream ended
with an error event. Chunks nothing touched go out as the provider sent them (byte-identical).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import orjson

from interlock.dlp.actions import TOKEN
from interlock.errors import GatewayError
from interlock.exchange import (
    ChoiceEnd,
    StreamChunk,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    ToolCallStart,
)
from interlock.output.config import ACTION_RANK
from interlock.output.policy import CompiledOutput, Hit, RequestCorpus, redact, schema_problem
from interlock.server.pipeline import EndStream

_MAX_TOKEN = 72  # the longest pseudonym token DLP makes: "[" + type (<= 64) + "_" + n + "]"
_PARTIAL_TOKEN = re.compile(r"\[[A-Z0-9_]*")
_CONTEXT_MIN = 64  # released text kept for DLP's context words
_CONTEXT_RULES = 8  # ... and for rules alone (word boundaries, short lookbehinds)


def blocked_error(hit_rule: str) -> GatewayError:
    return GatewayError(
        "output_blocked",
        f"The answer was stopped by the organisation's output policy (rule {hit_rule}).",
        status=403,
        detail={"rule": hit_rule},
    )


class _Channel:
    __slots__ = (
        "consumed",
        "context",
        "json",
        "pending",
        "rule_hits",
        "rules_from",
        "token_tail",
        "where",
    )

    def __init__(self, where: dict[str, Any], json: bool) -> None:
        self.where = where
        self.json = json  # tool-call arguments: restored values are JSON-escaped
        self.token_tail = ""  # a pseudonym token's beginning, waiting for its end
        self.pending = ""  # restored text not yet released
        self.context = ""  # the end of what was released
        self.consumed = 0  # characters released (position of `pending` in the channel)
        self.rule_hits: list[Hit] = []  # settled rule matches not yet released (channel positions)
        self.rules_from = 0  # channel position from which rule matches are not settled yet


class _Stop(Exception):
    """Internal: a block hit; carries what may still go out before the error event."""

    def __init__(self, hit: Hit, released: list[StreamEvent] | None = None) -> None:
        self.hit = hit
        self.released = released or []


class OutputStreamFilter:
    def __init__(
        self,
        compiled: CompiledOutput,
        vault_values: dict[str, str] | None,
        corpus: RequestCorpus | None,
        schemas: list[Any],
    ) -> None:
        self.compiled = compiled
        self.values = vault_values or None
        self.corpus = corpus
        self.schemas = schemas
        # Word boundaries need one character of what went out; DLP's context words need more.
        self.context_len = max(_CONTEXT_MIN, compiled.window) if compiled.dlp else _CONTEXT_RULES
        self.channels: dict[tuple[str, int, int], _Channel] = {}
        self.texts: dict[int, list[str]] = {}  # released text per choice, for the schema check
        self.findings: list[dict[str, Any]] = []
        self.outcome = "clean"
        self.restored = 0
        self.held_max = 0
        self.replaced = False

    # ---- the StreamFilter protocol -------------------------------------------------------------

    def feed(self, chunks: list[StreamChunk]) -> list[StreamChunk]:
        out: list[StreamChunk] = []
        for chunk in chunks:
            events: list[StreamEvent] = []
            changed = False
            try:
                for e in chunk.events:
                    if isinstance(e, TextDelta):
                        text = self._push(("text", e.choice, 0), e.text)
                        changed |= self._emit(events, e, text, e.text)
                    elif isinstance(e, ToolCallDelta):
                        args = self._push(("tool", e.choice, e.index), e.arguments)
                        changed |= self._emit(events, e, args, e.arguments)
                    else:
                        # Held text belongs before any structural event (a new tool call, the
                        # end of a choice, usage): let it out first.
                        flushed = self._flush_all()
                        if flushed:
                            events.extend(flushed)
                            changed = True
                        if isinstance(e, ChoiceEnd) and self.schemas:
                            self._check_schema(e.choice)
                        if isinstance(e, ToolCallStart) and self.replaced:
                            changed = True
                            continue
                        events.append(e)
            except _Stop as stop:
                events.extend(stop.released)
                if events:
                    out.append(StreamChunk(events))
                raise EndStream(blocked_error(stop.hit.rule), deliver=out) from None
            if not changed:
                out.append(chunk)  # untouched: the provider's own bytes go on
            elif events:
                out.append(StreamChunk(events))  # changed: no raw, the renderer re-encodes
        return out

    def finish(self) -> list[StreamChunk]:
        events: list[StreamEvent] = []
        try:
            events = self._flush_all()
            if self.schemas:
                for choice in list(self.texts):
                    self._check_schema(choice)
        except _Stop as stop:
            deliver = [StreamChunk(events + stop.released)] if events or stop.released else []
            raise EndStream(blocked_error(stop.hit.rule), deliver=deliver) from None
        return [StreamChunk(events)] if events else []

    # ---- channels ------------------------------------------------------------------------------

    def _emit(self, events: list[StreamEvent], e: Any, text: str, original: str) -> bool:
        """Adds the event with `text` (if any); True when that differs from what came in."""
        if text == original:
            events.append(e)
            return False
        if text:
            events.append(
                replace(e, text=text) if isinstance(e, TextDelta) else replace(e, arguments=text)
            )
        return True

    def _channel(self, key: tuple[str, int, int]) -> _Channel:
        channel = self.channels.get(key)
        if channel is None:
            kind, choice, index = key
            where: dict[str, Any] = {
                "choice": choice,
                "part": "text" if kind == "text" else "tool_call",
            }
            if kind == "tool":
                where["tool_call"] = index
            channel = self.channels[key] = _Channel(where, json=kind == "tool")
        return channel

    def _push(self, key: tuple[str, int, int], piece: str, final: bool = False) -> str:
        if self.replaced:
            return ""
        channel = self._channel(key)
        text = self._restore(channel, piece, final)
        released = text if not self.compiled.scans else self._scan(channel, text, final)
        if key[0] == "text" and self.schemas and released:
            self.texts.setdefault(key[1], []).append(released)
        return released

    def _restore(self, channel: _Channel, piece: str, final: bool) -> str:
        if self.values is None:
            return piece
        text = channel.token_tail + piece
        channel.token_tail = ""
        if not final:
            cut = text.rfind("[")
            if (
                cut != -1
                and len(text) - cut < _MAX_TOKEN
                and "]" not in text[cut:]
                and _PARTIAL_TOKEN.fullmatch(text, cut)
            ):
                channel.token_tail, text = text[cut:], text[:cut]
        if "[" not in text:
            return text
        values = self.values

        def sub(m: re.Match[str]) -> str:
            value = values.get(m.group(1))
            if value is None:
                return m.group(0)
            self.restored += 1
            return orjson.dumps(value).decode()[1:-1] if channel.json else value

        return TOKEN.sub(sub, text)

    def _scan(self, channel: _Channel, text: str, final: bool) -> str:
        pending = channel.pending + text
        if not pending:
            return ""
        full = channel.context + pending
        base = len(channel.context)
        origin = channel.consumed - base  # channel position of full[0]
        compiled = self.compiled
        rules_hold = 0 if final or compiled.rules.empty else compiled.rules.hold(full)
        hold = 0 if final else min(max(rules_hold, compiled.dlp_window), len(pending))
        release_at = len(full) - hold
        if not compiled.rules.empty:
            # Rule matches are searched once: only from where the last scan stopped being
            # sure, and kept until released (the DLP window may hold them longer).
            settled = len(full) - min(rules_hold, len(pending))
            last_end = channel.rule_hits[-1].end - origin if channel.rule_hits else 0
            for h in compiled.find_rules(full, max(base, channel.rules_from - origin)):
                if h.start >= settled:
                    break
                if h.start >= last_end:
                    channel.rule_hits.append(_moved(h, origin))
                    last_end = h.end
            channel.rules_from = origin + settled
        found = [_moved(h, -origin) for h in channel.rule_hits]
        if compiled.dlp is not None:
            found += compiled.find_dlp(full, self.corpus, base)
            found.sort(key=lambda h: (h.start, -ACTION_RANK[h.action]))
        hits: list[Hit] = []
        # A hit released whole may reach past the window; hits starting inside it go too.
        for h in found:
            if h.start >= release_at:
                break
            hits.append(h)
            release_at = max(release_at, h.end)
        released = full[base:release_at]
        if channel.rule_hits:
            taken = origin + release_at
            channel.rule_hits = [h for h in channel.rule_hits if h.start >= taken]
        if hits:
            released = self._act(channel, hits, full, base, release_at)
            if self.replaced:
                channel.pending = ""
                return released
        channel.pending = full[release_at:]
        self.held_max = max(self.held_max, len(channel.pending))
        channel.consumed += release_at - base
        channel.context = (channel.context + released)[-self.context_len :]
        return released

    def _act(self, channel: _Channel, hits: list[Hit], full: str, base: int, end: int) -> str:
        """What goes out of `full[base:end]` once its hits are acted on."""
        offset = channel.consumed - base
        strongest = max(hits, key=lambda h: ACTION_RANK[h.action])
        if strongest.action in ("block", "replace"):
            # Everything before the first blocking/replacing hit still goes out (redacted).
            first = min((h for h in hits if h.action == strongest.action), key=lambda h: h.start)
            before = [h for h in hits if h.end <= first.start]
            for h in [*before, first]:
                self.findings.append(h.record(channel.where, offset))
            prefix = _shifted_redact(full, base, first.start, before, self.compiled)
            if strongest.action == "block":
                self.outcome = "blocked"
                raise _Stop(first, self._as_events(channel, prefix))
            self.outcome = "replaced"
            self.replaced = True
            return prefix + self.compiled.policy.replace_message
        for h in hits:
            self.findings.append(h.record(channel.where, offset))
            self._note(h.action)
        return _shifted_redact(full, base, end, hits, self.compiled)

    def _as_events(self, channel: _Channel, text: str) -> list[StreamEvent]:
        if not text:
            return []
        choice = channel.where["choice"]
        if channel.json:
            return [ToolCallDelta(channel.where["tool_call"], text, choice)]
        return [TextDelta(text, choice)]

    def _note(self, action: str) -> None:
        outcome = {"redact": "redacted", "flag": "flagged", "log": "logged"}[action]
        rank = ("clean", "logged", "flagged", "redacted")
        if self.outcome in rank and rank.index(outcome) > rank.index(self.outcome):
            self.outcome = outcome

    def _flush_all(self) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for key, channel in self.channels.items():
            if not channel.pending and not channel.token_tail:
                continue
            text = self._push(key, "", final=True)
            if text:
                events.extend(self._as_events(channel, text))
        return events

    def _check_schema(self, choice: int) -> None:
        pieces = self.texts.pop(choice, None)
        if pieces is None or self.replaced:
            return
        problem = schema_problem(self.schemas, "".join(pieces))
        if problem is None:
            return
        action = self.compiled.policy.schema_action
        hit = Hit("json_schema", "schema", action, 0, 0)
        found = hit.record({"choice": choice, "part": "text"})
        found["problem"] = problem
        self.findings.append(found)
        if action in ("block", "replace"):
            # The text is already out; the stream can only end with an error, not a clean end.
            self.outcome = "blocked"
            raise _Stop(hit)
        self._note("flag" if action == "redact" else action)


def _moved(hit: Hit, by: int) -> Hit:
    return Hit(hit.rule, hit.kind, hit.action, hit.start + by, hit.end + by, hit.entity)


def _shifted_redact(
    full: str, base: int, end: int, hits: list[Hit], compiled: CompiledOutput
) -> str:
    part = full[base:end]
    shifted = [Hit(h.rule, h.kind, h.action, h.start - base, h.end - base) for h in hits]
    return redact(part, shifted, compiled.policy.redaction)
