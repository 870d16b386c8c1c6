from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import GatewayServer, LoopThread, gateway_config


@pytest.fixture(scope="session")
def sim_loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.stop()


@pytest.fixture(scope="session")
def simulator(sim_loop: LoopThread) -> Iterator[object]:
    """The provider simulator on a real port, shared by the whole session."""
    from interlock.simulator import SimulatorConfig, start_simulator

    sim = sim_loop.run(start_simulator(SimulatorConfig()))
    yield sim
    sim_loop.run(sim.stop())


@pytest.fixture(scope="session")
def sim_control(simulator: object) -> object:
    from interlock.simulator import SimulatorClient

    return SimulatorClient(simulator.url)  # type: ignore[attr-defined]


@pytest.fixture()
def sim(sim_control: object) -> Iterator[object]:
    """The simulator's control client, with faults and the request log cleared around each test."""
    sim_control.clear_faults()  # type: ignore[attr-defined]
    sim_control.clear_requests()  # type: ignore[attr-defined]
    yield sim_control
    sim_control.clear_faults()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def gateway(simulator: object) -> Iterator[GatewayServer]:
    """A gateway with one provider of every family, all pointing at the simulator."""
    gw = GatewayServer(gateway_config(simulator.url))  # type: ignore[attr-defined]
    yield gw
    gw.close()
