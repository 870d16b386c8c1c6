"""A policy without a `dlp` section still keeps the most sensitive data in: its `restricted`
types (secrets, cards, national IDs, IBAN, bank numbers, passports) are redacted, everything else
goes as written; `dlp: {enabled: false}` turns even that off. Real gateway, simulator upstream,
the official SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
import yaml

from tests.auth.support import POLICY_NAMES, Capture, Database, gateway_yaml, seed_org
from tests.dlp import test_gateway as base
from tests.dlp.support import luhn_complete
from tests.dlp.test_gateway import EMAIL, upstream_text
from tests.support import GatewayServer

idp = base.idp


@pytest.fixture(scope="module")
def clients(
    simulator: Any, idp: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, openai.OpenAI]]:
    db = Database("sqlite", tmp_path_factory.mktemp("dlp-default"))
    org = seed_org(db.url, POLICY_NAMES)
    config = yaml.safe_load(gateway_yaml(simulator.url, db.url, idp.url))
    assert "dlp" not in config["policies"]["standard"]  # the case under test
    config["policies"]["open"]["dlp"] = {"enabled": False}
    gw = GatewayServer(yaml.safe_dump(config), addons=[Capture()])
    url = f"{gw.url}/v1"
    try:
        yield {
            "no_section": openai.OpenAI(base_url=url, api_key=org.keys["alice-chat"],
                                        default_headers={"x-interlock-app": "chat"}, max_retries=0),
            "disabled": openai.OpenAI(base_url=url, api_key=org.keys["bob"],
                                      default_headers={"x-interlock-app": "billing"}, max_retries=0),
        }  # fmt: skip
    finally:
        gw.close()


def test_restricted_types_are_redacted_without_a_dlp_section(
    clients: dict[str, openai.OpenAI], sim: Any
) -> None:
    card = luhn_complete("4", 16)
    text = f"Refund card {card} for {EMAIL}, SSN 536-22-8726."
    clients["no_section"].chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
    )
    sent = upstream_text(sim)
    assert card not in sent and "536-22-8726" not in sent
    assert "[CREDIT_CARD]" in sent and "[US_SSN]" in sent
    assert EMAIL in sent  # confidential, not restricted: as written


def test_a_disabled_section_sends_everything_as_written(
    clients: dict[str, openai.OpenAI], sim: Any
) -> None:
    card = luhn_complete("4", 16)
    clients["disabled"].chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"card {card}"}]
    )
    assert card in upstream_text(sim)
