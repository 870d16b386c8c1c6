"""Varied finished exchanges for the record builder's regression test (`test_record_builder.py`).

Seeded, so the same cases come out every run: every content level, chat and embeddings, images,
tool calls and results, cut text, refusals, streams, failovers, odd decision details and floats
whose rounding is delicate. `golden()` is what the builder made of them when the golden file was
written (`python -m tests.audit.record_cases` rewrites it, only when a change of the records is
intended)."""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path
from typing import Any

import orjson

from interlock.audit.capture import encode_exchange
from interlock.audit.chain import CANONICAL
from interlock.audit.record import Notes
from interlock.exchange import (
    Attempt,
    ChatRequest,
    ChatResponse,
    Choice,
    Decision,
    EmbeddingRequest,
    EmbeddingResponse,
    Exchange,
    ImagePart,
    Message,
    TextPart,
    Tool,
    ToolCall,
    ToolResult,
    Usage,
)

GOLDEN = Path(__file__).resolve().parent / "data" / "records_golden.jsonl.gz"
LEVELS = ("none", "metadata", "redacted", "full")
MAX_TEXT = 100  # the smallest allowed, so some texts are cut
WORDS = [
    "hello",
    "world",
    "mail bob@example.com",
    "naïve café",
    "a\nnew line",
    '"quoted"',
    "x" * 60,
    "y" * 150,
]


class _Principal:
    def __init__(self, rnd: random.Random) -> None:
        self.identity_id = rnd.choice(["alice", "bob", None])
        self.team_id = rnd.choice(["red", "blue", None])
        self.app_id = rnd.choice(["search", None])
        self.policy_name = rnd.choice(["open", "strict", None])
        self.credential = rnd.choice(["api_key", "jwt"])
        self.key_id = rnd.choice(["ilk_abcdefabcdef", None])
        self.issuer = rnd.choice([None, "https://idp.example"])


def _float(rnd: random.Random) -> float:
    # Values near a rounding boundary of the third decimal, and plain ones.
    kind = rnd.randrange(4)
    if kind == 0:
        return rnd.randrange(100000) / 1000 + 0.0005
    if kind == 1:
        return rnd.randrange(100000) / 1000
    if kind == 2:
        return rnd.uniform(0, 5000)
    return rnd.uniform(0, 1e-3)


def _text(rnd: random.Random) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(1, 4)))


def _parts(rnd: random.Random, role: str) -> list[Any]:
    parts: list[Any] = []
    for _ in range(rnd.randrange(0, 4)):
        k = rnd.randrange(10)
        if k < 6:
            parts.append(TextPart(_text(rnd)))
        elif k == 6:
            parts.append(
                ImagePart.from_url(
                    rnd.choice(["data:image/png;base64,AAAA", "https://img.example/a.png"]), "low"
                )
            )
        elif k == 7:
            parts.append(
                ToolCall(
                    f"call_{rnd.randrange(9)}", "lookup", orjson.dumps({"q": _text(rnd)}).decode()
                )
            )
        elif k == 8:
            content: list[Any] = [TextPart(_text(rnd))]
            if rnd.random() < 0.3:
                content.append(ImagePart(url="https://img.example/b.png"))
            parts.append(
                ToolResult("call_1", content, rnd.random() < 0.2, rnd.choice([None, "lookup"]))
            )
        else:
            parts.append(TextPart(""))
    return parts


def _decisions(rnd: random.Random, start: float) -> list[Decision]:
    out = [Decision("auth", rnd.choice(["allowed", "refused"]), {"binding": "b1"}, start + 0.0001)]
    pool: list[tuple[str, str, dict[str, Any]]] = [
        (
            "dlp",
            "redacted",
            {
                "findings": [{"type": "EMAIL_ADDRESS", "action": "redact"}, "odd"],
                "types": {"EMAIL_ADDRESS": 1},
            },
        ),
        ("dlp.response", "allowed", {"types": ["PHONE", "EMAIL_ADDRESS"], "type": "IBAN"}),
        ("output", "blocked", {"findings": [{"type": "SECRET"}], "type": 3}),
        ("injection", rnd.choice(["allowed", "blocked"]), {"score": rnd.random()}),
        (
            "budget",
            rnd.choice(["ok", "warning", "refused"]),
            {"budget": "team-red", "spent_usd": 3.5, "limit_usd": 10, "cost_usd": _float(rnd)},
        ),
        ("cost", "settled", {rnd.choice(["usd", "cost", "total_usd", "cost_usd"]): _float(rnd)}),
        ("settle", "settled", {"usd": True}),
        ("stream", "done", {"first_chunk_ms": _float(rnd), "chunks": 3}),
        ("route", "planned", {"candidates": {"a", "b"}, "at_ms": 5, "stage": "overridden"}),
        ("ratelimit", "denied", {"limit": 10, 4: "non-string key", "nested": {"z": 1, "a": [1.5]}}),
    ]
    for stage, outcome, detail in rnd.sample(pool, rnd.randrange(0, 5)):
        out.append(Decision(stage, outcome, detail, start + _float(rnd) / 1000))
    return out


def make_exchange(rnd: random.Random, i: int) -> tuple[Exchange, str | None, float]:
    level = rnd.choice(LEVELS)
    received = 1_790_000_000 + rnd.uniform(0, 1e6)
    started = rnd.uniform(1000, 100000)
    ex = Exchange(
        f"req_{i:06d}",
        rnd.choice(["openai.chat", "anthropic.messages", "openai.embeddings"]),
        received_at=received,
        started=started,
    )
    shape = rnd.randrange(10)
    if shape < 6:
        roles = ["system", "user", "assistant", "tool", "user"]
        req = ChatRequest(
            model=rnd.choice(["gpt-4o-mini", "claude"]),
            messages=[
                Message(r, _parts(rnd, r), rnd.choice([None, "n"]))
                for r in roles[: rnd.randrange(0, 5)]
            ],
            tools=[Tool(n) for n in rnd.sample(["lookup", "search", "calc"], rnd.randrange(0, 3))],
            stream=rnd.random() < 0.3,
            user=rnd.choice([None, "cust-1", "u" * 300, ""]),
            metadata=rnd.choice([None, {"user_id": "meta-user"}, {"other": 1}]),
            raw=rnd.choice(
                [
                    None,
                    {
                        "model": "m",
                        "messages": [
                            {"role": "user", "content": _text(rnd)},
                            {"content": [{"image_url": "data:image/png;base64," + "A" * 80}]},
                        ],
                        "n": 1.25,
                    },
                ]
            ),
            modified=rnd.random() < 0.5,
        )
        ex.request = req
        if rnd.random() < 0.8:
            choices = [
                Choice(c, _parts(rnd, "assistant"), rnd.choice(["stop", "tool_calls", None]))
                for c in range(rnd.randrange(0, 3))
            ]
            choices = [
                Choice(
                    c.index,
                    [p for p in c.parts if isinstance(p, TextPart | ToolCall)],
                    c.finish_reason,
                )
                for c in choices
            ]
            ex.response = ChatResponse("resp", "m", choices, Usage())
    elif shape < 8:
        ex.request = EmbeddingRequest(
            "emb",
            [_text(rnd) for _ in range(rnd.randrange(0, 3))],
            user=rnd.choice([None, "emb-user"]),
        )
        if rnd.random() < 0.8:
            n, dims = rnd.randrange(0, 3), rnd.randrange(1, 4)
            ex.response = EmbeddingResponse("emb", [[0.5] * dims for _ in range(n)], Usage())
    ex.usage = Usage(*(rnd.randrange(0, 50) for _ in range(5)))
    if ex.response is not None:
        ex.response.usage = ex.usage
    if rnd.random() < 0.8:
        ex.principal = _Principal(rnd)
    for _ in range(rnd.randrange(0, 3)):
        ex.attempts.append(
            Attempt(
                rnd.choice(["openai", "backup"]),
                rnd.choice(["m1", "m2"]),
                rnd.choice([200, 503, None]),
                rnd.choice([None, "timeout"]),
                rnd.choice([0.0, received + _float(rnd) / 1000]),
                _float(rnd),
            )
        )
    if ex.attempts and rnd.random() < 0.8:
        ex.served_by = (ex.attempts[-1].provider, ex.attempts[-1].model)
    ex.status = rnd.choice([200, 200, 200, 400, 401, 403, 429, 500, 502])
    ex.error_code = None if ex.status == 200 else "some_error"
    ex.decisions = _decisions(rnd, started)
    marks: dict[str, float] = {}
    t = started
    for mark in ("parsed", "inspected", "planned", "answered", "response_inspected", "done"):
        if rnd.random() < 0.8:
            t += _float(rnd) / 1000
            marks[mark] = t
    ex.audit = Notes(
        end_user=rnd.choice([None, "hdr-user"]),
        traceparent=rnd.choice(
            [
                None,
                "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01",
                "00-" + "0" * 32 + "-" + "cd" * 8 + "-01",
                "garbage",
                " 00-" + "AB" * 16 + "-" + "CD" * 8 + "-01 ",
            ]
        ),
        source="127.0.0.1",
        user_agent=rnd.choice([None, "test/1"]),
        path=rnd.choice([None, "/v1/chat/completions"]),
        marks=marks,
        content=level,  # type: ignore[arg-type]
        retention_days=rnd.choice([None, 30.0, 365]),
        strict=rnd.random() < 0.2,
        response_as_received=rnd.choice([None, {"choices": [{"index": 0, "text": "as received"}]}]),
    )
    kind = "stream_open" if rnd.random() < 0.1 else None
    at = t + 0.5 if kind else 0.0
    return ex, kind, at


def cases(n: int = 400, seed: int = 20261127) -> list[tuple[Exchange, str | None, float]]:
    rnd = random.Random(seed)
    return [make_exchange(rnd, i) for i in range(n)]


def canonical(record: dict[str, Any]) -> str:
    return orjson.dumps(record, option=CANONICAL).decode()


def golden() -> list[tuple[bytes, str]]:
    """(the worker's message, the canonical JSON of the record built from it)."""
    out = []
    with gzip.open(GOLDEN, "rb") as f:
        for line in f:
            item = orjson.loads(line)
            out.append((item["message"].encode(), item["record"]))
    return out


def write_golden(build: Any) -> None:
    """`build(message) -> record`: the builder whose records are taken as the reference."""
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for i, (ex, kind, at) in enumerate(cases()):
        message = encode_exchange(i + 1, False, ex, kind, at)
        lines.append(
            orjson.dumps({"message": message.decode(), "record": canonical(build(message))})
        )
    with gzip.GzipFile(GOLDEN, "wb", mtime=0) as f:
        f.write(b"\n".join(lines) + b"\n")


if __name__ == "__main__":  # pragma: no cover - rewrites the reference records
    from interlock.audit.config import AuditSettings
    from interlock.audit.pipeline import AuditPipeline

    writer = AuditPipeline.__new__(AuditPipeline)
    writer.settings = AuditSettings(max_text_chars=MAX_TEXT)
    write_golden(writer._build)
    print(f"wrote {GOLDEN}", file=sys.stderr)
