from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.auth.support import Org
from tests.budget.support import Gateway, WebhookReceiver, budget_yaml, new_org


@pytest.fixture()
def org(tmp_path: Path) -> tuple[str, Org]:
    """A seeded organisation in a fresh SQLite database: (url, keys)."""
    return new_org(tmp_path)


@pytest.fixture()
def make_gateway(
    simulator: Any, org: tuple[str, Org], tmp_path: Path
) -> Iterator[Callable[..., Gateway]]:
    """Builds in-process gateways over the test organisation; all are closed after the test."""
    made: list[Gateway] = []
    db_url, keys = org

    def make(**policy: Any) -> Gateway:
        gw = Gateway(budget_yaml(simulator.url, db_url, **policy), keys, tmp_path)
        made.append(gw)
        return gw

    yield make
    for gw in made:
        gw.close()


@pytest.fixture()
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.close()
