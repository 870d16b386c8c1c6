"""A gateway with auth on and an `injection` section in each policy, for the official SDKs.

Policies (bindings from tests/auth/support.py's seeded organisation):
- `standard` (team red, app "chat"): block user turns at 0.5 and indirect content at 0.4.
- `open` (alice with app "search"; team blue with app "billing"): flag user turns, and check
  indirect content against a much lower threshold than user turns (0.95 vs 0.3), so the
  same text can pass as a user turn and be refused as a tool result.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import openai
import pytest
import yaml

from tests.auth.fixtures import idp
from tests.auth.support import (
    POLICY_NAMES,
    Capture,
    Database,
    IdentityProvider,
    Org,
    gateway_yaml,
    seed_org,
)
from tests.support import GatewayServer

STANDARD = {
    "user": {"threshold": 0.5, "action": "block"},
    "indirect": {"threshold": 0.4, "action": "block"},
}
__all__ = ["idp", "inj"]

OPEN = {
    "user": {"threshold": 0.95, "action": "flag"},
    "indirect": {"threshold": 0.3, "action": "block"},
}


def injection_yaml(base: str, **policies: dict[str, Any]) -> str:
    """`base` with an injection section added to the named policies."""
    config = yaml.safe_load(base)
    for name, section in policies.items():
        config["policies"][name]["injection"] = section
    return yaml.safe_dump(config, sort_keys=False)


@dataclass
class InjectionEnv:
    org: Org
    gateway: GatewayServer
    capture: Capture

    def openai(self, key: str = "alice", app: str = "chat") -> openai.OpenAI:
        return openai.OpenAI(
            base_url=f"{self.gateway.url}/v1",
            api_key=self.org.keys[key],
            default_headers={"x-interlock-app": app},
            max_retries=0,
        )

    def anthropic(self, key: str = "alice", app: str = "chat") -> anthropic.Anthropic:
        return anthropic.Anthropic(
            base_url=self.gateway.url,
            api_key=self.org.keys[key],
            default_headers={"x-interlock-app": app},
            max_retries=0,
        )

    def decision(self, request_id: str) -> Any:
        ex = self.capture.exchanges[request_id]
        found = [d for d in ex.decisions if d.stage == "injection"]
        assert len(found) == 1, ex.decisions
        return found[0]

    def last_decision(self) -> Any:
        assert self.capture.last is not None
        return self.decision(self.capture.last.request_id)


@pytest.fixture(scope="module")
def inj(
    simulator: Any,
    idp: IdentityProvider,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[InjectionEnv]:
    db = Database("sqlite", tmp_path_factory.mktemp("injection"))
    org = seed_org(db.url, POLICY_NAMES)
    capture = Capture()
    config = injection_yaml(
        gateway_yaml(simulator.url, db.url, idp.url), standard=STANDARD, open=OPEN
    )
    gw = GatewayServer(config, addons=[capture])
    try:
        yield InjectionEnv(org, gw, capture)
    finally:
        gw.close()
        db.drop()
