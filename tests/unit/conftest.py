# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the unit tests: an in-process SWP simulator."""

from __future__ import annotations

import pytest

try:
    from ansible_collections.swp.aws.tests.simulator.server import Simulator
except ImportError:  # a plain checkout, not the ansible_collections tree
    from tests.simulator.server import Simulator

FULL_KEY = "sim-full-key"
READONLY_KEY = "sim-readonly-key"


@pytest.fixture(scope="session")
def simulator_server():
    sim = Simulator()
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator_server):
    """The session's simulator, reset to a clean state for each test."""
    simulator_server.reset({})
    return simulator_server
