# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the unit tests: in-process SWP and CAM simulators, a moto server and roles in it."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from hypothesis import settings

# In CI the property tests draw the same examples on every run, so a red build is reproducible and never luck;
# on a developer's machine they draw new ones each run, to keep finding what CI would not.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

try:
    from ansible_collections.swp.aws.tests.simulator.cam import CamSimulator
    from ansible_collections.swp.aws.tests.simulator.server import Simulator
    from ansible_collections.swp.aws.tests.support.moto_accounts import MotoAccounts
except ImportError:  # a plain checkout, not the ansible_collections tree
    from tests.simulator.cam import CamSimulator
    from tests.simulator.server import Simulator
    from tests.support.moto_accounts import MotoAccounts


@pytest.fixture(scope="session")
def simulator_server():
    # No rate limit: tests make many calls in a second; the limit itself is tested in tests/unit/simulator.
    sim = Simulator(rate_limit=0)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def cam_server():
    """A CAM simulator, one per test module."""
    sim = CamSimulator()
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


class MotoIam:
    """Create roles in any account of the moto server (moto keeps accounts apart by credentials)."""

    def __init__(self, url):
        self.url = url
        self._accounts = MotoAccounts(url, role="x", session_name="tests")

    def client(self, account):
        """An IAM client acting in ``account``."""
        return self._accounts.client(account)

    def create_role(self, account, document, name=None):
        """Create a role with a unique name (unless given); returns its ARN."""
        name = name or "swp-%s" % uuid.uuid4().hex[:12]
        role = self.client(account).create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))["Role"]
        return role["Arn"]

    def set_trust(self, arn, document):
        """Replace a role's trust policy."""
        account, name = arn.split(":")[4], arn.rsplit("/", 1)[1]
        self.client(account).update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(document))


@pytest.fixture(scope="session")
def moto_iam(moto_url):
    """Helper to create roles and edit trust policies in moto."""
    return MotoIam(moto_url)
