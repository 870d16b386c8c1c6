"""The detection engine on its own: validators, context, normalisation, secrets, hard
negatives, custom rules, and Hyperscan and the `re` fallback giving the same findings."""

from __future__ import annotations

import string
from collections.abc import Iterator

import pytest

from interlock.dlp import validators as v
from interlock.dlp.config import DlpPolicy
from interlock.dlp.engine import Engine
from interlock.dlp.policy import compile_policy
from tests.dlp import support
from tests.dlp.corpus import Gen, corpus


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    yield compile_policy(DlpPolicy()).engine


def types(engine: Engine, text: str) -> list[tuple[str, str]]:
    return [(f.entity, text[f.start : f.end]) for f in engine.scan(text)]


# ---- checksums and validators ---------------------------------------------------------------


def _with_check(body: str, check: callable) -> str:  # type: ignore[valid-type]
    return body + check(body)


def nl_bsn(body8: str) -> str:
    for d in string.digits:
        if v.nl_bsn(body8 + d):
            return body8 + d
    return ""


def test_card_needs_luhn_and_a_printed_grouping(engine: Engine) -> None:
    g = Gen(1)
    card = g.luhn("4", 16)
    bad = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert types(engine, f"card {card}") == [("CREDIT_CARD", card)]
    assert types(engine, f"card {bad}") == []
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert types(engine, f"pay with {grouped} today") == [("CREDIT_CARD", grouped)]
    odd = f"{card[:3]} {card[3:9]} {card[9:]}"  # not how cards are printed
    assert [t for t, _ in types(engine, f"pay with {odd}")] != ["CREDIT_CARD"]
    # followed by an expiry year: the card is cut back to the valid number
    assert types(engine, f"{grouped} 2027")[0] == ("CREDIT_CARD", grouped)


def test_iban_ssn_and_ip_validation(engine: Engine) -> None:
    g = Gen(2)
    iban = g.iban()
    broken = iban[:-1] + ("0" if iban[-1] != "0" else "1")
    assert types(engine, f"IBAN {iban} thanks") == [("IBAN_CODE", iban)]
    assert types(engine, f"IBAN {broken}") == []
    assert types(engine, "SSN 536-22-8726") == [("US_SSN", "536-22-8726")]
    for invalid in ("000-12-3456", "666-12-3456", "912-12-3456", "536-00-8726", "536-22-0000"):
        assert types(engine, f"SSN {invalid}") == [], invalid
    assert types(engine, "nine digits 536228726") == []  # bare 9 digits need the word SSN
    assert types(engine, "ssn: 536228726") == [("US_SSN", "536228726")]
    assert types(engine, "from 10.0.12.7 and 2001:db8::8a2e:370:7334") == [
        ("IP_ADDRESS", "10.0.12.7"),
        ("IP_ADDRESS", "2001:db8::8a2e:370:7334"),
    ]
    assert types(engine, "bad 300.1.2.3 and time 10:20:30") == []


def test_national_ids_with_their_checksums(engine: Engine) -> None:
    bsn = nl_bsn("12345678")
    assert types(engine, f"mijn BSN is {bsn}") == [("NL_BSN", bsn)]
    assert types(engine, f"mijn BSN is {bsn[:-1]}{(int(bsn[-1]) + 1) % 10}") == []
    assert types(engine, "DNI 12345678Z") == [("ES_NIF", "12345678Z")]
    assert types(engine, "DNI 12345678A") == []
    assert types(engine, "codice fiscale RSSMRA85T10A562S") == [
        ("IT_FISCAL_CODE", "RSSMRA85T10A562S")
    ]
    assert types(engine, "codice fiscale RSSMRA85T10A562T") == []
    assert types(engine, "NIR 1 85 05 78 006 084 91") == [("FR_NIR", "1 85 05 78 006 084 91")]
    assert types(engine, "NIR 1 85 05 78 006 084 90") == []
    assert types(engine, "NHS number 943 476 5919") == [("UK_NHS", "943 476 5919")]
    assert types(engine, "NHS number 943 476 5918") == []
    assert types(engine, "NI number QQ 12 34 56 C") == []  # QQ is never issued
    assert types(engine, "NI number AB 12 34 56 C") == [("UK_NINO", "AB 12 34 56 C")]
    sin = Gen(7).luhn("1", 9)
    assert types(engine, f"social insurance number {sin}") == [("CA_SIN", sin)]
    assert types(engine, "Aadhaar 2341 2341 2346") == [("IN_AADHAAR", "2341 2341 2346")]
    assert types(engine, "tax file number 123 456 782") == [("AU_TFN", "123 456 782")]
    assert types(engine, "Steuer-ID 86095742719") == [("DE_TAX_ID", "86095742719")]
    assert types(engine, "routing number 021000021") == [("ABA_ROUTING_NUMBER", "021000021")]
    assert types(engine, "passport number 912803456") == [("US_PASSPORT", "912803456")]


def test_context_words_raise_and_lower_confidence(engine: Engine) -> None:
    assert types(engine, "call me on 020 7946 0958") == [("PHONE_NUMBER", "020 7946 0958")]
    assert types(engine, "the batch 020 7946 0958 failed") == []
    assert types(engine, "born on 12/03/1985") == [("DATE_OF_BIRTH", "12/03/1985")]
    assert types(engine, "released on 12/03/1985") == []


def test_hard_negatives_are_never_findings(engine: Engine) -> None:
    g = Gen(3)
    for _ in range(50):
        for value in (
            g.bad_card(),
            g.uuid(),
            g.sha(),
            g.isbn(),
            g.order(),
            "release " + g.version(),
        ):
            # (a bare four-part "3.9.16.227" could be an IP address: versions come labelled)
            text = f"Please check {value} again."
            assert engine.scan(text) == [], (value, engine.scan(text))


# ---- normalisation ------------------------------------------------------------------------------


def test_invisible_characters_and_lookalikes_do_not_hide_values(engine: Engine) -> None:
    card = Gen(4).luhn("4", 16)
    hidden = card[:8] + "\u200b" + card[8:]  # a zero-width space inside the number
    text = f"card {hidden} ok"
    found = engine.scan(text)
    assert [(f.entity, text[f.start : f.end]) for f in found] == [("CREDIT_CARD", hidden)]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in "536-22-8726")  # full-width digits
    assert [f.entity for f in engine.scan(f"SSN {wide}")] == ["US_SSN"]
    cyrillic = "pаssword = 'Tr0ub4dor&3'"  # the "а" is Cyrillic
    (finding,) = engine.scan(cyrillic)
    assert finding.rule == "password-assignment"
    assert cyrillic[finding.start : finding.end] == "Tr0ub4dor&3"


# ---- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (support.aws_key_id, "aws-access-key-id"),
        (support.github_token, "github-token"),
        (support.openai_key, "openai-api-key"),
        (support.slack_token, "slack-token"),
        (support.stripe_key, "stripe-secret-key"),
        (support.private_key_block, "private-key"),
    ],
)
def test_provider_secrets(engine: Engine, make: callable, rule: str) -> None:  # type: ignore[valid-type]
    secret = make()
    text = f"here: {secret}\nthanks"
    found = engine.scan(text)
    assert [(f.entity, f.rule) for f in found] == [("SECRET", rule)]
    assert text[found[0].start : found[0].end] == secret


def test_assigned_and_embedded_secrets_but_not_placeholders(engine: Engine) -> None:
    g = Gen(5)
    token = g.pick(string.ascii_letters + string.digits, 32)
    cases = {
        f"DATADOG_API_KEY={token}": ("datadog-credential", token),
        f"db_password: 'S3cure!{token[:6]}'": ("password-assignment", f"S3cure!{token[:6]}"),
        f"postgres://svc:{token[:12]}@db:5432/x": ("url-password", token[:12]),
        f"Server=db;User Id=sa;Password={token[:10]};": ("connection-string-password", token[:10]),
        f"Authorization: Bearer {token}": ("authorization-header", token),
    }
    for text, (rule, value) in cases.items():
        found = engine.scan(text)
        assert [(f.rule, text[f.start : f.end]) for f in found] == [(rule, value)], text
    jwt = (
        "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0." + g.pick(string.ascii_letters, 43)
    )
    assert [f.rule for f in engine.scan(f"token {jwt}")] == ["jwt"]
    for placeholder in (
        "password = changeme",
        "api_key = <your-api-key>",
        "secret: ${CLIENT_SECRET}",
        "password = os.environ['DB_PASSWORD']",
        "token: xxxxxxxxxxxxxxxx",
    ):
        assert engine.scan(placeholder) == [], placeholder


# ---- custom rules and engines -------------------------------------------------------------------


def test_custom_identifiers_terms_validators_and_context() -> None:
    policy = DlpPolicy.model_validate(
        {
            "entities": ["EMAIL_ADDRESS"],
            "custom": [
                {
                    "name": "EMPLOYEE_ID",
                    "patterns": [r"E\d{6}"],
                    "context": ["employee"],
                    "context_required": True,
                },
                {"name": "LOYALTY_CARD", "patterns": [r"\b\d{10}\b"], "validator": "luhn"},
                {
                    "name": "CODENAME",
                    "terms": ["Bluebird", "Red Falcon"],
                    "classification": "restricted",
                },
            ],
        }
    )
    engine = compile_policy(policy).engine
    loyalty = Gen(6).luhn("7", 10)
    text = f"employee E123456 uses card {loyalty} on red falcon; 1234567890"
    assert types(engine, "the part number is E654321") == []  # no context word
    assert types(engine, text) == [
        ("EMPLOYEE_ID", "E123456"),
        ("LOYALTY_CARD", loyalty),
        ("CODENAME", "red falcon"),
    ]
    by_name = {f.entity: f.classification for f in engine.scan(text)}
    assert by_name["CODENAME"] == "restricted"
    assert types(engine, "SSN 536-22-8726 and mail a@b.io") == [
        ("EMAIL_ADDRESS", "a@b.io")
    ]  # entities filter


def test_hyperscan_and_re_fallback_agree() -> None:
    fast = compile_policy(DlpPolicy(), "hyperscan").engine
    slow = compile_policy(DlpPolicy(), "re").engine
    assert (fast.backend, slow.backend) == ("hyperscan", "re")
    for doc in corpus(60, seed=99):
        assert fast.scan(doc.text) == slow.scan(doc.text)


def test_policy_validation_rejects_typos() -> None:
    from pydantic import ValidationError

    for bad in (
        {"actions": {"EMAIL_ADRESS": "redact", "Restricted": "block"}},
        {"actions": {"default": "shred"}},
        {"entities": ["EMAIL"]},
        {"custom": [{"name": "X_ID", "patterns": ["("]}]},
        {"custom": [{"name": "X_ID"}]},
        {"custom": [{"name": "X_ID", "patterns": ["a*"]}]},
    ):
        with pytest.raises(ValidationError):
            DlpPolicy.model_validate(bad)
