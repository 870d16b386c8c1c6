"""The provider simulator: a real HTTP server speaking each LLM provider's wire format.

See `answers` for the deterministic answer rules, `faults` and `control` for fault injection,
and the provider modules for each wire format.
"""

from interlock.simulator.client import SimulatorClient, SimulatorControlError
from interlock.simulator.server import (
    RunningSimulator,
    SimulatorConfig,
    build_app,
    run_simulator,
    start_simulator,
)

__all__ = [
    "RunningSimulator",
    "SimulatorClient",
    "SimulatorConfig",
    "SimulatorControlError",
    "build_app",
    "run_simulator",
    "start_simulator",
]
