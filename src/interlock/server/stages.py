"""The pipeline's stages, in the order they see an exchange.

Each stage is an addon (see `server/pipeline.py` for its hooks) built from the configuration.
Order matters: identity first (a refused request does no other work), then the stages that
inspect the request, then those that admit it against budgets, and audit last so it sees
every other stage's decision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interlock.audit.stage import audit_stages
from interlock.auth.stage import identity_stage
from interlock.budget.stage import budget_stage
from interlock.config import GatewayConfig
from interlock.console.routes import console_stage
from interlock.dlp.stage import dlp_stage
from interlock.injection.stage import injection_stage
from interlock.output.stage import output_stage
from interlock.routing.stage import routing_stage
from interlock.server.runtime import RuntimeHolder


def build_stages(
    holder: RuntimeHolder, config: GatewayConfig, config_path: Path | None
) -> list[Any]:
    stages: list[Any] = []
    identity = identity_stage(holder, config, config_path)
    if identity is not None:
        stages.append(identity)
    stages.append(injection_stage())  # inspects the request before it is admitted
    stages.append(dlp_stage(holder, config))  # inspect: redact/pseudonymise/block before admission
    stages.append(routing_stage(holder))  # resolves routes (`auto`); budget may then downgrade
    stages.append(budget_stage(holder, config, config_path))  # admit before dispatch, settle after
    stages.append(output_stage(holder, config))  # answers: after DLP restored them, before audit
    console = console_stage()
    stages.append(console)  # /console: routes only, sees no exchange
    # Audit wraps the rest: its intake first (client headers, even for refused requests), its
    # recorder last (it sees every other stage's decision). Add new stages above this line.
    audit = audit_stages(holder, config, config_path, identity)
    if audit is not None:
        intake, recorder = audit
        stages.insert(0, intake)
        stages.append(recorder)
        console.audit = recorder  # the console's charts over time read the audit store
    return stages
