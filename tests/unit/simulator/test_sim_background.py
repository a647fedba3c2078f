"""The manager's own sync schedule: background_sync_interval, the background profile, POST /_sim/sync, the fault action
and the record of writes and syncs (GET /_sim/events)."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests

from .conftest import Simulator

ARN = 'arn:aws:iam::123456789012:role/swp'


@pytest.fixture
def iam_sim(sim, moto_url):
    """The shared simulator checking trust policies in moto."""
    sim.reset({'config': {'iam_endpoint_url': moto_url}})
    return sim


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_the_background_profile_sets_a_schedule_and_combines_with_every_sync_mode():
    for mode in ('inline', 'async', 'never'):
        config = Simulator(profile='background', sync_mode=mode).config
        assert config['background_sync_interval'] > 0 and config['sync_mode'] == mode
    assert Simulator().config['background_sync_interval'] == 0


def test_post_sim_sync_syncs_every_connector_at_one_time_and_records_it(sim, api):
    sim.add_connectors([{'crossAccountRoleArn': ARN, 'lastSyncTime': 1000}, {'accessKey': 'AKIAKEY', 'secretKey': 's'}])
    before = int(time.time() * 1000)
    assert api.post('/awsconnectors/1', {}, params={'sync': 'false'}).status_code == 200
    synced = sim.background_sync()
    assert synced == [1, 2]
    times = [c['lastSyncTime'] for c in sim.state['connectors']]
    # The manager's clock: not a counter that runs ahead when many connectors sync in the same millisecond.
    assert all(before <= t <= int(time.time() * 1000) + 1 for t in times)
    events = sim.events()
    assert [(e['id'], e['event'], e['cause']) for e in events] == [
        (1, 'write', 'modify'), (1, 'sync', 'background'), (2, 'sync', 'background')]
    assert [e['seq'] for e in events] == [1, 2, 3]


def test_control_api_sync_and_events(sim):
    sim.add_connectors([{'crossAccountRoleArn': ARN}, {'useInstanceRole': True}])
    assert requests.post(sim.base + '/_sim/sync', json={'ids': [2]}, timeout=5).json() == {'synced': [2]}
    assert requests.post(sim.base + '/_sim/sync', timeout=5).json() == {'synced': [1, 2]}
    assert requests.post(sim.base + '/_sim/sync', json={'ids': 'all'}, timeout=5).status_code == 400
    events = requests.get(sim.base + '/_sim/events', timeout=5).json()['events']
    assert [(e['id'], e['cause']) for e in events] == [(2, 'background'), (1, 'background'), (2, 'background')]


def test_a_background_sync_skips_a_role_it_cannot_assume(iam_sim, moto_iam, make_trust):
    arn = moto_iam.create_role('444444444444', make_trust(['only-another-id']))
    iam_sim.add_connector({'crossAccountRoleArn': arn, 'externalId': 'user-defined-x', 'lastSyncTime': 1000})
    assert iam_sim.background_sync() == []
    assert iam_sim.state['connectors'][0]['lastSyncTime'] == 1000


def test_the_schedule_syncs_on_its_own_and_a_reset_restarts_it(sim, api):
    sim.add_connector({'crossAccountRoleArn': ARN, 'lastSyncTime': 1000})
    sim.configure(background_sync_interval=0.2)
    assert wait_until(lambda: api.get('/awsconnectors/1').json()['lastSyncTime'] > 1000, timeout=3)
    assert {e['cause'] for e in sim.events()} == {'background'}
    sim.configure(background_sync_interval=0)


def test_a_fault_can_run_the_schedule_just_after_a_request(sim, api):
    sim.add_connector({'crossAccountRoleArn': ARN, 'lastSyncTime': 1000})
    sim.add_faults([{'method': 'POST', 'path': '/search$', 'background_sync': True, 'when': 'after'}])
    listed = api.post('/awsconnectors/search', {}).json()['awsConnectors']
    assert listed[0]['lastSyncTime'] == 1000
    assert api.get('/awsconnectors/1').json()['lastSyncTime'] > 1000


@pytest.mark.parametrize('fault', [{'background_sync': 'yes'}, {'method': 'GET'}])
def test_a_fault_needs_an_action(sim, fault):
    assert requests.post(sim.base + '/_sim/faults', json={'sequence': [fault]}, timeout=5).status_code == 400


def test_every_answer_carries_the_managers_clock_in_date(sim, api):
    answer = api.get('/awsconnectors')
    date = email.utils.parsedate_to_datetime(answer.headers['Date']).timestamp()
    assert abs(date - time.time()) < 2
