"""Fixtures for the simulator's tests: a shared simulator, an API client and a moto server."""

from __future__ import annotations

import os
import sys

import pytest

requests = pytest.importorskip('requests')

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))

try:
    from ansible_collections.swp.aws.tests.simulator import Simulator
    from ansible_collections.swp.aws.tests.support.constants import FULL_KEY, SWP_PRINCIPAL
except ImportError:
    if COLLECTION_ROOT not in sys.path:
        sys.path.insert(0, COLLECTION_ROOT)
    from tests.simulator import Simulator
    from tests.support.constants import FULL_KEY, SWP_PRINCIPAL


class ApiClient:
    """A keep-alive client of the simulator's /api with one key and one auth header style."""

    def __init__(self, sim, key=FULL_KEY, style='authorization', api_version='v1'):
        self.sim = sim
        self.key = key
        self.style = style
        self.api_version = api_version
        self.session = requests.Session()

    def headers(self, extra=None):
        """The headers sent with every call."""
        headers = {}
        if self.api_version is not None:
            headers['api-version'] = self.api_version
        if self.style == 'authorization':
            headers['Authorization'] = 'ApiKey %s' % self.key
        elif self.style == 'secret':
            headers['api-secret-key'] = self.key
        headers.update(extra or {})
        return headers

    def call(self, method, path, body=None, params=None, headers=None, timeout=10, data=None):
        """One request; ``path`` is relative to /api."""
        return self.session.request(method, self.sim.url + path, json=body, data=data, params=params,
                                    headers=self.headers(headers), timeout=timeout)

    def get(self, path, **kwargs):
        """GET."""
        return self.call('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        """POST."""
        return self.call('POST', path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        """DELETE."""
        return self.call('DELETE', path, **kwargs)

    def close(self):
        """Close the session's connections."""
        self.session.close()


@pytest.fixture(scope='session')
def simulator():
    """One simulator for the whole session; tests get it reset through ``sim``."""
    server = Simulator().start()
    yield server
    server.stop()


@pytest.fixture
def sim(simulator):
    """The shared simulator, reset to defaults (and reset again after the test)."""
    simulator.reset()
    yield simulator
    simulator.reset()


@pytest.fixture
def api(sim):
    """A client with the full-access key and the Authorization header."""
    client = ApiClient(sim)
    yield client
    client.close()


@pytest.fixture
def client_factory(sim):
    """Make more clients: ``client_factory(key=..., style=..., api_version=...)``."""
    clients = []

    def make(**kwargs):
        client = ApiClient(sim, **kwargs)
        clients.append(client)
        return client
    yield make
    for client in clients:
        client.close()


# moto_url, a moto server on a free loopback port, comes from tests/unit/conftest.py.


# moto_iam, roles and trust policies in any account of that server, comes from there too.


def trust_policy(external_ids=None, operator='StringEquals', principal=SWP_PRINCIPAL, extra_statements=()):
    """A trust policy for the SWP principal with an sts:ExternalId condition (none when external_ids is None)."""
    statement = {'Effect': 'Allow', 'Principal': {'AWS': principal}, 'Action': 'sts:AssumeRole'}
    if external_ids is not None:
        statement['Condition'] = {operator: {'sts:ExternalId': external_ids}}
    return {'Version': '2012-10-17', 'Statement': [statement] + list(extra_statements)}


@pytest.fixture
def make_trust():
    """The ``trust_policy`` helper as a fixture."""
    return trust_policy
