"""The command line: ready file on a free port, seed file, clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

requests = pytest.importorskip('requests')

try:
    from ansible_collections.swp.aws.tests import simulator as simulator_package
except ImportError:
    from tests import simulator as simulator_package

PACKAGE = simulator_package.__name__
# The folder to put on sys.path so that PACKAGE imports: up one level per dotted name.
IMPORT_ROOT = os.path.dirname(os.path.abspath(simulator_package.__file__))
for dummy in PACKAGE.split('.'):
    IMPORT_ROOT = os.path.dirname(IMPORT_ROOT)


def start_cli(*args, cwd=None):
    """Start ``python -m <package> ARGS``; returns the process."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([IMPORT_ROOT] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    return subprocess.Popen([sys.executable, '-m', PACKAGE] + list(args), cwd=cwd or IMPORT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_file(path, process, timeout=20):
    """Wait until the ready file exists; returns its JSON."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, encoding='utf-8') as stream:
                return json.load(stream)
        if process.poll() is not None:
            raise AssertionError('simulator exited early: %s' % process.stderr.read())
        time.sleep(0.05)
    raise AssertionError('no ready file after %s s' % timeout)


def stop(process, sig):
    """Send a signal and wait for a clean exit; returns (status, stdout, stderr)."""
    process.send_signal(sig)
    try:
        stdout, stderr = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise
    return process.returncode, stdout, stderr


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_cli_ready_file_seed_and_clean_stop(tmp_path, sig):
    seed = {
        'manager_external_id': 'cli-manager-id',
        'api_keys': [{'key': 'cli-key', 'role': 'full'}],
        'settings': {'platformSettingAwsExternalIdRetrievalEnabled': 'true'},
        'connectors': [{'crossAccountRoleArn': 'arn:aws:iam::123456789012:role/legacy', 'externalId': 'legacy-id',
                        'displayName': 'legacy'}],
        'config': {'expose_external_id': True, 'rate_limit': 50},
    }
    seed_file = tmp_path / 'seed.json'
    seed_file.write_text(json.dumps(seed), encoding='utf-8')
    ready_file = tmp_path / 'ready.json'
    process = start_cli('--host', '127.0.0.1', '--port', '0', '--seed', str(seed_file), '--ready-file', str(ready_file),
                        '--config', 'sync_delay=0.1')
    try:
        ready = wait_for_file(str(ready_file), process)
        assert ready['pid'] == process.pid
        assert ready['url'] == ready['base'] + '/api'
        assert ready['base'].startswith('http://127.0.0.1:') and not ready['base'].endswith(':0')
        assert [p for p in os.listdir(str(tmp_path)) if p.startswith('.simulator-ready-')] == []
        headers = {'api-version': 'v1', 'Authorization': 'ApiKey cli-key'}
        assert requests.get(ready['url'] + '/awsconnectorsettings', headers=headers, timeout=5).json() == {'externalId': 'cli-manager-id'}
        connector = requests.get(ready['url'] + '/awsconnectors/1', headers=headers, timeout=5).json()
        assert connector['displayName'] == 'legacy' and connector['externalId'] == 'legacy-id'
        state = requests.get(ready['base'] + '/_sim/state', timeout=5).json()
        assert state['config']['sync_delay'] == 0.1 and state['config']['rate_limit'] == 50
        assert requests.get(ready['base'] + '/_sim/health', timeout=5).json()['status'] == 'ok'
        # a reset without a body goes back to the seed file's state
        assert requests.delete(ready['url'] + '/awsconnectors/1', headers=headers, timeout=5).status_code == 200
        state = requests.post(ready['base'] + '/_sim/reset', timeout=5).json()
        assert state['manager_external_id'] == 'cli-manager-id' and len(state['connectors']) == 1
        assert state['config']['sync_delay'] == 0.1
        assert requests.post(ready['base'] + '/_sim/reset', json={}, timeout=5).json()['connectors'] == []
    finally:
        status, stdout, stderr = stop(process, sig)
    assert status == 0, stderr
    assert json.loads(stdout.strip().splitlines()[0]) == ready
    assert not ready_file.exists()


def test_cli_without_ready_file_prints_the_line():
    process = start_cli('--port', '0')
    try:
        line = process.stdout.readline()
        ready = json.loads(line)
        assert requests.get(ready['base'] + '/_sim/health', timeout=5).status_code == 200
    finally:
        status = stop(process, signal.SIGTERM)[0]
    assert status == 0


def test_cli_profile_and_an_explicit_override():
    process = start_cli('--port', '0', '--config', 'profile=strict', '--config', 'sync_mode=never')
    try:
        ready = json.loads(process.stdout.readline())
        config = requests.get(ready['base'] + '/_sim/config', timeout=5).json()
        assert config['profile'] == 'strict' and config['refusal_status'] == 403 and config['error_body'] == 'legacy'
        assert config['sync_mode'] == 'never'
        headers = {'api-version': 'v1', 'Authorization': 'ApiKey sim-full-key'}
        missing = requests.get(ready['url'] + '/awsconnectors/5', headers=headers, timeout=5)
        assert missing.status_code == 404 and set(missing.json()) == {'error'}
    finally:
        status = stop(process, signal.SIGTERM)[0]
    assert status == 0


@pytest.mark.parametrize('args', [['--seed', 'does-not-exist.json'], ['--config', 'no_such_option=1'], ['--config', 'novalue'],
                                  ['--config', 'profile=unheard-of']])
def test_cli_bad_start_exits_2(tmp_path, args):
    process = start_cli('--port', '0', *args, cwd=str(tmp_path))
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert stdout == ''
    assert 'cannot start' in stderr


def test_cli_bad_seed_document(tmp_path):
    seed_file = tmp_path / 'seed.json'
    seed_file.write_text(json.dumps({'unknown_key': 1}), encoding='utf-8')
    process = start_cli('--port', '0', '--seed', str(seed_file))
    stderr = process.communicate(timeout=30)[1]
    assert process.returncode == 2 and 'unknown seed key' in stderr
