"""Contract test: the simulator's requests and answers follow the published API specification.

Uses the copy of the specification shipped with the simulator; its ``servers`` are replaced by the
simulator's URL so that openapi-core can match the requests.
"""

from __future__ import annotations

import json
import os
import time

import pytest

requests = pytest.importorskip('requests')
openapi_core = pytest.importorskip('openapi_core')
pytest.importorskip('openapi_core.contrib.requests')

from openapi_core import Config, OpenAPI  # noqa: E402  pylint: disable=wrong-import-position
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse  # noqa: E402  pylint: disable=wrong-import-position

try:
    from ansible_collections.swp.aws.tests import simulator as simulator_package
    from ansible_collections.swp.aws.tests.simulator.config import PROFILES
except ImportError:
    from tests import simulator as simulator_package
    from tests.simulator.config import PROFILES

SPEC_COPY = os.path.join(os.path.dirname(os.path.abspath(simulator_package.__file__)), 'openapi', 'workload-security-openapi.json')
# The contract the copy was taken from: ../shared/api/ beside the collection root (absent in a built collection).
COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
# ansible-test runs from a copy of the collection built inside the checkout, so look in every folder above.


def _shared_spec():
    folder = COLLECTION_ROOT
    while True:
        candidate = os.path.join(folder, 'shared', 'api', 'workload-security-openapi.json')
        if os.path.exists(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return candidate
        folder = parent


SHARED_SPEC = os.environ.get('SWP_SHARED_SPEC') or _shared_spec()

FULL_KEY = 'sim-full-key'
READONLY_KEY = 'sim-readonly-key'
SETTING = 'platformSettingAwsExternalIdRetrievalEnabled'
ARN = 'arn:aws:iam::123456789012:role/swp-connector'


def load_spec():
    """The shipped copy of the specification."""
    with open(SPEC_COPY, encoding='utf-8') as stream:
        return json.load(stream)


class Contract:
    """Sends requests to the simulator and validates each request and answer against the spec."""

    def __init__(self, sim, strict):
        spec = load_spec()
        spec['servers'] = [{'url': sim.url}]
        self.operations = {op['operationId'] for path in spec['paths'].values() for op in path.values()}
        config = Config(additional_properties_default_policy='forbid') if strict else Config()
        self.openapi = OpenAPI.from_dict(spec, config=config)
        self.sim = sim
        self.session = requests.Session()
        self.exercised = set()

    def call(self, operation, method, path, body=None, params=None, key=FULL_KEY, style='authorization', expected=200):
        """Send, check the status, validate request and response; returns the response.

        An error answer is checked against the spec only in the {"message": ...} shape: the other
        ``error_body`` styles (legacy, HTML, empty) stand for answers outside the spec on purpose.
        """
        headers = {'api-version': 'v1'}
        if style == 'authorization':
            headers['Authorization'] = 'ApiKey %s' % key
        else:
            headers['api-secret-key'] = key
        prepared = requests.Request(method, self.sim.url + path, json=body, params=params, headers=headers).prepare()
        response = self.session.send(prepared, timeout=10)
        assert response.status_code == expected, response.text
        openapi_request = RequestsOpenAPIRequest(prepared)
        self.openapi.validate_request(openapi_request)
        if response.status_code < 400 or self.sim.config['error_body'] == 'message':
            self.openapi.validate_response(openapi_request, RequestsOpenAPIResponse(response))
            assert response.headers['Content-Type'] == 'application/json'
        if response.status_code >= 400 and self.sim.config['error_body'] == 'message':
            assert set(response.json()) == {'message'} and response.json()['message']
        self.exercised.add(operation)
        return response


@pytest.fixture(params=sorted(PROFILES))
def contract(sim, request):
    """A strict contract checker (no properties beyond the spec's), once per simulator profile."""
    sim.reset({'config': {'profile': request.param}})
    checker = Contract(sim, strict=True)
    yield checker
    checker.session.close()


def test_spec_copy_matches_the_shared_contract():
    if not os.path.exists(SHARED_SPEC):
        pytest.skip('the shared contract is not beside this checkout')
    with open(SHARED_SPEC, encoding='utf-8') as stream:
        assert json.load(stream) == load_spec()


def test_every_operation_follows_the_contract(sim, contract):
    sim.add_connector({'crossAccountRoleArn': ARN.replace('swp-connector', 'legacy'), 'externalId': 'legacy-id'})
    settings = contract.call('listAwsConnectorSettings', 'GET', '/awsconnectorsettings').json()
    assert settings == {'externalId': sim.manager_external_id}
    created = contract.call('createAWSConnector', 'POST', '/awsconnectors',
                            {'displayName': 'prod', 'crossAccountRoleArn': ARN, 'workspacesEnabled': False}).json()
    contract.call('createAWSConnector', 'POST', '/awsconnectors', {'accessKey': 'AKIAEXAMPLE', 'secretKey': 'secret', 'seedRegion': 'us-west-2'})
    contract.call('listAWSConnectors', 'GET', '/awsconnectors')
    contract.call('describeAWSConnector', 'GET', '/awsconnectors/%d' % created['ID'])
    contract.call('modifyAWSConnector', 'POST', '/awsconnectors/%d' % created['ID'], {'displayName': 'renamed'}, params={'sync': 'false'})
    synced = contract.call('modifyAWSConnector', 'POST', '/awsconnectors/%d' % created['ID'], {'crossAccountRoleArn': ARN},
                           params={'sync': 'true'}).json()
    if sim.store.sync_mode() == 'inline':
        assert synced['lastSyncTime'] > 0 and synced['syncedRegions']
    else:
        # async: the answer comes before the sync; a later read shows it (and still follows the contract)
        deadline = time.monotonic() + 10
        while 'lastSyncTime' not in synced and time.monotonic() < deadline:
            time.sleep(0.1)
            synced = contract.call('describeAWSConnector', 'GET', '/awsconnectors/%d' % created['ID']).json()
        assert synced['lastSyncTime'] > 0 and synced['syncedRegions']
    contract.call('modifyAWSConnector', 'POST', '/awsconnectors/1', {'crossAccountRoleArn': ARN.replace('swp-connector', 'legacy')})
    found = contract.call('searchAWSConnectors', 'POST', '/awsconnectors/search', {
        'maxItems': 10, 'sortByObjectID': True,
        'searchCriteria': [{'fieldName': 'crossAccountRoleArn', 'stringTest': 'equal', 'stringValue': ARN, 'stringWildcards': False},
                           {'idTest': 'greater-than', 'idValue': 0}]}).json()
    assert [c['ID'] for c in found['awsConnectors']] == [created['ID']]
    contract.call('searchAWSConnectors', 'POST', '/awsconnectors/search', {})
    contract.call('deleteAWSConnector', 'DELETE', '/awsconnectors/%d' % created['ID'])
    contract.call('describeSystemSetting', 'GET', '/systemsettings/%s' % SETTING)
    contract.call('modifySystemSetting', 'POST', '/systemsettings/%s' % SETTING, {'value': 'false'})
    contract.call('resetSystemSetting', 'DELETE', '/systemsettings/%s' % SETTING)
    contract.call('describeCurrentApiKey', 'GET', '/apikeys/current')
    contract.call('describeCurrentApiKey', 'GET', '/apikeys/current', key=READONLY_KEY, style='secret')
    contract.call('modifyCurrentApiKey', 'POST', '/apikeys/current', {'description': 'contract test', 'locale': 'en-US'})
    assert contract.exercised == contract.operations


def test_documented_error_answers_follow_the_contract(sim, contract):
    contract.call('describeAWSConnector', 'GET', '/awsconnectors/404', expected=404)
    contract.call('modifyAWSConnector', 'POST', '/awsconnectors/404', {'displayName': 'x'}, expected=404)
    contract.call('describeSystemSetting', 'GET', '/systemsettings/noSuchSetting', expected=404)
    contract.call('modifySystemSetting', 'POST', '/systemsettings/noSuchSetting', {'value': 'x'}, expected=404)
    contract.call('resetSystemSetting', 'DELETE', '/systemsettings/noSuchSetting', expected=404)
    contract.call('createAWSConnector', 'POST', '/awsconnectors', {'crossAccountRoleArn': ARN}, key=READONLY_KEY, expected=403)
    contract.call('deleteAWSConnector', 'DELETE', '/awsconnectors/1', key=READONLY_KEY, expected=403)
    contract.call('modifySystemSetting', 'POST', '/systemsettings/%s' % SETTING, {'value': 'false'})
    contract.call('listAwsConnectorSettings', 'GET', '/awsconnectorsettings', expected=403)


def test_exposed_external_id_is_an_allowed_extension(sim):
    """With expose_external_id the connector carries one property beyond the spec; the spec allows that."""
    sim.configure(expose_external_id=True)
    lenient = Contract(sim, strict=False)
    try:
        body = lenient.call('createAWSConnector', 'POST', '/awsconnectors', {'crossAccountRoleArn': ARN}).json()
        assert body['externalId'] == sim.manager_external_id
        lenient.call('listAWSConnectors', 'GET', '/awsconnectors')
    finally:
        lenient.session.close()
