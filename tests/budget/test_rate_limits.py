"""Rate limits on a real gateway: requests and tokens per minute, 429 with Retry-After and the
usual x-ratelimit-* headers, in the caller's own format."""

from __future__ import annotations

import anthropic
import openai
import pytest


def test_requests_per_minute_per_key(make_gateway) -> None:
    gw = make_gateway(standard="rate_limits: {limits: [{per: [key], requests_per_minute: 3}]}")
    clock = {"now": 1_000_000.0}
    gw.stage.clock = lambda: clock["now"]
    remaining = []
    for _ in range(3):
        r = gw.chat("gpt-4o-mini", "hi")
        assert r.status_code == 200, r.text
        assert r.headers["x-ratelimit-limit-requests"] == "3"
        remaining.append(r.headers["x-ratelimit-remaining-requests"])
    assert remaining == ["2", "1", "0"]
    r = gw.chat("gpt-4o-mini", "hi")
    assert r.status_code == 429
    err = r.json()["error"]
    assert err["code"] == "rate_limited" and err["type"] == "rate_limit_error"
    assert "3 requests per minute" in err["message"]
    assert r.headers["retry-after"] == "20"  # one request refills every 60 / 3 s
    assert r.headers["x-ratelimit-remaining-requests"] == "0"
    assert r.headers["x-ratelimit-reset-requests"] == "1m0s"
    [refusal] = gw.decisions(r.headers["x-request-id"], "rate_limit")
    assert refusal.outcome == "refused"

    # Per key: another key of the same team has its own window.
    assert gw.chat("gpt-4o-mini", "hi", key="alice-chat").status_code == 200
    # The window refills at the configured rate.
    clock["now"] += 20
    assert gw.chat("gpt-4o-mini", "hi").status_code == 200
    assert gw.chat("gpt-4o-mini", "hi").status_code == 429

    # The official SDK sees a RateLimitError with the headers it knows.
    with pytest.raises(openai.RateLimitError) as caught:
        gw.client().chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.response.headers["retry-after"] == "20"
    # And Anthropic's SDK, its own error shape.
    client = anthropic.Anthropic(
        base_url=gw.url, api_key=gw.org.keys["alice"], max_retries=0,
        default_headers={"x-interlock-app": "chat"},
    )  # fmt: skip
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(
            model="gpt-4o-mini", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )


def test_tokens_per_minute_charge_declared_tokens_and_settle_to_real_usage(make_gateway) -> None:
    gw = make_gateway(
        standard="rate_limits: {limits: [{per: [team], models: [gpt-4o-mini], tokens_per_minute: 200}]}"
    )
    clock = {"now": 2_000_000.0}
    gw.stage.clock = lambda: clock["now"]
    # Admission takes the estimated input plus the declared max_tokens; settlement gives back
    # what the answer did not use, so the next request sees the real usage only.
    r = gw.chat("gpt-4o-mini", "hello", max_tokens=100)
    assert r.status_code == 200
    charged = 200 - int(r.headers["x-ratelimit-remaining-tokens"])
    assert charged >= 100
    used = r.json()["usage"]["total_tokens"]
    r = gw.chat("gpt-4o-mini", "hello", max_tokens=100)
    left_after_second = int(r.headers["x-ratelimit-remaining-tokens"])
    assert left_after_second == 200 - used - charged

    # A request larger than the whole window is refused outright, saying why.
    r = gw.chat("gpt-4o-mini", "hello", max_tokens=500)
    assert r.status_code == 429
    assert "more than the limit of 200 tokens per minute" in r.json()["error"]["message"]
    # Other models are not under this limit.
    assert "x-ratelimit-limit-tokens" not in gw.chat("gpt-4o", "hi", max_tokens=500).headers
