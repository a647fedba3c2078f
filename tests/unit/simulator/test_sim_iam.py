"""Trust-policy evaluation (pure) and the IAM checks against a real moto server."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest

try:
    from ansible_collections.swp.aws.tests.simulator import role_assumable
    from ansible_collections.swp.aws.tests.simulator.iam import parse_role_arn
except ImportError:
    from tests.simulator import role_assumable
    from tests.simulator.iam import parse_role_arn

SWP = 'arn:aws:iam::147995105371:root'
MANAGER_ID = 'mgr-0001-external-id'


def policy(*statements):
    """A trust policy document."""
    return {'Version': '2012-10-17', 'Statement': list(statements)}


def allow(principal=None, condition=None, action='sts:AssumeRole', effect='Allow'):
    """One statement for the SWP principal (or the given one)."""
    statement = {'Effect': effect, 'Principal': {'AWS': SWP} if principal is None else principal, 'Action': action}
    if condition is not None:
        statement['Condition'] = condition
    return statement


def equals(ids):
    """A StringEquals sts:ExternalId condition."""
    return {'StringEquals': {'sts:ExternalId': ids}}


# ----------------------------------------------------------------------------- pure evaluation

@pytest.mark.parametrize('principal, expected', [
    (SWP, True),
    ('147995105371', True),
    ({'AWS': '147995105371'}, True),
    ({'AWS': ['arn:aws:iam::999999999999:root', SWP]}, True),
    (['arn:aws:iam::999999999999:root', '147995105371'], True),
    ('*', True),
    ({'AWS': '*'}, True),
    ({'AWS': 'arn:aws:iam::999999999999:root'}, False),
    ({'Service': 'ec2.amazonaws.com'}, False),
    ({'AWS': 'arn:aws:iam::147995105371:role/something'}, False),
])
def test_principal_forms(principal, expected):
    assert role_assumable(policy(allow(principal, equals(MANAGER_ID))), SWP, MANAGER_ID) is expected


def test_account_root_covers_principals_of_that_account():
    document = policy(allow('arn:aws:iam::222222222222:root', equals('x')))
    assert role_assumable(document, 'arn:aws:iam::222222222222:role/dsm-instance', 'x')
    assert role_assumable(document, '222222222222', 'x')
    assert not role_assumable(document, 'arn:aws:iam::333333333333:role/dsm-instance', 'x')


@pytest.mark.parametrize('condition, expected', [
    (None, True),
    (equals(MANAGER_ID), True),
    (equals('other'), False),
    (equals(['other', MANAGER_ID]), True),
    (equals([]), False),
    ({'StringEquals': {'STS:EXTERNALID': MANAGER_ID}}, True),
    ({'StringLike': {'sts:ExternalId': 'mgr-*'}}, True),
    ({'StringLike': {'sts:ExternalId': 'mgr-????-external-id'}}, True),
    ({'StringLike': {'sts:ExternalId': 'mgr-???-external-id'}}, False),
    ({'StringLike': {'sts:ExternalId': ['nope', '*-external-id']}}, True),
    ({'StringEquals': {'sts:ExternalId': MANAGER_ID.upper()}}, False),
    ({'StringEqualsIgnoreCase': {'sts:ExternalId': MANAGER_ID.upper()}}, True),
    ({'StringNotEquals': {'sts:ExternalId': 'other'}}, True),
    ({'StringNotEquals': {'sts:ExternalId': MANAGER_ID}}, False),
    ({'StringNotLike': {'sts:ExternalId': 'mgr-*'}}, False),
    ({'StringEqualsIfExists': {'sts:ExternalId': MANAGER_ID}}, True),
    ({'ForAnyValue:StringEquals': {'sts:ExternalId': MANAGER_ID}}, True),
    ({'Null': {'sts:ExternalId': 'false'}}, True),
    ({'Null': {'sts:ExternalId': 'true'}}, False),
    ({'NumericEquals': {'sts:ExternalId': '1'}}, False),
    # other keys are not modelled: ignored
    ({'StringEquals': {'sts:ExternalId': MANAGER_ID, 'aws:PrincipalOrgID': 'o-123'}}, True),
    ({'Bool': {'aws:MultiFactorAuthPresent': 'true'}}, True),
    ({'StringEquals': {'sts:ExternalId': MANAGER_ID}, 'StringLike': {'sts:ExternalId': 'zzz*'}}, False),
])
def test_external_id_conditions(condition, expected):
    assert role_assumable(policy(allow(condition=condition)), SWP, MANAGER_ID) is expected


@pytest.mark.parametrize('action, expected', [
    ('sts:AssumeRole', True),
    (['sts:TagSession', 'sts:AssumeRole'], True),
    ('sts:*', True),
    ('*', True),
    ('STS:assumerole', True),
    ('sts:AssumeRoleWithSAML', False),
    (['sts:TagSession'], False),
])
def test_actions(action, expected):
    assert role_assumable(policy(allow(condition=equals(MANAGER_ID), action=action)), SWP, MANAGER_ID) is expected


def test_deny_wins():
    document = policy(allow(condition=equals([MANAGER_ID, 'old'])),
                      allow(condition=equals(MANAGER_ID), effect='Deny'))
    assert not role_assumable(document, SWP, MANAGER_ID)
    assert role_assumable(document, SWP, 'old')
    everyone_denied = policy(allow(condition=equals(MANAGER_ID)), {'Effect': 'Deny', 'Principal': '*', 'Action': 'sts:*'})
    assert not role_assumable(everyone_denied, SWP, MANAGER_ID)


def test_several_statements_and_other_principals():
    document = policy(
        {'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'}, 'Action': 'sts:AssumeRole'},
        allow('arn:aws:iam::999999999999:root', equals(MANAGER_ID)),
        allow(condition=equals('legacy')),
    )
    assert not role_assumable(document, SWP, MANAGER_ID)
    assert role_assumable(document, SWP, 'legacy')


def test_document_forms():
    document = policy(allow(condition=equals(MANAGER_ID)))
    assert role_assumable(json.dumps(document), SWP, MANAGER_ID)
    assert role_assumable(urllib.parse.quote(json.dumps(document)), SWP, MANAGER_ID)
    single = {'Version': '2012-10-17', 'Statement': allow(condition=equals(MANAGER_ID))}
    assert role_assumable(single, SWP, MANAGER_ID)
    assert not role_assumable(None, SWP, MANAGER_ID)
    assert not role_assumable(policy(), SWP, MANAGER_ID)


def test_parse_role_arn():
    assert parse_role_arn('arn:aws:iam::123456789012:role/a') == ('123456789012', 'a')
    assert parse_role_arn('arn:aws:iam::123456789012:role/path/to/name_x+=,.@-') == ('123456789012', 'name_x+=,.@-')
    assert parse_role_arn('arn:aws-us-gov:iam::123456789012:role/a') == ('123456789012', 'a')
    assert parse_role_arn('arn:aws:iam::123456789012:user/a') is None
    assert parse_role_arn('arn:aws:iam::12345678901:role/a') is None
    assert parse_role_arn(None) is None


# ----------------------------------------------------------------------------- against moto

@pytest.fixture
def iam_sim(sim, moto_url):
    """The shared simulator checking trust policies in moto, with a known manager ID."""
    sim.reset({'manager_external_id': MANAGER_ID, 'config': {'iam_endpoint_url': moto_url}})
    return sim


def test_create_refused_when_trust_policy_lacks_the_manager_id(iam_sim, api, moto_iam, make_trust):
    arn = moto_iam.create_role('111111111111', make_trust('user-defined-id'))
    response = api.post('/awsconnectors', {'crossAccountRoleArn': arn})
    assert response.status_code == 400
    message = response.json()['message']
    assert message.startswith('Unable to assume role %s with the external ID' % arn)
    assert "check the role's trust policy" in message
    assert iam_sim.state['connectors'] == []
    assert iam_sim.requests()[-1]['status'] == 400


def test_create_refused_for_a_missing_role(iam_sim, api):
    response = api.post('/awsconnectors', {'crossAccountRoleArn': 'arn:aws:iam::111111111111:role/does-not-exist'})
    assert response.status_code == 400
    assert 'does not exist' in response.json()['message']


@pytest.mark.parametrize('ids, operator', [
    ([MANAGER_ID], 'StringEquals'),
    (['user-defined-id', MANAGER_ID], 'StringEquals'),
    ('mgr-*', 'StringLike'),
    (['nope', 'mgr-????-external-id'], 'StringLike'),
    (None, None),
])
def test_create_accepted(iam_sim, api, moto_iam, make_trust, ids, operator):
    iam_sim.configure(create_sync='honour')
    arn = moto_iam.create_role('111111111111', make_trust(ids, operator=operator or 'StringEquals'))
    response = api.post('/awsconnectors', {'crossAccountRoleArn': arn}, params={'sync': 'true'})
    assert response.status_code == 200, response.text
    assert response.json()['lastSyncTime'] > 0
    assert iam_sim.state['connectors'][0]['external_id'] == MANAGER_ID


@pytest.mark.parametrize('principal', ['147995105371', ['arn:aws:iam::999999999999:root', SWP], '*'])
def test_principal_forms_in_moto(iam_sim, api, moto_iam, make_trust, principal):
    arn = moto_iam.create_role('111111111111', make_trust(MANAGER_ID, principal=principal))
    assert api.post('/awsconnectors', {'crossAccountRoleArn': arn}).status_code == 200


def test_other_principal_is_refused_and_principal_is_configurable(iam_sim, api, moto_iam, make_trust):
    arn = moto_iam.create_role('111111111111', make_trust(MANAGER_ID, principal='arn:aws:iam::222222222222:root'))
    assert api.post('/awsconnectors', {'crossAccountRoleArn': arn}).status_code == 400
    iam_sim.configure(swp_principal='arn:aws:iam::222222222222:role/dsm-instance-role')
    assert api.post('/awsconnectors', {'crossAccountRoleArn': arn}).status_code == 200


def test_deny_statement_in_moto(iam_sim, api, moto_iam, make_trust):
    deny = {'Effect': 'Deny', 'Principal': {'AWS': SWP}, 'Action': 'sts:AssumeRole',
            'Condition': {'StringEquals': {'sts:ExternalId': MANAGER_ID}}}
    arn = moto_iam.create_role('111111111111', make_trust([MANAGER_ID, 'old'], extra_statements=[deny]))
    assert api.post('/awsconnectors', {'crossAccountRoleArn': arn}).status_code == 400


def test_accounts_are_kept_apart(iam_sim, api, moto_iam, make_trust):
    name = 'same-name-in-two-accounts'
    good = moto_iam.create_role('333333333333', make_trust(MANAGER_ID), name=name)
    bad = moto_iam.create_role('444444444444', make_trust('someone-else'), name=name)
    assert api.post('/awsconnectors', {'crossAccountRoleArn': good}).status_code == 200
    assert api.post('/awsconnectors', {'crossAccountRoleArn': bad}).status_code == 400
    assert [c['accountId'] for c in api.get('/awsconnectors').json()['awsConnectors']] == ['333333333333']


def test_switch_refused_then_accepted_after_widen(iam_sim, api, moto_iam, make_trust):
    arn = moto_iam.create_role('555555555555', make_trust('legacy-id'))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': 'legacy-id', 'displayName': 'legacy'})
    before = api.get('/awsconnectors/1').json()
    # the switch: same ARN, no external ID
    refused = api.post('/awsconnectors/1', {'crossAccountRoleArn': arn, 'displayName': 'renamed'}, params={'sync': 'true'})
    assert refused.status_code == 400
    assert refused.json()['message'].startswith('Unable to assume role %s' % arn)
    assert api.get('/awsconnectors/1').json() == before
    assert iam_sim.state['connectors'][0]['external_id'] == 'legacy-id'
    # a modify without the ARN keeps the ID and does no IAM check
    assert api.post('/awsconnectors/1', {'displayName': 'renamed'}).status_code == 200
    # widen, switch, narrow, sync
    moto_iam.set_trust(arn, make_trust(['legacy-id', MANAGER_ID]))
    switched = api.post('/awsconnectors/1', {'crossAccountRoleArn': arn}, params={'sync': 'true'})
    assert switched.status_code == 200
    assert switched.json()['lastSyncTime'] > 0
    state = iam_sim.state['connectors'][0]
    assert state['external_id'] == MANAGER_ID and state['external_id_source'] == 'manager'
    moto_iam.set_trust(arn, make_trust(MANAGER_ID))
    synced = api.post('/awsconnectors/1', {}, params={'sync': 'true'})
    assert synced.status_code == 200 and synced.json()['lastSyncTime'] > switched.json()['lastSyncTime']


def test_sync_failure(iam_sim, api, moto_iam, make_trust):
    arn = moto_iam.create_role('666666666666', make_trust(MANAGER_ID))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': 'legacy-id', 'displayName': 'legacy'})
    refused = api.post('/awsconnectors/1', {'displayName': 'x'}, params={'sync': 'true'})
    assert refused.status_code == 400 and 'Unable to assume role' in refused.json()['message']
    assert api.get('/awsconnectors/1').json()['displayName'] == 'legacy'
    iam_sim.configure(sync_failure_status=200)
    accepted = api.post('/awsconnectors/1', {'displayName': 'x'}, params={'sync': 'true'})
    assert accepted.status_code == 200
    assert accepted.json()['displayName'] == 'x' and 'lastSyncTime' not in accepted.json()


def test_asynchronous_sync_failure_does_not_advance(iam_sim, api, moto_iam, make_trust):
    arn = moto_iam.create_role('666666666666', make_trust(MANAGER_ID))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': 'legacy-id', 'lastSyncTime': 1000})
    iam_sim.configure(sync_delay=0.2)
    assert api.post('/awsconnectors/1', {}, params={'sync': 'true'}).status_code == 200
    time.sleep(0.6)
    assert api.get('/awsconnectors/1').json()['lastSyncTime'] == 1000


def test_iam_propagation_delay(iam_sim, api, moto_iam, make_trust):
    iam_sim.configure(iam_propagation_delay=1.0)
    arn = moto_iam.create_role('777777777777', make_trust('legacy-id'))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': 'legacy-id'})
    assert iam_sim.observe_roles() == 1  # the simulator has seen the narrow policy
    moto_iam.set_trust(arn, make_trust(['legacy-id', MANAGER_ID]))
    started = time.monotonic()
    refused = api.post('/awsconnectors/1', {'crossAccountRoleArn': arn})
    assert refused.status_code == 400
    assert iam_sim.state['connectors'][0]['external_id'] == 'legacy-id'
    time.sleep(max(0.0, 1.1 - (time.monotonic() - started)))
    accepted = api.post('/awsconnectors/1', {'crossAccountRoleArn': arn})
    assert accepted.status_code == 200, accepted.text
    assert iam_sim.state['connectors'][0]['external_id'] == MANAGER_ID


def test_iam_propagation_delay_seen_at_reset(sim, moto_url, api, moto_iam, make_trust):
    arn = moto_iam.create_role('888888888888', make_trust('legacy-id'))
    sim.reset({'manager_external_id': MANAGER_ID,
               'config': {'iam_endpoint_url': moto_url, 'iam_propagation_delay': 30},
               'connectors': [{'crossAccountRoleArn': arn, 'externalId': 'legacy-id'}]})
    moto_iam.set_trust(arn, make_trust(['legacy-id', MANAGER_ID]))
    assert api.post('/awsconnectors/1', {'crossAccountRoleArn': arn}).status_code == 400
    # back to no delay: the new document takes effect at once
    sim.configure(iam_propagation_delay=0)
    assert api.post('/awsconnectors/1', {'crossAccountRoleArn': arn}).status_code == 200


def test_observe_through_the_control_api(iam_sim, moto_iam, make_trust):
    requests = pytest.importorskip('requests')
    arn = moto_iam.create_role('999999999999', make_trust('x'))
    answer = requests.post(iam_sim.base + '/_sim/iam/observe', json={'role_arns': [arn]}, timeout=10)
    assert answer.json() == {'observed': 1}


def test_unreachable_iam_endpoint_is_a_clear_500(sim, api):
    sim.reset({'config': {'iam_endpoint_url': 'http://127.0.0.1:9'}})
    response = api.post('/awsconnectors', {'crossAccountRoleArn': 'arn:aws:iam::111111111111:role/x'}, timeout=60)
    assert response.status_code == 500
    assert 'Simulator could not read the trust policy' in response.json()['message']


def test_iam_propagation_delay_seen_when_seeding_connectors(iam_sim, api, moto_iam, make_trust):
    requests = pytest.importorskip('requests')
    iam_sim.configure(iam_propagation_delay=30)
    arn = moto_iam.create_role('121212121212', make_trust('legacy-id'))
    seeded = requests.post(iam_sim.base + '/_sim/connectors', json={'crossAccountRoleArn': arn, 'externalId': 'legacy-id'}, timeout=10)
    assert seeded.status_code == 200
    moto_iam.set_trust(arn, make_trust(['legacy-id', MANAGER_ID]))
    assert api.post('/awsconnectors/1', {'crossAccountRoleArn': arn}).status_code == 400
