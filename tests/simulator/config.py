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
    'sync_mode': ('inline', lambda v: v in ('inline', 'async', 'never'),
                  'what ?sync=true on a modify does: "inline" (the sync happens before the answer), "async" (lastSyncTime '
                  'advances sync_delay seconds after the answer) or "never" (200, lastSyncTime never moves)'),
    'sync_delay': (0.0, _non_negative, 'seconds between the answer and lastSyncTime advancing in the async mode; '
                                       '> 0 with sync_mode "inline" also means async'),
    'background_sync_interval': (0.0, _non_negative,
                                 'seconds between the syncs the manager runs on its own schedule, of every connector it can '
                                 'reach (a real manager: about 600); 0 = none (POST /_sim/sync runs one at any time)'),
    'sync_failure_status': (400, lambda v: v == 200 or (_status(v) and v >= 400),
                            'status when a synchronous ?sync=true cannot assume the role; 200 = apply the change, silently skip the sync'),
    'sync_on_create': (False, _bool, 'a create synchronizes even without ?sync=true'),
    'create_sync': ('ignore', lambda v: v in ('ignore', 'refuse', 'honour'),
                    '?sync on a create (documented on modify only): "ignore" it, "refuse" it (400) or "honour" it'),
    'search_fields': ('documented', lambda v: v in ('any', 'documented'),
                      '"documented": a search criterion on a field the spec does not mark searchable (displayName, '
                      'useInstanceRole...) is 400 "Invalid SearchFilter: unknown fieldName: <field>", and each field only '
                      'takes the test of its documented type; "any": every connector field is searchable'),
    'max_items_excess': ('cap', lambda v: v in ('cap', 'refuse'), 'maxItems above 5000: "cap" it at 5000 or "refuse" it (400)'),
    'refusal_status': (400, lambda v: v in (400, 403, 500), 'status of a create/modify refused because the manager cannot assume the role'),
    'refusal_message': ('with_arn', lambda v: v in ('with_arn', 'without_arn'),
                        'wording of that refusal: "with_arn" names the role ARN and the external ID, "without_arn" names neither'),
    'error_body': ('message', lambda v: v in ('message', 'legacy', 'html', 'empty'),
                   'shape of every /api error answer: {"message": ...}, the legacy {"error": {"message": ...}}, an HTML page '
                   'or an empty body (the last two with a text/html Content-Type, as a proxy sends)'),
    'duplicate_account_status': (None, lambda v: v is None or (_status(v) and v >= 400),
                                 'refuse a create for an account that already has a connector with this status; null = allow'),
    'search_case_insensitive': (False, _bool, 'string search criteria ignore case'),
    'unsorted_search_order': ('name', lambda v: v in ('name', 'id'), 'order of search results without sortByObjectID: "name" or "id"'),
    'rate_limit': (500, lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, 'calls per API key per window; 0 = off'),
    'rate_limit_window': (60.0, lambda v: _is_number(v) and v > 0, 'rate-limit window in seconds'),
    'rate_limit_retry_after': (False, _bool, 'send Retry-After with a rate-limit 429'),
    'tenant_rate_limit': (0, lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                          'calls per tenant (all API keys together) per tenant window; 0 = off'),
    'tenant_rate_limit_window': (60.0, lambda v: _is_number(v) and v > 0, 'tenant rate-limit window in seconds'),
    'request_log_limit': (100000, lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0, 'entries kept in the request log'),
    'fault_seed': (None, _optional_int, 'seed of the random generator of probabilistic faults'),
    'roles_api': ('rights', lambda v: v in ('rights', 'no_rights', 'forbidden', 'missing'),
                  'GET /roles/{id} (not in the contract): "rights" answers the role with its AWS connector rights, '
                  '"no_rights" the role without a rights object, "forbidden" 403, "missing" 404 (no roles API)'),
    'dsm_version': ('50.0.827', lambda v: isinstance(v, str), 'value of the X-DSM-Version response header'),
}

# Profiles: named readings of the public record, each setting several switches at once. The defaults above are
# the "documented" profile; a profile overlays them, explicit options overlay the profile.
PROFILES = {
    # The spec's reading (the default).
    'documented': {},
    # The strictest plausible manager: every assumed behaviour at its least convenient.
    'strict': {
        'search_fields': 'documented',
        'max_items_excess': 'refuse',
        'refusal_status': 403,
        'refusal_message': 'without_arn',
        'sync_mode': 'async',
        'sync_delay': 1.0,
        'create_sync': 'refuse',
        'error_body': 'legacy',
        'tenant_rate_limit': 1000,
        'roles_api': 'forbidden',
    },
    # An older on-premises manager: refusals as a server error, legacy bodies, inline sync.
    'old_dsm': {
        'search_fields': 'documented',
        'refusal_status': 500,
        'refusal_message': 'with_arn',
        'sync_mode': 'inline',
        'create_sync': 'ignore',
        'error_body': 'legacy',
        'auth_failure_status': 403,
        'roles_api': 'missing',
    },
    # A manager that also synchronizes every connector on its own schedule (the vendor: about every ten minutes;
    # here every few seconds), so a sync may land between a play's listing and a switch. Combine it with any
    # sync_mode: Simulator(profile='background', sync_mode='never').
    'background': {
        'background_sync_interval': 3.0,
    },
    # The simulator before the record was reviewed: every field searchable, ?sync honoured on create.
    'permissive': {
        'search_fields': 'any',
        'create_sync': 'honour',
    },
}

OPTIONS['profile'] = ('documented', lambda v: v in PROFILES,
                      'a named set of switch settings: %s; explicit options override it' % ', '.join(sorted(PROFILES)))

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
        if name in ('iam_propagation_delay', 'sync_delay', 'rate_limit_window', 'tenant_rate_limit_window',
                    'background_sync_interval'):
            value = float(value)
        result[name] = value
    return result


def merge_layers(*layers):
    """The explicit options of several layers, validated, later layers winning."""
    explicit = {}
    for layer in layers:
        if layer:
            explicit.update(validate_config(layer))
    return explicit


def make_config(*layers):
    """Defaults, overlaid with the profile the layers name (last one wins), then with every explicit option."""
    explicit = merge_layers(*layers)
    profile = explicit.get('profile', DEFAULT_CONFIG['profile'])
    config = copy.deepcopy(DEFAULT_CONFIG)
    config.update(validate_config(PROFILES[profile]))
    config.update(explicit)
    config['profile'] = profile
    return config


def public_config(config):
    """The config with secrets masked, for the control API."""
    view = dict(config)
    for key in MASKED_KEYS:
        if view.get(key):
            view[key] = '********'
    return view
