"""The simulator's /api: auth, headers, connectors, search, settings, API keys and the control API."""

from __future__ import annotations

import http.client
import json
import time

import pytest

requests = pytest.importorskip('requests')

try:
    from ansible_collections.swp.aws.tests.simulator import ConfigError, Simulator
except ImportError:
    from tests.simulator import ConfigError, Simulator

FULL_KEY = 'sim-full-key'
READONLY_KEY = 'sim-readonly-key'
SETTING = 'platformSettingAwsExternalIdRetrievalEnabled'


def role_arn(account, name='swp-connector'):
    """A role ARN in ``account`` (an int or a 12-digit string)."""
    return 'arn:aws:iam::%012d:role/%s' % (int(account), name)


def create_role_connector(api, account, name='swp-connector', **extra):
    """Create a cross-account-role connector through the API; returns the connector."""
    body = {'crossAccountRoleArn': role_arn(account, name)}
    body.update(extra)
    response = api.post('/awsconnectors', body)
    assert response.status_code == 200, response.text
    return response.json()


# ----------------------------------------------------------------------------- auth and headers

@pytest.mark.parametrize('style', ['authorization', 'secret'])
def test_both_auth_header_styles(client_factory, sim, style):
    client = client_factory(style=style)
    response = client.get('/awsconnectorsettings')
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/json'
    assert response.json() == {'externalId': sim.manager_external_id}
    assert sim.requests()[-1]['auth_header'] == {'authorization': 'authorization', 'secret': 'api-secret-key'}[style]


def test_authorization_scheme_is_case_insensitive(api):
    response = api.get('/awsconnectors', headers={'Authorization': 'apikey %s' % FULL_KEY})
    assert response.status_code == 200


@pytest.mark.parametrize('headers', [
    {'Authorization': 'ApiKey wrong-key'},
    {'Authorization': 'Bearer %s' % FULL_KEY},
    {'Authorization': 'ApiKey'},
    {'api-secret-key': 'wrong-key'},
])
def test_bad_key_is_401(client_factory, headers):
    client = client_factory(style=None)
    response = client.get('/awsconnectors', headers=headers)
    assert response.status_code == 401
    assert 'API key' in response.json()['message']


def test_missing_key_is_401(client_factory):
    response = client_factory(style=None).get('/awsconnectors')
    assert response.status_code == 401
    assert 'Authorization: ApiKey' in response.json()['message']


def test_auth_failure_status_is_configurable(sim, client_factory):
    sim.configure(auth_failure_status=403)
    assert client_factory(key='nope').get('/awsconnectors').status_code == 403
    assert client_factory(style=None).get('/awsconnectors').status_code == 403


@pytest.mark.parametrize('version', [None, 'v2', ''])
def test_api_version_is_required(client_factory, version):
    response = client_factory(api_version=version).get('/awsconnectors')
    assert response.status_code == 400
    assert 'api-version' in response.json()['message']


def test_readonly_key_reads_but_cannot_write(sim, client_factory):
    sim.add_connector({'crossAccountRoleArn': role_arn(1)})
    readonly = client_factory(key=READONLY_KEY)
    assert readonly.get('/awsconnectors').status_code == 200
    assert readonly.get('/awsconnectors/1').status_code == 200
    assert readonly.post('/awsconnectors/search', {}).status_code == 200
    assert readonly.get('/awsconnectorsettings').status_code == 200
    assert readonly.get('/systemsettings/%s' % SETTING).status_code == 200
    writes = [
        readonly.post('/awsconnectors', {'crossAccountRoleArn': role_arn(2)}),
        readonly.post('/awsconnectors/1', {'displayName': 'x'}),
        readonly.delete('/awsconnectors/1'),
        readonly.post('/systemsettings/%s' % SETTING, {'value': 'false'}),
        readonly.delete('/systemsettings/%s' % SETTING),
    ]
    for response in writes:
        assert response.status_code == 403
        assert 'does not have permission' in response.json()['message']
    assert len(sim.state['connectors']) == 1
    assert sim.state['settings'][SETTING] == 'true'


def test_seeded_api_keys_replace_the_defaults(sim, client_factory):
    sim.reset({'api_keys': [{'key': 'k-1', 'role': 'readonly', 'name': 'ci'}]})
    assert client_factory(key=FULL_KEY).get('/awsconnectors').status_code == 401
    client = client_factory(key='k-1', style='secret')
    current = client.get('/apikeys/current').json()
    assert current['keyName'] == 'ci'
    assert current['roleID'] == 2
    assert client.post('/awsconnectors', {'useInstanceRole': True}).status_code == 403


def test_current_api_key(api, client_factory):
    full = api.get('/apikeys/current')
    assert full.status_code == 200
    body = full.json()
    assert body['roleID'] == 1 and body['active'] is True and 'secretKey' not in body
    assert client_factory(key=READONLY_KEY).get('/apikeys/current').json()['roleID'] == 2
    modified = api.post('/apikeys/current', {'description': 'rollout'})
    assert modified.status_code == 200 and modified.json()['description'] == 'rollout'


def test_unknown_routes_and_methods_answer_json(sim, api):
    response = api.get('/nothing/here')
    assert response.status_code == 404 and 'message' in response.json()
    response = api.call('PUT', '/awsconnectors')
    assert response.status_code == 405 and 'message' in response.json()
    response = api.get('/awsconnectors/search')
    assert response.status_code == 405
    outside = requests.get(sim.base + '/elsewhere', timeout=5)
    assert outside.status_code == 404 and outside.headers['Content-Type'] == 'application/json'
    assert 'message' in outside.json()


def test_invalid_json_body_is_400(api):
    response = api.call('POST', '/awsconnectors', data='{not json', headers={'Content-Type': 'application/json'})
    assert response.status_code == 400
    assert 'Invalid JSON' in response.json()['message']
    assert api.post('/awsconnectors').status_code == 400
    assert api.post('/awsconnectors', ['a list']).status_code == 400


def test_keep_alive_with_content_length(sim):
    connection = http.client.HTTPConnection('127.0.0.1', sim.port, timeout=5)
    headers = {'api-version': 'v1', 'Authorization': 'ApiKey %s' % FULL_KEY, 'Content-Type': 'application/json'}
    try:
        for method, path, body in [('GET', '/api/awsconnectorsettings', None), ('GET', '/api/awsconnectors/99', None),
                                   ('POST', '/api/awsconnectors', json.dumps({'useInstanceRole': True})),
                                   ('DELETE', '/api/awsconnectors/1', None), ('GET', '/api/missing', None)]:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            assert int(response.getheader('Content-Length')) == len(payload)
            assert response.getheader('Content-Type') == 'application/json'
            assert not response.will_close
        assert sim.state['connectors'] == []
    finally:
        connection.close()


# ----------------------------------------------------------------------------- connectors

def test_create_role_connector(sim, api):
    created = create_role_connector(api, 111111111111, displayName='prod', accountAlias='prod-alias', seedRegion='eu-west-1',
                                    secretKey='ignored-secret')
    assert created['ID'] == 1
    assert created['accountId'] == '111111111111'
    assert created['crossAccountRoleArn'] == role_arn(111111111111)
    assert created['displayName'] == 'prod' and created['accountAlias'] == 'prod-alias'
    assert created['useInstanceRole'] is False and created['workspacesEnabled'] is False
    assert 'secretKey' not in created and 'externalId' not in created and 'lastSyncTime' not in created
    internal = sim.state['connectors'][0]
    assert internal['external_id'] == sim.manager_external_id
    assert internal['external_id_source'] == 'manager'
    assert api.get('/awsconnectors/1').json() == created


def test_create_access_key_and_instance_role_connectors(api):
    key_connector = api.post('/awsconnectors', {'accessKey': 'AKIAEXAMPLE', 'secretKey': 'shh', 'accountId': '222222222222'})
    assert key_connector.status_code == 200
    body = key_connector.json()
    assert body['accessKey'] == 'AKIAEXAMPLE' and body['accountId'] == '222222222222'
    assert 'secretKey' not in body and 'shh' not in key_connector.text
    instance = api.post('/awsconnectors', {'useInstanceRole': True, 'displayName': 'dsm'})
    assert instance.status_code == 200 and instance.json()['useInstanceRole'] is True
    listed = api.get('/awsconnectors').json()['awsConnectors']
    assert [c['ID'] for c in listed] == [1, 2]
    assert all('secretKey' not in c for c in listed)


@pytest.mark.parametrize('body, fragment', [
    ({'displayName': 'nothing'}, 'is required'),
    ({'accessKey': 'AKIA'}, 'secretKey is required'),
    ({'crossAccountRoleArn': 'arn:aws:iam::1234:role/short'}, 'not an IAM role ARN'),
    ({'crossAccountRoleArn': 'arn:aws:iam::123456789012:user/bob'}, 'not an IAM role ARN'),
    ({'crossAccountRoleArn': role_arn(1), 'accessKey': 'AKIA', 'secretKey': 's'}, 'only one'),
    ({'crossAccountRoleArn': 42}, 'string'),
    ({'useInstanceRole': 'yes'}, 'true or false'),
])
def test_create_validation(api, body, fragment):
    response = api.post('/awsconnectors', body)
    assert response.status_code == 400
    assert fragment in response.json()['message']


def test_ids_increase_and_are_never_reused(api):
    assert create_role_connector(api, 1)['ID'] == 1
    assert create_role_connector(api, 2)['ID'] == 2
    assert api.delete('/awsconnectors/2').status_code == 200
    assert create_role_connector(api, 3)['ID'] == 3
    assert [c['ID'] for c in api.get('/awsconnectors').json()['awsConnectors']] == [1, 3]


def test_describe_missing_is_404(api):
    response = api.get('/awsconnectors/42')
    assert response.status_code == 404
    assert 'does not exist' in response.json()['message']


def test_modify_leaves_unset_properties(api):
    create_role_connector(api, 5, displayName='before', accountAlias='alias', seedRegion='us-west-2')
    response = api.post('/awsconnectors/1', {'displayName': 'after', 'workspacesEnabled': True})
    assert response.status_code == 200
    body = response.json()
    assert body['displayName'] == 'after' and body['workspacesEnabled'] is True
    assert body['accountAlias'] == 'alias' and body['seedRegion'] == 'us-west-2'
    assert body['crossAccountRoleArn'] == role_arn(5)
    assert api.get('/awsconnectors/1').json() == body


def test_modify_missing_is_404(api):
    response = api.post('/awsconnectors/7', {'displayName': 'x'})
    assert response.status_code == 404 and 'message' in response.json()


def test_modify_to_another_account_is_refused(sim, api):
    create_role_connector(api, 5)
    response = api.post('/awsconnectors/1', {'crossAccountRoleArn': role_arn(6)})
    assert response.status_code == 400
    assert sim.state['connectors'][0]['crossAccountRoleArn'] == role_arn(5)


def test_switch_to_manager_id_without_iam(sim, api):
    seeded = sim.add_connector({'crossAccountRoleArn': role_arn(7), 'externalId': 'legacy-id', 'displayName': 'old'})
    assert seeded['external_id'] == 'legacy-id' and seeded['external_id_source'] == 'user'
    # A modify that does not send the ARN keeps the ID.
    assert api.post('/awsconnectors/1', {'displayName': 'renamed'}).status_code == 200
    assert sim.state['connectors'][0]['external_id'] == 'legacy-id'
    # Sending the same ARN and no external ID moves the connector to the manager-defined ID.
    response = api.post('/awsconnectors/1', {'crossAccountRoleArn': role_arn(7)}, params={'sync': 'true'})
    assert response.status_code == 200
    assert response.json()['displayName'] == 'renamed'
    state = sim.state['connectors'][0]
    assert state['external_id'] == sim.manager_external_id and state['external_id_source'] == 'manager'


def test_sync_sets_strictly_increasing_last_sync_time(api):
    create_role_connector(api, 8, seedRegion='ap-southeast-2')
    times = []
    for dummy in range(5):
        response = api.post('/awsconnectors/1', {}, params={'sync': 'true'})
        assert response.status_code == 200
        times.append(response.json()['lastSyncTime'])
    assert times == sorted(set(times))
    assert abs(times[-1] - time.time() * 1000) < 60000
    regions = api.get('/awsconnectors/1').json()['syncedRegions']
    assert regions == [{'region': 'ap-southeast-2', 'computersSynced': 0, 'workspacesSynced': 0}]
    unchanged = api.post('/awsconnectors/1', {'displayName': 'x'}, params={'sync': 'false'}).json()
    assert unchanged['lastSyncTime'] == times[-1]


def test_sync_parameter_must_be_boolean(api):
    create_role_connector(api, 8)
    response = api.post('/awsconnectors/1', {}, params={'sync': 'maybe'})
    assert response.status_code == 400


def test_create_with_sync_and_sync_on_create(sim, api):
    assert 'lastSyncTime' not in create_role_connector(api, 1)
    sim.configure(create_sync='honour')
    synced = api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(2)}, params={'sync': 'true'}).json()
    assert synced['lastSyncTime'] > 0
    sim.configure(sync_on_create=True)
    # The manager's clock counts milliseconds: two connectors synced within one may show the same time.
    assert create_role_connector(api, 3)['lastSyncTime'] >= synced['lastSyncTime']


def test_asynchronous_sync_delay(sim, api):
    sim.configure(sync_delay=0.4)
    create_role_connector(api, 9)
    response = api.post('/awsconnectors/1', {}, params={'sync': 'true'})
    assert response.status_code == 200
    assert 'lastSyncTime' not in response.json()
    assert 'lastSyncTime' not in api.get('/awsconnectors/1').json()
    deadline = time.time() + 5
    while time.time() < deadline and 'lastSyncTime' not in api.get('/awsconnectors/1').json():
        time.sleep(0.05)
    assert api.get('/awsconnectors/1').json()['lastSyncTime'] > 0


def test_delete(api, sim):
    create_role_connector(api, 1)
    response = api.delete('/awsconnectors/1')
    assert response.status_code == 200
    assert response.content == b''
    assert api.get('/awsconnectors/1').status_code == 404
    missing = api.delete('/awsconnectors/1')
    assert missing.status_code == 404 and 'message' in missing.json()
    sim.configure(delete_missing_status=200, delete_empty_body=False)
    missing = api.delete('/awsconnectors/1')
    assert missing.status_code == 200 and missing.json() == {}


def test_expose_external_id(sim, api):
    sim.add_connector({'crossAccountRoleArn': role_arn(1), 'externalId': 'user-defined'})
    create_role_connector(api, 2)
    sim.add_connector({'accessKey': 'AKIA', 'accountId': '333333333333'})

    def views():
        return [api.get('/awsconnectors').json()['awsConnectors'], [api.get('/awsconnectors/%d' % i).json() for i in (1, 2, 3)],
                api.post('/awsconnectors/search', {'sortByObjectID': True}).json()['awsConnectors']]

    for view in views():
        assert all('externalId' not in connector for connector in view)
    sim.configure(expose_external_id=True)
    for view in views():
        assert [c.get('externalId') for c in view] == ['user-defined', sim.manager_external_id, None]
    assert create_role_connector(api, 4)['externalId'] == sim.manager_external_id
    # Hidden while retrieval and viewing of the external ID is disabled.
    api.post('/systemsettings/%s' % SETTING, {'value': 'false'})
    for view in views():
        assert all('externalId' not in connector for connector in view)


def test_duplicate_accounts(sim, api):
    create_role_connector(api, 1)
    assert api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(1, 'other')}).status_code == 200
    sim.configure(duplicate_account_status=409)
    response = api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(1, 'third')})
    assert response.status_code == 409 and 'already exists' in response.json()['message']


def test_external_id_in_body(sim, api):
    create_role_connector(api, 1, externalId='ignored')
    assert sim.state['connectors'][0]['external_id'] == sim.manager_external_id
    sim.configure(accept_external_id_in_body=True)
    create_role_connector(api, 2, externalId='chosen')
    assert sim.state['connectors'][1]['external_id'] == 'chosen'
    assert sim.state['connectors'][1]['external_id_source'] == 'user'


# ----------------------------------------------------------------------------- search

def seed_many(sim, count, **extra):
    """Seed ``count`` role connectors with display names in reverse ID order."""
    documents = []
    for index in range(1, count + 1):
        document = {'crossAccountRoleArn': role_arn(index), 'displayName': 'conn-%05d' % (count - index)}
        document.update(extra)
        documents.append(document)
    return sim.add_connectors(documents)


def search(api, criteria=None, **filters):
    """POST /awsconnectors/search; returns the connector IDs."""
    body = dict(filters)
    if criteria is not None:
        body['searchCriteria'] = criteria
    response = api.post('/awsconnectors/search', body)
    assert response.status_code == 200, response.text
    return [c['ID'] for c in response.json()['awsConnectors']]


def test_search_without_body_returns_everything(sim, api):
    seed_many(sim, 3)
    response = api.call('POST', '/awsconnectors/search')
    assert response.status_code == 200
    assert len(response.json()['awsConnectors']) == 3


def test_search_max_items(sim, api):
    seed_many(sim, 5001)
    assert len(search(api)) == 5000
    assert len(search(api, maxItems=7000)) == 5000
    assert search(api, maxItems=0) == []
    assert search(api, maxItems=3, sortByObjectID=True) == [1, 2, 3]
    assert api.post('/awsconnectors/search', {'maxItems': -1}).status_code == 400


def test_search_default_order_and_sort_by_id(sim, api):
    seed_many(sim, 5)
    assert search(api) == [5, 4, 3, 2, 1]  # by display name when not sorted by ID
    assert search(api, sortByObjectID=True) == [1, 2, 3, 4, 5]
    sim.configure(unsorted_search_order='id')
    assert search(api) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize('test, expected', [
    ('less-than', [1, 2, 3, 4]),
    ('less-than-or-equal', [1, 2, 3, 4, 5]),
    ('equal', [5]),
    ('greater-than-or-equal', [5, 6, 7, 8]),
    ('greater-than', [6, 7, 8]),
    ('not-equal', [1, 2, 3, 4, 6, 7, 8]),
])
def test_search_id_tests(sim, api, test, expected):
    seed_many(sim, 8)
    assert search(api, [{'idTest': test, 'idValue': 5}], sortByObjectID=True) == expected


def test_search_paging_with_greater_than(sim, api):
    seed_many(sim, 25)
    api.delete('/awsconnectors/12')
    seen, last, pages = [], 0, 0
    while True:
        page = search(api, [{'idTest': 'greater-than', 'idValue': last}], maxItems=10, sortByObjectID=True)
        pages += 1
        seen.extend(page)
        if len(page) < 10:
            break
        last = page[-1]
    assert seen == [i for i in range(1, 26) if i != 12]
    assert pages == 3


def test_search_string_wildcards_default_true(sim, api):
    sim.add_connectors([{'crossAccountRoleArn': role_arn(1, 'swp_role')}, {'crossAccountRoleArn': role_arn(2, 'swpXrole')},
                        {'crossAccountRoleArn': role_arn(3, 'other')}])
    arn = role_arn(1, 'swp_role')
    assert search(api, [{'fieldName': 'crossAccountRoleArn', 'stringValue': arn}], sortByObjectID=True) == [1]
    # "_" is a wildcard unless stringWildcards is false
    assert search(api, [{'fieldName': 'crossAccountRoleArn', 'stringValue': '%:role/swp_role'}], sortByObjectID=True) == [1, 2]
    assert search(api, [{'fieldName': 'crossAccountRoleArn', 'stringValue': '%:role/swp_role', 'stringWildcards': False}]) == []
    assert search(api, [{'fieldName': 'crossAccountRoleArn', 'stringTest': 'equal', 'stringValue': arn, 'stringWildcards': False}]) == [1]
    assert search(api, [{'fieldName': 'crossAccountRoleArn', 'stringValue': 'arn:aws:iam::%'}], sortByObjectID=True) == [1, 2, 3]
    assert search(api, [{'fieldName': 'crossAccountRoleArn', 'stringTest': 'not-equal', 'stringValue': '%swp%'}]) == [3]


def test_search_case_sensitivity(sim, api):
    sim.configure(search_fields='any')  # displayName and numeric tests on lastSyncTime: beyond the spec's reading
    sim.add_connectors([{'crossAccountRoleArn': role_arn(1), 'displayName': 'Prod'}])
    assert search(api, [{'fieldName': 'displayName', 'stringValue': 'prod'}]) == []
    sim.configure(search_case_insensitive=True)
    assert search(api, [{'fieldName': 'displayName', 'stringValue': 'prod'}]) == [1]


def test_search_criteria_are_anded(sim, api):
    sim.add_connectors([
        {'crossAccountRoleArn': role_arn(1), 'workspacesEnabled': True, 'accountAlias': 'a'},
        {'crossAccountRoleArn': role_arn(2), 'workspacesEnabled': False, 'accountAlias': 'a'},
        {'crossAccountRoleArn': role_arn(3), 'workspacesEnabled': True},
    ])
    assert search(api, [{'fieldName': 'workspacesEnabled', 'booleanTest': True}], sortByObjectID=True) == [1, 3]
    assert search(api, [{'fieldName': 'workspacesEnabled', 'booleanTest': True},
                        {'fieldName': 'accountAlias', 'stringValue': 'a'}]) == [1]
    assert search(api, [{'fieldName': 'accountAlias', 'nullTest': True}]) == [3]
    assert search(api, [{'fieldName': 'ID', 'numericTest': 'greater-than', 'numericValue': 1},
                        {'idTest': 'less-than', 'idValue': 3}]) == [2]


def test_search_numeric_and_date_on_last_sync_time(sim, api):
    sim.configure(search_fields='any')  # displayName and numeric tests on lastSyncTime: beyond the spec's reading
    sim.add_connectors([{'crossAccountRoleArn': role_arn(1), 'lastSyncTime': 1000},
                        {'crossAccountRoleArn': role_arn(2), 'lastSyncTime': 2000},
                        {'crossAccountRoleArn': role_arn(3)}])
    assert search(api, [{'fieldName': 'lastSyncTime', 'numericTest': 'greater-than-or-equal', 'numericValue': 1500}]) == [2]
    assert search(api, [{'fieldName': 'lastSyncTime', 'firstDateValue': 1000, 'firstDateInclusive': False}]) == [2]
    assert search(api, [{'fieldName': 'lastSyncTime', 'lastDateValue': 2000}], sortByObjectID=True) == [1, 2]


@pytest.mark.parametrize('criterion', [
    {'fieldName': 'nope', 'stringValue': 'x'},
    {'fieldName': 'displayName'},
    {'fieldName': 'displayName', 'stringTest': 'contains', 'stringValue': 'x'},
    {'fieldName': 'displayName', 'stringTest': 'equal'},
    {'fieldName': 'workspacesEnabled', 'stringValue': 'x'},
    {'fieldName': 'displayName', 'booleanTest': True},
    {'fieldName': 'displayName', 'choiceTest': 'equal', 'choiceValue': 'x'},
    {'idTest': 'greater-than'},
    {'idTest': 'between', 'idValue': 1},
    {'stringValue': 'no field'},
])
@pytest.mark.parametrize('fields', ['any', 'documented'])
def test_search_bad_criteria_are_400(sim, api, criterion, fields):
    sim.configure(search_fields=fields)
    response = api.post('/awsconnectors/search', {'searchCriteria': [criterion]})
    assert response.status_code == 400
    assert 'message' in response.json()


# ----------------------------------------------------------------------------- settings

def test_external_id_retrieval_setting(sim, api):
    assert api.get('/systemsettings/%s' % SETTING).json() == {'value': 'true'}
    assert api.post('/systemsettings/%s' % SETTING, {'value': 'false'}).json() == {'value': 'false'}
    assert api.get('/systemsettings/%s' % SETTING).json() == {'value': 'false'}
    refused = api.get('/awsconnectorsettings')
    assert refused.status_code == 403
    assert refused.json()['message'].startswith('Retrieval of the AWS external ID is disabled')
    assert api.delete('/systemsettings/%s' % SETTING).json() == {'value': 'true'}
    assert api.get('/awsconnectorsettings').json() == {'externalId': sim.manager_external_id}


def test_settings_validation_and_unknown_names(api):
    for method in ('GET', 'POST', 'DELETE'):
        response = api.call(method, '/systemsettings/noSuchSetting', body={'value': 'x'} if method == 'POST' else None)
        assert response.status_code == 404
        assert 'does not exist' in response.json()['message']
    assert api.post('/systemsettings/%s' % SETTING, {'value': 'maybe'}).status_code == 400
    assert api.post('/systemsettings/%s' % SETTING, {'value': False}).status_code == 400
    assert api.post('/systemsettings/%s' % SETTING, {'value': 'FALSE'}).json() == {'value': 'false'}
    assert api.get('/systemsettings/platformSettingUserPasswordLengthMin').json() == {'value': '8'}
    assert api.post('/systemsettings/platformSettingUserPasswordLengthMin', {'value': 'ten'}).status_code == 400
    assert api.get('/systemsettings/platformSettingApiSoapWebServiceEnabled').json() == {'value': 'false'}


def test_seeded_settings(sim, api):
    sim.reset({'settings': {SETTING: 'false', 'customSetting': 'abc'}})
    assert api.get('/awsconnectorsettings').status_code == 403
    assert api.get('/systemsettings/customSetting').json() == {'value': 'abc'}
    assert api.delete('/systemsettings/%s' % SETTING).json() == {'value': 'true'}


# ----------------------------------------------------------------------------- control API and Python API

def test_control_api(sim):
    base = sim.base + '/_sim'
    assert requests.get(base + '/health', timeout=5).json()['status'] == 'ok'
    created = requests.post(base + '/connectors', json={'crossAccountRoleArn': role_arn(4), 'externalId': 'u-1'}, timeout=5).json()
    assert created['ID'] == 1 and created['external_id'] == 'u-1' and created['accountId'] == '000000000004'
    bulk = requests.post(base + '/connectors', json=[{'useInstanceRole': True}, {'crossAccountRoleArn': role_arn(5)}], timeout=5).json()
    assert [c['ID'] for c in bulk['connectors']] == [2, 3]
    state = requests.get(base + '/state', timeout=5).json()
    assert [c['external_id'] for c in state['connectors']] == ['u-1', None, state['manager_external_id']]
    assert state['config']['rate_limit'] == 500
    config = requests.post(base + '/config', json={'expose_external_id': True}, timeout=5)
    assert config.status_code == 200 and config.json()['expose_external_id'] is True
    assert config.json()['aws_secret_access_key'] == '********'
    assert requests.post(base + '/config', json={'no_such_option': 1}, timeout=5).status_code == 400
    assert requests.post(base + '/config', json={'rate_limit': 'many'}, timeout=5).status_code == 400
    reset = requests.post(base + '/reset', json={'manager_external_id': 'mgr-1', 'config': {'rate_limit': 7}}, timeout=5).json()
    assert reset['manager_external_id'] == 'mgr-1' and reset['connectors'] == [] and reset['config']['rate_limit'] == 7
    assert reset['config']['expose_external_id'] is False
    assert requests.post(base + '/reset', json={'bogus': 1}, timeout=5).status_code == 400
    assert requests.get(base + '/nothing', timeout=5).status_code == 404
    # a reset without a body goes back to the startup seed (empty here)
    assert requests.post(base + '/reset', timeout=5).json()['manager_external_id'] != 'mgr-1'


def test_python_api_defaults_and_errors():
    with pytest.raises(ConfigError):
        Simulator(no_such_option=True)
    with Simulator(seed={'manager_external_id': 'm-1', 'connectors': [{'crossAccountRoleArn': role_arn(1), 'ID': 40}]}) as sim:
        assert sim.url == sim.base + '/api' and sim.url.startswith('http://127.0.0.1:')
        assert sim.manager_external_id == 'm-1'
        state = sim.state
        assert [c['ID'] for c in state['connectors']] == [40] and state['next_id'] == 41
        assert {k['role'] for k in state['api_keys']} == {'full', 'readonly'}
        assert FULL_KEY not in json.dumps(state) and READONLY_KEY not in json.dumps(state)
        sim.reset({'connectors': []})
        assert sim.state['connectors'] == []
        sim.reset()
        assert sim.state['manager_external_id'] == 'm-1' and len(sim.state['connectors']) == 1
    generated = Simulator().state['manager_external_id']
    assert len(generated) == 36 and generated.count('-') == 4
