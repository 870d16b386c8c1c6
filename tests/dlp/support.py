"""Test support for DLP: key-shaped strings made at run time, a gateway with auth on whose
`standard` policy carries a dlp section, and the texts an engine finds."""

from __future__ import annotations

import random
import string
from typing import TYPE_CHECKING, Any

import yaml

from tests.auth.support import gateway_yaml

if TYPE_CHECKING:
    from interlock.dlp.engine import Engine

_rng = random.Random(20261127)


def _pick(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


# Secrets are assembled here so no key-shaped literal is ever committed.
def aws_key_id() -> str:
    return "".join(["AK", "IA"]) + _pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)


def github_token() -> str:
    return "gh" + "p_" + _pick(string.ascii_letters + string.digits, 36)


def openai_key() -> str:
    return "sk-" + "proj-" + _pick(string.ascii_letters + string.digits + "_-", 120)


def slack_token() -> str:
    return (
        "xo"
        + "xb-"
        + _pick(string.digits, 12)
        + "-"
        + _pick(string.digits, 12)
        + "-"
        + _pick(string.ascii_letters, 24)
    )


def stripe_key() -> str:
    return "sk" + "_live_" + _pick(string.ascii_letters + string.digits, 24)


def private_key_block() -> str:
    body = "\n".join(_pick(string.ascii_letters + string.digits + "+/", 64) for _ in range(6))
    kind = "RSA " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + _pick(string.digits, length - len(prefix) - 1)
    for check in string.digits:
        candidate = body + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


STANDARD_DLP: dict[str, Any] = {
    "actions": {
        "default": "redact",
        "internal": "detect",
        "EMAIL_ADDRESS": "pseudonymise",
        "PERSON": "pseudonymise",
        "CREDIT_CARD": "mask",
        "SECRET": "block",
        "PROJECT_CODENAME": "block",
    },
    "custom": [
        {"name": "CUSTOMER_ID", "patterns": [r"CUST-\d{6}"], "classification": "confidential"},
        {
            "name": "PROJECT_CODENAME",
            "terms": ["Bluebird", "Project Nightjar"],
            "classification": "restricted",
        },
    ],
}


def dlp_gateway_yaml(
    sim_url: str,
    db_url: str,
    idp_url: str,
    dlp: dict[str, Any] | None = None,
    open_dlp: dict[str, Any] | None = None,
) -> str:
    config = yaml.safe_load(gateway_yaml(sim_url, db_url, idp_url))
    config["policies"]["standard"]["dlp"] = dlp if dlp is not None else STANDARD_DLP
    config["policies"]["standard"]["models"] = ["*"]
    if open_dlp is not None:
        config["policies"]["open"]["dlp"] = open_dlp
    return yaml.safe_dump(config, sort_keys=False)


def found(engine: Engine, text: str, entity: str) -> list[str]:
    """The texts of an engine's findings of one type."""
    return [text[f.start : f.end] for f in engine.scan(text) if f.entity == entity]
