"""Run-time options of the simulator: names, defaults and validation.

Every behaviour the API notes mark as assumed is switchable here; see README.md beside this file.
"""

from __future__ import annotations

import copy


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _status(value):
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def _non_negative(value):
    return _is_number(value) and value >= 0


def _optional_str(value):
    return value is None or isinstance(value, str)


def _bool(value):
    return isinstance(value, bool)


def _optional_int(value):
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


# name -> (default, validator, description)
OPTIONS = {
    'auth_failure_status': (401, lambda v: v in (401, 403), 'status for a missing or unknown API key: 401 or 403'),
    'delete_missing_status': (404, lambda v: v in (200, 404), 'status of DELETE /awsconnectors/{id} for a missing connector: 404 or 200'),
    'delete_empty_body': (True, _bool, 'DELETE /awsconnectors/{id} answers 200 with an empty body (true) or with {} (false)'),
    'expose_external_id': (False, _bool, 'connector objects carry "externalId" (newer managers); hidden while retrieval is disabled'),
    'accept_external_id_in_body': (False, _bool, 'honour an "externalId" sent in a create/modify body as a user-defined ID'),
    'iam_endpoint_url': (None, _optional_str, 'IAM/STS endpoint (moto server) used to check trust policies; unset = no check'),
    'aws_access_key_id': ('testing', lambda v: isinstance(v, str), 'base credentials for the IAM endpoint'),
    'aws_secret_access_key': ('testing', lambda v: isinstance(v, str), 'base credentials for the IAM endpoint'),
    'aws_region': ('us-east-1', lambda v: isinstance(v, str), 'region of the IAM/STS clients'),
    'swp_principal': ('arn:aws:iam::147995105371:root', lambda v: isinstance(v, str) and bool(v), 'AWS principal the manager assumes roles as'),
    'iam_propagation_delay': (0.0, _non_negative, 'seconds before a changed trust policy takes effect for the manager'),
    'sync_delay': (0.0, _non_negative, 'seconds between a sync request and lastSyncTime advancing (0 = synchronous)'),
    'sync_failure_status': (400, lambda v: v == 200 or (_status(v) and v >= 400),
                            'status when a synchronous ?sync=true cannot assume the role; 200 = apply the change, silently skip the sync'),
    'sync_on_create': (False, _bool, 'a create synchronizes even without ?sync=true'),
    'duplicate_account_status': (None, lambda v: v is None or (_status(v) and v >= 400),
                                 'refuse a create for an account that already has a connector with this status; null = allow'),
    'search_case_insensitive': (False, _bool, 'string search criteria ignore case'),
    'unsorted_search_order': ('name', lambda v: v in ('name', 'id'), 'order of search results without sortByObjectID: "name" or "id"'),
    'rate_limit': (500, lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, 'calls per API key per window; 0 = off'),
    'rate_limit_window': (60.0, lambda v: _is_number(v) and v > 0, 'rate-limit window in seconds'),
    'rate_limit_retry_after': (False, _bool, 'send Retry-After with a rate-limit 429'),
    'request_log_limit': (100000, lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0, 'entries kept in the request log'),
    'fault_seed': (None, _optional_int, 'seed of the random generator of probabilistic faults'),
    'dsm_version': ('50.0.827', lambda v: isinstance(v, str), 'value of the X-DSM-Version response header'),
}

DEFAULT_CONFIG = {name: spec[0] for name, spec in OPTIONS.items()}

# Keys shown masked in state/config views.
MASKED_KEYS = ('aws_secret_access_key',)


class ConfigError(ValueError):
    """An unknown option or a bad value."""


def validate_config(updates):
    """Check a dict of option updates; returns a normalized copy or raises ConfigError."""
    if not isinstance(updates, dict):
        raise ConfigError('config must be a JSON object')
    unknown = sorted(set(updates) - set(OPTIONS))
    if unknown:
        raise ConfigError('unknown config option(s): %s' % ', '.join(unknown))
    result = {}
    for name, value in updates.items():
        validator = OPTIONS[name][1]
        if not validator(value):
            raise ConfigError('invalid value for config option %s: %r (%s)' % (name, value, OPTIONS[name][2]))
        if name in ('iam_propagation_delay', 'sync_delay', 'rate_limit_window'):
            value = float(value)
        result[name] = value
    return result


def make_config(*layers):
    """Defaults overlaid with each validated layer in turn."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    for layer in layers:
        if layer:
            config.update(validate_config(layer))
    return config


def public_config(config):
    """The config with secrets masked, for the control API."""
    view = dict(config)
    for key in MASKED_KEYS:
        if view.get(key):
            view[key] = '********'
    return view
