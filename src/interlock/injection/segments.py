"""Which texts of a request are checked, and in which context.

System prompts are the application's own and trusted. User turns are checked as "user".
Tool results (an OpenAI `tool` message, an Anthropic `tool_result` block, a Responses
`function_call_output`) are "indirect": data the model will read, written by whoever controls
the web page, e-mail or file a tool fetched. So are fenced, quoted or tagged blocks that a user
turn pastes in, which are also still part of the user turn they sit in (and are scored by the
rules only: the classifier has judged the whole turn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interlock.exchange import ChatRequest, TextPart, ToolResult
from interlock.injection.patterns import Context

_QUOTED = re.compile(
    r"```[^\n`]*\n?(.+?)```"
    r"|\"\"\"(.+?)\"\"\""
    r"|<(document|doc|context|article|email|webpage|search_results?|source|data|quote|"
    r"retrieved|file|content|code|table|html|body|pre)\b[^>]{0,200}>(.+?)</\3>"
    r"|((?:^|\n)>[^\n]*(?:\n>[^\n]*)*)"
    # HTML comments: invisible once rendered, a favourite carrier in pasted pages
    r"|<!--(.+?)-->"
    # a long document pasted in quotes after a colon ("Summarise this page: '…'"), the turn
    # ending with it or with a short request after it ("… ' Summarize it.")
    # (and in the quotation marks of French, German, Russian…: « », „ “, » «)
    r"|:\s*['\"‘“«„»](.{80,})['\"’”»“«]\s*[?.!]?(?:\s+[^'\"‘’“”«»„\n]{1,80})?\s*$",
    re.DOTALL | re.IGNORECASE,
)
# A document pasted without quotes after a colon that names it ("What does this code print:
# …", "Summarise the following e-mail: …"): the rest of the turn, when long enough to be one.
_PASTED = re.compile(
    r"\b(?:this|these|the following|the below|the attached|the given|given|my|our)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:code|snippet|script|program|text|e-?mails?|web ?page|page|website|"
    r"document|article|review|paper|resume|cv|table|post|comment|message|letter|report|"
    r"transcript|passage|essay|story|abstract|html|json|csv|data|content|file|log|notes?|"
    r"ticket|description|listing|profile|thread|chat|conversation|summary|recipe|function|"
    r"method|class|query|sql|config|configuration|yaml|markup|source)s?\b"
    r"[^:\n]{0,60}:\s*",
    re.IGNORECASE,
)
_HEAD = 400  # the naming phrase opens the turn
_MIN_PASTED = 80
_MAX_QUOTED = 16


@dataclass(frozen=True, slots=True)
class Segment:
    context: Context
    where: str  # "messages[2]", "messages[3].tool_result" — for the audit, never the text
    text: str
    # A block quoted inside a user turn: the classifier has already scored the turn it sits in
    # (in windows, when long), so the block is checked for the rules addressed to a reader.
    quoted: bool = False


def segments(req: ChatRequest, quoted_blocks: bool, check_assistant: bool) -> list[Segment]:
    out: list[Segment] = []
    for i, message in enumerate(req.messages):
        if message.role == "system":
            continue
        if message.role == "assistant" and not check_assistant:
            continue
        where = f"messages[{i}]"
        text_context: Context = "indirect" if message.role in ("tool", "assistant") else "user"
        texts = []
        for part in message.parts:
            if isinstance(part, TextPart):
                texts.append(part.text)
            elif isinstance(part, ToolResult):
                body = part.text()
                if body:
                    out.append(Segment("indirect", f"{where}.tool_result", body))
        text = "\n".join(t for t in texts if t)
        if not text:
            continue
        out.append(Segment(text_context, where, text))
        if quoted_blocks and text_context == "user":
            for n, block in enumerate(quoted_in_turn(text)):
                out.append(Segment("indirect", f"{where}.quoted[{n}]", block, quoted=True))
    return out


def system_prompt(req: ChatRequest) -> str:
    """The request's trusted instructions: its system messages (OpenAI system and developer
    messages, Anthropic `system`, Responses `instructions` all arrive as role "system")."""
    return "\n".join(m.text() for m in req.messages if m.role == "system")


def quoted_in_turn(text: str) -> list[str]:
    """The blocks a user turn quotes, fences, tags or pastes (what the stage checks as
    indirect content with `quoted_blocks: true`); none without a marker of one."""
    return quoted(text) if _maybe_quoted(text) else []


def _maybe_quoted(text: str) -> bool:
    return (
        "```" in text
        or '"""' in text
        or "</" in text
        or ">" in text
        or ": '" in text
        or ': "' in text
        or ": ‘" in text
        or ": “" in text
        or ": «" in text
        or ": „" in text
        or ": »" in text
        or (":" in text[:_HEAD] and _PASTED.search(text, 0, _HEAD) is not None)
    )


def quoted(text: str) -> list[str]:
    blocks = []
    for m in _QUOTED.finditer(text):
        block = m.group(1) or m.group(2) or m.group(4) or m.group(5) or m.group(6) or m.group(7)
        if block and block.strip():
            blocks.append(block.strip())
            if len(blocks) >= _MAX_QUOTED:
                break
    if not blocks and ":" in text:
        m = _PASTED.search(text, 0, _HEAD)
        if m is not None and len(text) - m.end() >= _MIN_PASTED:
            blocks.append(text[m.end() :].strip())
    return blocks
