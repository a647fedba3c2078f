"""The CAM simulator: its switches, profiles, paging, errors and control API."""

from __future__ import annotations

import pytest

requests = pytest.importorskip('requests')

try:
    from ansible_collections.swp.aws.tests.simulator.cam import CAM_PROFILES, FULL_KEY, CamSimulator, make_cam_config
    from ansible_collections.swp.aws.tests.simulator.config import ConfigError
except ImportError:
    from tests.simulator.cam import CAM_PROFILES, FULL_KEY, CamSimulator, make_cam_config
    from tests.simulator.config import ConfigError

BEARER = {'Authorization': 'Bearer %s' % FULL_KEY}


@pytest.fixture(scope='module')
def cam():
    sim = CamSimulator(seed={'accounts': [{'id': '100000000001', 'kind': 'legacy'}, {'id': '100000000002', 'kind': 'managed'},
                                          {'id': '100000000003', 'kind': 'failed'}]})
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture(autouse=True)
def fresh(cam):
    cam.reset()
    yield


def get(cam, path, headers=None, **params):
    return requests.get(cam.url + path, headers=BEARER if headers is None else headers, params=params, timeout=10)


def test_only_the_configured_prefix_answers(cam):
    for prefix in ('v3.0', 'beta', 'beta/xdr'):
        cam.configure(path_prefix=prefix)
        assert get(cam, '/%s/cam/awsAccounts' % prefix).status_code == 200
        others = [p for p in ('v3.0', 'beta', 'beta/xdr') if p != prefix]
        assert all(get(cam, '/%s/cam/awsAccounts' % p).status_code == 404 for p in others)


@pytest.mark.parametrize('setting, value, check', [
    ('legacy_role_arn', 'empty', lambda r: r['roleArn'] == ''),
    ('legacy_role_arn', 'null', lambda r: r['roleArn'] is None),
    ('legacy_role_arn', 'absent', lambda r: 'roleArn' not in r),
    ('legacy_state', 'none', lambda r: 'state' not in r),
    ('legacy_state', 'managed', lambda r: r['state'] == 'managed'),
    ('legacy_sources', 'several', lambda r: len(r['sources']) == 2),
])
def test_a_legacy_connection_looks_as_the_switches_say(cam, setting, value, check):
    cam.configure(**{setting: value})
    assert check(get(cam, '/v3.0/cam/awsAccounts/100000000001').json())


def test_paging_by_next_link_absolute_and_relative(cam):
    page = get(cam, '/v3.0/cam/awsAccounts', top=2).json()
    assert len(page['items']) == 2 and page['nextLink'].startswith(cam.url + '/v3.0/cam/awsAccounts?')
    last = requests.get(page['nextLink'], headers=BEARER, timeout=10).json()
    assert [a['id'] for a in last['items']] == ['100000000003'] and 'nextLink' not in last
    cam.configure(next_link='relative')
    assert get(cam, '/v3.0/cam/awsAccounts', top=1).json()['nextLink'].startswith('/v3.0/')


@pytest.mark.parametrize('style, content_type', [('v1', 'application/json'), ('html', 'text/html'), ('empty', 'text/html')])
def test_errors_in_each_body_style(cam, style, content_type):
    cam.configure(error_body=style)
    answer = get(cam, '/v3.0/cam/awsAccounts', headers={'Authorization': 'Bearer nope'})
    assert answer.status_code == 401 and answer.headers['Content-Type'].startswith(content_type)
    if style == 'v1':
        assert answer.json()['error']['code'] == 'Unauthorized'


def test_the_rate_limit_answers_429_with_retry_after(cam):
    cam.configure(rate_limit=1)
    assert get(cam, '/v3.0/cam/awsAccounts').status_code == 200
    answer = get(cam, '/v3.0/cam/awsAccounts')
    assert answer.status_code == 429 and 'Retry-After' in answer.headers


def test_the_api_key_is_never_logged(cam):
    get(cam, '/v3.0/cam/awsAccounts')
    assert FULL_KEY not in repr(cam.requests())


def test_profiles_and_bad_options():
    assert set(CAM_PROFILES) >= {'documented', 'strict'}
    assert make_cam_config({'profile': 'strict'})['path_prefix'] == 'beta'
    with pytest.raises(ConfigError):
        make_cam_config({'path_prefix': 'v2'})
    with pytest.raises(ConfigError):
        make_cam_config({'nonsense': 1})


def test_control_api_adds_accounts_and_reports_the_issuer(cam):
    requests.post(cam.url + '/_sim/accounts', json={'accounts': [{'id': '100000000009', 'kind': 'outdated'}]}, timeout=10)
    state = requests.get(cam.url + '/_sim/state', timeout=10).json()
    assert '100000000009' in [a['id'] for a in state['accounts']]
    assert state['oidc_issuer_host'] == 'cloudaccounts-us-east-1.xdr.trendmicro.com'
    cam.configure(oidc_issuer='visionone')
    assert cam.state['oidc_issuer_host'].endswith('.visionone.trendmicro.com')
