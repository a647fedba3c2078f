"""The HTTP side of the simulator: API pipeline, control API, request log and the ``Simulator`` class.

Typical in-process use::

    with Simulator(iam_endpoint_url=moto_url) as sim:
        requests.get(sim.url + '/awsconnectorsettings', headers={...})
        sim.add_faults([{'status': 503}])
        sim.requests()
"""

from __future__ import annotations

import collections
import copy
import html
import http
import json
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .config import ConfigError, make_config, merge_layers, public_config, validate_config
from .faults import FaultError, FaultInjector, RateLimiter
from .iam import IamCheckError
from .state import SEED_KEYS, ApiError, SeedError, Store

JSON_TYPE = 'application/json'
HTML_TYPE = 'text/html; charset=utf-8'
API_PREFIX = '/api'
CONTROL_PREFIX = '/_sim'
REDACTED = '**REDACTED**'
MAX_LOGGED_TEXT = 2000

# (path regex relative to /api, {method: operation})
ROUTES = (
    (re.compile(r'^/awsconnectorsettings/?$'), {'GET': 'external_id_settings'}),
    (re.compile(r'^/awsconnectors/?$'), {'GET': 'list_connectors', 'POST': 'create_connector'}),
    (re.compile(r'^/awsconnectors/search/?$'), {'POST': 'search_connectors'}),
    (re.compile(r'^/awsconnectors/(\d+)/?$'), {'GET': 'describe_connector', 'POST': 'modify_connector', 'DELETE': 'delete_connector'}),
    (re.compile(r'^/systemsettings/([^/]+)/?$'), {'GET': 'get_setting', 'POST': 'set_setting', 'DELETE': 'reset_setting'}),
    (re.compile(r'^/apikeys/current/?$'), {'GET': 'current_api_key', 'POST': 'modify_current_api_key'}),
    # Not in the contract (the public API has it): switchable with roles_api.
    (re.compile(r'^/roles/(\d+)/?$'), {'GET': 'describe_role'}),
)
# Operations a read-only key may call (everything else writes).
READ_OPERATIONS = {'external_id_settings', 'list_connectors', 'search_connectors', 'describe_connector', 'get_setting', 'current_api_key',
                   'describe_role'}

FAULT_MESSAGES = {
    429: 'Too many API requests.',
    500: 'Internal server error (simulated fault).',
    502: 'Bad gateway (simulated fault).',
    503: 'Service unavailable (simulated fault).',
    504: 'Gateway timeout (simulated fault).',
}


class Result:
    """What to answer: a status with a JSON (or raw) body, or ``drop`` = close without answering."""

    __slots__ = ('status', 'body', 'raw', 'content_type', 'headers', 'drop')

    def __init__(self, status=200, body=None, headers=None, raw=None, content_type=JSON_TYPE, drop=False):
        self.status = status
        self.body = body
        self.raw = raw
        self.content_type = content_type
        self.headers = dict(headers or {})
        self.drop = drop

    def payload(self):
        """The response body as bytes."""
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b''
        return json.dumps(self.body).encode('utf-8')

    @classmethod
    def error(cls, status, message, headers=None, style='message'):
        """An error answer in one of the ``error_body`` styles: "message" = {"message": ...}, "legacy" =
        {"error": {"message": ...}}, "html" = an HTML page with the message, "empty" = no body (the last two
        as text/html, as a proxy or load balancer sends them)."""
        if style == 'legacy':
            return cls(status, {'error': {'message': message}}, headers)
        if style == 'html':
            return cls(status, raw=html_page(status, message).encode('utf-8'), headers=headers, content_type=HTML_TYPE)
        if style == 'empty':
            return cls(status, raw=b'', headers=headers, content_type=HTML_TYPE)
        return cls(status, {'message': message}, headers)


def html_page(status, message):
    """The kind of error page a proxy or an application server answers."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = 'Error'
    return ('<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n<body><h1>%s</h1>\n<p>%s</p>\n</body></html>\n'
            % (status, phrase, phrase, html.escape(message)))


DROP = Result(status=None, drop=True)


def redact(value):
    """A copy of parsed JSON with secret-looking values replaced."""
    if isinstance(value, dict):
        return {k: (REDACTED if _secret_key_name(k) else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _secret_key_name(name):
    lowered = str(name).lower()
    return 'secret' in lowered or 'password' in lowered or lowered in ('apikey', 'api_key')


class _NoBody:
    """Marker: the request had no body."""


NO_BODY = _NoBody()


def parse_body(raw):
    """Parsed JSON body, NO_BODY when empty; raises ApiError(400) on bad JSON."""
    if not raw or not raw.strip():
        return NO_BODY
    try:
        return json.loads(raw.decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, 'Invalid JSON in the request body: %s' % exc) from exc


def _body_for_log(raw):
    if not raw or not raw.strip():
        return None
    try:
        return redact(json.loads(raw.decode('utf-8')))
    except (ValueError, UnicodeDecodeError):
        return {'unparsed': raw[:MAX_LOGGED_TEXT].decode('utf-8', 'replace')}


def _query_dict(query):
    parsed = urllib.parse.parse_qs(query or '', keep_blank_values=True)
    return {k: (v[0] if len(v) == 1 else v) for k, v in parsed.items()}


def fault_result(fault, style='message'):
    """The answer a status fault gives (without a "body", an error in the ``error_body`` style)."""
    status = fault['status']
    headers = dict(fault.get('headers') or {})
    if fault.get('retry_after') is not None:
        headers['Retry-After'] = str(fault['retry_after'])
    if 'body' in fault:
        body = fault['body']
        if isinstance(body, str):
            content_type = fault.get('content_type') or ('text/html' if body.lstrip().startswith('<') else 'text/plain')
            return Result(status, raw=body.encode('utf-8'), headers=headers, content_type=content_type)
        return Result(status, body, headers, content_type=fault.get('content_type') or JSON_TYPE)
    message = FAULT_MESSAGES.get(status, 'Simulated fault: HTTP %d.' % status)
    result = Result.error(status, message, headers, style)
    if fault.get('content_type'):
        result.content_type = fault['content_type']
    return result


class RequestLog:
    """Every /api request, in order; thread-safe.

    Entry: seq, time (epoch seconds), method, path (full path incl. /api, no query), query (dict),
    status (None when the connection was dropped), auth_header ("authorization", "api-secret-key" or
    None), key_role, body (parsed JSON with secrets redacted), fault (when one was applied), duration.
    The API key itself is never recorded.
    """

    def __init__(self, limit=100000):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=limit)
        self._seq = 0

    def reset(self, limit):
        """Empty the log; the sequence starts again at 1."""
        with self._lock:
            self._entries = collections.deque(maxlen=limit)
            self._seq = 0

    def clear(self):
        """Empty the log; the sequence goes on."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    def set_limit(self, limit):
        """Change how many entries are kept."""
        with self._lock:
            self._entries = collections.deque(self._entries, maxlen=limit)

    def append(self, entry):
        """Record an entry, numbering it."""
        with self._lock:
            self._seq += 1
            entry['seq'] = self._seq
            self._entries.append(entry)

    def entries(self, since=None):
        """Copies of the entries with seq > since."""
        with self._lock:
            return [copy.deepcopy(e) for e in self._entries if since is None or e['seq'] > since]

    @property
    def last_seq(self):
        """Sequence number of the last entry recorded."""
        return self._seq


class ServedInThread:
    """What both simulators (SWP here, CAM in cam.py) share of serving: an HTTP server in a daemon thread, ``with``,
    and ``base``. A subclass sets ``host``, ``port``, ``_server = None`` and ``_thread = None``."""

    def _serve(self, handler, name):
        """Start serving with ``handler`` unless already serving; returns whether it started."""
        if self._server is not None:
            return False
        self._server = _SimulatorHTTPServer((self.host, self.port), handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.2}, name=name, daemon=True)
        self._thread.start()
        return True

    def _shut_down(self, server):
        """Stop ``server`` (the one _serve started), close its open connections and wait for its thread."""
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base(self):
        """``http://HOST:PORT`` of the running server."""
        return 'http://%s:%d' % (self.host, self.port)

    # The control routes both simulators answer alike. A subclass has ``url``, ``log``, ``faults``, ``state``,
    # ``reset(seed)`` and ``configure(**options)``, and says what its health adds and how its config is shown.
    def _health(self):
        """What ``GET /health`` adds to ``status`` and ``url``."""
        return {}

    def _config_view(self):
        """The config as ``GET /config`` shows it."""
        return dict(self.config)

    def _control_common(self, method, path, query, body):
        """The answer to one of the shared control routes (``path`` after the control prefix), or None for another
        route. A bad request raises ConfigError (400 in both)."""
        if (method, path) == ('GET', '/health'):
            return Result(200, dict({'status': 'ok', 'url': self.url}, **self._health()))
        if (method, path) == ('GET', '/requests'):
            since = query.get('since')
            try:
                since = int(since) if since not in (None, '') else None
            except (TypeError, ValueError):
                raise ConfigError('since must be an integer') from None
            return Result(200, {'requests': self.log.entries(since), 'last_seq': self.log.last_seq})
        if (method, path) == ('DELETE', '/requests'):
            return Result(200, {'cleared': self.log.clear()})
        if (method, path) == ('GET', '/state'):
            return Result(200, self.state)
        if (method, path) == ('POST', '/reset'):
            # no body: back to the startup seed; a body (even {}): that seed
            return Result(200, self.reset(body))
        if (method, path) == ('GET', '/config'):
            return Result(200, self._config_view())
        if (method, path) == ('POST', '/config'):
            if not isinstance(body, dict):
                raise ConfigError('expected a JSON object of config options')
            return Result(200, self.configure(**body))
        if (method, path) == ('GET', '/faults'):
            return Result(200, self.faults.snapshot())
        if (method, path) == ('POST', '/faults'):
            if body is None:
                raise ConfigError('expected {"sequence": [...]}, {"random": [...]} or a rule with "probability"')
            self.faults.add(body)
            return Result(200, self.faults.snapshot())
        if (method, path) == ('DELETE', '/faults'):
            self.faults.clear()
            return Result(200, self.faults.snapshot())
        return None


class Simulator(ServedInThread):
    """A running (or runnable) simulated manager.

    ``Simulator(seed=None, host="127.0.0.1", port=0, verbose=False, **config)``; ``start()`` serves in a
    background thread on a free port (``url`` = ``http://127.0.0.1:PORT/api``, ``base`` without /api).
    """

    def __init__(self, seed=None, host='127.0.0.1', port=0, verbose=False, **config):
        self.host = host
        self.port = port
        self.verbose = verbose
        self._base_config = validate_config(config)
        self._explicit = dict(self._base_config)  # explicit options in force (constructor, seed, configure)
        self._startup_seed = copy.deepcopy(seed) if seed else {}
        self.config = make_config(self._base_config)
        self.faults = FaultInjector(self.config['fault_seed'])
        self.rate_limiter = RateLimiter()
        self.log = RequestLog(self.config['request_log_limit'])
        self.store = Store(self.config)
        self._server = None
        self._thread = None
        self._scheduler = None
        self._scheduler_stop = threading.Event()
        self._background_due = time.monotonic()
        self.reset()

    # ----------------------------------------------------------------- lifecycle

    def start(self):
        """Serve in a daemon thread; returns self."""
        if not self._serve(_Handler, 'swp-simulator'):
            return self
        self._scheduler_stop.clear()
        self._scheduler = threading.Thread(target=self._schedule_background, name='swp-simulator-background', daemon=True)
        self._scheduler.start()
        return self

    def _schedule_background(self):
        """Run the manager's own syncs every ``background_sync_interval`` seconds (0 = none) while serving."""
        while not self._scheduler_stop.wait(0.05):
            interval = self.config.get('background_sync_interval') or 0
            if not interval:
                self._background_due = time.monotonic()
                continue
            if time.monotonic() - self._background_due >= interval:
                self._background_due = time.monotonic()
                try:
                    self.background_sync()
                except Exception:  # pylint: disable=broad-except  # the schedule goes on, as a manager's would
                    self._debug('background sync failed:\n%s' % traceback.format_exc())

    def stop(self):
        """Stop serving, close open connections and cancel pending syncs."""
        server, self._server = self._server, None
        self._scheduler_stop.set()
        if self._scheduler is not None:
            self._scheduler.join(timeout=5)
            self._scheduler = None
        self.store.cancel_timers()
        self._shut_down(server)

    def serve_forever(self):
        """Serve in the calling thread until ``stop()`` is called from another thread."""
        self.start()
        self._thread.join()

    @property
    def url(self):
        """The API base URL, ``http://HOST:PORT/api``."""
        return self.base + API_PREFIX

    # ----------------------------------------------------------------- helpers for tests

    def reset(self, seed=None):
        """Reset everything (state, config, log, faults, rate-limit counters, IAM memory).

        ``seed`` None re-applies the seed given at construction.  The config becomes the defaults,
        overlaid with the constructor's options, then with the seed's "config".
        """
        seed = self._startup_seed if seed is None else seed
        if not isinstance(seed, dict):
            raise SeedError('a seed must be a JSON object')
        unknown = sorted(set(seed) - SEED_KEYS)
        if unknown:
            raise SeedError('unknown seed key(s): %s' % ', '.join(unknown))
        explicit = merge_layers(self._base_config, seed.get('config'))
        config = make_config(explicit)
        self._explicit = explicit
        self.store.cancel_timers()
        self.config.clear()
        self.config.update(config)
        self.faults.reset(config['fault_seed'])
        if seed.get('faults'):
            self.faults.add(seed['faults'])
        self.rate_limiter.reset()
        self.log.reset(config['request_log_limit'])
        self.store.load(seed)
        self._background_due = time.monotonic()
        self.store.forget_iam()
        if config['iam_propagation_delay'] and config['iam_endpoint_url']:
            try:
                self.store.observe_roles()
            except IamCheckError as exc:
                self._debug('could not read trust policies at reset: %s' % exc)
        return self.state

    def configure(self, **options):
        """Merge config options at run time; returns the config (secrets masked).

        A ``profile`` re-applies that profile's switches under every explicit option given so far.
        """
        updates = validate_config(options)
        self._explicit.update(updates)
        config = make_config(self._explicit)
        self.config.clear()
        self.config.update(config)
        if 'fault_seed' in updates:
            self.faults.seed(updates['fault_seed'])
        if 'request_log_limit' in updates:
            self.log.set_limit(updates['request_log_limit'])
        return public_config(self.config)

    def add_faults(self, faults):
        """Append faults to the scripted sequence."""
        self.faults.add_sequence(list(faults))

    def add_random_faults(self, rules, seed=None):
        """Add probabilistic fault rules (each with "probability"); optionally reseed the generator."""
        if seed is not None:
            self.faults.seed(seed)
        self.faults.add_random(rules)

    def clear_faults(self):
        """Drop every scripted fault and probabilistic rule."""
        self.faults.clear()

    def requests(self, since=None):
        """The request log (entries with seq > since)."""
        return self.log.entries(since)

    def clear_requests(self):
        """Empty the request log."""
        return self.log.clear()

    def add_connectors(self, documents):
        """Seed connectors directly (no IAM check); returns them with their internal external ID.

        With an IAM propagation delay, their roles' trust policies are read now, so that a later
        change of them is delayed.
        """
        created = self.store.seed_connectors(list(documents))
        if self.config['iam_propagation_delay'] and self.config['iam_endpoint_url']:
            try:
                self.store.observe_roles(sorted({c['crossAccountRoleArn'] for c in created if c.get('crossAccountRoleArn')}))
            except IamCheckError as exc:
                self._debug('could not read trust policies of seeded connectors: %s' % exc)
        return created

    def add_connector(self, document):
        """Seed one connector directly; see ``add_connectors``."""
        return self.add_connectors([document])[0]

    def observe_roles(self, role_arns=None):
        """Read the trust policies of the given roles (default: every connector's role) now."""
        return self.store.observe_roles(role_arns)

    def background_sync(self, ids=None):
        """The manager's own scheduled sync, now: every connector (or those of ``ids``) it can reach; their IDs."""
        return self.store.background_sync(ids)

    def events(self, cid=None):
        """Writes and syncs of connectors since the reset, in order: [{"seq", "id", "event", "cause", "time"}]."""
        return self.store.events(cid)

    @property
    def manager_external_id(self):
        """The manager-defined external ID."""
        return self.store.manager_external_id

    @property
    def state(self):
        """Connectors (with internal external IDs), settings, manager ID and config."""
        snapshot = self.store.snapshot()
        snapshot['config'] = public_config(self.config)
        return snapshot

    def _debug(self, message):
        if self.verbose:
            sys.stderr.write('swp-simulator: %s\n' % message)

    # ----------------------------------------------------------------- /api pipeline

    def handle_api(self, method, path, query, headers, raw_body):
        """Answer one /api request (faults, auth, rate limit, api-version, routing); logs it."""
        started = time.time()
        entry = {'seq': None, 'time': started, 'method': method, 'path': path, 'query': _query_dict(query),
                 'status': None, 'auth_header': None, 'key_role': None, 'body': _body_for_log(raw_body)}
        fault = self.faults.take(method, path)
        result = None
        if fault is not None:
            entry['fault'] = copy.deepcopy(fault)
            if fault['when'] == 'before' and fault.get('background_sync'):
                self.background_sync()
            if fault['when'] == 'before':
                if fault.get('latency'):
                    time.sleep(fault['latency'])
                if fault.get('drop'):
                    result = DROP
                elif fault.get('status'):
                    result = fault_result(fault, self.config['error_body'])
        if result is None:
            result = self._api_call(method, path, query, headers, raw_body, entry)
            if fault is not None and fault['when'] == 'after' and fault.get('background_sync'):
                self.background_sync()
            if fault is not None and fault['when'] == 'after':
                if fault.get('drop'):
                    result = DROP
                elif fault.get('status'):
                    result = fault_result(fault, self.config['error_body'])
        entry['status'] = result.status
        entry['duration'] = round(time.time() - started, 6)
        self.log.append(entry)
        if fault is not None and fault['when'] == 'after' and fault.get('latency'):
            time.sleep(fault['latency'])
        return result

    def _authenticate(self, headers, entry):
        authorization = headers.get('Authorization')
        secret = headers.get('api-secret-key')
        key = None
        if authorization is not None:
            entry['auth_header'] = 'authorization'
            parts = authorization.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == 'apikey':
                key = parts[1].strip()
        elif secret is not None:
            entry['auth_header'] = 'api-secret-key'
            key = secret.strip()
        status = self.config['auth_failure_status']
        if entry['auth_header'] is None:
            raise ApiError(status, "Authentication required: send 'Authorization: ApiKey <key>' or 'api-secret-key: <key>'.")
        record = self.store.find_key(key)
        if record is None:
            raise ApiError(status, 'Authentication failed: the API key is invalid, expired or deleted.')
        entry['key_role'] = record['role']
        return record

    def _api_call(self, method, path, query, headers, raw_body, entry):
        try:
            record = self._authenticate(headers, entry)
            config = self.config
            allowed, retry_after = self.rate_limiter.check_all([
                (('key', record['id']), config['rate_limit'], config['rate_limit_window']),
                (('tenant',), config['tenant_rate_limit'], config['tenant_rate_limit_window'])])
            if not allowed:
                extra = {'Retry-After': str(retry_after)} if self.config['rate_limit_retry_after'] else None
                raise ApiError(429, 'Too many API requests.', extra)
            if headers.get('api-version') != 'v1':
                raise ApiError(400, "Missing or unsupported api-version header: send 'api-version: v1'.")
            operation, args = self._route(method, path[len(API_PREFIX):] or '/')
            if operation == 'describe_role' and config['roles_api'] == 'missing':
                raise ApiError(404, 'Resource not found: %s.' % path)
            if operation not in READ_OPERATIONS and record['role'] != 'full':
                raise ApiError(403, 'Access denied: the API key does not have permission to perform this action (read-only role).')
            return self._dispatch(operation, args, _query_dict(query), raw_body, record)
        except ApiError as exc:
            return Result.error(exc.status, exc.message, exc.headers, self.config['error_body'])

    @staticmethod
    def _route(method, path):
        for pattern, methods in ROUTES:
            match = pattern.match(path)
            if match:
                if method not in methods:
                    raise ApiError(405, 'Method %s is not allowed for %s%s.' % (method, API_PREFIX, path),
                                   {'Allow': ', '.join(sorted(methods))})
                return methods[method], match.groups()
        raise ApiError(404, 'Resource not found: %s%s.' % (API_PREFIX, path))

    def _dispatch(self, operation, args, query, raw_body, record):
        store = self.store
        body = parse_body(raw_body)
        if operation in ('create_connector', 'modify_connector', 'set_setting', 'modify_current_api_key') and body is NO_BODY:
            raise ApiError(400, 'A JSON request body is required.')
        sync = False
        if operation == 'modify_connector':
            sync = _sync_param(query)
        elif operation == 'create_connector' and 'sync' in query:
            # sync is documented on modify only.
            if self.config['create_sync'] == 'refuse':
                raise ApiError(400, 'Unknown query parameter for this operation: sync.')
            sync = _sync_param(query) if self.config['create_sync'] == 'honour' else False
        if operation == 'external_id_settings':
            return Result(200, store.external_id_settings())
        if operation == 'list_connectors':
            return Result(200, store.list_connectors())
        if operation == 'search_connectors':
            return Result(200, store.search(None if body is NO_BODY else body))
        if operation == 'create_connector':
            return Result(200, store.create_connector(body, sync))
        if operation in ('describe_connector', 'modify_connector', 'delete_connector'):
            cid = int(args[0])
            if operation == 'describe_connector':
                return Result(200, store.describe_connector(cid))
            if operation == 'modify_connector':
                return Result(200, store.modify_connector(cid, body, sync))
            store.delete_connector(cid)
            return Result(200, None if self.config['delete_empty_body'] else {})
        if operation == 'get_setting':
            return Result(200, store.get_setting(args[0]))
        if operation == 'set_setting':
            return Result(200, store.set_setting(args[0], body))
        if operation == 'reset_setting':
            return Result(200, store.reset_setting(args[0]))
        if operation == 'current_api_key':
            return Result(200, store.current_api_key(record))
        if operation == 'describe_role':
            if self.config['roles_api'] == 'forbidden':
                raise ApiError(403, 'Access denied: the API key is not allowed to view roles.')
            return Result(200, store.describe_role(int(args[0]), self.config['roles_api'] == 'rights'))
        return Result(200, store.modify_current_api_key(record, body))

    # ----------------------------------------------------------------- /_sim control API

    def handle_control(self, method, path, query, raw_body):
        """Answer one control-API request (no auth)."""
        try:
            body = parse_body(raw_body)
            body = None if body is NO_BODY else body
            return self._control(method, path[len(CONTROL_PREFIX):] or '/', _query_dict(query), body)
        except ApiError as exc:
            return Result.error(exc.status, exc.message, exc.headers)
        except (ConfigError, FaultError, SeedError) as exc:
            return Result.error(400, str(exc))
        except IamCheckError as exc:
            return Result.error(502, str(exc))

    def _health(self):
        return {'base': self.base, 'connectors': self.store.connector_count()}

    def _config_view(self):
        return public_config(self.config)

    def _control(self, method, path, query, body):
        path = path.rstrip('/') or '/'
        common = self._control_common(method, path, query, body)
        if common is not None:
            return common
        if (method, path) == ('POST', '/connectors'):
            if isinstance(body, dict) and isinstance(body.get('connectors'), list):
                return Result(200, {'connectors': self.add_connectors(body['connectors'])})
            if isinstance(body, list):
                return Result(200, {'connectors': self.add_connectors(body)})
            if isinstance(body, dict):
                return Result(200, self.add_connector(body))
            raise ApiError(400, 'expected a connector object, a list of them or {"connectors": [...]}')
        if (method, path) == ('POST', '/sync'):
            ids = body.get('ids') if isinstance(body, dict) else None
            if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
                raise ApiError(400, 'expected {"ids": [connector IDs]} or no body')
            return Result(200, {'synced': self.background_sync(ids)})
        if (method, path) == ('GET', '/events'):
            return Result(200, {'events': self.events()})
        if (method, path) == ('POST', '/iam/observe'):
            arns = body.get('role_arns') if isinstance(body, dict) else None
            return Result(200, {'observed': self.observe_roles(arns)})
        raise ApiError(404, 'Unknown control endpoint: %s %s%s' % (method, CONTROL_PREFIX, path))


def _sync_param(query):
    value = query.get('sync')
    if value is None:
        return False
    if isinstance(value, list):
        value = value[-1]
    lowered = value.lower()
    if lowered not in ('true', 'false'):
        raise ApiError(400, 'Invalid value for query parameter sync: true or false is required.')
    return lowered == 'true'


class _SimulatorHTTPServer(ThreadingHTTPServer):
    """Threading HTTP server that remembers open connections so ``stop()`` can close them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, simulator):
        self.simulator = simulator
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, connection, add):
        """Remember (add=True) or forget an open connection."""
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self):
        """Shut down every open client connection."""
        with self._connections_lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive, every answer with Content-Length."""

    protocol_version = 'HTTP/1.1'
    server_version = 'SWPSimulator/1.0'
    sys_version = ''
    timeout = 120  # idle keep-alive connections are closed after this many seconds

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK would add ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def version_string(self):
        return self.server_version

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.simulator.verbose:
            sys.stderr.write('swp-simulator: %s - %s\n' % (self.address_string(), format % args))

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';', 1)[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        if length < 0:
            raise ValueError('negative Content-Length')
        return self.rfile.read(length) if length else b''

    def _handle(self):
        simulator = self.server.simulator
        try:
            raw_body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(Result.error(400, 'Malformed request body framing.'))
            return
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        try:
            if path == API_PREFIX or path.startswith(API_PREFIX + '/'):
                result = simulator.handle_api(self.command, path, split.query, self.headers, raw_body)
            elif path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + '/'):
                result = simulator.handle_control(self.command, path, split.query, raw_body)
            else:
                result = Result.error(404, 'Resource not found: %s (the API is under %s/).' % (path, API_PREFIX))
        except Exception as exc:  # the simulator must answer, whatever went wrong
            sys.stderr.write('swp-simulator: internal error\n%s' % traceback.format_exc())
            result = Result.error(500, 'Internal simulator error: %s' % exc)
        if result.drop:
            self.close_connection = True
            return
        self._send(result)

    def _extra_headers(self):
        """Headers every answer carries after Content-Length (a subclass for another API overrides this)."""
        return {'X-DSM-Version': self.server.simulator.config['dsm_version']}

    def _send(self, result):
        payload = result.payload()
        try:
            self.send_response(result.status)
            self.send_header('Content-Type', result.content_type or JSON_TYPE)
            self.send_header('Content-Length', str(len(payload)))
            for name, value in self._extra_headers().items():
                self.send_header(name, str(value))
            for name, value in result.headers.items():
                self.send_header(name, str(value))
            if self.close_connection:
                self.send_header('Connection', 'close')
            self.end_headers()
            if payload:
                self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its read timeout)

    def send_error(self, code, message=None, explain=None):
        """Protocol-level errors (bad request line, unknown method) as JSON too."""
        try:
            phrase = http.HTTPStatus(code).phrase
        except ValueError:
            phrase = 'Error'
        self.close_connection = True
        body = json.dumps({'message': message or phrase}).encode('utf-8')
        try:
            self.send_response(code)
            self.send_header('Content-Type', JSON_TYPE)
            self.send_header('Content-Length', str(len(body)))
            self.send_header('Connection', 'close')
            self.end_headers()
            if self.command != 'HEAD' and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass
