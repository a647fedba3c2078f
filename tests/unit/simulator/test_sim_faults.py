"""Fault injection, the rate limit and the request log."""

from __future__ import annotations

import json
import time

import pytest

requests = pytest.importorskip('requests')

try:
    from ansible_collections.swp.aws.tests.simulator import FaultError
except ImportError:
    from tests.simulator import FaultError

FULL_KEY = 'sim-full-key'
READONLY_KEY = 'sim-readonly-key'
ARN = 'arn:aws:iam::111111111111:role/swp'


# ----------------------------------------------------------------------------- scripted faults

def test_status_fault_then_normal(sim, api):
    sim.add_faults([{'status': 503}])
    response = api.get('/awsconnectors')
    assert response.status_code == 503
    assert response.headers['Content-Type'] == 'application/json'
    assert 'message' in response.json()
    assert 'Retry-After' not in response.headers
    assert api.get('/awsconnectors').status_code == 200


def test_429_with_and_without_retry_after(sim, api):
    sim.add_faults([{'status': 429, 'retry_after': 1}, {'status': 429}])
    first = api.get('/awsconnectors')
    assert first.status_code == 429 and first.headers['Retry-After'] == '1'
    assert first.json() == {'message': 'Too many API requests.'}
    second = api.get('/awsconnectors')
    assert second.status_code == 429 and 'Retry-After' not in second.headers
    assert api.get('/awsconnectors').status_code == 200


def test_non_json_body(sim, api):
    sim.add_faults([{'status': 500, 'body': '<html>not json</html>'}, {'status': 502, 'body': 'plain', 'content_type': 'text/x-custom'}])
    response = api.get('/awsconnectors')
    assert response.status_code == 500
    assert response.text == '<html>not json</html>'
    assert response.headers['Content-Type'] == 'text/html'
    with pytest.raises(ValueError):
        response.json()
    response = api.get('/awsconnectors')
    assert response.status_code == 502 and response.headers['Content-Type'] == 'text/x-custom'


def test_drop_closes_without_answer(sim, api):
    sim.add_faults([{'drop': True}])
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get('/awsconnectors')
    assert api.get('/awsconnectors').status_code == 200
    assert [e['status'] for e in sim.requests()] == [None, 200]
    assert sim.requests()[0]['fault'] == {'drop': True, 'when': 'before'}


def test_latency_before(sim, api):
    sim.add_faults([{'latency': 0.3}])
    started = time.monotonic()
    assert api.get('/awsconnectors').status_code == 200
    assert time.monotonic() - started >= 0.3


def test_latency_after_performs_the_operation_first(sim, api):
    """A client read timeout on create does not mean the connector was not created."""
    sim.add_faults([{'latency': 1.0, 'when': 'after', 'method': 'POST', 'path': '^/api/awsconnectors$'}])
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post('/awsconnectors', {'crossAccountRoleArn': ARN}, timeout=0.3)
    listed = api.get('/awsconnectors').json()['awsConnectors']
    assert [c['crossAccountRoleArn'] for c in listed] == [ARN]
    assert sim.requests()[0]['status'] == 200


def test_status_and_drop_after_the_operation(sim, api):
    sim.add_faults([{'status': 504, 'when': 'after'}, {'drop': True, 'when': 'after'}])
    assert api.post('/awsconnectors', {'crossAccountRoleArn': ARN}).status_code == 504
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post('/awsconnectors', {'crossAccountRoleArn': ARN.replace('swp', 'two')})
    assert len(sim.state['connectors']) == 2


def test_faults_match_method_and_path(sim, api):
    sim.add_faults([{'status': 503, 'method': 'POST', 'path': 'awsconnectors/search'}])
    assert api.get('/awsconnectors').status_code == 200
    assert api.post('/awsconnectors', {'useInstanceRole': True}).status_code == 200
    assert api.post('/awsconnectors/search', {}).status_code == 503
    assert api.post('/awsconnectors/search', {}).status_code == 200


def test_faults_apply_in_order(sim, api):
    sim.add_faults([{'status': 500}, {'status': 502}, {'status': 503}])
    assert [api.get('/awsconnectors').status_code for dummy in range(4)] == [500, 502, 503, 200]


def test_probabilistic_faults_are_reproducible(sim, api):
    def run():
        sim.clear_faults()
        sim.add_random_faults([{'probability': 0.5, 'status': 503}], seed=1234)
        return [api.get('/awsconnectors').status_code for dummy in range(30)]

    first = run()
    assert first == run()
    assert 503 in first and 200 in first
    sim.clear_faults()
    sim.add_random_faults([{'probability': 1.0, 'status': 500, 'path': 'search'}])
    assert api.get('/awsconnectors').status_code == 200
    assert api.post('/awsconnectors/search', {}).status_code == 500


def test_faults_through_the_control_api(sim, api):
    base = sim.base + '/_sim/faults'
    assert requests.post(base, json={'sequence': [{'status': 503}, {'latency': 0.01}]}, timeout=5).status_code == 200
    assert requests.post(base, json={'probability': 0.0, 'status': 500}, timeout=5).status_code == 200
    pending = requests.get(base, timeout=5).json()
    assert len(pending['sequence']) == 2 and len(pending['random']) == 1
    assert api.get('/awsconnectors').status_code == 503
    assert len(requests.get(base, timeout=5).json()['sequence']) == 1
    assert requests.delete(base, timeout=5).json() == {'sequence': [], 'random': []}
    for bad in ({'sequence': [{'status': 'x'}]}, {'sequence': [{'nothing': 1}]}, {'sequence': [{}]},
                {'probability': 2, 'status': 500}, {'sequence': [{'status': 500, 'when': 'later'}]}):
        response = requests.post(base, json=bad, timeout=5)
        assert response.status_code == 400, bad
        assert 'message' in response.json()
    with pytest.raises(FaultError):
        sim.add_faults([{'path': '(', 'status': 500}])


def test_faults_from_seed(sim, api):
    sim.reset({'faults': {'sequence': [{'status': 503}]}})
    assert api.get('/awsconnectors').status_code == 503
    assert api.get('/awsconnectors').status_code == 200


def test_reset_clears_faults(sim, api):
    sim.add_faults([{'status': 503}])
    sim.reset()
    assert api.get('/awsconnectors').status_code == 200


# ----------------------------------------------------------------------------- rate limit

def test_rate_limit(sim, api, client_factory):
    sim.configure(rate_limit=3)
    assert [api.get('/awsconnectors').status_code for dummy in range(3)] == [200] * 3
    refused = api.get('/awsconnectors')
    assert refused.status_code == 429
    assert refused.json() == {'message': 'Too many API requests.'}
    assert 'Retry-After' not in refused.headers
    # per API key
    assert client_factory(key=READONLY_KEY).get('/awsconnectors').status_code == 200
    sim.configure(rate_limit_retry_after=True)
    refused = api.get('/awsconnectors')
    assert refused.status_code == 429 and 1 <= int(refused.headers['Retry-After']) <= 60


def test_rate_limit_does_not_count_refused_calls(sim, api):
    sim.configure(rate_limit=3, rate_limit_window=1.0)
    started = time.monotonic()
    assert [api.get('/awsconnectors').status_code for dummy in range(3)] == [200] * 3
    time.sleep(0.5)
    assert [api.get('/awsconnectors').status_code for dummy in range(5)] == [429] * 5
    # 1.2 s: the counted calls (at ~0 s) have left the window, the refused ones (at ~0.5 s) would not have
    time.sleep(max(0.0, 1.2 - (time.monotonic() - started)))
    # had the refused calls counted, they would still be inside the window
    assert api.get('/awsconnectors').status_code == 200


def test_rate_limit_off(sim, api):
    sim.configure(rate_limit=0)
    assert all(api.get('/awsconnectorsettings').status_code == 200 for dummy in range(600))


# ----------------------------------------------------------------------------- request log

def test_request_log(sim, api, client_factory):
    api.post('/awsconnectors', {'accessKey': 'AKIAEXAMPLE', 'secretKey': 'very-secret-value'}, params={'sync': 'true'})
    client_factory(style='secret').get('/awsconnectors/1')
    client_factory(key='not-a-real-key').get('/awsconnectors')
    client_factory(style=None).get('/awsconnectors')
    requests.get(sim.base + '/_sim/health', timeout=5)  # control calls are not logged
    log = sim.requests()
    assert [e['seq'] for e in log] == [1, 2, 3, 4]
    first = log[0]
    assert first['method'] == 'POST' and first['path'] == '/api/awsconnectors'
    assert first['query'] == {'sync': 'true'} and first['status'] == 200
    assert first['auth_header'] == 'authorization' and first['key_role'] == 'full'
    assert first['body'] == {'accessKey': 'AKIAEXAMPLE', 'secretKey': '**REDACTED**'}
    assert isinstance(first['time'], float)
    assert log[1]['auth_header'] == 'api-secret-key' and log[1]['body'] is None
    assert log[2]['status'] == 401 and log[2]['key_role'] is None
    assert log[3]['auth_header'] is None
    text = json.dumps(requests.get(sim.base + '/_sim/requests', timeout=5).json())
    for secret in (FULL_KEY, 'not-a-real-key', 'very-secret-value'):
        assert secret not in text


def test_request_log_since_and_clear(sim, api):
    for dummy in range(3):
        api.get('/awsconnectors')
    answer = requests.get(sim.base + '/_sim/requests', params={'since': 2}, timeout=5).json()
    assert [e['seq'] for e in answer['requests']] == [3] and answer['last_seq'] == 3
    assert [e['seq'] for e in sim.requests(since=1)] == [2, 3]
    assert requests.delete(sim.base + '/_sim/requests', timeout=5).json() == {'cleared': 3}
    assert sim.requests() == []
    api.get('/awsconnectors')
    assert [e['seq'] for e in sim.requests()] == [4]
    assert requests.get(sim.base + '/_sim/requests', params={'since': 'x'}, timeout=5).status_code == 400
    sim.reset()
    api.get('/awsconnectors')
    assert [e['seq'] for e in sim.requests()] == [1]


def test_request_log_records_faults_and_unparsed_bodies(sim, api):
    sim.add_faults([{'status': 503, 'path': 'search'}])
    api.post('/awsconnectors/search', {'maxItems': 1})
    api.call('POST', '/awsconnectors', data='not json')
    log = sim.requests()
    assert log[0]['fault']['status'] == 503 and log[0]['status'] == 503
    assert log[1]['body'] == {'unparsed': 'not json'} and log[1]['status'] == 400
    sim.configure(request_log_limit=1)
    api.get('/awsconnectors')
    assert [e['seq'] for e in sim.requests()] == [3]
