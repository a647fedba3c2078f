"""A stateful simulator of the Trend Vision One Cloud Accounts (CAM) API for AWS accounts, read side only.

It follows the project's API notes (CAM-NOTES): ``GET /<prefix>/cam/awsAccounts`` (``top``, paging by ``nextLink``)
and ``GET /<prefix>/cam/awsAccounts/{id}``, ``Authorization: Bearer <key>``, Vision One error bodies
(``{"error": {"code", "message"}}``), 429 with ``Retry-After``. Where the record is silent or inconsistent, the
behaviour is a switch (``CAM_OPTIONS``) and the profiles (``CAM_PROFILES``) set several at once:

- ``path_prefix``: which prefix answers (``v3.0``, ``beta``, ``beta/xdr``); the others are 404.
- ``oidc_issuer``: the issuer host the simulated CAM names (``xdr``: ``cloudaccounts-<region>.xdr.trendmicro.com``,
  ``visionone``: ``cloudaccounts-<region>.visionone.trendmicro.com``), for the roles a fleet builder makes.
- ``legacy_sources``, ``legacy_role_arn``, ``legacy_state``: how a legacy connection (an account imported from
  Server & Workload Protection) looks: which ``sources`` values, an empty, null or missing ``roleArn``, which ``state``.
- ``next_link``: an absolute URL or a path. ``error_body``: Vision One JSON, an HTML page or an empty body.

Accounts are kept by *kind* (legacy, managed, outdated, failed, or ``raw`` with the record as given) and rendered
at each read, so switching a setting changes every account at once. Control API under ``/_sim`` (no auth):
``GET /health``, ``GET /state``, ``POST /reset`` (a seed: ``{"accounts": [...], "config": {...}}``), ``GET/POST
/config``, ``GET/POST/DELETE /faults``, ``GET/DELETE /requests`` (these as the SWP simulator's, one code in
``ServedInThread``), ``POST /accounts``.

    python -m tests.simulator.cam --port 0 [--config NAME=VALUE ...] [--ready-file PATH]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import threading
import time
import urllib.parse

from ..support.serving import serve_until_signal
from .config import ConfigError
from .faults import FaultInjector, RateLimiter
from .server import RequestLog, Result, ServedInThread, _body_for_log, _Handler, _query_dict, html_page

HTML_TYPE = 'text/html; charset=utf-8'
FULL_KEY = 'cam-full-key'
NO_PERMISSION_KEY = 'cam-no-permission-key'
PREFIXES = ('v3.0', 'beta', 'beta/xdr')
KINDS = ('legacy', 'managed', 'outdated', 'failed', 'raw')
ACCOUNT_ID = re.compile(r'^[0-9]{12}$')
SOURCES = {'workload': ['workload'], 'swp': ['serverWorkloadProtection'], 'cloud_one': ['cloudOneWorkloadSecurity'],
           'several': ['workload', 'cloudOneConformity']}
CONTROL_PREFIX = '/_sim'
MAX_TOP = 200


def _bool(value):
    return isinstance(value, bool)


def _int(value, low=0):
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


CAM_OPTIONS = {
    'path_prefix': ('v3.0', lambda v: v in PREFIXES, 'the path prefix that answers: v3.0, beta or beta/xdr'),
    'oidc_issuer': ('xdr', lambda v: v in ('xdr', 'visionone'), 'issuer host: cloudaccounts-<region>.xdr or .visionone.trendmicro.com'),
    'legacy_sources': ('workload', lambda v: v in SOURCES, 'sources of a legacy connection: %s' % ', '.join(sorted(SOURCES))),
    'legacy_role_arn': ('empty', lambda v: v in ('empty', 'null', 'absent'), 'roleArn of a legacy connection: "", null or no key'),
    'legacy_state': ('none', lambda v: v in ('none', 'managed', 'outdated'), 'state of a legacy connection: no key, managed or outdated'),
    'next_link': ('absolute', lambda v: v in ('absolute', 'relative'), 'nextLink as an absolute URL or as a path'),
    'max_top': (MAX_TOP, lambda v: _int(v, 1), 'largest page; a larger top is capped'),
    'error_body': ('v1', lambda v: v in ('v1', 'html', 'empty'), 'error answers: {"error": {"code", "message"}}, an HTML page, no body'),
    'auth_failure_status': (401, lambda v: v in (401, 403), 'status for a missing or unknown key'),
    'rate_limit': (0, _int, 'calls per key per window; 0 = off'),
    'rate_limit_window': (60.0, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0, 'window in seconds'),
    'rate_limit_retry_after': (True, _bool, 'send Retry-After with a rate-limit 429'),
    'request_log_limit': (100000, lambda v: _int(v, 1), 'entries kept in the request log'),
    'fault_seed': (None, lambda v: v is None or _int(v), 'seed of probabilistic faults'),
}
CAM_PROFILES = {
    # The notes' reading: v3.0, the documented issuer, legacy = ["workload"] with roleArn "".
    'documented': {},
    # Every open point at its least convenient reading.
    'strict': {'path_prefix': 'beta', 'oidc_issuer': 'visionone', 'legacy_sources': 'several', 'legacy_role_arn': 'absent',
               'legacy_state': 'outdated', 'next_link': 'relative', 'error_body': 'html', 'max_top': 2},
    # The vendor's Terraform provider.
    'terraform': {'path_prefix': 'beta', 'legacy_role_arn': 'null', 'legacy_sources': 'swp'},
    # An older vendor sample.
    'sample': {'path_prefix': 'beta/xdr', 'oidc_issuer': 'visionone', 'legacy_sources': 'cloud_one', 'legacy_state': 'managed'},
}
CAM_OPTIONS['profile'] = ('documented', lambda v: v in CAM_PROFILES, 'a named set of switches: %s' % ', '.join(sorted(CAM_PROFILES)))


def validate_cam_config(updates):
    if not isinstance(updates, dict):
        raise ConfigError('config must be a JSON object')
    unknown = sorted(set(updates) - set(CAM_OPTIONS))
    if unknown:
        raise ConfigError('unknown config option(s): %s' % ', '.join(unknown))
    for name, value in updates.items():
        if not CAM_OPTIONS[name][1](value):
            raise ConfigError('invalid value for config option %s: %r (%s)' % (name, value, CAM_OPTIONS[name][2]))
    return dict(updates)


def make_cam_config(*layers):
    explicit = {}
    for layer in layers:
        if layer:
            explicit.update(validate_cam_config(layer))
    config = dict((name, spec[0]) for name, spec in CAM_OPTIONS.items())
    profile = explicit.get('profile', 'documented')
    config.update(CAM_PROFILES[profile])
    config.update(explicit)
    config['profile'] = profile
    return config


class CamError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def issuer_host(config, region='us-east-1'):
    return 'cloudaccounts-%s.%s.trendmicro.com' % (region, config['oidc_issuer'])


def account_document(document):
    """An account to keep: ``{"id", "kind", ...}``; raises CamError(400) when it is not one."""
    if not isinstance(document, dict) or not ACCOUNT_ID.match(str(document.get('id', ''))):
        raise CamError(400, 'BadRequest', 'an account needs "id", a 12-digit AWS account ID: %r' % (document,))
    kind = document.get('kind', 'raw')
    if kind not in KINDS:
        raise CamError(400, 'BadRequest', 'kind must be one of %s' % ', '.join(KINDS))
    return dict(copy.deepcopy(document), kind=kind)


def render(account, config):
    """The account as the API shows it under ``config``."""
    if account['kind'] == 'raw':
        return dict((k, v) for k, v in account.items() if k != 'kind')
    record = {'id': account['id'], 'name': account.get('name') or 'account-%s' % account['id'],
              'description': account.get('description', ''),
              'createdDateTime': '2024-05-01T09:30:00Z', 'lastModifiedDateTime': '2024-06-01T09:30:00Z'}
    if account['kind'] == 'legacy':
        record['sources'] = list(SOURCES[config['legacy_sources']])
        if config['legacy_role_arn'] == 'empty':
            record['roleArn'] = ''
        elif config['legacy_role_arn'] == 'null':
            record['roleArn'] = None
        if config['legacy_state'] != 'none':
            record['state'] = config['legacy_state']
        record['features'] = []
        record['connectedSecurityServices'] = [{'name': 'workload', 'instanceIds': ['swp-instance']}]
    else:
        record['roleArn'] = account.get('roleArn') or 'arn:aws:iam::%s:role/VisionOneRole' % account['id']
        record['state'] = account['kind']
        record['sources'] = list(account.get('sources') or [])
        missing = ['ec2:DescribeInstances'] if account['kind'] == 'outdated' else []
        record['features'] = [{'id': 'cloud-sentry', 'regions': ['us-east-1'], 'missingAwsPermissions': missing}]
        record['connectedSecurityServices'] = []
    return record


class CamSimulator(ServedInThread):
    """``CamSimulator(seed=None, host='127.0.0.1', port=0, **config)``; ``start()``, ``stop()``, ``base``."""

    def __init__(self, seed=None, host='127.0.0.1', port=0, verbose=False, **config):
        self.host, self.port, self.verbose = host, port, verbose
        self._base_config = validate_cam_config(config)
        self._explicit = dict(self._base_config)
        self._startup_seed = copy.deepcopy(seed) if seed else {}
        self.config = make_cam_config(self._base_config)
        self.faults = FaultInjector(None)
        self.rate_limiter = RateLimiter()
        self.log = RequestLog(self.config['request_log_limit'])
        self.accounts = {}
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.reset()

    # ---------------------------------------------------------------- lifecycle
    def start(self):
        self._serve(_CamHandler, 'cam-simulator')
        return self

    def stop(self):
        server, self._server = self._server, None
        self._shut_down(server)

    @property
    def url(self):
        """The API host, as a user gives it in ``url`` (no path)."""
        return self.base

    # ---------------------------------------------------------------- helpers for tests
    def reset(self, seed=None):
        seed = self._startup_seed if seed is None else seed
        if not isinstance(seed, dict) or set(seed) - {'accounts', 'config'}:
            raise ConfigError('a CAM seed is {"accounts": [...], "config": {...}}')
        explicit = dict(self._base_config)
        explicit.update(validate_cam_config(seed.get('config') or {}))
        self._explicit = explicit
        self.config.clear()
        self.config.update(make_cam_config(explicit))
        self.faults.reset(self.config['fault_seed'])
        self.rate_limiter.reset()
        self.log.reset(self.config['request_log_limit'])
        with self._lock:
            self.accounts = {}
        self.add_accounts(seed.get('accounts') or [])
        return self.state

    def configure(self, **options):
        self._explicit.update(validate_cam_config(options))
        self.config.clear()
        self.config.update(make_cam_config(self._explicit))
        return dict(self.config)

    def add_accounts(self, documents):
        kept = [account_document(d) for d in documents]
        with self._lock:
            for account in kept:
                self.accounts[account['id']] = account
        return [render(a, self.config) for a in kept]

    def add_faults(self, faults):
        self.faults.add_sequence(list(faults))

    def requests(self, since=None):
        return self.log.entries(since)

    @property
    def state(self):
        with self._lock:
            accounts = [render(a, self.config) for a in self.accounts.values()]
        return {'accounts': accounts, 'config': dict(self.config), 'oidc_issuer_host': issuer_host(self.config),
                'api_path': '/%s/cam/awsAccounts' % self.config['path_prefix']}

    # ---------------------------------------------------------------- the API
    def _error(self, exc):
        style = self.config['error_body']
        headers = dict(exc.headers or {})
        if style == 'html':
            return Result(exc.status, raw=html_page(exc.status, exc.message).encode('utf-8'), headers=headers, content_type=HTML_TYPE)
        if style == 'empty':
            return Result(exc.status, raw=b'', headers=headers, content_type=HTML_TYPE)
        return Result(exc.status, {'error': {'code': exc.code, 'message': exc.message}}, headers)

    def handle(self, method, path, query, headers, raw_body):
        started = time.time()
        entry = {'seq': None, 'time': started, 'method': method, 'path': path, 'query': _query_dict(query), 'status': None,
                 'auth': None, 'body': _body_for_log(raw_body)}
        fault = self.faults.take(method, path)
        if fault is not None and fault.get('status'):
            entry['fault'] = copy.deepcopy(fault)
            fault_headers = dict(fault.get('headers') or {})
            if fault.get('retry_after') is not None:
                fault_headers['Retry-After'] = str(fault['retry_after'])
            if 'body' in fault:
                body = fault['body']
                result = (Result(fault['status'], raw=body.encode('utf-8'), headers=fault_headers, content_type='text/plain')
                          if isinstance(body, str) else Result(fault['status'], body, fault_headers))
            else:
                result = self._error(CamError(fault['status'], 'SimulatedFault', 'Simulated fault: HTTP %d.' % fault['status'],
                                              fault_headers))
        elif fault is not None and fault.get('drop'):
            result = Result(status=None, drop=True)
        else:
            try:
                result = self._call(method, path, _query_dict(query), headers, entry)
            except CamError as exc:
                result = self._error(exc)
        entry['status'] = result.status
        entry['duration'] = round(time.time() - started, 6)
        self.log.append(entry)
        return result

    def _call(self, method, path, query, headers, entry):
        authorization = (headers.get('Authorization') or '').strip()
        parts = authorization.split(None, 1)
        status = self.config['auth_failure_status']
        if not authorization:
            raise CamError(status, 'Unauthorized', "Authentication required: send 'Authorization: Bearer <key>'.")
        entry['auth'] = parts[0] if parts else None
        if len(parts) != 2 or parts[0] != 'Bearer' or parts[1].strip() not in (FULL_KEY, NO_PERMISSION_KEY):
            raise CamError(status, 'Unauthorized', 'Invalid or expired token.')
        key = parts[1].strip()
        allowed, retry_after = self.rate_limiter.check_all([(('key', key), self.config['rate_limit'], self.config['rate_limit_window'])])
        if not allowed:
            extra = {'Retry-After': str(retry_after)} if self.config['rate_limit_retry_after'] else None
            raise CamError(429, 'TooManyRequests', 'Too many requests.', extra)
        api = '/%s/cam/awsAccounts' % self.config['path_prefix']
        match = re.match(r'^%s(?:/([^/]+))?/?$' % re.escape(api), path)
        if not match:
            raise CamError(404, 'NotFound', 'The requested resource does not exist: %s' % path)
        if method != 'GET':
            raise CamError(405, 'MethodNotAllowed', 'The simulator serves reads only.')
        if key == NO_PERMISSION_KEY:
            raise CamError(403, 'AccessDenied', 'Insufficient permissions: the API key role lacks Cloud Accounts permissions.')
        if match.group(1) is not None:
            with self._lock:
                account = self.accounts.get(match.group(1))
            if account is None:
                raise CamError(404, 'NotFound', 'The AWS account %s does not exist.' % match.group(1))
            return Result(200, render(account, self.config))
        return Result(200, self._page(api, query))

    def _page(self, api, query):
        try:
            top = int(query.get('top') or 50)
            skip = int(query.get('skipToken') or 0)
        except (TypeError, ValueError):
            raise CamError(400, 'BadRequest', 'top and skipToken must be integers.') from None
        if top < 1:
            raise CamError(400, 'BadRequest', 'top must be at least 1.')
        top = min(top, self.config['max_top'])
        with self._lock:
            accounts = [render(a, self.config) for a in self.accounts.values()]
        page = {'items': accounts[skip:skip + top]}
        if skip + top < len(accounts):
            link = '%s?%s' % (api, urllib.parse.urlencode({'top': top, 'skipToken': skip + top}))
            page['nextLink'] = (self.base + link) if self.config['next_link'] == 'absolute' else link
        return page

    # ---------------------------------------------------------------- /_sim
    def _health(self):
        return {'accounts': len(self.accounts)}

    def control(self, method, path, query, raw_body):
        try:
            body = json.loads(raw_body.decode('utf-8')) if raw_body and raw_body.strip() else None
            path = path[len(CONTROL_PREFIX):].rstrip('/') or '/'
            common = self._control_common(method, path, _query_dict(query), body)
            if common is not None:
                return common
            if (method, path) == ('POST', '/accounts'):
                documents = body.get('accounts') if isinstance(body, dict) and 'accounts' in body else body
                return Result(200, {'accounts': self.add_accounts(documents if isinstance(documents, list) else [documents])})
            return Result(404, {'message': 'Unknown control endpoint: %s %s' % (method, path)})
        except CamError as exc:
            return Result(exc.status, {'message': exc.message})
        except (ConfigError, ValueError) as exc:
            return Result(400, {'message': str(exc)})


class _CamHandler(_Handler):
    server_version = 'CAMSimulator/1.0'

    def _handle(self):
        simulator = self.server.simulator
        try:
            raw_body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(Result(400, {'message': 'Malformed request body framing.'}))
            return
        split = urllib.parse.urlsplit(self.path)
        try:
            if split.path == CONTROL_PREFIX or split.path.startswith(CONTROL_PREFIX + '/'):
                result = simulator.control(self.command, split.path, split.query, raw_body)
            else:
                result = simulator.handle(self.command, split.path, split.query, self.headers, raw_body)
        except Exception as exc:  # pylint: disable=broad-except  # the simulator must answer, whatever went wrong
            result = Result(500, {'error': {'code': 'InternalError', 'message': 'Internal simulator error: %s' % exc}})
        if result.drop:
            self.close_connection = True
            return
        self._send(result)

    def _extra_headers(self):
        return {}  # no X-DSM-Version: that is the SWP API's


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.simulator.cam', description='Vision One Cloud Accounts (CAM) simulator')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--seed')
    parser.add_argument('--ready-file')
    parser.add_argument('--config', action='append', default=[], metavar='NAME=VALUE')
    args = parser.parse_args(argv)
    from .__main__ import config_options  # pylint: disable=import-outside-toplevel
    try:
        seed = None
        if args.seed:
            with open(args.seed, encoding='utf-8') as stream:
                seed = json.load(stream)
        sim = CamSimulator(seed=seed, host=args.host, port=args.port, **config_options(args.config)).start()
    except (ConfigError, CamError, OSError, ValueError) as exc:
        sys.stderr.write('cam-simulator: cannot start: %s\n' % exc)
        return 2
    return serve_until_signal(sim, {'url': sim.url, 'base': sim.base, 'pid': os.getpid()}, args.ready_file,
                              prefix='.simulator-ready-')


if __name__ == '__main__':
    sys.exit(main())
