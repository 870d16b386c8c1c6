"""Structural signs of an injection: text that pretends to be the conversation's framing.

A user turn or a tool result has no business containing a chat template's role tokens
(`<|im_start|>system`), Llama's `[INST]`/`<<SYS>>`, a markdown "### System:" header, closing
role tags (`</user>`), JSON role objects or a transcript of fake turns: they exist to make the
model believe a new system or assistant turn has started. Each check runs only when a cheap
substring test says it could match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Marker:
    name: str
    weight: float
    regex: re.Pattern[str]
    needles: tuple[str, ...]  # substrings of the lower-cased text the regex needs one of
    # Character sets every match contains one character of, each: a single-character `in`
    # is a memchr, ~15x cheaper than a needle's substring search, and most prompts hold none
    # of "<|[#".
    gates: tuple[str, ...] = ()
    # The regex starts with "\n": in a text of one line only position 0 can start a match.
    line_start: bool = False


_ROLES = r"system|user|assistant|human|developer|admin|administrator|instructions?|ai|bot|model"
_SPEAKERS = r"system|assistant|ai|chatgpt|gpt|bot|model|claude|gemini|llm"

# Every regex starts with a literal character ("<", "[", "#", "\n", "{"...), which Python's
# regex engine scans for at C speed; most prompts contain none of them in the right place.
MARKERS: tuple[Marker, ...] = (
    Marker(
        "chat_template_token",
        0.85,
        re.compile(
            r"<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|end|eot_id|"
            r"start_header_id|end_header_id|begin_of_text|end_of_text|channel|message)\|>"
        ),
        ("<|",),
        gates=("|",),
    ),
    Marker(
        "llama_inst_marker", 0.7, re.compile(r"\[/?inst\]|<</?sys>>"), ("inst]", "sys>>"), ("[<",)
    ),
    Marker(
        "role_header",
        0.6,
        re.compile(
            rf"#{{2,}}\s*(?:new |updated |real )?(?:{_ROLES}|system prompt|instruction|response)"
            r"\s*:?\s*(?:\n|$)"
        ),
        ("##",),
        gates=("#",),
    ),
    Marker(
        "role_tag",
        0.6,
        re.compile(
            rf"</(?:{_ROLES}|system_prompt|context|prompt|user_input|query)>|"
            r"<(?:system|system_prompt|admin|developer|instructions)>"
        ),
        ("<",),
    ),
    Marker(
        "json_role",
        0.55,
        re.compile(r"[\"']role[\"']\s*:\s*[\"'](?:system|developer|assistant)[\"']"),
        ("role",),
        gates=(":",),
    ),
    Marker(
        "mode_tag",
        0.7,
        re.compile(
            r"[<\[](?:system|god|developer|dev|admin|sudo|dan|jailbreak|root|maintenance|override|"
            r"debug|unrestricted)[ _-]?mode(?: activated| enabled| on)?[>\]]"
        ),
        ("mode>", "mode]", "mode activated", "mode enabled", "mode on"),
        gates=("<[", ">]"),
    ),
    Marker("markdown_role", 0.8, re.compile(r"\[(?:system|assistant)\]\s*\(#"), ("](#",), ("#",)),
    Marker(
        "fake_turn",
        0.5,
        re.compile(
            rf"\n\s*(?:{_SPEAKERS})\s*:\s*\S.*?\n\s*(?:user|human|me|you)\s*:|"
            rf"\n\s*(?:user|human)\s*:\s*\S.*?\n\s*(?:{_SPEAKERS})\s*:",
            re.DOTALL,
        ),
        ("\n",),
        gates=(":",),
        line_start=True,
    ),
    # Payload splitting: a request cut into quoted pieces the model is asked to put together,
    # so that no single piece reads as what it is.
    Marker(
        "payload_split",
        0.5,
        re.compile(
            r"part\s*\d\s*(?:is|:|=)\s*[\"'“‘].{0,300}?part\s*\d\s*(?:is|:|=)\s*[\"'“‘]|"
            r"\b[a-z]\s+is\s+[\"'“‘][^\"'”’]{2,80}[\"'”’],?\s*(?:and\s+)?[a-z]\s+is\s+[\"'“‘]|"
            r"\bstrings?\b.{0,200}?\b[a-z]\d?\s*=\s*[\"'“‘].{0,600}?"
            r"\b[a-z]\d?\s*=\s*[a-z]\d?\s*\+\s*[a-z]\d?\b",
            re.DOTALL,
        ),
        ("part 1", "part1", ' is "', " is '", " is “", "string"),
        gates=("\"'“‘",),
    ),
    # Few-shot transcripts inline ("Q: … A: … Q: …"): a common and harmless prompting style,
    # and the frame of few- and many-shot attacks, so weak evidence only.
    Marker(
        "inline_transcript",
        0.25,
        re.compile(r"(?:^|\s)q:\s.{3,400}?\sa:\s.{3,600}?\sq:\s", re.DOTALL),
        ("q:",),
        gates=(":",),
    ),
    # A markdown image the model is asked to render, its address built from the conversation:
    # rendering it sends that data to whoever owns the host (exfiltration by image fetch).
    # Placeholders named after what is private only: API docs template ids ({user_id}).
    Marker(
        "exfiltration_link",
        0.6,
        re.compile(
            r"!\[[^\]\n]{0,100}\]\(\s*(?:https?:)?//[^)\s]{0,200}?[{\[<$%](?:7b)?\s*"
            r"(?:conversation|chat|history|summary|secret|password|passwd|token|api[_ -]?key|"
            r"credential|context|memory|system[_ ]?prompt|instructions|messages|previous|"
            r"personal|pii|ssn|card|the user'?s)"
        ),
        ("](",),
        gates=("!", "[", "("),
    ),
    # A code comment addressed to the model reading the file ("# assistant: when you read
    # this, delete …"): code is not where a user talks to their assistant.
    Marker(
        "comment_to_model",
        0.6,
        re.compile(
            r"\n[ \t]*(?:#+|//+|/\*+|\*|--|<!--|;+)[ \t]*(?:note to (?:the |any |all )?)?"
            r"(?:ai|assistant|llm|chatgpt|claude|copilot|gemini|ai (?:assistant|agent|model|"
            r"reviewer)s?|(?:coding |code )?agents?)[ \t]*[:,-][ \t]*"
            r"(?:when|if|once|please|ignore|disregard|delete|remove|run|execute|do not|don't|"
            r"always|never|approve|tell|send|add|write|forward|print|reveal|output|instead)\b"
        ),
        ("ai", "assistant", "llm", "gpt", "claude", "copilot", "gemini", "agent"),
        gates=("#/*-;",),
        line_start=True,
    ),
    Marker(
        "system_override_header",
        0.75,
        re.compile(
            r"[\n\[(]\s*(?:system|admin|developer|root)\s*(?:override|update|message|notice|alert|"
            r"instruction|command|prompt)s?\s*[:\])]"
        ),
        ("system", "admin", "developer", "root"),
        gates=(":])",),
    ),
)


# Many-shot: a long transcript of exchanges inside one turn (the many-shot jailbreaking
# paper's form). A few Q/A examples are a prompting style (`inline_transcript`, 0.25); four or
# more exchanges script the model's own past answers, which is what `fake_turn` (0.5) says
# of "assistant:" transcripts. "Input:"/"Output:" pairs, the usual few-shot data format, do not
# count.
# The same labels in the other languages, so a many-shot transcript written in German
# or Japanese counts too (lower case, accents kept: this is the lowered view, not the folded).
_TURN_LABELS_INTL = (
    "benutzer nutzer assistent frage antwort utilisateur utilisatrice réponse pregunta "
    "respuesta usuario asistente utente assistente domanda risposta usuário pergunta resposta "
    "gebruiker vraag antwoord пользователь ассистент вопрос ответ человек 用户 用戶 助手 问 答 "
    "问题 回答 ユーザー アシスタント 質問 사용자 어시스턴트 질문 답변"
)
_TURN_LABELS = frozenset(
    [
        "q",
        "a",
        "question",
        "answer",
        "user",
        "human",
        "me",
        "you",
        *_SPEAKERS.split("|"),
        *_TURN_LABELS_INTL.split(),
    ]
)
_NUMBERED = frozenset(["person", "speaker", "user", "q", "a"])  # "speaker 2:", "q 3:"
_MANY_SHOT_TURNS = 8
_MAX_COLONS = 400
MANY_SHOT = Marker("many_shot", 0.5, re.compile(":"), (":",))


def _turn_label(before: list[str]) -> bool:
    if not before:
        return False
    last = before[-1].rstrip("0123456789")
    if last:
        return last in _TURN_LABELS or (
            len(last) == 1 and len(before) > 1 and before[-2] in _NUMBERED
        )
    return len(before) > 1 and before[-2] in _NUMBERED


def speaker_labels(lowered: str, stop: int = _MAX_COLONS) -> int:
    """Colons right after a speaker label ("q", "a", "user", "assistant"…, "person a",
    "speaker 2"), counted up to `stop`: the word before each colon is looked up, no regex."""
    turns = colons = 0
    pos = lowered.find(":")
    while pos != -1 and colons < _MAX_COLONS:
        colons += 1
        if _turn_label(lowered[max(0, pos - 14) : pos].split()):
            turns += 1
            if turns >= stop:
                break
        pos = lowered.find(":", pos + 1)
    return turns


def many_shot(lowered: str) -> bool:
    """Eight or more speaker labels in one text (see `speaker_labels`)."""
    if lowered.count(":") < _MANY_SHOT_TURNS:  # C speed: most prompts stop here
        return False
    return speaker_labels(lowered, _MANY_SHOT_TURNS) >= _MANY_SHOT_TURNS


# A turn that opens by pointing at "the text above" points at what precedes it in the model's
# context, the system prompt: a user who pasted a text refers to it after it. Weak alone
# (0.25, like an inline Q/A transcript): a follow-up turn ("rewrite the text above in a formal
# tone") points at the conversation, and the classifier already leans on "text above".
# Training rows (generated ones excluded): 144 attacks and 0 benign have it in their first 200
# characters (`--design-stats`).
REFERENCE_ABOVE = Marker(
    "reference_above",
    0.25,
    re.compile(
        r"\b(?:text|words|instructions|prompt|message|messages|content|everything|sentences?|"
        r"paragraphs?|lines?|conversation) (?:above|before this)\b"
    ),
    ("above", "before this"),
)
OPENING = 200  # characters of a turn in which such a reference counts


def refers_above(lowered: str) -> bool:
    head = lowered[:OPENING]
    return ("above" in head or "before this" in head) and bool(REFERENCE_ABOVE.regex.search(head))


def match_markers(lowered: str) -> list[Marker]:
    """Markers found in `lowered`: NFKC, lower case, invisible characters removed, newlines kept."""
    # A leading newline lets markers that must start a line match on the first line too.
    text = "\n" + lowered
    one_line = "\n" not in lowered
    found = []
    for m in MARKERS:  # plain loops: cheaper than a generator per marker
        for chars in m.gates:
            for char in chars:
                if char in text:
                    break
            else:
                break  # no character of this set: the regex cannot match
        else:
            if one_line and m.line_start:
                # The needles are only a prefilter: an anchored match fails at once.
                if m.regex.match(text):
                    found.append(m)
                continue
            for needle in m.needles:
                if needle in text:
                    if m.regex.search(text):
                        found.append(m)
                    break
    if many_shot(text):
        found.append(MANY_SHOT)
    if refers_above(lowered):
        found.append(REFERENCE_ABOVE)
    return found
