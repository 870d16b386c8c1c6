"""The pipeline's stages, in the order they see an exchange.

Each stage is an addon (see `server/pipeline.py` for its hooks) built from the configuration.
Order matters: identity first (a refused request does no other work), then the stages that
inspect the request, then those that admit it against budgets, and audit last so it sees
every other stage's decision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interlock.auth.stage import identity_stage
from interlock.config import GatewayConfig
from interlock.server.runtime import RuntimeHolder


def build_stages(
    holder: RuntimeHolder, config: GatewayConfig, config_path: Path | None
) -> list[Any]:
    stages: list[Any] = []
    identity = identity_stage(holder, config, config_path)
    if identity is not None:
        stages.append(identity)
    return stages
