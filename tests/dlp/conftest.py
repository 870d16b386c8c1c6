"""Fixtures shared by the DLP tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlock.dlp.config import DlpPolicy
from interlock.dlp.engine import Engine
from interlock.dlp.policy import compile_policy


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """The default policy's engine (a test module may define its own `engine` instead)."""
    yield compile_policy(DlpPolicy()).engine
