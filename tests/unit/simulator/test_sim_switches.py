"""The switches for what the public record leaves open (issue 8), each on both sides, and the profiles naming them."""

from __future__ import annotations

import time

import pytest

requests = pytest.importorskip('requests')

try:
    from ansible_collections.swp.aws.tests.simulator import ConfigError, Simulator
    from ansible_collections.swp.aws.tests.simulator.config import DEFAULT_CONFIG, PROFILES
    from ansible_collections.swp.aws.tests.simulator.faults import RateLimiter
    from ansible_collections.swp.aws.tests.simulator.server import Result
except ImportError:
    from tests.simulator import ConfigError, Simulator
    from tests.simulator.config import DEFAULT_CONFIG, PROFILES
    from tests.simulator.faults import RateLimiter
    from tests.simulator.server import Result

READONLY_KEY = 'sim-readonly-key'
MANAGER_ID = 'mgr-switches-external-id'
USER_ID = 'user-defined-legacy-id'


def role_arn(account, name='swp-connector'):
    """A role ARN in ``account``."""
    return 'arn:aws:iam::%012d:role/%s' % (int(account), name)


def search(api, *criteria, **extra):
    """POST /awsconnectors/search with these criteria."""
    body = {'searchCriteria': list(criteria)}
    body.update(extra)
    return api.post('/awsconnectors/search', body)


def wait_until(predicate, timeout=5.0):
    """Poll ``predicate`` until it is true or the timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


# ----------------------------------------------------------------------------- profiles

def test_documented_profile_is_the_default():
    assert DEFAULT_CONFIG['profile'] == 'documented'
    sim = Simulator()
    assert sim.config['profile'] == 'documented'
    assert sim.config['search_fields'] == 'documented' and sim.config['max_items_excess'] == 'cap'
    assert sim.config['refusal_status'] == 400 and sim.config['refusal_message'] == 'with_arn'
    assert sim.config['sync_mode'] == 'inline' and sim.config['error_body'] == 'message'


def test_strict_profile_sets_its_switches_together():
    config = Simulator(profile='strict').config
    assert config['profile'] == 'strict'
    assert config['search_fields'] == 'documented'
    assert config['refusal_status'] == 403 and config['refusal_message'] == 'without_arn'
    assert config['sync_mode'] == 'async' and config['sync_delay'] > 0
    assert config['error_body'] == 'legacy'
    assert config['create_sync'] == 'refuse' and config['max_items_excess'] == 'refuse'


def test_explicit_switches_override_the_profile():
    config = Simulator(profile='strict', sync_mode='inline', sync_delay=0, error_body='html').config
    assert config['sync_mode'] == 'inline' and config['sync_delay'] == 0 and config['error_body'] == 'html'
    assert config['refusal_status'] == 403


@pytest.mark.parametrize('name', sorted(PROFILES))
def test_every_profile_is_valid(name):
    assert Simulator(profile=name).config['profile'] == name


def test_unknown_profile_or_switch_value_is_refused(sim):
    with pytest.raises(ConfigError):
        Simulator(profile='lenient-ish')
    for bad in ({'profile': 'nope'}, {'search_fields': 'some'}, {'refusal_status': 404}, {'sync_mode': 'later'},
                {'error_body': 'xml'}, {'create_sync': 'maybe'}, {'tenant_rate_limit': -1}, {'max_items_excess': 'x'},
                {'refusal_message': 'loud'}):
        assert requests.post(sim.base + '/_sim/config', json=bad, timeout=5).status_code == 400, bad


def test_profile_through_the_reset_body_and_back(sim):
    state = requests.post(sim.base + '/_sim/reset', json={'config': {'profile': 'strict', 'sync_delay': 0.3}}, timeout=5).json()
    assert state['config']['profile'] == 'strict' and state['config']['refusal_status'] == 403
    assert state['config']['sync_delay'] == 0.3
    # no body: the startup seed, so the constructor's profile (the default here)
    state = requests.post(sim.base + '/_sim/reset', timeout=5).json()
    assert state['config']['profile'] == 'documented' and state['config']['refusal_status'] == 400


def test_profile_given_to_the_constructor_survives_resets():
    with Simulator(profile='strict', rate_limit=0) as sim:
        state = requests.post(sim.base + '/_sim/reset', json={'config': {'expose_external_id': True}}, timeout=5).json()
        assert state['config']['profile'] == 'strict' and state['config']['expose_external_id'] is True
        assert sim.reset({})['config']['error_body'] == 'legacy'


def test_configure_profile_keeps_explicit_options(sim):
    sim.configure(sync_mode='never')
    config = sim.configure(profile='strict')
    assert config['sync_mode'] == 'never' and config['error_body'] == 'legacy'
    config = sim.configure(profile='documented')
    assert config['sync_mode'] == 'never' and config['error_body'] == 'message'


# ----------------------------------------------------------------------------- 1. searchable fields

NOT_SEARCHABLE = [
    {'fieldName': 'displayName', 'stringTest': 'equal', 'stringValue': 'x'},
    {'fieldName': 'useInstanceRole', 'booleanTest': True},
    {'fieldName': 'secretKey', 'stringTest': 'equal', 'stringValue': 'x'},
    {'fieldName': 'syncedRegions', 'nullTest': True},
    {'fieldName': 'displayName', 'nullTest': False},
    {'fieldName': 'externalId', 'stringTest': 'equal', 'stringValue': 'x'},
]

SEARCHABLE = [
    {'fieldName': 'accountId', 'stringTest': 'equal', 'stringValue': '000000000001', 'stringWildcards': False},
    {'fieldName': 'accountAlias', 'stringTest': 'equal', 'stringValue': 'one'},
    {'fieldName': 'accessKey', 'stringTest': 'not-equal', 'stringValue': 'AKIA%'},
    {'fieldName': 'seedRegion', 'stringTest': 'equal', 'stringValue': 'us-east-1'},
    {'fieldName': 'crossAccountRoleArn', 'stringTest': 'equal', 'stringValue': role_arn(1), 'stringWildcards': False},
    {'fieldName': 'lastSyncTime', 'firstDateValue': 1000, 'lastDateValue': 5000},
    {'fieldName': 'workspacesEnabled', 'booleanTest': False},
    {'fieldName': 'ID', 'numericTest': 'equal', 'numericValue': 1},
    {'idTest': 'greater-than', 'idValue': 0},
    {'fieldName': 'accountAlias', 'nullTest': False},
]


@pytest.fixture
def one_connector(sim):
    """One role connector in account 1, alias "one", synced at 2000."""
    sim.add_connector({'crossAccountRoleArn': role_arn(1), 'accountAlias': 'one', 'displayName': 'first',
                       'seedRegion': 'us-east-1', 'lastSyncTime': 2000})
    return sim


@pytest.mark.parametrize('criterion', NOT_SEARCHABLE, ids=lambda c: c['fieldName'])
def test_documented_search_fields_refuse_unsearchable(one_connector, api, criterion):
    one_connector.configure(search_fields='documented')
    response = search(api, criterion)
    assert response.status_code == 400
    assert response.json() == {'message': 'Invalid SearchFilter: unknown fieldName: %s' % criterion['fieldName']}


@pytest.mark.parametrize('criterion', NOT_SEARCHABLE[:2], ids=lambda c: c['fieldName'])
def test_any_search_fields_accept_them(one_connector, api, criterion):
    one_connector.configure(search_fields='any')
    response = search(api, criterion)
    assert response.status_code == 200 and response.json() == {'awsConnectors': []}


def test_any_search_fields_find_by_display_name(one_connector, api):
    one_connector.configure(search_fields='any')
    found = search(api, {'fieldName': 'displayName', 'stringTest': 'equal', 'stringValue': 'first'}).json()['awsConnectors']
    assert [c['ID'] for c in found] == [1]


@pytest.mark.parametrize('mode', ['documented', 'any'])
@pytest.mark.parametrize('criterion', SEARCHABLE, ids=lambda c: c.get('fieldName', 'idTest'))
def test_documented_searchable_fields_work_in_both_modes(one_connector, api, mode, criterion):
    one_connector.configure(search_fields=mode)
    response = search(api, criterion)
    assert response.status_code == 200, response.text
    assert [c['ID'] for c in response.json()['awsConnectors']] == [1]


@pytest.mark.parametrize('criterion', [
    {'fieldName': 'lastSyncTime', 'numericTest': 'greater-than', 'numericValue': 0},
    {'fieldName': 'accountId', 'booleanTest': True},
], ids=['numeric-on-date', 'boolean-on-string'])
def test_documented_search_fields_take_only_their_type(one_connector, api, criterion):
    one_connector.configure(search_fields='documented')
    response = search(api, criterion)
    assert response.status_code == 400 and 'searchable as' in response.json()['message']
    one_connector.configure(search_fields='any')
    expected = 200 if 'numericTest' in criterion else 400
    assert search(api, criterion).status_code == expected


# ----------------------------------------------------------------------------- 2. refused create or modify

@pytest.fixture
def iam_sim(sim, moto_url):
    """The shared simulator checking trust policies in moto, with a known manager ID."""
    sim.reset({'manager_external_id': MANAGER_ID, 'config': {'iam_endpoint_url': moto_url}})
    return sim


@pytest.mark.parametrize('wording', ['with_arn', 'without_arn'])
@pytest.mark.parametrize('status', [400, 403, 500])
def test_refusal_status_and_wording(iam_sim, api, moto_iam, make_trust, status, wording):
    iam_sim.configure(refusal_status=status, refusal_message=wording)
    arn = moto_iam.create_role('444444444444', make_trust(USER_ID))
    # create
    refused = api.post('/awsconnectors', {'crossAccountRoleArn': arn})
    assert refused.status_code == status
    message = refused.json()['message']
    assert 'Unable to assume' in message and "check the role's trust policy" in message
    assert (arn in message) is (wording == 'with_arn')
    assert (MANAGER_ID in message) is (wording == 'with_arn')
    assert iam_sim.state['connectors'] == []
    # modify (the switch to the manager-defined ID): refused the same way, connector unchanged
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': USER_ID, 'displayName': 'legacy'})
    refused = api.post('/awsconnectors/1', {'crossAccountRoleArn': arn, 'displayName': 'renamed'})
    assert refused.status_code == status
    assert (arn in refused.json()['message']) is (wording == 'with_arn')
    assert USER_ID not in refused.json()['message']
    connector = iam_sim.state['connectors'][0]
    assert connector['external_id'] == USER_ID and connector['displayName'] == 'legacy'


def test_refusal_without_arn_also_words_a_refused_sync(iam_sim, api, moto_iam, make_trust):
    iam_sim.configure(refusal_message='without_arn')
    arn = moto_iam.create_role('444444444444', make_trust(MANAGER_ID))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': USER_ID})
    refused = api.post('/awsconnectors/1', {}, params={'sync': 'true'})
    assert refused.status_code == 400  # sync_failure_status
    assert arn not in refused.json()['message'] and USER_ID not in refused.json()['message']


def test_accepted_switch_is_not_affected_by_the_refusal_switches(iam_sim, api, moto_iam, make_trust):
    iam_sim.configure(refusal_status=403, refusal_message='without_arn')
    arn = moto_iam.create_role('444444444444', make_trust([USER_ID, MANAGER_ID]))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': USER_ID})
    assert api.post('/awsconnectors/1', {'crossAccountRoleArn': arn}).status_code == 200
    assert iam_sim.state['connectors'][0]['external_id'] == MANAGER_ID


# ----------------------------------------------------------------------------- 3. sync modes

@pytest.fixture
def legacy(sim):
    """One role connector last synced at 1000."""
    sim.add_connector({'crossAccountRoleArn': role_arn(5), 'externalId': USER_ID, 'lastSyncTime': 1000})
    return sim


def test_sync_inline_answers_after_the_sync(legacy, api):
    legacy.configure(sync_mode='inline')
    answer = api.post('/awsconnectors/1', {}, params={'sync': 'true'}).json()
    assert answer['lastSyncTime'] > 1000 and answer['syncedRegions']


def test_sync_false_or_absent_never_syncs(legacy, api):
    assert api.post('/awsconnectors/1', {}, params={'sync': 'false'}).json()['lastSyncTime'] == 1000
    assert api.post('/awsconnectors/1', {'displayName': 'x'}).json()['lastSyncTime'] == 1000


def test_sync_async_answers_first_then_advances(legacy, api):
    legacy.configure(sync_mode='async', sync_delay=0.3)
    started = time.monotonic()
    answer = api.post('/awsconnectors/1', {}, params={'sync': 'true'}).json()
    assert answer['lastSyncTime'] == 1000
    assert api.get('/awsconnectors/1').json()['lastSyncTime'] == 1000
    assert wait_until(lambda: api.get('/awsconnectors/1').json()['lastSyncTime'] > 1000)
    assert time.monotonic() - started >= 0.3


def test_sync_async_with_no_delay_still_answers_before_the_sync(legacy, api):
    legacy.configure(sync_mode='async', sync_delay=0)
    assert api.post('/awsconnectors/1', {}, params={'sync': 'true'}).json()['lastSyncTime'] == 1000
    assert wait_until(lambda: api.get('/awsconnectors/1').json()['lastSyncTime'] > 1000)


def test_sync_delay_alone_still_means_async(legacy, api):
    legacy.configure(sync_delay=0.2)
    assert legacy.store.sync_mode() == 'async'
    assert api.post('/awsconnectors/1', {}, params={'sync': 'true'}).json()['lastSyncTime'] == 1000
    assert wait_until(lambda: api.get('/awsconnectors/1').json()['lastSyncTime'] > 1000)


@pytest.mark.parametrize('delay', [0, 0.1])
def test_sync_never_answers_200_and_never_syncs(legacy, api, delay):
    legacy.configure(sync_mode='never', sync_delay=delay)
    answer = api.post('/awsconnectors/1', {'displayName': 'renamed'}, params={'sync': 'true'})
    assert answer.status_code == 200
    assert answer.json()['displayName'] == 'renamed' and answer.json()['lastSyncTime'] == 1000
    time.sleep(0.4)
    assert api.get('/awsconnectors/1').json()['lastSyncTime'] == 1000


def test_sync_never_still_checks_a_switch(iam_sim, api, moto_iam, make_trust):
    iam_sim.configure(sync_mode='never')
    arn = moto_iam.create_role('555555555555', make_trust(USER_ID))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': USER_ID, 'lastSyncTime': 1000})
    assert api.post('/awsconnectors/1', {'crossAccountRoleArn': arn}, params={'sync': 'true'}).status_code == 400
    # a sync the manager cannot do is not reported in this mode either: 200, nothing moves
    assert api.post('/awsconnectors/1', {}, params={'sync': 'true'}).status_code == 200
    assert iam_sim.state['connectors'][0]['lastSyncTime'] == 1000


def test_create_sync_ignored(sim, api):
    sim.configure(create_sync='ignore')
    created = api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(6)}, params={'sync': 'true'})
    assert created.status_code == 200 and 'lastSyncTime' not in created.json()
    # ignored means not even parsed
    assert api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(7)}, params={'sync': 'soon'}).status_code == 200


def test_create_sync_refused(sim, api):
    sim.configure(create_sync='refuse')
    refused = api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(6)}, params={'sync': 'true'})
    assert refused.status_code == 400 and 'sync' in refused.json()['message']
    assert sim.state['connectors'] == []
    assert api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(6)}).status_code == 200


def test_create_sync_honoured_follows_the_sync_mode(sim, api):
    sim.configure(create_sync='honour')
    assert api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(6)}, params={'sync': 'true'}).json()['lastSyncTime'] > 0
    sim.configure(sync_mode='never')
    assert 'lastSyncTime' not in api.post('/awsconnectors', {'crossAccountRoleArn': role_arn(7)}, params={'sync': 'true'}).json()


# ----------------------------------------------------------------------------- 4. error bodies

def _error_bodies(sim, api):
    """A 404 from the API, a 429 from the rate limiter and a 503 fault, as answered."""
    missing = api.get('/awsconnectors/999')
    sim.add_faults([{'status': 503}])
    fault = api.get('/awsconnectors')
    sim.configure(rate_limit=1, rate_limit_window=60)
    sim.rate_limiter.reset()
    api.get('/awsconnectors')
    throttled = api.get('/awsconnectors')
    return missing, throttled, fault


def test_error_body_message(sim, api):
    missing, throttled, fault = _error_bodies(sim, api)
    assert missing.status_code == 404 and missing.headers['Content-Type'] == 'application/json'
    assert missing.json() == {'message': 'The AWS Connector does not exist: no AWS connector with ID 999.'}
    assert throttled.status_code == 429 and throttled.json() == {'message': 'Too many API requests.'}
    assert fault.status_code == 503 and fault.json()['message'].startswith('Service unavailable')


def test_error_body_legacy(sim, api):
    sim.configure(error_body='legacy')
    missing, throttled, fault = _error_bodies(sim, api)
    assert missing.headers['Content-Type'] == 'application/json'
    assert missing.json() == {'error': {'message': 'The AWS Connector does not exist: no AWS connector with ID 999.'}}
    assert throttled.json() == {'error': {'message': 'Too many API requests.'}}
    assert 'message' not in fault.json() and fault.json()['error']['message'].startswith('Service unavailable')


def test_error_body_html(sim, api):
    sim.configure(error_body='html')
    missing, throttled, fault = _error_bodies(sim, api)
    for response, status in ((missing, 404), (throttled, 429), (fault, 503)):
        assert response.status_code == status
        assert response.headers['Content-Type'].startswith('text/html')
        assert response.text.lstrip().startswith('<!DOCTYPE html>') and '<title>%d ' % status in response.text
    assert 'no AWS connector with ID 999.' in missing.text
    assert 'Too many API requests.' in throttled.text


def test_error_body_html_escapes_the_message():
    result = Result.error(400, 'Invalid value: <b>&', style='html')
    assert result.content_type.startswith('text/html')
    assert '<p>Invalid value: &lt;b&gt;&amp;</p>' in result.payload().decode('utf-8')


def test_error_body_empty(sim, api):
    sim.configure(error_body='empty')
    for response in _error_bodies(sim, api):
        assert response.status_code in (404, 429, 503)
        assert response.content == b'' and response.headers['Content-Length'] == '0'
        assert 'json' not in response.headers['Content-Type']


@pytest.mark.parametrize('style', ['legacy', 'html', 'empty'])
def test_error_body_style_leaves_successes_and_explicit_fault_bodies_alone(sim, api, style):
    sim.configure(error_body=style)
    assert api.get('/awsconnectors').json() == {'awsConnectors': []}
    sim.add_faults([{'status': 502, 'body': {'message': 'as scripted'}}])
    assert api.get('/awsconnectors').json() == {'message': 'as scripted'}


def test_error_body_style_keeps_the_retry_after_header(sim, api):
    sim.configure(error_body='empty', rate_limit=1, rate_limit_retry_after=True)
    api.get('/awsconnectors')
    throttled = api.get('/awsconnectors')
    assert throttled.status_code == 429 and int(throttled.headers['Retry-After']) >= 1


# ----------------------------------------------------------------------------- 5. rate limits

@pytest.mark.parametrize('retry_after', [False, True])
def test_tenant_rate_limit_counts_every_key(sim, client_factory, retry_after):
    sim.configure(rate_limit=0, tenant_rate_limit=3, tenant_rate_limit_window=60, rate_limit_retry_after=retry_after)
    full, readonly = client_factory(), client_factory(key=READONLY_KEY)
    assert [full.get('/awsconnectors').status_code for dummy in range(2)] == [200, 200]
    assert readonly.get('/awsconnectors').status_code == 200
    refused = readonly.get('/awsconnectors')
    assert refused.status_code == 429 and refused.json() == {'message': 'Too many API requests.'}
    assert full.get('/awsconnectors').status_code == 429
    assert ('Retry-After' in refused.headers) is retry_after
    if retry_after:
        assert 1 <= int(refused.headers['Retry-After']) <= 60


def test_tenant_rate_limit_off_by_default(sim, client_factory):
    assert sim.config['tenant_rate_limit'] == 0
    sim.configure(rate_limit=2)
    clients = [client_factory(), client_factory(key=READONLY_KEY)]
    assert [c.get('/awsconnectors').status_code for c in clients for dummy in range(2)] == [200] * 4


def test_key_and_tenant_windows_together(sim, client_factory):
    sim.configure(rate_limit=2, tenant_rate_limit=3, rate_limit_window=1.0, tenant_rate_limit_window=1.0)
    full, readonly = client_factory(), client_factory(key=READONLY_KEY)
    started = time.monotonic()
    assert [full.get('/awsconnectors').status_code for dummy in range(3)] == [200, 200, 429]  # the key's window
    assert [readonly.get('/awsconnectors').status_code for dummy in range(2)] == [200, 429]  # the tenant's window
    time.sleep(max(0.0, 1.2 - (time.monotonic() - started)))
    assert full.get('/awsconnectors').status_code == 200 and readonly.get('/awsconnectors').status_code == 200


def test_rate_limiter_counts_an_allowed_call_everywhere_and_a_refused_one_nowhere():
    now = [100.0]
    limiter = RateLimiter(clock=lambda: now[0])
    buckets = [('key', 2, 10.0), ('tenant', 3, 20.0)]
    assert limiter.check_all(buckets) == (True, None)
    assert limiter.check_all(buckets) == (True, None)
    now[0] = 101.0
    assert limiter.check_all(buckets) == (False, 9)  # the key's oldest call leaves its window at 110
    assert limiter.check_all([('tenant', 3, 20.0)]) == (True, None)  # the refused call was not counted
    assert limiter.check_all([('tenant', 3, 20.0)]) == (False, 19)
    # when both are full, the longer wait is the one to report
    assert limiter.check_all(buckets) == (False, 19)
    assert limiter.check_all([('key', 0, 10.0)]) == (True, None)  # 0 = off


# ----------------------------------------------------------------------------- 7. maxItems above 5000

@pytest.fixture
def many(sim):
    """5001 connectors, seeded directly."""
    sim.add_connectors([{'accessKey': 'AKIA%05d' % i, 'accountId': '%012d' % i} for i in range(5001)])
    return sim


def test_max_items_capped(many, api):
    many.configure(max_items_excess='cap')
    response = api.post('/awsconnectors/search', {'maxItems': 6000, 'sortByObjectID': True})
    assert response.status_code == 200 and len(response.json()['awsConnectors']) == 5000
    assert len(api.post('/awsconnectors/search', {}).json()['awsConnectors']) == 5000


def test_max_items_refused(many, api):
    many.configure(max_items_excess='refuse')
    response = api.post('/awsconnectors/search', {'maxItems': 5001})
    assert response.status_code == 400 and '5000' in response.json()['message']
    assert len(api.post('/awsconnectors/search', {'maxItems': 5000}).json()['awsConnectors']) == 5000


# ----------------------------------------------------------------------------- roles API (not in the contract)

@pytest.mark.parametrize('key, can', [('sim-full-key', True), (READONLY_KEY, False)])
def test_a_keys_role_states_its_aws_connector_rights(sim, client_factory, key, can):
    client = client_factory(key=key)
    role_id = client.get('/apikeys/current').json()['roleID']
    answer = client.get('/roles/%d' % role_id)
    assert answer.status_code == 200
    rights = answer.json()['rights']['platformRights']['awsConnectorRights']
    assert rights == {'canCreateNewAWSConnectors': can, 'canEditAWSConnectorProperties': can, 'canDeleteAWSConnectors': can}


def test_roles_api_switches(sim, api):
    assert api.get('/roles/99').status_code == 404
    assert api.post('/roles/1', {}).status_code == 405
    sim.configure(roles_api='no_rights')
    role = api.get('/roles/1')
    assert role.status_code == 200 and 'rights' not in role.json() and role.json()['ID'] == 1
    sim.configure(roles_api='forbidden')
    assert api.get('/roles/1').status_code == 403
    sim.configure(roles_api='missing')
    missing = api.get('/roles/1')
    assert missing.status_code == 404 and missing.json()['message'].startswith('Resource not found')


@pytest.mark.parametrize('profile, expected', [('documented', 'rights'), ('strict', 'forbidden'), ('old_dsm', 'missing')])
def test_profiles_set_the_roles_api(profile, expected):
    assert Simulator(profile=profile).config['roles_api'] == expected
