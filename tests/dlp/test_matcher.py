"""The multi-pattern pass: each way the Hyperscan matcher locates a rule finds exactly what the
rule's pattern finds over the whole text (the `re` fallback), including on the texts that
stress each way: dense numbers, literal-led secrets with repeated and overlapping literals,
and non-ASCII text whose byte offsets differ from its character offsets."""

from __future__ import annotations

import random
import re
import string

import pytest

from interlock.dlp.config import DlpPolicy
from interlock.dlp.engine import _matches_at
from interlock.dlp.matcher import MATCH_AT, HyperscanMatcher, ReMatcher, _shape
from interlock.dlp.policy import builtin_rules, compile_policy
from interlock.dlp.rules import Rule
from tests.dlp import support
from tests.dlp.corpus import corpus


def _rule(name: str) -> Rule:
    return next(r for r in builtin_rules() if r.name == name)


def test_each_rule_is_located_the_cheapest_exact_way() -> None:
    # Bounded, class-led: by its match end.
    card = _shape(_rule("credit_card"))
    assert card.lead is None and card.longest == 37
    # Literal-led with a variable-length value: by its leading literals.
    assignment = _shape(_rule("secret-assignment"))
    assert assignment.lead is not None and assignment.literals is not None
    assert {"secret", "token", "api_key", "apikey"} <= assignment.literals.words
    # Unbounded, literal-led: by its leading literal too.
    jwt = _shape(_rule("jwt"))
    assert jwt.longest is None and jwt.literals is not None and jwt.literals.words == {"eyJ"}
    # Unbounded, class-led: neither (start-of-match mode with relaxed repeats).
    cli = _shape(_rule("cli-password"))
    assert cli.longest is None and cli.lead is None


def test_matches_at_is_finditer_when_matches_begin_only_there() -> None:
    regex = re.compile(r"(?:ab|abab|b)[a-z]{0,3}", re.ASCII)
    rnd = random.Random(7)
    for _ in range(3000):
        text = "".join(rnd.choice("ab c") for _ in range(rnd.randint(0, 40)))
        starts = sorted({i for i in range(len(text)) if text.startswith(("ab", "b"), i)})
        got = [m.span() for m in _matches_at(regex, text, [(s, MATCH_AT) for s in starts])]
        assert got == [m.span() for m in regex.finditer(text)], text


def _stress_texts() -> list[str]:
    rnd = random.Random(11)
    token = "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(40))
    secrets = [
        support.github_token(),
        support.openai_key(),
        support.slack_token(),
        support.stripe_key(),
        support.aws_key_id(),
    ]
    texts = [
        # the same literal again and again, overlapping literals, values cut short
        f"token=token=token={token} secret_token: {token[:20]} apikey api_key={token}",
        f"DATADOG_API_KEY={token}\nslack_webhook = {token} github.token: '{token}'",
        2 * ("sk-" + "proj-") + token + " sk-" + token[:30] + "sk-" + "ant-api03-" + token,
        # dense numbers: every digit rule's windows overlap and merge
        " ".join(support.luhn_complete("4", 16) for _ in range(12)),
        "4111 1111 1111 1111 123-45-6789 (555) 010-9999 10.0.0.1 2001:db8::1 " * 8,
        "\n".join(f"| {i} | {rnd.randrange(10**8, 10**12)} | 555 01{i:02d} |" for i in range(40)),
    ]
    texts += [f"key: {s}\n{s} {s[:-3]}" for s in secrets]
    # non-ASCII: byte offsets differ from character offsets before, inside and after values
    texts += ["Ünïcödé — " + t.replace(" ", " é ", 5) + " — ünïcödé" for t in texts[:6]]
    texts += [d.text for d in corpus(80, seed=123)]
    texts += ["日本語のテキスト " + d.text + " 終わり" for d in corpus(20, seed=5)]
    return texts


@pytest.mark.parametrize("entities", [None, ["SECRET"], ["CREDIT_CARD", "PHONE_NUMBER"]])
def test_hyperscan_windows_find_what_whole_text_matching_finds(
    entities: list[str] | None,
) -> None:
    policy = DlpPolicy(entities=entities)
    fast = compile_policy(policy, "hyperscan").engine
    slow = compile_policy(policy, "re").engine
    assert isinstance(fast.matcher, HyperscanMatcher)
    assert isinstance(slow.matcher, ReMatcher)
    for text in _stress_texts():
        assert fast.scan(text) == slow.scan(text), text[:120]


def test_literal_led_custom_patterns_keep_their_case_rules() -> None:
    # Custom patterns may carry inline flags: the literals that locate them must follow them.
    from interlock.dlp.engine import Engine

    for pattern in (r"(?i)(?:alpha|betamax)[a-z]{0,20}", r"(?i:alpha|betamax)[a-z]{0,20}"):
        rule = Rule("custom:x:0", "X", pattern)
        text = "ALPHAxyz BetaMaxabc alpha, alphabet"
        fast, slow = Engine([rule], backend="hyperscan"), Engine([rule], backend="re")
        assert fast.scan(text) == slow.scan(text)
        assert len(slow.scan(text)) == 4


class _EveryRuleEverywhere:
    """The reference: every rule's pattern over the whole text, no prefilter at all."""

    backend = "reference"

    def __init__(self, count: int) -> None:
        self.count = count

    def windows(self, text: str) -> dict[int, list[tuple[int, int]]]:
        return {i: [(-1, -1)] for i in range(self.count)}


def test_re_fallback_finds_what_every_rule_over_the_whole_text_finds() -> None:
    fallback = compile_policy(DlpPolicy(), "re").engine
    reference = compile_policy(DlpPolicy(), "re").engine
    reference.matcher = _EveryRuleEverywhere(len(reference.rules))
    assert fallback.matcher.leads  # literal-led rules are located with str.find
    texts = _stress_texts()
    texts += [t.upper() for t in texts[:8]] + ["İstanbul ĞÜŞ " + t for t in texts[:4]]
    for text in texts:
        assert fallback.scan(text) == reference.scan(text), text[:120]


def test_one_engine_scans_on_several_threads_at_once() -> None:
    # The stage scans large requests on worker threads while the event loop scans others with
    # the same engine: Hyperscan needs a scratch space per thread.
    import threading

    engine = compile_policy(DlpPolicy(recent_scans=0)).engine
    engine.names = None
    text = " ".join(_stress_texts()[:12])
    text = (text + "\n") * (200_000 // len(text) + 1)
    expected = engine.scan(text)
    results: list[object] = []

    def scan() -> None:
        try:
            for _ in range(3):
                results.append(engine.scan(text) == expected)
        except Exception as error:  # the test reports what a thread raised
            results.append(error)

    threads = [threading.Thread(target=scan) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 9
