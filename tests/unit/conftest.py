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
    # No rate limit: tests make many calls in a second; the limit itself is tested in tests/unit/simulator.
    sim = Simulator(rate_limit=0)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator_server):
    """The session's simulator, reset to a clean state for each test."""
    simulator_server.reset({})
    yield simulator_server
    simulator_server.reset({})


@pytest.fixture(scope="session")
def moto_url():
    """A moto server (IAM, STS) on a free local port."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield "http://%s:%d" % (host, port)
    server.stop()
