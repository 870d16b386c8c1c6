"""Prices, token estimates, periods, report periods and the configuration schema, in isolation."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from interlock.budget.catalogue import price_book, shipped_catalogue
from interlock.budget.periods import period_at
from interlock.budget.report import ReportError, parse_groups, parse_period
from interlock.budget.tokens import estimate_input_tokens, text_tokens
from interlock.config import ConfigError, parse_config
from interlock.exchange import (
    ChatRequest,
    EmbeddingRequest,
    ImagePart,
    Message,
    TextPart,
    Tool,
    Usage,
)

BASE = """
providers:
  openai: {type: openai, api_key: x}
  bedrock: {type: bedrock, region: us-east-1, access_key_id: a, secret_access_key: b}
  vllm: {type: openai_compatible, base_url: "http://127.0.0.1:1/v1"}
models:
  gpt-4o: {provider: openai}
  mini: {provider: openai, model: gpt-4o-mini-2024-07-18}
  sonnet: {provider: bedrock, model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
  llama: {provider: vllm, model: llama-3.1-8b, price: {input_per_mtok: 0}}
  embed: {provider: openai, model: text-embedding-3-small, kind: embedding}
"""


def test_catalogue_is_versioned_and_complete() -> None:
    c = shipped_catalogue()
    assert c.version and c.version[:4].isdigit()
    assert len(c.prices) >= 40
    for price in c.prices.values():
        assert price.base.input >= 0 and price.context_window
        if "chat" in price.capabilities:
            assert price.base.output > 0 and price.max_output_tokens
    families = {"gpt-4o", "claude-sonnet-4-5", "anthropic.claude-sonnet-4-5", "gemini-2.5-pro"}
    assert families <= set(c.prices)


def test_every_price_names_where_and_when_it_was_checked() -> None:
    from datetime import date
    from fnmatch import fnmatchcase
    from importlib import resources

    import yaml

    raw = yaml.safe_load(
        resources.files("interlock.budget").joinpath("prices.yaml").read_text("utf-8")
    )
    blocks = raw["providers"]
    assert {"openai", "azure", "anthropic", "bedrock", "gemini"} <= set(blocks)
    for name, block in blocks.items():
        assert block["source"].startswith("https://"), name
        assert date.fromisoformat(block["checked"]) <= date.today(), name
        assert "verified" in block and "unverified" in block, name
    for model_id in raw["models"]:
        owners = [
            n for n, b in blocks.items() if any(fnmatchcase(model_id, g) for g in b["models"])
        ]
        assert len(owners) == 1, (model_id, owners)


def test_price_lookup_and_overrides() -> None:
    config = parse_config(BASE + "auth: {enabled: false}")
    book = price_book(config)
    assert book["gpt-4o"].model == "gpt-4o"
    assert book["mini"].model == "gpt-4o-mini"  # a dated snapshot
    assert book["sonnet"].model == "anthropic.claude-sonnet-4-5"  # region prefix + version
    assert book["llama"].source == "config" and book["llama"].base.input == 0
    assert book["embed"].base.input == 0.02


def test_cost_arithmetic() -> None:
    c = shipped_catalogue()
    sonnet = c.prices["claude-sonnet-4-5"]
    # 1M fresh input at $3, 1M cache reads at $0.30, 1M cache writes at $3.75, 1M output at $15.
    usage = Usage(
        input_tokens=3_000_000 // 20,
        output_tokens=1_000_000 // 20,
        cached_input_tokens=1_000_000 // 20,
        cache_write_tokens=1_000_000 // 20,
    )
    assert sonnet.cost_nano(usage) / 1e9 == pytest.approx((3 + 0.30 + 3.75 + 15) / 20)
    # Above 200k input tokens, the long-context tier applies to the whole request.
    long = Usage(input_tokens=300_000, output_tokens=1_000)
    assert sonnet.cost_nano(long) / 1e9 == pytest.approx(0.3 * 6 + 0.001 * 22.5)
    # The worst case takes the dearest input rate (cache writes cost more than input).
    assert sonnet.worst_case_nano(100_000, 0) / 1e9 == pytest.approx(0.375)


def test_token_estimate_is_close_to_o200k_on_known_texts() -> None:
    # Exact o200k_base counts of these texts, measured once with the reference tokenizer.
    known = {
        "hello world, how are you?": 7,
        "The quick brown fox jumps over the lazy dog.": 10,
        "def add(a, b):\n    return a + b\n": 12,
    }
    for text, exact in known.items():
        assert abs(text_tokens(text) - exact) <= 0.35 * exact + 2, (text, text_tokens(text))
    # Scripts without spaces cost more per character than English.
    assert text_tokens("これは日本語の文章です。") > text_tokens("this is english.")


def test_request_estimate_counts_framing_images_and_tools() -> None:
    plain = ChatRequest("m", [Message("user", [TextPart("hi")])])
    with_image = ChatRequest("m", [Message("user", [TextPart("hi"), ImagePart(url="http://x")])])
    with_tool = ChatRequest(
        "m",
        [Message("user", [TextPart("hi")])],
        tools=[Tool("lookup", "find a thing", {"type": "object", "properties": {"q": {}}})],
    )
    base = estimate_input_tokens(plain)
    assert base >= 7  # message and request framing
    assert estimate_input_tokens(with_image) >= base + 1600
    assert estimate_input_tokens(with_tool) > base + 5
    assert estimate_input_tokens(plain, "anthropic") > base  # the margin for other tokenizers
    assert estimate_input_tokens(EmbeddingRequest("e", ["one two", "three"])) > 0


def test_periods_follow_the_calendar_in_a_time_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2025, 3, 30, 12, tzinfo=paris).timestamp()  # the day clocks go forward
    day = period_at("day", at, "Europe/Paris")
    assert day.id == "day:2025-03-30@Europe/Paris" and day.end - day.start == 23 * 3600
    week = period_at("week", at, "UTC", "monday")
    assert week.id == "week:w2025-03-24"
    assert period_at("week", at, "UTC", "sunday").id == "week:w2025-03-30"
    month = period_at(
        "month", datetime(2025, 12, 31, 23, 30, tzinfo=paris).timestamp(), "Europe/Paris"
    )
    assert month.id == "month:2025-12@Europe/Paris"
    assert month.end == datetime(2026, 1, 1, tzinfo=paris).timestamp()
    # The next month starts exactly where this one ends.
    assert period_at("month", month.end, "Europe/Paris").id == "month:2026-01@Europe/Paris"


def test_report_periods_and_groups() -> None:
    now = datetime(2025, 11, 20, 10, tzinfo=ZoneInfo("UTC")).timestamp()
    assert parse_period("this-month", "UTC", now).label == "2025-11"
    last = parse_period("last-month", "UTC", now)
    assert last.label == "2025-10" and last.end == parse_period("this-month", "UTC", now).start
    span = parse_period("2025-11-01..2025-11-15", "UTC", now)
    assert span.end - span.start == 15 * 86400
    assert parse_period("7d", "UTC", now).start == now - 7 * 86400
    with pytest.raises(ReportError):
        parse_period("fortnight", "UTC", now)
    assert parse_groups("team, app") == ["team", "app"]
    with pytest.raises(ReportError):
        parse_groups("team,colour")


@pytest.mark.parametrize(
    ("policy", "error"),
    [
        ("budgets: {limits: [{amount_usd: 1, on_exceed: downgrade}]}", "downgrade_to is required"),
        ("budgets: {limits: [{amount_usd: 1, on_exceed: downgrade, downgrade_to: nope}]}",
         "unknown model 'nope'"),
        ("budgets: {limits: [{amount_usd: 1, on_exceed: downgrade, downgrade_to: embed}]}",
         "not a chat model"),
        ("budgets: {limits: [{amount_usd: 1, warn_at: [1.5]}]}", "fractions"),
        ("budgets: {timezone: Mars/Olympus, limits: []}", "unknown time zone"),
        ("budgets: {limits: [{amount_usd: 1, per: [colour]}]}", "per"),
        ("rate_limits: {limits: [{per: [key]}]}", "at least one"),
    ],
)  # fmt: skip
def test_bad_budget_configuration_is_refused_at_load(policy: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        parse_config(BASE + f"policies:\n  p:\n    models: ['*']\n    {policy}\n")


def test_downgrade_target_must_be_allowed_by_the_policy() -> None:
    policy = (
        "policies:\n  p:\n    models: [gpt-4o]\n    budgets: {limits: [{amount_usd: 1, "
        "on_exceed: downgrade, downgrade_to: mini}]}\n"
    )
    with pytest.raises(ConfigError, match="does not allow 'mini'"):
        parse_config(BASE + policy)


def test_redis_counters_need_a_url() -> None:
    with pytest.raises(ConfigError, match="backend redis needs url"):
        parse_config(BASE + "counters: {backend: redis}\n")


def test_a_settlement_is_awaited_only_near_a_threshold_not_yet_crossed() -> None:
    from interlock.budget.counters import Admission, BudgetCheck
    from interlock.budget.limits import CompiledBudget
    from interlock.budget.stage import near_threshold

    b = CompiledBudget("p", "b", ("team",), "day", "UTC", "monday", 1000, (0.5, 0.8), "block",
                       None, None, None)  # fmt: skip
    check = BudgetCheck("k", 1000, 50, 0)

    def near(spent: int, reserved: int) -> bool:
        return near_threshold(Admission(True, [], [spent], [reserved]), [(check, b)])

    assert not near(100, 0)  # far below 50 %
    assert near(460, 0)  # this request's worst case reaches 50 %
    assert near(300, 200)  # with the reservations in flight, it may
    assert not near(600, 100)  # 50 % crossed already, 80 % out of reach
    assert near(760, 0)
    assert not near(900, 90)  # every threshold crossed: settle off the path
    assert not near_threshold(Admission(False, [], [460], [0]), [(check, b)])
