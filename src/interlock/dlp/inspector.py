"""Every text a request would send upstream, scanned and rewritten per policy.

Texts: each message's text parts (all roles, so system prompts and Anthropic system blocks),
tool-call arguments (the string values inside their JSON), tool results, tool definitions
(descriptions and the strings of their parameter schemas), and embedding inputs. Legacy
completion prompts and Responses API input arrive as messages, so they are covered too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from interlock.dlp.actions import Vault, keyed_hash, mask
from interlock.dlp.policy import CompiledPolicy
from interlock.exchange import ChatRequest, EmbeddingRequest, TextPart, ToolCall, ToolResult


@dataclass(slots=True)
class Site:
    """One text in the request: where it is, and how to replace it."""

    location: dict[str, Any]
    text: str
    replace: Callable[[str], None]


@dataclass(slots=True)
class Inspection:
    records: list[dict[str, Any]] = field(default_factory=list)  # for the audit, no values
    blocked: list[dict[str, Any]] = field(default_factory=list)
    modified: bool = False
    texts: int = 0
    chars: int = 0


def inspect_request(
    compiled: CompiledPolicy, req: ChatRequest | EmbeddingRequest, vault: Vault
) -> Inspection:
    result = Inspection()
    policy = compiled.policy
    finishers: list[Callable[[], None]] = []
    for site in _sites(req, policy.scan_tool_definitions, finishers):
        result.texts += 1
        result.chars += len(site.text)
        found = compiled.engine.scan(site.text)
        if not found:
            continue
        edits: list[tuple[int, int, str]] = []
        for f in found:
            action = policy.action_for(f.entity, f.classification)
            if action == "allow":
                continue
            record: dict[str, Any] = {
                "type": f.entity,
                "rule": f.rule,
                "action": action,
                "score": f.score,
                "classification": f.classification,
                "location": {**site.location, "start": f.start, "end": f.end},
            }
            value = site.text[f.start : f.end]
            if policy.record_values:
                record["value"] = value
            result.records.append(record)
            if action == "block":
                result.blocked.append(record)
            elif action == "redact":
                edits.append((f.start, f.end, f"[{f.entity}]"))
            elif action == "mask":
                edits.append((f.start, f.end, mask(value, policy.mask)))
            elif action == "hash":
                edits.append((f.start, f.end, keyed_hash(f.entity, value, compiled.hash_key)))
            elif action == "pseudonymise":
                edits.append((f.start, f.end, vault.token(f.entity, value)))
        if edits and not result.blocked:
            site.replace(_apply(site.text, edits))
            result.modified = True
    if result.modified and not result.blocked:
        for finish in finishers:
            finish()
    return result


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(edits):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _sites(
    req: ChatRequest | EmbeddingRequest, tools: bool, finishers: list[Callable[[], None]]
) -> Iterator[Site]:
    if isinstance(req, EmbeddingRequest):
        for i, text in enumerate(req.inputs):
            yield Site({"input": i}, text, _setter(req.inputs, i))
        return
    for m, message in enumerate(req.messages):
        for p, part in enumerate(message.parts):
            where = {"message": m, "role": message.role, "part": p}
            if isinstance(part, TextPart):
                yield Site({**where, "field": "text"}, part.text, _attr(part, "text"))
            elif isinstance(part, ToolCall):
                yield from _json_sites(
                    {**where, "field": "arguments"}, part, "arguments", finishers
                )
            elif isinstance(part, ToolResult):
                for c, content in enumerate(part.content):
                    if isinstance(content, TextPart):
                        loc = {**where, "field": f"content[{c}]"}
                        yield Site(loc, content.text, _attr(content, "text"))
    if tools:
        for t, tool in enumerate(req.tools):
            if tool.description:
                yield Site(
                    {"tool": t, "field": "description"},
                    tool.description,
                    _attr(tool, "description"),
                )
            yield from _walk({"tool": t, "field": "parameters"}, tool.parameters, "$")


def _json_sites(
    where: dict[str, Any], part: ToolCall, attr: str, finishers: list[Callable[[], None]]
) -> Iterator[Site]:
    """The string values inside a JSON text; the text is re-serialised only if one changed."""
    raw = getattr(part, attr)
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        yield Site(where, raw, _attr(part, attr))
        return
    holder = [doc]
    yield from _walk(where, holder, "$", index=0)
    finishers.append(lambda: setattr(part, attr, orjson.dumps(holder[0]).decode()))


def _walk(where: dict[str, Any], node: Any, path: str, index: Any = None) -> Iterator[Site]:
    value = node[index] if index is not None else node
    if isinstance(value, str):
        yield Site({**where, "path": path}, value, _setter(node, index))
    elif isinstance(value, dict):
        for key in list(value):
            yield from _walk(where, value, f"{path}.{key}", key)
    elif isinstance(value, list):
        for i in range(len(value)):
            yield from _walk(where, value, f"{path}[{i}]", i)


def _attr(obj: Any, name: str) -> Callable[[str], None]:
    return lambda new: setattr(obj, name, new)


def _setter(container: Any, key: Any) -> Callable[[str], None]:
    def replace(new: str) -> None:
        container[key] = new

    return replace


# ---- the answer --------------------------------------------------------------------------


def restore_response(response: Any, vault: Vault) -> int:
    """Real values back in place of pseudonyms in a whole answer; returns how many texts changed."""
    from interlock.exchange import ChatResponse

    if not isinstance(response, ChatResponse) or not vault.values:
        return 0
    changed = 0
    for choice in response.choices:
        for part in choice.parts:
            if isinstance(part, TextPart):
                new = vault.restore(part.text)
                if new != part.text:
                    part.text, changed = new, changed + 1
            elif isinstance(part, ToolCall):
                new = _restore_json_text(part.arguments, vault)
                if new != part.arguments:
                    part.arguments, changed = new, changed + 1
    if changed and response.raw is not None:
        response.raw = _restore_tree(response.raw, vault, None)
    if changed:
        response.raw_body = None  # the provider's bytes no longer say what the client gets
    return changed


def _restore_json_text(text: str, vault: Vault) -> str:
    # Inside JSON text a restored value must be escaped as a JSON string body.
    from interlock.dlp.actions import TOKEN

    if "[" not in text:
        return text

    def sub(m: Any) -> str:
        value = vault.values.get(m.group(1))
        return m.group(0) if value is None else orjson.dumps(value).decode()[1:-1]

    return TOKEN.sub(sub, text)


def _restore_tree(node: Any, vault: Vault, key: Any) -> Any:
    if isinstance(node, str):
        return _restore_json_text(node, vault) if key == "arguments" else vault.restore(node)
    if isinstance(node, dict):
        return {k: _restore_tree(v, vault, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_restore_tree(v, vault, key) for v in node]
    return node
