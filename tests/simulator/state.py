"""State and business rules of the simulated manager: connectors, settings, API keys, search.

Everything here is independent of HTTP: methods take parsed JSON and raise ``ApiError``.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import re
import threading
import time
import uuid

from .iam import IamChecker, IamCheckError, parse_role_arn

MAX_SEARCH_ITEMS = 5000

STRING_FIELDS = ('displayName', 'accountId', 'accountAlias', 'accessKey', 'seedRegion', 'crossAccountRoleArn')
BOOLEAN_FIELDS = ('useInstanceRole', 'workspacesEnabled')
NUMERIC_FIELDS = ('ID', 'lastSyncTime')
DATE_FIELDS = ('lastSyncTime',)
# search_fields "documented": the fields the spec marks "Searchable as ...", with that type.
DOCUMENTED_SEARCHABLE = {
    'accountId': 'String', 'accountAlias': 'String', 'accessKey': 'String', 'seedRegion': 'String',
    'crossAccountRoleArn': 'String', 'lastSyncTime': 'Date', 'workspacesEnabled': 'Boolean', 'ID': 'ID',
}
# Order of the properties in a returned connector.
PUBLIC_ORDER = ('displayName', 'accountId', 'accountAlias', 'crossAccountRoleArn', 'accessKey', 'useInstanceRole',
                'seedRegion', 'workspacesEnabled', 'lastSyncTime', 'syncedRegions')

EXTERNAL_ID_SETTING = 'platformSettingAwsExternalIdRetrievalEnabled'
# name -> (default value, kind); kind "bool" values are "true"/"false", "int" values are digit strings.
DEFAULT_SETTINGS = {
    EXTERNAL_ID_SETTING: ('true', 'bool'),
    'platformSettingApiSoapWebServiceEnabled': ('false', 'bool'),
    'platformSettingLoginBannerIsEnabled': ('false', 'bool'),
    'platformSettingUserPasswordLengthMin': ('8', 'int'),
}

DEFAULT_API_KEYS = (
    {'key': 'sim-full-key', 'role': 'full', 'name': 'simulator full access'},
    {'key': 'sim-readonly-key', 'role': 'readonly', 'name': 'simulator read only'},
)
ROLE_IDS = {'full': 1, 'readonly': 2}

NUMERIC_TESTS = {
    'less-than': lambda a, b: a < b,
    'less-than-or-equal': lambda a, b: a <= b,
    'equal': lambda a, b: a == b,
    'greater-than-or-equal': lambda a, b: a >= b,
    'greater-than': lambda a, b: a > b,
    'not-equal': lambda a, b: a != b,
}

SEED_KEYS = {'manager_external_id', 'api_keys', 'settings', 'connectors', 'config', 'faults'}


class ApiError(Exception):
    """An API answer other than success: HTTP status, {"message": ...} body and extra headers."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class SeedError(ValueError):
    """A malformed seed document."""


def now_ms():
    """Milliseconds since the epoch."""
    return int(time.time() * 1000)


def _bad_request(message):
    return ApiError(400, message)


def wildcard_regex(pattern, wildcards=True, ignore_case=False):
    """Compile a search stringValue: with wildcards, ``%`` is any run and ``_`` one character."""
    if wildcards:
        regex = ''.join('.*' if c == '%' else '.' if c == '_' else re.escape(c) for c in pattern)
    else:
        regex = re.escape(pattern)
    return re.compile('^' + regex + '$', re.DOTALL | (re.IGNORECASE if ignore_case else 0))


class Connector:
    """One AWS connector: its public properties plus the external ID the manager uses for it."""

    __slots__ = ('cid', 'fields', 'external_id', 'external_id_source')

    def __init__(self, cid, fields, external_id=None, external_id_source=None):
        self.cid = cid
        self.fields = fields
        self.external_id = external_id
        self.external_id_source = external_id_source  # "manager", "user" or None (not a role connector)

    @property
    def role_arn(self):
        """The cross-account role ARN, or None for key / instance-role connectors."""
        return self.fields.get('crossAccountRoleArn')

    def public(self, expose_external_id=False):
        """The connector as the API returns it (never secretKey)."""
        result = {'ID': self.cid}
        for name in PUBLIC_ORDER:
            if name in self.fields and self.fields[name] is not None:
                value = self.fields[name]
                result[name] = copy.deepcopy(value) if isinstance(value, list) else value
        if expose_external_id and self.role_arn and self.external_id is not None:
            result['externalId'] = self.external_id
        return result

    def internal(self):
        """The connector with the simulator-only fields, for the control API."""
        result = self.public()
        result['external_id'] = self.external_id
        result['external_id_source'] = self.external_id_source
        return result

    def field_value(self, name):
        """Value of a searchable field (``ID`` included)."""
        if name == 'ID':
            return self.cid
        return self.fields.get(name)


class Store:
    """The simulated manager's state. Thread-safe: one lock guards every mutation.

    ``config`` is the simulator's live config dict (read, never written here).
    """

    def __init__(self, config):
        self.config = config
        self._lock = threading.RLock()
        self._connectors = {}
        self._ids = []  # sorted connector IDs
        self._next_id = 1
        self._last_sync_ms = 0
        self._events = []
        self._generation = 0
        self._timers = set()
        self._iam = None
        self.manager_external_id = str(uuid.uuid4())
        self.settings = {}
        self.setting_kinds = {}
        self._setting_defaults = {}
        self.api_keys = {}
        self.load({})

    # ----------------------------------------------------------------- seeding

    def load(self, seed):
        """Replace the whole state with a seed document (config and faults are applied by the caller)."""
        if not isinstance(seed, dict):
            raise SeedError('a seed must be a JSON object')
        unknown = sorted(set(seed) - SEED_KEYS)
        if unknown:
            raise SeedError('unknown seed key(s): %s' % ', '.join(unknown))
        self.cancel_timers()
        with self._lock:
            self._generation += 1
            self._connectors = {}
            self._ids = []
            self._next_id = 1
            self._last_sync_ms = 0
            self._events = []
            manager_id = seed.get('manager_external_id')
            if manager_id is not None and (not isinstance(manager_id, str) or not manager_id):
                raise SeedError('manager_external_id must be a non-empty string')
            self.manager_external_id = manager_id or str(uuid.uuid4())
            self._load_settings(seed.get('settings') or {})
            self._load_api_keys(seed.get('api_keys'))
            self._iam = None  # fresh IAM clients and trust-policy memory
        connectors = seed.get('connectors') or []
        if not isinstance(connectors, list):
            raise SeedError('connectors must be a list')
        self.seed_connectors(connectors)

    def _load_settings(self, overrides):
        if not isinstance(overrides, dict):
            raise SeedError('settings must be an object of name: value')
        self.settings = {name: spec[0] for name, spec in DEFAULT_SETTINGS.items()}
        self.setting_kinds = {name: spec[1] for name, spec in DEFAULT_SETTINGS.items()}
        self._setting_defaults = {name: spec[0] for name, spec in DEFAULT_SETTINGS.items()}
        for name, value in overrides.items():
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            if not isinstance(value, str):
                raise SeedError('setting %s: value must be a string' % name)
            if name not in self.settings:
                # A new setting known from now on, with this value as its default.
                self.setting_kinds[name] = 'str'
                self._setting_defaults[name] = value
            self.settings[name] = value

    def _load_api_keys(self, keys):
        if keys is None:
            keys = list(DEFAULT_API_KEYS)
        if not isinstance(keys, list) or not keys:
            raise SeedError('api_keys must be a non-empty list of {"key", "role"}')
        self.api_keys = {}
        created = now_ms()
        for index, entry in enumerate(keys, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get('key'), str) or not entry['key']:
                raise SeedError('each API key needs a non-empty "key"')
            role = entry.get('role', 'full')
            if role not in ROLE_IDS:
                raise SeedError('API key role must be "full" or "readonly"')
            self.api_keys[entry['key']] = {
                'id': index, 'role': role, 'name': entry.get('name') or 'simulator key %d' % index,
                'description': entry.get('description', ''), 'created': created,
                'locale': 'en-US', 'timeZone': 'UTC',
            }

    def seed_connectors(self, documents):
        """Add connectors directly (no IAM check); each may carry "ID" and a user-defined "externalId"."""
        created = []
        with self._lock:
            for document in documents:
                created.append(self._seed_one(document))
        return [connector.internal() for connector in created]

    def _seed_one(self, document):
        if not isinstance(document, dict):
            raise SeedError('a connector must be a JSON object')
        fields = {}
        for name in STRING_FIELDS:
            if document.get(name) is not None:
                if not isinstance(document[name], str):
                    raise SeedError('connector %s must be a string' % name)
                fields[name] = document[name]
        for name in BOOLEAN_FIELDS:
            fields[name] = bool(document.get(name, False))
        if document.get('lastSyncTime') is not None:
            fields['lastSyncTime'] = int(document['lastSyncTime'])
            self._last_sync_ms = max(self._last_sync_ms, fields['lastSyncTime'])
        if document.get('syncedRegions') is not None:
            fields['syncedRegions'] = copy.deepcopy(document['syncedRegions'])
        external_id, source = None, None
        if fields.get('crossAccountRoleArn'):
            parsed = parse_role_arn(fields['crossAccountRoleArn'])
            if parsed is None:
                raise SeedError('not a role ARN: %s' % fields['crossAccountRoleArn'])
            fields['accountId'] = parsed[0]
            external_id = document.get('externalId') or self.manager_external_id
            source = 'manager' if external_id == self.manager_external_id else 'user'
        fields.setdefault('displayName', fields.get('accountAlias') or fields.get('accountId') or 'AWS connector')
        cid = document.get('ID')
        if cid is None:
            cid = self._next_id
        elif not isinstance(cid, int) or isinstance(cid, bool) or cid < 1:
            raise SeedError('connector ID must be a positive integer')
        elif cid in self._connectors:
            raise SeedError('duplicate connector ID %d' % cid)
        connector = Connector(cid, fields, external_id, source)
        self._insert(connector)
        return connector

    def _insert(self, connector):
        cid = connector.cid
        self._connectors[cid] = connector
        if not self._ids or cid > self._ids[-1]:
            self._ids.append(cid)
        else:
            bisect.insort(self._ids, cid)
        self._next_id = max(self._next_id, cid + 1)

    # ----------------------------------------------------------------- IAM

    def iam_checker(self):
        """The IAM checker for the current config, or None when no IAM endpoint is set."""
        config = self.config
        endpoint = config.get('iam_endpoint_url')
        with self._lock:
            if not endpoint:
                self._iam = None
                return None
            settings = (endpoint, config['aws_access_key_id'], config['aws_secret_access_key'], config['aws_region'])
            if self._iam is None or not self._iam.settings_match(*settings):
                self._iam = IamChecker(*settings)
            self._iam.principal = config['swp_principal']
            self._iam.propagation_delay = config['iam_propagation_delay']
            return self._iam

    def forget_iam(self):
        """Forget the trust policies seen (propagation-delay memory)."""
        with self._lock:
            if self._iam is not None:
                self._iam.forget()

    def observe_roles(self, role_arns=None):
        """Read trust policies now so that later changes are subject to the propagation delay."""
        checker = self.iam_checker()
        if checker is None:
            return 0
        if role_arns is None:
            with self._lock:
                role_arns = sorted({c.role_arn for c in self._connectors.values() if c.role_arn})
        for arn in role_arns:
            checker.observe(arn)
        return len(role_arns)

    def check_access(self, role_arn, external_id):
        """(ok, message): can the manager assume ``role_arn`` with ``external_id``?"""
        checker = self.iam_checker()
        if checker is None or not role_arn:
            return True, None
        try:
            ok, reason = checker.can_assume(role_arn, external_id)
        except IamCheckError as exc:
            raise ApiError(500, 'Simulator could not read the trust policy from IAM: %s' % exc) from exc
        if ok:
            return True, None
        if self.config.get('refusal_message') == 'without_arn':
            return False, "Unable to assume the cross-account role (%s): check the role's trust policy." % reason
        return False, ("Unable to assume role %s with the external ID %s (%s): check the role's trust policy."
                       % (role_arn, external_id, reason))

    def _refusal(self, message):
        """The error of a create/modify refused because the role cannot be assumed."""
        return ApiError(self.config.get('refusal_status', 400), message)

    # ----------------------------------------------------------------- sync

    def sync_mode(self):
        """How a requested sync happens: "inline", "async" or "never" (a sync_delay makes "inline" async)."""
        mode = self.config.get('sync_mode', 'inline')
        if mode == 'inline' and self.config.get('sync_delay'):
            return 'async'
        return mode

    def _next_sync_ms(self, connector):
        # The manager's clock, never going back for one connector. (Not a counter shared by every connector: a
        # background sync of thousands of connectors in one millisecond would run that counter ahead of the clock.)
        last = connector.fields.get('lastSyncTime') or 0
        self._last_sync_ms = max(now_ms(), last + 1)
        return self._last_sync_ms

    def _mark_synced(self, connector, cause):
        connector.fields['lastSyncTime'] = self._next_sync_ms(connector)
        connector.fields['syncedRegions'] = [{
            'region': connector.fields.get('seedRegion') or 'us-east-1', 'computersSynced': 0, 'workspacesSynced': 0}]
        self._event(connector.cid, 'sync', cause, connector.fields['lastSyncTime'])

    def _event(self, cid, event, cause, time_ms=None):
        """Record a write or a sync of a connector, in order (for tests: was there a sync after the write?)."""
        self._events.append({'seq': len(self._events) + 1, 'id': cid, 'event': event, 'cause': cause,
                             'time': now_ms() if time_ms is None else time_ms})

    def events(self, cid=None):
        """The writes and syncs recorded since the reset: [{"seq", "id", "event": "write"|"sync", "cause", "time"}]."""
        with self._lock:
            return [dict(e) for e in self._events if cid is None or e['id'] == cid]

    def background_sync(self, ids=None):
        """The manager's own scheduled sync: every connector (or those of ``ids``) that it can reach, now.

        A role connector is synced only when its role can be assumed with its external ID (IAM checked when an
        endpoint is set), as a failed sync leaves lastSyncTime alone. Returns the IDs synced.
        """
        with self._lock:
            generation = self._generation
            targets = [(cid, self._connectors[cid].role_arn, self._connectors[cid].external_id)
                       for cid in (self._ids if ids is None else ids) if cid in self._connectors]
        reachable = []
        for cid, role_arn, external_id in targets:
            try:
                ok = self.check_access(role_arn, external_id)[0]
            except ApiError:
                ok = False
            if ok:
                reachable.append(cid)
        synced = []
        with self._lock:
            if generation != self._generation:
                return synced
            for cid in reachable:
                connector = self._connectors.get(cid)
                if connector is not None:
                    self._mark_synced(connector, 'background')
                    synced.append(cid)
        return synced

    def _schedule_sync(self, cid):
        generation = self._generation
        timer = threading.Timer(self.config['sync_delay'], self._delayed_sync, args=(cid, generation))
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()

    def _delayed_sync(self, cid, generation):
        with self._lock:
            self._timers = {t for t in self._timers if t.is_alive() and t is not threading.current_thread()}
            connector = self._connectors.get(cid)
            if connector is None or generation != self._generation:
                return
            role_arn, external_id = connector.role_arn, connector.external_id
        try:
            ok = self.check_access(role_arn, external_id)[0]
        except ApiError:
            ok = False
        with self._lock:
            connector = self._connectors.get(cid)
            if ok and connector is not None and generation == self._generation:
                self._mark_synced(connector, 'async')

    def cancel_timers(self):
        """Cancel pending asynchronous syncs."""
        with self._lock:
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()

    # ----------------------------------------------------------------- connectors

    def _expose(self):
        return bool(self.config.get('expose_external_id')) and self.settings.get(EXTERNAL_ID_SETTING) == 'true'

    def _get(self, cid):
        connector = self._connectors.get(cid)
        if connector is None:
            raise ApiError(404, 'The AWS Connector does not exist: no AWS connector with ID %d.' % cid)
        return connector

    def list_connectors(self):
        """GET /awsconnectors."""
        expose = self._expose()
        with self._lock:
            return {'awsConnectors': [self._connectors[cid].public(expose) for cid in self._ids]}

    def describe_connector(self, cid):
        """GET /awsconnectors/{id}."""
        with self._lock:
            return self._get(cid).public(self._expose())

    def delete_connector(self, cid):
        """DELETE /awsconnectors/{id}; returns False when there was no such connector."""
        with self._lock:
            if cid not in self._connectors:
                if self.config['delete_missing_status'] == 404:
                    self._get(cid)
                return False
            del self._connectors[cid]
            index = bisect.bisect_left(self._ids, cid)
            del self._ids[index]
            return True

    @staticmethod
    def _check_types(body):
        if not isinstance(body, dict):
            raise _bad_request('The request body must be an AWSConnector JSON object.')
        for name in STRING_FIELDS + ('secretKey', 'externalId'):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise _bad_request('Invalid value for %s: a string is required.' % name)
        for name in BOOLEAN_FIELDS:
            if body.get(name) is not None and not isinstance(body[name], bool):
                raise _bad_request('Invalid value for %s: true or false is required.' % name)

    def _role_fields(self, arn):
        parsed = parse_role_arn(arn)
        if parsed is None:
            raise _bad_request('Invalid crossAccountRoleArn: %s is not an IAM role ARN.' % arn)
        return parsed[0]

    def _requested_external_id(self, body):
        """The external ID a create/modify asks for: the manager's, or a body externalId when accepted."""
        if self.config.get('accept_external_id_in_body') and body.get('externalId'):
            external_id = body['externalId']
            return external_id, 'manager' if external_id == self.manager_external_id else 'user'
        return self.manager_external_id, 'manager'

    def _check_duplicate(self, account_id, exclude=None):
        status = self.config.get('duplicate_account_status')
        if status is None or not account_id:
            return
        for connector in self._connectors.values():
            if connector.cid != exclude and connector.fields.get('accountId') == account_id:
                raise ApiError(status, 'An AWS connector for account %s already exists (ID %d).' % (account_id, connector.cid))

    def create_connector(self, body, sync=False):
        """POST /awsconnectors."""
        self._check_types(body)
        modes = [bool(body.get('crossAccountRoleArn')), bool(body.get('accessKey')), body.get('useInstanceRole') is True]
        if sum(modes) == 0:
            raise _bad_request('One of crossAccountRoleArn, accessKey and secretKey, or useInstanceRole is required.')
        if sum(modes) > 1:
            raise _bad_request('Use only one of crossAccountRoleArn, accessKey and secretKey, or useInstanceRole.')
        fields = {'useInstanceRole': False, 'workspacesEnabled': bool(body.get('workspacesEnabled', False))}
        for name in ('accountAlias', 'seedRegion', 'displayName'):
            if body.get(name):
                fields[name] = body[name]
        external_id, source = None, None
        if modes[0]:
            arn = body['crossAccountRoleArn']
            fields['crossAccountRoleArn'] = arn
            fields['accountId'] = self._role_fields(arn)
            external_id, source = self._requested_external_id(body)
            ok, message = self.check_access(arn, external_id)
            if not ok:
                raise self._refusal(message)
        elif modes[1]:
            if not body.get('secretKey'):
                raise _bad_request('secretKey is required with accessKey.')
            fields['accessKey'] = body['accessKey']
            fields['accountId'] = body.get('accountId') or self._account_for_key(body['accessKey'])
        else:
            fields['useInstanceRole'] = True
            if body.get('accountId'):
                fields['accountId'] = body['accountId']
        fields.setdefault('displayName', fields.get('accountAlias') or fields.get('accountId') or 'AWS connector')
        sync = sync or bool(self.config.get('sync_on_create'))
        mode = self.sync_mode() if sync else None
        with self._lock:
            self._check_duplicate(fields.get('accountId'))
            connector = Connector(self._next_id, fields, external_id, source)
            self._insert(connector)
            self._event(connector.cid, 'write', 'create')
            if mode == 'inline':
                self._mark_synced(connector, 'inline')
            result = connector.public(self._expose())
        if mode == 'async':
            self._schedule_sync(connector.cid)
        return result

    @staticmethod
    def _account_for_key(access_key):
        """A stable made-up account ID for an access-key connector."""
        digest = hashlib.sha256(access_key.encode('utf-8')).hexdigest()
        return '%012d' % (int(digest[:12], 16) % 10 ** 12)

    def modify_connector(self, cid, body, sync=False):
        """POST /awsconnectors/{id}?sync=...: unset properties are left unchanged.

        Sending crossAccountRoleArn (same or new) moves the connector to the manager-defined external
        ID, after checking that the role accepts it; the connector is unchanged when it does not.
        """
        self._check_types(body)
        with self._lock:
            current = self._get(cid)
            fields = copy.deepcopy(current.fields)
            external_id, source = current.external_id, current.external_id_source
        for name in ('displayName', 'accountAlias', 'seedRegion'):
            if body.get(name) is not None:
                fields[name] = body[name]
        if body.get('workspacesEnabled') is not None:
            fields['workspacesEnabled'] = body['workspacesEnabled']
        role_change = bool(body.get('crossAccountRoleArn')) or (
            bool(self.config.get('accept_external_id_in_body')) and bool(body.get('externalId')) and bool(fields.get('crossAccountRoleArn')))
        if role_change:
            arn = body.get('crossAccountRoleArn') or fields['crossAccountRoleArn']
            account_id = self._role_fields(arn)
            if fields.get('accountId') and fields['accountId'] != account_id:
                raise _bad_request('The role %s belongs to AWS account %s, but this connector is for account %s.'
                                   % (arn, account_id, fields['accountId']))
            fields['crossAccountRoleArn'] = arn
            fields['accountId'] = account_id
            fields['useInstanceRole'] = False
            fields.pop('accessKey', None)
            external_id, source = self._requested_external_id(body)
        elif body.get('accessKey'):
            if not body.get('secretKey'):
                raise _bad_request('secretKey is required with accessKey.')
            fields['accessKey'] = body['accessKey']
            fields['useInstanceRole'] = False
            fields.pop('crossAccountRoleArn', None)
            external_id, source = None, None
        elif body.get('useInstanceRole') is True:
            fields['useInstanceRole'] = True
            fields.pop('crossAccountRoleArn', None)
            fields.pop('accessKey', None)
            external_id, source = None, None
        mode = self.sync_mode() if sync else None
        sync_ok = False
        if role_change or mode == 'inline':
            ok, message = self.check_access(fields.get('crossAccountRoleArn'), external_id)
            if not ok and role_change:
                raise self._refusal(message)
            if not ok and self.config['sync_failure_status'] != 200:
                raise ApiError(self.config['sync_failure_status'], message)
            sync_ok = ok
        with self._lock:
            connector = self._get(cid)
            connector.fields = fields
            connector.external_id, connector.external_id_source = external_id, source
            self._event(cid, 'write', 'modify')
            if mode == 'inline' and sync_ok:
                self._mark_synced(connector, 'inline')
            result = connector.public(self._expose())
        if mode == 'async':
            self._schedule_sync(cid)
        return result

    # ----------------------------------------------------------------- search

    def search(self, search_filter):
        """POST /awsconnectors/search."""
        if search_filter is None:
            search_filter = {}
        if not isinstance(search_filter, dict):
            raise _bad_request('The request body must be a searchFilter JSON object.')
        max_items = search_filter.get('maxItems')
        if max_items is None:
            max_items = MAX_SEARCH_ITEMS
        if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 0:
            raise _bad_request('Invalid maxItems: a non-negative integer is required.')
        if max_items > MAX_SEARCH_ITEMS and self.config.get('max_items_excess') == 'refuse':
            raise _bad_request('Invalid SearchFilter: maxItems cannot exceed %d.' % MAX_SEARCH_ITEMS)
        max_items = min(max_items, MAX_SEARCH_ITEMS)
        criteria = search_filter.get('searchCriteria') or []
        if isinstance(criteria, dict):
            criteria = [criteria]
        if not isinstance(criteria, list):
            raise _bad_request('Invalid searchCriteria: a list is required.')
        predicates = []
        low, high = None, None  # ID bounds as (value, inclusive)
        for criterion in criteria:
            predicate, bounds = self._compile_criterion(criterion)
            predicates.append(predicate)
            if bounds:
                low = _tighter(low, bounds[0], greater=True)
                high = _tighter(high, bounds[1], greater=False)
        by_id = bool(search_filter.get('sortByObjectID')) or self.config.get('unsorted_search_order') == 'id'
        expose = self._expose()
        with self._lock:
            candidates = self._id_range(low, high)
            if by_id:
                found = []
                if max_items:
                    for cid in candidates:
                        connector = self._connectors[cid]
                        if all(p(connector) for p in predicates):
                            found.append(connector)
                            if len(found) >= max_items:
                                break
            else:
                found = [self._connectors[cid] for cid in candidates if all(p(self._connectors[cid]) for p in predicates)]
                found.sort(key=lambda c: (str(c.fields.get('displayName') or '').lower(), c.cid))
                found = found[:max_items]
            return {'awsConnectors': [c.public(expose) for c in found]}

    def _id_range(self, low, high):
        """The sorted connector IDs within the bounds, found by bisection."""
        ids = self._ids
        start, end = 0, len(ids)
        if low is not None:
            start = bisect.bisect_left(ids, low[0]) if low[1] else bisect.bisect_right(ids, low[0])
        if high is not None:
            end = bisect.bisect_right(ids, high[0]) if high[1] else bisect.bisect_left(ids, high[0])
        return ids[start:end] if start < end else []

    def _compile_criterion(self, criterion):
        """(predicate, id_bounds or None) for one searchCriteria object."""
        if not isinstance(criterion, dict):
            raise _bad_request('Invalid search criteria: each criterion must be an object.')
        if 'idTest' in criterion or 'idValue' in criterion:
            return self._id_criterion(criterion)
        field = criterion.get('fieldName')
        if not isinstance(field, str) or not field:
            raise _bad_request('Invalid search criteria: fieldName is required for all tests except idTest.')
        if self.config.get('search_fields') == 'documented':
            self._check_documented_field(field, criterion)
        if 'nullTest' in criterion:
            want_null = bool(criterion['nullTest'])
            if field not in STRING_FIELDS + BOOLEAN_FIELDS + NUMERIC_FIELDS:
                raise _bad_request('Invalid search criteria: unknown field %s.' % field)
            return (lambda c: (c.field_value(field) is None) == want_null), None
        if 'stringTest' in criterion or 'stringValue' in criterion or 'stringWildcards' in criterion:
            return self._string_criterion(field, criterion), None
        if 'numericTest' in criterion or 'numericValue' in criterion:
            return self._numeric_criterion(field, criterion)
        if 'booleanTest' in criterion:
            if field not in BOOLEAN_FIELDS:
                raise _bad_request('Invalid search criteria: field %s is not searchable as Boolean.' % field)
            wanted = criterion['booleanTest']
            if not isinstance(wanted, bool):
                raise _bad_request('Invalid search criteria: booleanTest must be true or false.')
            return (lambda c: bool(c.field_value(field)) == wanted), None
        if any(k in criterion for k in ('firstDateValue', 'lastDateValue', 'firstDateInclusive', 'lastDateInclusive')):
            return self._date_criterion(field, criterion), None
        if any(k in criterion for k in ('choiceTest', 'choiceValue', 'versionTest', 'versionValue')):
            raise _bad_request('Invalid search criteria: field %s is not searchable as Choice or Version.' % field)
        raise _bad_request('Invalid search criteria for field %s: no test given.' % field)

    @staticmethod
    def _check_documented_field(field, criterion):
        """The spec's reading: only the fields marked "Searchable as <type>", each with the tests of its type."""
        kind = DOCUMENTED_SEARCHABLE.get(field)
        if kind is None:
            raise _bad_request('Invalid SearchFilter: unknown fieldName: %s' % field)
        if 'nullTest' in criterion:
            return
        tests = {
            'String': ('stringTest', 'stringValue', 'stringWildcards'),
            'Date': ('firstDateValue', 'lastDateValue', 'firstDateInclusive', 'lastDateInclusive'),
            'Boolean': ('booleanTest',),
            'ID': ('numericTest', 'numericValue'),
        }[kind]
        if not any(key in criterion for key in tests):
            raise _bad_request('Invalid search criteria: field %s is searchable as %s only.' % (field, kind))

    @staticmethod
    def _id_criterion(criterion):
        test = criterion.get('idTest', 'equal')
        value = criterion.get('idValue')
        if test not in NUMERIC_TESTS:
            raise _bad_request('Invalid search criteria: unknown idTest %r.' % (test,))
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _bad_request('Invalid search criteria: idValue is required with idTest.')
        compare = NUMERIC_TESTS[test]
        bounds = {
            'less-than': (None, (value, False)),
            'less-than-or-equal': (None, (value, True)),
            'equal': ((value, True), (value, True)),
            'greater-than-or-equal': ((value, True), None),
            'greater-than': ((value, False), None),
            'not-equal': (None, None),
        }[test]
        return (lambda c: compare(c.cid, value)), bounds

    def _string_criterion(self, field, criterion):
        if field not in STRING_FIELDS:
            raise _bad_request('Invalid search criteria: field %s is not searchable as String.' % field)
        test = criterion.get('stringTest', 'equal')
        if test not in ('equal', 'not-equal'):
            raise _bad_request('Invalid search criteria: unknown stringTest %r.' % (test,))
        value = criterion.get('stringValue')
        if not isinstance(value, str):
            raise _bad_request('Invalid search criteria: stringValue is required with stringTest.')
        wildcards = criterion.get('stringWildcards', True)
        if not isinstance(wildcards, bool):
            raise _bad_request('Invalid search criteria: stringWildcards must be true or false.')
        regex = wildcard_regex(value, wildcards, bool(self.config.get('search_case_insensitive')))
        negate = test == 'not-equal'
        # A missing property compares as the empty string.
        return lambda c: bool(regex.match(c.field_value(field) or '')) != negate

    @staticmethod
    def _numeric_criterion(field, criterion):
        if field not in NUMERIC_FIELDS:
            raise _bad_request('Invalid search criteria: field %s is not searchable as Numeric.' % field)
        test = criterion.get('numericTest', 'equal')
        value = criterion.get('numericValue')
        if test not in NUMERIC_TESTS:
            raise _bad_request('Invalid search criteria: unknown numericTest %r.' % (test,))
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _bad_request('Invalid search criteria: numericValue is required with numericTest.')
        compare = NUMERIC_TESTS[test]
        if field == 'ID':
            return Store._id_criterion({'idTest': test, 'idValue': value})

        def predicate(connector):
            current = connector.field_value(field)
            return current is not None and compare(current, value)
        return predicate, None

    @staticmethod
    def _date_criterion(field, criterion):
        if field not in DATE_FIELDS:
            raise _bad_request('Invalid search criteria: field %s is not searchable as Date.' % field)
        first, last = criterion.get('firstDateValue'), criterion.get('lastDateValue')
        first_inclusive = criterion.get('firstDateInclusive', True)
        last_inclusive = criterion.get('lastDateInclusive', True)

        def predicate(connector):
            current = connector.field_value(field)
            if current is None:
                return False
            if first is not None and (current < first or (current == first and not first_inclusive)):
                return False
            if last is not None and (current > last or (current == last and not last_inclusive)):
                return False
            return True
        return predicate

    # ----------------------------------------------------------------- settings and keys

    def external_id_settings(self):
        """GET /awsconnectorsettings."""
        with self._lock:
            if self.settings.get(EXTERNAL_ID_SETTING) != 'true':
                raise ApiError(403, 'Retrieval of the AWS external ID is disabled: enable "Enable retrieval and viewing of AWS '
                                    'external ID" (system setting %s).' % EXTERNAL_ID_SETTING)
            return {'externalId': self.manager_external_id}

    def _setting_name(self, name):
        if name not in self.settings:
            raise ApiError(404, 'The setting does not exist: %s.' % name)
        return name

    def get_setting(self, name):
        """GET /systemsettings/{name}."""
        with self._lock:
            return {'value': self.settings[self._setting_name(name)]}

    def set_setting(self, name, body):
        """POST /systemsettings/{name} with {"value": "..."}."""
        with self._lock:
            self._setting_name(name)
            if not isinstance(body, dict) or not isinstance(body.get('value'), str):
                raise _bad_request('The request body must be {"value": "<string>"}.')
            value = body['value']
            kind = self.setting_kinds.get(name)
            if kind == 'bool':
                if value.lower() not in ('true', 'false'):
                    raise _bad_request('Invalid value for %s: "true" or "false" is required.' % name)
                value = value.lower()
            elif kind == 'int' and not value.isdigit():
                raise _bad_request('Invalid value for %s: a whole number is required.' % name)
            self.settings[name] = value
            return {'value': value}

    def reset_setting(self, name):
        """DELETE /systemsettings/{name}: back to the default."""
        with self._lock:
            self._setting_name(name)
            self.settings[name] = self._setting_defaults[name]
            return {'value': self.settings[name]}

    def find_key(self, key):
        """The API key record for a secret, or None."""
        if key is None:
            return None
        return self.api_keys.get(key)

    @staticmethod
    def current_api_key(record):
        """GET /apikeys/current."""
        return {
            'ID': record['id'], 'keyName': record['name'], 'description': record['description'],
            'locale': record['locale'], 'roleID': ROLE_IDS[record['role']], 'timeZone': record['timeZone'],
            'active': True, 'created': record['created'], 'lastSignIn': now_ms(), 'unsuccessfulSignInAttempts': 0,
            'serviceAccount': False,
            'roleURN': 'urn:tmds:identity:us-east-ds-1:0:role/%s' % ('full-access' if record['role'] == 'full' else 'read-only'),
        }

    @staticmethod
    def describe_role(role_id, with_rights=True):
        """GET /roles/{id} [assumed, not in the contract]: the role of a simulator key, with its AWS connector rights."""
        roles = {number: name for name, number in ROLE_IDS.items()}
        if role_id not in roles:
            raise ApiError(404, 'The role does not exist: %d.' % role_id)
        full = roles[role_id] == 'full'
        role = {'ID': role_id, 'name': 'Full Access' if full else 'Auditor', 'immutable': True,
                'urn': 'urn:tmds:identity:us-east-ds-1:0:role/%s' % ('full-access' if full else 'read-only'),
                'allowUserInterface': True, 'allowWebService': True}
        if with_rights:
            role['rights'] = {'platformRights': {'awsConnectorRights': {
                'canCreateNewAWSConnectors': full, 'canEditAWSConnectorProperties': full, 'canDeleteAWSConnectors': full}}}
        return role

    def modify_current_api_key(self, record, body):
        """POST /apikeys/current: keyName, description, locale, timeZone."""
        if not isinstance(body, dict):
            raise _bad_request('The request body must be an apiKeyCurrent JSON object.')
        with self._lock:
            for prop, name in (('keyName', 'name'), ('description', 'description'), ('timeZone', 'timeZone')):
                if body.get(prop) is not None:
                    if not isinstance(body[prop], str):
                        raise _bad_request('Invalid value for %s: a string is required.' % prop)
                    record[name] = body[prop]
            if body.get('locale') is not None:
                if body['locale'] not in ('en-US', 'ja-JP'):
                    raise _bad_request('Invalid value for locale: "en-US" or "ja-JP" is required.')
                record['locale'] = body['locale']
        return self.current_api_key(record)

    # ----------------------------------------------------------------- views

    def snapshot(self):
        """Connectors with their internal external ID, settings and the manager ID (for GET /_sim/state)."""
        with self._lock:
            return {
                'manager_external_id': self.manager_external_id,
                'connectors': [self._connectors[cid].internal() for cid in self._ids],
                'next_id': self._next_id,
                'settings': dict(self.settings),
                'api_keys': [{'id': r['id'], 'name': r['name'], 'role': r['role']} for r in self.api_keys.values()],
            }

    def connector_count(self):
        """Number of connectors."""
        with self._lock:
            return len(self._ids)


def _tighter(current, new, greater):
    """Combine two ID bounds (value, inclusive), keeping the tighter one."""
    if new is None:
        return current
    if current is None:
        return new
    if new[0] != current[0]:
        if greater:
            return new if new[0] > current[0] else current
        return new if new[0] < current[0] else current
    return (new[0], new[1] and current[1])
