"""The record builder reads a worker's capture directly; what it builds must not change.

`data/records_golden.jsonl.gz` holds 400 varied captures (`record_cases.py`: every content level,
chat and embeddings, images, tool calls and results, cut text, refusals, streams, failovers,
odd decision details, floats on rounding boundaries) with the canonical JSON of the record the
writer built from each when the file was written (then by rebuilding the exchange's dataclasses
first). Every record must come out byte for byte the same: the hash chain is over these bytes."""

from __future__ import annotations

import math
import random

import orjson
import pytest
from tests.audit.record_cases import MAX_TEXT, canonical, golden

from interlock.audit.config import AuditSettings
from interlock.audit.pipeline import AuditPipeline
from interlock.audit.record import _ms, _round3, record_from_capture

GOLDEN = golden()


def test_the_golden_cases_cover_what_they_claim() -> None:
    records = [orjson.loads(r) for _, r in GOLDEN]
    levels = {r["content_level"] for r in records}
    assert levels == {"none", "metadata", "redacted", "full"}
    assert any(r["kind"] == "stream_open" for r in records)
    texts = [orjson.dumps(r).decode() for r in records]
    assert any('"tool_results":' in t for t in texts) and any('"images":' in t for t in texts)
    assert any("original" in (r.get("request") or {}) for r in records)
    assert any("chars cut" in t for t in texts)
    assert any(r["failover"] for r in records) and any(r["outcome"] == "refused" for r in records)


@pytest.mark.parametrize("chunk", range(4))
def test_records_from_captures_are_byte_for_byte_the_golden_ones(chunk: int) -> None:
    different = []
    for message, expected in GOLDEN[chunk::4]:
        capture = orjson.loads(message)[3]
        got = canonical(record_from_capture(capture, MAX_TEXT))
        if got != expected:
            different.append((message[:80], got, expected))
    assert not different, different[:2]


def test_the_writer_builds_them_from_the_message_bytes_as_received() -> None:
    writer = AuditPipeline.__new__(AuditPipeline)
    writer.settings = AuditSettings(max_text_chars=MAX_TEXT)
    for message, expected in GOLDEN[::7]:
        assert canonical(writer._build(message)) == expected


def test_the_fast_rounding_is_round_to_three_places_to_the_bit() -> None:
    rnd = random.Random(5)
    values = [0.0, -0.0, 0.0625, -0.0625, 1e300, -1e-300, math.inf, -math.inf, math.nan, 999.9995]
    for _ in range(200_000):
        values.append(rnd.choice([
            rnd.uniform(-1, 1),
            rnd.uniform(0, 2e6),
            rnd.randrange(-10**6, 10**6) / 1000 + rnd.choice([0.0005, -0.0005, 5e-13, 4.999e-4]),
            rnd.randrange(-10**6, 10**6) / 16,
        ]))  # fmt: skip
    for x in values:
        assert repr(_round3(x)) == repr(round(x, 3)), x
        t = rnd.uniform(0, 1e5)
        assert repr(_ms(t, t - x / 1000)) == repr(round((t - (t - x / 1000)) * 1000, 3)), x
