"""Counting tokens locally: the estimate of a request's input before dispatch, and the count of
an answer whose provider reported no usage.

No exact tokenizer is used. OpenAI's encodings are only reachable offline through a 75 MB
native wheel, the other providers publish none, and an exact BPE pass costs ~0.2 µs per token
on the request path (20 ms for a 100k-token prompt). Instead a linear estimator over byte
classes, computed with C-speed `bytes.translate` passes (10-20 ns per character), calibrated
against OpenAI's o200k_base encoding on 12,476 texts from /work/shared/datasets (English
prose, code, maths, 17 languages): on the held-out half the estimate / exact ratio has median
0.996, 5th percentile 0.86, 95th 1.15, and the total over all texts is within 1 %.
`bench/budget_tokens.py` re-measures this. Anthropic, Bedrock and Gemini publish no tokenizer
to calibrate against (their counts are known to run higher than o200k for the same text), so
their estimates carry a margin (`FAMILY_FACTOR`) instead: an estimate, not a measurement.

This module imports only the standard library and the canonical exchange, so the calibration
script can run it in a throwaway environment next to the reference tokenizer.
"""

from __future__ import annotations

import math

from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    EmbeddingRequest,
    ImagePart,
    TextPart,
    ToolCall,
    ToolResult,
)

try:  # orjson when the gateway runs; json where the calibration script runs without it
    from orjson import dumps as _dumps
except ImportError:  # pragma: no cover
    import json

    def _dumps(value: object) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()


# Byte classes: ASCII punctuation, digits, and the lead bytes of 2-, 3- and 4-byte UTF-8
# sequences (3-byte leads split: E3–E9 start CJK and kana, the rest Indic, Hangul, symbols).
_PUNCT = bytes([*range(33, 48), *range(58, 65), *range(91, 97), *range(123, 127)])
_DIGITS = b"0123456789"
_HIGH = bytes(range(128, 256))
_LEAD2 = bytes(range(0xC0, 0xE0))
_LEAD3 = bytes([*range(0xE0, 0xE3), *range(0xEA, 0xF0)])
_LEAD3_CJK = bytes(range(0xE3, 0xEA))
_LEAD4 = bytes(range(0xF0, 0x100))

# Weights fitted by non-negative least squares (weighted by 1/sqrt(tokens)) against o200k_base.
W_WORD = 0.5233
W_LETTER = 0.1004
W_PUNCT = 0.5952
W_DIGIT = 0.6263
W_LEAD2 = 0.2034
W_LEAD3 = 0.256
W_LEAD3_CJK = 0.7646
W_LEAD4 = 3.0  # emoji and rare scripts: few samples, a round upper value
W_TEXT = 1.9474  # per separate text

# Chat framing (role markers, separators) per message and once per answer, as OpenAI counts it.
TOKENS_PER_MESSAGE = 4
TOKENS_PER_REQUEST = 3
# The most any provider bills for one image (Anthropic: ~1.15 megapixels ≈ 1,600 tokens; OpenAI
# high detail at 2048×768 ≈ 1,105): the gateway does not decode images, so it takes the bound.
TOKENS_PER_IMAGE = 1600
# Providers whose tokenizers are not o200k: their counts run higher for the same text.
FAMILY_FACTOR = {"openai": 1.0, "anthropic": 1.2, "bedrock": 1.2, "gemini": 1.1}


def text_tokens(text: str) -> float:
    """Estimated o200k tokens in one text, before rounding."""
    if not text:
        return 0.0
    b = text.encode()
    n = len(b)
    punct = n - len(b.translate(None, _PUNCT))
    digits = n - len(b.translate(None, _DIGITS))
    words = len(text.split())
    if text.isascii():
        letters = n - punct - digits
        return W_WORD * words + W_LETTER * letters + W_PUNCT * punct + W_DIGIT * digits + W_TEXT
    high = n - len(b.translate(None, _HIGH))
    lead2 = n - len(b.translate(None, _LEAD2))
    lead3 = n - len(b.translate(None, _LEAD3))
    cjk = n - len(b.translate(None, _LEAD3_CJK))
    lead4 = n - len(b.translate(None, _LEAD4))
    letters = n - high - punct - digits
    return (
        W_WORD * words
        + W_LETTER * letters
        + W_PUNCT * punct
        + W_DIGIT * digits
        + W_LEAD2 * lead2
        + W_LEAD3 * lead3
        + W_LEAD3_CJK * cjk
        + W_LEAD4 * lead4
        + W_TEXT
    )


def _part_tokens(part: object) -> float:
    if isinstance(part, TextPart):
        return text_tokens(part.text)
    if isinstance(part, ImagePart):
        return TOKENS_PER_IMAGE
    if isinstance(part, ToolCall):
        return text_tokens(part.name) + text_tokens(part.arguments)
    if isinstance(part, ToolResult):
        return sum(_part_tokens(p) for p in part.content)
    return 0.0


def estimate_input_tokens(request: ChatRequest | EmbeddingRequest, family: str = "openai") -> int:
    """The local estimate of what the provider will count as input for this request."""
    if isinstance(request, EmbeddingRequest):
        total = sum(text_tokens(t) for t in request.inputs)
    else:
        total = float(TOKENS_PER_REQUEST)
        for message in request.messages:
            total += TOKENS_PER_MESSAGE
            for part in message.parts:
                total += _part_tokens(part)
        for tool in request.tools:
            total += text_tokens(tool.name) + text_tokens(tool.description or "")
            total += text_tokens(_dumps(tool.parameters).decode()) if tool.parameters else 0
    return math.ceil(total * FAMILY_FACTOR.get(family, 1.2))


def count_output_tokens(response: ChatResponse, family: str = "openai") -> int:
    """The local count of an answer, for a provider that reported no usage."""
    total = 0.0
    for choice in response.choices:
        for part in choice.parts:
            total += _part_tokens(part)
    return math.ceil(total * FAMILY_FACTOR.get(family, 1.2))
