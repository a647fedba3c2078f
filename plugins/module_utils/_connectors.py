# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWS connector logic of the swp.aws modules, for internal use.

This module is private to the swp.aws collection: its API may change without notice.
It is pure (standard library only, no Ansible or HTTP import): plain functions over the
modules' parameters and the API's connector objects, so that every decision a module makes
(input validation, which search finds the connector, which properties an update sends, what
the diff shows) can be unit-tested with a table.

Names: the API speaks camelCase (``crossAccountRoleArn``); options and return values are
snake_case (``cross_account_role_arn``). The conversion happens here and nowhere else.
A secret key is never part of anything this module returns.
"""

from __future__ import annotations

import datetime

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, is_account_id, parse_role_arn
from ansible_collections.swp.aws.plugins.module_utils._errors import SwpError
from ansible_collections.swp.aws.plugins.module_utils._masking import censor_external_ids, mask_external_id

__all__ = [
    "ConnectorError",
    "MAX_PAGE_SIZE",
    "SEARCH_PATH",
    "role_arn_account",
    "validate_params",
    "lookup_criteria",
    "local_match",
    "matches",
    "SEARCHABLE_FIELDS",
    "check_page_size",
    "is_refusal",
    "plan",
    "Plan",
    "sync_failure_message",
    "SyncProof",
    "describe_criteria",
    "ambiguity_message",
    "search_filter",
    "search_all",
    "to_snake",
    "from_snake",
    "check_given_connector",
    "given_connector_decides",
    "auth_type",
    "iso_utc",
    "create_body",
    "preview_created",
    "check_found",
    "update_body",
    "apply_body",
    "switch_decision",
    "external_id_source",
    "diff_view",
    "refusal_message",
    "poll_delays",
    "info_criteria",
    "info_local_match",
    "ROLE",
    "KEY",
    "INSTANCE_ROLE",
    "SWITCH_NOT_REQUESTED",
    "SWITCH_NOT_NEEDED",
    "SWITCH_PERFORMED",
    "MANAGER_DEFINED",
    "USER_DEFINED",
    "UNKNOWN",
]

SEARCH_PATH = "/awsconnectors/search"
MAX_PAGE_SIZE = 5000
"""The API's maxItems ceiling for one search call."""
SEARCHABLE_FIELDS = ("accountId", "accountAlias", "accessKey", "seedRegion", "crossAccountRoleArn", "lastSyncTime",
                     "workspacesEnabled", "ID")
"""The properties the spec marks "Searchable as"; displayName and useInstanceRole are not, so they are matched locally."""
# Statuses that say something other than "the manager would not do this with that role": a bad key,
# a missing connector, a conflict, throttling, and a gateway that never reached the manager.
_NOT_REFUSALS = (401, 404, 409, 429, 502, 503, 504)


# (API property, option / return key), in the order connectors are shown.
_FIELDS = (
    ("ID", "id"),
    ("displayName", "display_name"),
    ("accountId", "account_id"),
    ("accountAlias", "account_alias"),
    ("crossAccountRoleArn", "cross_account_role_arn"),
    ("accessKey", "access_key"),
    ("useInstanceRole", "use_instance_role"),
    ("seedRegion", "seed_region"),
    ("workspacesEnabled", "workspaces_enabled"),
    ("lastSyncTime", "last_sync_time"),
)
_BOOLEAN_FIELDS = ("useInstanceRole", "workspacesEnabled")
# Properties a module option sets directly, compared as they are.
_PLAIN_SETTINGS = (("display_name", "displayName"), ("seed_region", "seedRegion"), ("workspaces_enabled", "workspacesEnabled"))
# What --diff shows: the settings a task can change (never a secret, never sync results).
_DIFF_KEYS = ("display_name", "account_id", "auth_type", "cross_account_role_arn", "access_key", "use_instance_role",
              "seed_region", "workspaces_enabled")

ROLE = "cross_account_role"
KEY = "access_key"
INSTANCE_ROLE = "instance_role"

SWITCH_NOT_REQUESTED = "not_requested"
SWITCH_NOT_NEEDED = "not_needed"
SWITCH_PERFORMED = "performed"

MANAGER_DEFINED = "manager_defined"
USER_DEFINED = "user_defined"
UNKNOWN = "unknown"


class ConnectorError(SwpError, ValueError):
    """Input that cannot be acted on, or an answer of the API that makes no sense; the message says which."""

    kind = "invalid"


# ------------------------------------------------------------------ validation

def role_arn_account(arn):
    """The 12-digit account of an IAM role ARN, or None when ``arn`` is not one."""
    try:
        return parse_role_arn(arn)[1]
    except ArnError:
        return None


def _given(params, name):
    """Whether an option was set (a false boolean counts as not set)."""
    value = params.get(name)
    return value is not None and value is not False and value != ""


def validate_params(params):
    """Check the options of swp.aws.workload_connector before any call; raise ConnectorError on the first problem.

    Returns the connector given in the ``connector`` option, in the API's shape (None when not given).
    """
    arn = params.get("cross_account_role_arn")
    account = params.get("account_id")
    if params.get("id") is not None and params["id"] < 1:
        raise ConnectorError("id must be a positive connector ID, got %s." % params["id"])
    if account is not None and not is_account_id(account):
        raise ConnectorError("account_id %r is not an AWS account ID: it must be 12 digits." % account)
    if arn is not None:
        arn_account = role_arn_account(arn)
        if arn_account is None:
            raise ConnectorError(
                "cross_account_role_arn %r is not an IAM role ARN: expected arn:aws:iam::<12-digit account>:role/<path/><name> "
                "(or the role's partition, such as aws-cn or aws-us-gov)." % arn)
        if account is not None and account != arn_account:
            raise ConnectorError(
                "cross_account_role_arn %s belongs to AWS account %s, but account_id is %s: give the role of the connector's "
                "account, or correct account_id." % (arn, arn_account, account))
    if _given(params, "access_key") and arn is not None:
        raise ConnectorError("access_key and cross_account_role_arn are mutually exclusive: a connector uses either a "
                             "cross-account role or an access key.")
    if _given(params, "secret_key") and not _given(params, "access_key"):
        raise ConnectorError("secret_key was given without access_key: give the access key ID that the secret belongs to.")
    if params.get("update_secret") == "always" and not _given(params, "secret_key"):
        raise ConnectorError("update_secret=always needs secret_key (and access_key).")
    if params.get("use_instance_role"):
        if arn is not None or _given(params, "access_key"):
            raise ConnectorError("use_instance_role cannot be combined with cross_account_role_arn or access_key: a connector "
                                 "uses exactly one of a cross-account role, an access key or the manager's instance role.")
    if params.get("use_manager_external_id") and (_given(params, "access_key") or params.get("use_instance_role")):
        raise ConnectorError("use_manager_external_id applies to cross-account role connectors only; it cannot be "
                             "combined with access_key or use_instance_role.")
    if params.get("sync_timeout") is not None and params["sync_timeout"] < 0:
        raise ConnectorError("sync_timeout must be 0 or more seconds.")
    given = check_given_connector(params)
    if not lookup_criteria(params) and not local_match(params) and given is None:
        raise ConnectorError("Nothing identifies the connector: give id, cross_account_role_arn, account_id, access_key, "
                             "use_instance_role or connector.")
    return given


# ------------------------------------------------------------------ search

def string_criterion(field, value):
    """A search criterion: the string field equals ``value`` exactly."""
    # Wildcards off: role ARNs and names may contain "_", which the API would otherwise match as any character.
    return {"fieldName": field, "stringTest": "equal", "stringValue": value, "stringWildcards": False}


def lookup_criteria(params):
    """Search criteria that find the connector of swp.aws.workload_connector: by id, else role ARN, else account, else key."""
    if params.get("id") is not None:
        return [{"idTest": "equal", "idValue": params["id"]}]
    if params.get("cross_account_role_arn"):
        return [string_criterion("crossAccountRoleArn", params["cross_account_role_arn"])]
    if params.get("account_id"):
        return [string_criterion("accountId", params["account_id"])]
    if params.get("access_key"):
        return [string_criterion("accessKey", params["access_key"])]
    return []


def local_match(params):
    """What swp.aws.workload_connector matches locally, beyond ``lookup_criteria``: {API property: value}.

    useInstanceRole is not searchable, so the instance-role connector is found in a listing.
    """
    if params.get("id") is None and not params.get("cross_account_role_arn") and not params.get("account_id") \
            and not _given(params, "access_key") and params.get("use_instance_role"):
        return {"useInstanceRole": True}
    return {}


def info_criteria(params):
    """Server-side criteria of swp.aws.workload_connector_info's filters (ANDed); an empty list lists every connector."""
    criteria = []
    if params.get("id") is not None:
        criteria.append({"idTest": "equal", "idValue": params["id"]})
    for option, field in (("account_id", "accountId"), ("cross_account_role_arn", "crossAccountRoleArn")):
        if params.get(option) is not None:
            criteria.append(string_criterion(field, params[option]))
    return criteria


def info_local_match(params):
    """The filters of swp.aws.workload_connector_info that are not searchable, matched locally (exactly)."""
    return {"displayName": params["display_name"]} if params.get("display_name") is not None else {}


def matches(connector, match):
    """Whether a connector has every property of ``match`` (exact, case-sensitive; booleans as booleans)."""
    for prop, value in match.items():
        have = connector.get(prop)
        if isinstance(value, bool):
            have = bool(have)
        if have != value:
            return False
    return True


def describe_criteria(criteria, match=None):
    """Criteria (and local matches) in words, for messages: ``cross_account_role_arn=arn:...``."""
    names = dict((api, option) for api, option in _FIELDS)
    parts = []
    for prop, value in (match or {}).items():
        parts.append("%s=%s" % (names.get(prop, prop), str(value).lower() if isinstance(value, bool) else value))
    for criterion in criteria:
        if "idTest" in criterion:
            parts.append("id=%s" % criterion.get("idValue"))
        elif "booleanTest" in criterion:
            parts.append("%s=%s" % (names.get(criterion["fieldName"], criterion["fieldName"]), str(criterion["booleanTest"]).lower()))
        else:
            parts.append("%s=%s" % (names.get(criterion["fieldName"], criterion["fieldName"]), criterion.get("stringValue")))
    return ", ".join(parts) or "no filter"


def ambiguity_message(criteria, connectors, match=None):
    ids = ", ".join(str(c.get("ID")) for c in connectors)
    return ("%d AWS connectors match %s (IDs %s): give id to choose one, or delete the duplicates."
            % (len(connectors), describe_criteria(criteria, match), ids))


def search_filter(criteria, page_size, after_id=None):
    """The searchFilter of one page: sorted by ID, the IDs above ``after_id``."""
    page_criteria = list(criteria)
    if after_id is not None:
        page_criteria.append({"idTest": "greater-than", "idValue": after_id})
    return {"maxItems": page_size, "searchCriteria": page_criteria, "sortByObjectID": True}


def check_page_size(page_size):
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ConnectorError("page_size must be between 1 and %d (the API's maxItems limit), got %s."
                             % (MAX_PAGE_SIZE, page_size))


def search_all(search, criteria, page_size=1000, match=None):
    """Every connector matching ``criteria`` (and, locally, ``match``), one ``search(search_filter)`` call per page.

    ``search`` sends one searchFilter and returns the list of connectors it found. Pages are sorted by ID
    and each asks for the IDs above the last one seen, so a connector created or deleted between pages
    never makes another one skipped or repeated. Paging stops at the first page shorter than
    ``page_size``, so N connectors cost N // page_size + 1 calls.
    """
    check_page_size(page_size)
    found = []
    after_id = None
    while True:
        page = search(search_filter(criteria, page_size, after_id))
        if not isinstance(page, list):
            raise ConnectorError("The connector search answered without an awsConnectors list.")
        found.extend(c for c in page if not match or (isinstance(c, dict) and matches(c, match)))
        if len(page) < page_size:
            return found
        ids = [c.get("ID") for c in page if isinstance(c, dict)]
        if len(ids) != len(page) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ConnectorError("The connector search answered connectors without an integer ID; paging is impossible.")
        top = max(ids)
        if after_id is not None and top <= after_id:
            # A server that ignores the ID criterion would page forever.
            raise ConnectorError("The connector search did not honour idTest greater-than %s; stopped paging." % after_id)
        after_id = top


# ------------------------------------------------------------------ conversion

def auth_type(connector):
    """How the manager reaches the account: cross_account_role, access_key, instance_role, or None."""
    if connector.get("crossAccountRoleArn"):
        return ROLE
    if connector.get("accessKey"):
        return KEY
    if connector.get("useInstanceRole"):
        return INSTANCE_ROLE
    return None


def iso_utc(ms):
    """Milliseconds since the epoch as ISO 8601 UTC (``2024-05-01T09:30:00.123Z``); None for no time."""
    if not isinstance(ms, (int, float)) or isinstance(ms, bool) or ms <= 0:
        return None
    moment = datetime.datetime.fromtimestamp(int(ms) // 1000, tz=datetime.timezone.utc)
    return "%s.%03dZ" % (moment.strftime("%Y-%m-%dT%H:%M:%S"), int(ms) % 1000)


def to_snake(connector):
    """A connector of the API as the modules return it: snake_case keys, times in ms and ISO, never a secret."""
    result = {}
    for api, key in _FIELDS:
        value = connector.get(api)
        result[key] = bool(value) if api in _BOOLEAN_FIELDS else value
    result["last_sync"] = iso_utc(connector.get("lastSyncTime"))
    regions = connector.get("syncedRegions")
    result["synced_regions"] = [
        {"region": r.get("region"), "computers_synced": r.get("computersSynced"), "workspaces_synced": r.get("workspacesSynced")}
        for r in (regions if isinstance(regions, list) else []) if isinstance(r, dict)]
    result["auth_type"] = auth_type(connector)
    if "externalId" in connector:
        # Only swp.aws.workload_extid_info returns an external ID in full; here it is a hint, masked.
        result["external_id"] = mask_external_id(connector["externalId"])
    return result


# Keys to_snake returns for every connector (the settings); the others are derived, or only there sometimes.
_SNAKE_REQUIRED = tuple(key for _api, key in _FIELDS)
_SNAKE_OPTIONAL = ("last_sync", "synced_regions", "auth_type", "external_id")
_STRING_FIELDS = ("displayName", "accountId", "accountAlias", "crossAccountRoleArn", "accessKey", "seedRegion")


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def from_snake(connector):
    """A connector as swp.aws.workload_connector_info returned it (``to_snake``'s shape), back in the API's shape.

    Raises ConnectorError naming the problem when ``connector`` cannot be such a connector: not a dict,
    a key ``to_snake`` never returns, a setting missing or of the wrong type, an ID that is not a
    positive integer, or derived keys (``auth_type``, ``last_sync``) that contradict the settings.
    A property that is null is left out, as the manager leaves it out. ``external_id`` is never taken
    for the connector's ``externalId``: it is masked, so the result is a connector of a manager that
    does not say which external ID it uses.
    """
    if not isinstance(connector, dict):
        raise ConnectorError("connector must be a dict, a connector as swp.aws.workload_connector_info returned it, "
                             "not %s." % type(connector).__name__)
    unknown = sorted(str(key) for key in connector if key not in _SNAKE_REQUIRED + _SNAKE_OPTIONAL)
    if unknown:
        raise ConnectorError("connector has keys swp.aws.workload_connector_info never returns (%s): give a connector "
                             "as it returned it, with snake_case keys." % ", ".join(unknown))
    missing = [key for key in _SNAKE_REQUIRED if key not in connector]
    if missing:
        raise ConnectorError("connector lacks %s: give a connector as swp.aws.workload_connector_info returned it."
                             % ", ".join(missing))
    cid = connector["id"]
    if not isinstance(cid, int) or isinstance(cid, bool) or cid < 1:
        raise ConnectorError("connector's id must be a positive connector ID, got %r." % (cid,))
    result = {}
    for prop, key in _FIELDS:
        value = connector[key]
        if prop in _BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                raise ConnectorError("connector's %s must be true or false, got %r." % (key, value))
        elif prop == "lastSyncTime":
            if value is not None and (not _number(value) or value < 0):
                raise ConnectorError("connector's last_sync_time must be milliseconds since the epoch, got %r." % (value,))
        elif prop in _STRING_FIELDS:
            if value is not None and not isinstance(value, str):
                raise ConnectorError("connector's %s must be a string or null, got %r." % (key, value))
        if value is not None:
            result[prop] = value
    regions = connector.get("synced_regions")
    if regions is not None:
        if not isinstance(regions, list) or not all(isinstance(r, dict) for r in regions):
            raise ConnectorError("connector's synced_regions must be a list of dicts.")
        result["syncedRegions"] = [{"region": r.get("region"), "computersSynced": r.get("computers_synced"),
                                    "workspacesSynced": r.get("workspaces_synced")} for r in regions]
    if "auth_type" in connector and connector["auth_type"] != auth_type(result):
        raise ConnectorError("connector's auth_type is %s, but its settings say %s: give the connector as "
                             "swp.aws.workload_connector_info returned it." % (connector["auth_type"], auth_type(result)))
    if "last_sync" in connector and connector["last_sync"] != iso_utc(result.get("lastSyncTime")):
        raise ConnectorError("connector's last_sync %s does not match its last_sync_time %s: give the connector as "
                             "swp.aws.workload_connector_info returned it." % (connector["last_sync"], result.get("lastSyncTime")))
    return result


def check_given_connector(params):
    """The connector given in the ``connector`` option, in the API's shape, after checking it against the options.

    None when the option is not given. Raises ConnectorError when it is malformed (see ``from_snake``),
    is not the connector ``id`` names, or does not use the role ``cross_account_role_arn`` names.
    """
    if params.get("connector") is None:
        return None
    given = from_snake(params["connector"])
    if params.get("id") is not None and params["id"] != given["ID"]:
        raise ConnectorError("connector is AWS connector %s, but id is %s: give the listed connector of the same ID, or "
                             "leave out connector to have the module read it." % (given["ID"], params["id"]))
    arn = params.get("cross_account_role_arn")
    if arn is not None and arn != given.get("crossAccountRoleArn"):
        raise ConnectorError("connector (AWS connector %s) uses %s, but cross_account_role_arn is %s: the listing may be stale. "
                             "To change a connector's role, leave out connector to have the module read it."
                             % (given["ID"], "role %s" % given["crossAccountRoleArn"] if given.get("crossAccountRoleArn")
                                else "no role", arn))
    return given


def given_connector_decides(params):
    """Whether the connector given in the ``connector`` option is enough to act on, without reading it.

    It is, unless the switch to the manager-defined external ID is asked for and the listing says,
    masked, which ID the connector uses, and that may be the manager-defined one: only the connector
    read by its ID tells whether the switch is needed then. The mask is never taken for the ID itself,
    but a mask that differs from the manager-defined ID's (``manager_external_id`` given) proves the
    connector uses another ID.
    """
    hint = (params.get("connector") or {}).get("external_id")
    if hint is None or not params.get("use_manager_external_id") or params.get("state") == "absent":
        return True
    manager_id = params.get("manager_external_id")
    return manager_id is not None and mask_external_id(manager_id) != hint


# ------------------------------------------------------------------ create

def create_body(params):
    """The AWSConnector to create from the options; ConnectorError when they do not say how to reach the account."""
    body = {}
    if params.get("cross_account_role_arn"):
        body["crossAccountRoleArn"] = params["cross_account_role_arn"]
    elif _given(params, "access_key"):
        if not _given(params, "secret_key"):
            raise ConnectorError("A new access-key connector needs secret_key as well as access_key.")
        body["accessKey"] = params["access_key"]
        body["secretKey"] = params["secret_key"]
    elif params.get("use_instance_role"):
        body["useInstanceRole"] = True
    else:
        raise ConnectorError(
            "No AWS connector matches %s, and a new one needs cross_account_role_arn, access_key with secret_key, or "
            "use_instance_role: true." % describe_criteria(lookup_criteria(params)))
    if params.get("account_id") and "crossAccountRoleArn" not in body:
        # A role connector's account comes from its ARN; the others may name it.
        body["accountId"] = params["account_id"]
    for option, prop in _PLAIN_SETTINGS:
        if params.get(option) is not None:
            body[prop] = params[option]
    return body


def preview_created(body):
    """The connector a create would return, for check mode (the manager assigns the ID)."""
    connector = {k: v for k, v in body.items() if k != "secretKey"}
    connector.setdefault("useInstanceRole", False)
    connector.setdefault("workspacesEnabled", False)
    if body.get("crossAccountRoleArn"):
        connector["accountId"] = role_arn_account(body["crossAccountRoleArn"])
    return connector


# ------------------------------------------------------------------ update

def check_found(connector, params):
    """Raise ConnectorError when the connector found cannot be the one the options describe."""
    account = params.get("account_id")
    if account and connector.get("accountId") and connector["accountId"] != account:
        raise ConnectorError("AWS connector %s is for account %s, not account_id %s: check id and account_id."
                             % (connector.get("ID"), connector["accountId"], account))
    if params.get("use_manager_external_id") and not connector.get("crossAccountRoleArn") and not params.get("cross_account_role_arn"):
        raise ConnectorError("use_manager_external_id applies to cross-account role connectors only, and AWS connector %s "
                             "uses %s." % (connector.get("ID"), (auth_type(connector) or "no credentials").replace("_", " ")))


def update_body(connector, params):
    """The properties a modify must send so the connector matches the options: only those that differ.

    A secret key is sent when the access key changes, or with update_secret=always (it cannot be
    compared: the API never returns it). An empty dict means no update is needed.
    """
    body = {}
    for option, prop in _PLAIN_SETTINGS:
        wanted = params.get(option)
        if wanted is not None and wanted != connector.get(prop):
            body[prop] = wanted
    arn = params.get("cross_account_role_arn")
    if arn and arn != connector.get("crossAccountRoleArn"):
        # Sending an ARN also moves the connector to the manager-defined external ID.
        body["crossAccountRoleArn"] = arn
    key = params.get("access_key")
    if _given(params, "access_key") and (key != connector.get("accessKey") or params.get("update_secret") == "always"):
        if not _given(params, "secret_key"):
            raise ConnectorError("Changing the access key of AWS connector %s needs secret_key as well." % connector.get("ID"))
        body["accessKey"] = key
        body["secretKey"] = params["secret_key"]
    if params.get("use_instance_role") and not connector.get("useInstanceRole"):
        body["useInstanceRole"] = True
    return body


def apply_body(connector, body):
    """The connector as it is after a modify with ``body`` (for check mode and diffs)."""
    after = dict(connector)
    for prop, value in body.items():
        if prop != "secretKey":
            after[prop] = value
    if body.get("crossAccountRoleArn"):
        after["accountId"] = role_arn_account(body["crossAccountRoleArn"]) or after.get("accountId")
        after["useInstanceRole"] = False
        after.pop("accessKey", None)
    elif body.get("accessKey"):
        after["useInstanceRole"] = False
        after.pop("crossAccountRoleArn", None)
        after.pop("externalId", None)
    elif body.get("useInstanceRole"):
        after.pop("crossAccountRoleArn", None)
        after.pop("accessKey", None)
        after.pop("externalId", None)
    return after


def switch_decision(connector, manager_external_id):
    """Whether moving the connector to the manager-defined external ID needs a write, and why.

    ``manager_external_id`` is None when it could not be read. Returns (decision, sentence):
    SWITCH_NOT_NEEDED only when the manager exposes the connector's ``externalId`` and it equals the
    manager-defined ID; otherwise SWITCH_PERFORMED, the write being harmless when it was not needed.
    """
    cid = connector.get("ID")
    exposed = connector.get("externalId")
    if exposed is not None and manager_external_id is not None:
        if exposed == manager_external_id:
            return SWITCH_NOT_NEEDED, "AWS connector %s already uses the manager-defined external ID." % cid
        return SWITCH_PERFORMED, "AWS connector %s used a user-defined external ID; it was switched to the manager-defined one." % cid
    if exposed is not None:
        return SWITCH_PERFORMED, ("AWS connector %s reports an external ID, but the manager-defined ID could not be read to "
                                  "compare (retrieval is disabled), so the switch was performed." % cid)
    return SWITCH_PERFORMED, ("The manager does not say which external ID AWS connector %s uses, so the switch was performed; "
                              "it changes nothing when the connector already used the manager-defined ID." % cid)


def external_id_source(connector, manager_external_id):
    """Which external ID the connector uses, as far as the API tells: manager_defined, user_defined or unknown."""
    exposed = connector.get("externalId")
    if exposed is None or manager_external_id is None:
        return UNKNOWN
    return MANAGER_DEFINED if exposed == manager_external_id else USER_DEFINED


def diff_view(connector, external_id=None, secret_sent=False):
    """The settings --diff shows for a connector (snake_case, never a secret); {} for no connector.

    ``external_id`` is the external_id_source to show, when the task is about the external ID.
    """
    if not connector:
        return {}
    snake = to_snake(connector)
    view = {"id": snake["id"]}
    view.update((key, snake[key]) for key in _DIFF_KEYS)
    if external_id is not None:
        view["external_id_source"] = external_id
    if secret_sent:
        view["secret_key"] = "(not shown, replaced)"
    return view


def is_refusal(status):
    """Whether an error status of a create or modify may be the manager refusing it (it cannot assume the role).

    The status is not documented: 400, 403 or an older manager's 500. A bad key (401), a missing
    connector (404), a conflict (409), throttling and gateway errors are something else.
    """
    return isinstance(status, int) and 400 <= status < 600 and status not in _NOT_REFUSALS


def refusal_message(action, connector, body, said, status=400, known_ids=()):
    """The error of a create or modify that the manager refused, naming the role when there is one.

    ``action`` is a verb phrase ("create", "switch to the manager-defined external ID"...), ``said`` the
    server's message (external IDs in it are masked: ``known_ids`` and any token quoted as an external ID).
    """
    body = body or {}
    connector = connector or {}
    arn = body.get("crossAccountRoleArn") or connector.get("crossAccountRoleArn")
    what = "AWS connector %s" % connector["ID"] if connector.get("ID") is not None else "a new AWS connector"
    said = censor_external_ids(said, known_ids) if said else "empty body"
    head = "The manager refused to %s %s (HTTP %s: %s)." % (action, what, status, said)
    key = (" An HTTP 403 may also mean that the API key may not create or modify AWS connectors: give its role that "
           "permission." if status == 403 else "")
    if not arn:
        return head + key + " The connector is unchanged."
    if body.get("crossAccountRoleArn"):
        # A create, an ARN change and the switch all make the manager assume the role with its own external ID.
        return ("%s It could not assume role %s with the manager-defined external ID: the role's trust policy must trust "
                "the manager's AWS principal and accept the manager-defined external ID first (read it with "
                "swp.aws.workload_extid_info; while switching, keep the current ID in the policy too), then run the task "
                "again.%s The connector is unchanged." % (head, arn, key))
    return ("%s It could not assume role %s with the external ID the connector uses: check the role's trust policy.%s "
            "The connector is unchanged." % (head, arn, key))


def sync_failure_message(connector, since, timeout, changed, seen=None):
    """The error of a synchronization that did not come within ``timeout`` seconds.

    ``seen`` is the lastSyncTime of a synchronization that was seen but not proven to come after the update
    (see SyncProof), None when none was seen.
    """
    cid = connector.get("ID")
    arn = connector.get("crossAccountRoleArn")
    role = " (role %s)" % arn if arn else ""
    last = iso_utc(since) or "never"
    done = "The update was applied; only" if changed else "Nothing was changed;"
    if seen is not None and _number(seen) and seen > (since or 0):
        head = ("AWS connector %s%s did not synchronize within %s seconds of the request, as far as the manager's answers "
                "prove: its last successful synchronization (lastSyncTime) moved from %s to %s, but the manager may have "
                "made that one on its own schedule before the update, and none came after the manager's answer to the "
                "update." % (cid, role, timeout, last, iso_utc(seen)))
    else:
        head = ("AWS connector %s%s did not synchronize within %s seconds of the request: its last successful "
                "synchronization (lastSyncTime) stayed at %s." % (cid, role, timeout, last))
    return ("%s %s the synchronization is missing. This module does not edit trust policies, "
            "so the role's trust policy was left as it was: keep it accepting the external ID the connector used before "
            "until a synchronization succeeds, check that the manager can assume the role, then run the task again "
            "(or raise sync_timeout)." % (head, done))


class SyncProof:
    """Whether the lastSyncTime the manager shows proves a synchronization after a write (pure, no I/O).

    ``before`` is the connector's lastSyncTime known before the write (listed or read; 0 for a new connector).
    ``strict`` says the write changed the connector (an update, the switch): a synchronization then counts only
    when it is proven to come after the write, since one the manager made on its own schedule between the
    listing (or the read) and the write shows a lastSyncTime newer than ``before`` too. Without a change (a
    synchronization alone, a new connector) any lastSyncTime past ``before`` counts.

    A strict synchronization is proven by either of:

    - order: a lastSyncTime greater than the one in the first answer the manager gave after the write (the
      write's own answer, else the first read after it). That answer shows the connector as it was after the
      write, every earlier synchronization included; lastSyncTime never goes back, so a greater one was
      recorded later.
    - the manager's clock: a lastSyncTime more than one second past ``answer_date``, the HTTP Date (whole
      seconds) of the write's answer. The Date is at most one second before the answer was sent (whether the
      manager truncates or rounds it), and the answer is sent after the write was carried out.

    A synchronization that the write's own answer already shows (a manager that synchronizes before it answers)
    is newer than ``before`` but cannot be told from one the manager made on its own just before the write:
    :attr:`unproven` is then set, and the caller asks for one more synchronization, which the order proves.
    """

    def __init__(self, before, strict, answer_date=None):
        self.before = before if _number(before) else 0
        self.strict = bool(strict)
        # One millisecond more absorbs a lastSyncTime rounded to the millisecond rather than truncated.
        self.clock = None if not _number(answer_date) else (int(answer_date) + 1) * 1000 + 1
        self.mark = None
        self.latest = self.before

    def observe(self, connector):
        """Whether ``connector``, as an answer the manager gave after the write, proves a synchronization after it.

        Anything but a connector (a dict with its ID) is no answer about it, and changes nothing.
        """
        if not isinstance(connector, dict) or connector.get("ID") is None:
            return False
        value = connector.get("lastSyncTime")
        value = value if _number(value) else 0
        self.latest = max(self.latest, value)
        if not self.strict:
            return value > self.before
        if self.clock is not None and value >= self.clock:
            return True
        if self.mark is None:
            # An answer older than what was known before the write is not the connector after it: not a mark.
            if value >= self.before:
                self.mark = value
            return False
        return value > self.mark

    @property
    def unproven(self):
        """The lastSyncTime of a synchronization seen since the write whose order to it is not proven, or None."""
        if self.strict and self.latest > self.before:
            return self.latest
        return None

    @property
    def ambiguous(self):
        """Whether the first answer after the write shows a synchronization newer than ``before``, perhaps one made
        before the write: only one more synchronization, asked for now, can prove one after it."""
        return self.strict and self.mark is not None and self.mark > self.before


# ------------------------------------------------------------------ plan

class Plan:
    """What swp.aws.workload_connector will do, decided from what was read (pure, no I/O).

    ``action``: none, create, modify (an update, the switch or only a sync), delete.
    """

    def __init__(self, action, body=None, after=None, changed=False, switch=SWITCH_NOT_REQUESTED, switch_msg=None,
                 source=None, sync=False, verb=None):
        self.action = action
        self.body = {} if body is None else body
        self.after = after
        self.changed = changed
        self.switch = switch
        self.switch_msg = switch_msg
        self.source = source
        self.sync = sync
        self.verb = verb


def plan(params, current, manager_external_id=None):
    """Decide the write of swp.aws.workload_connector from the options and the connector read (or None).

    ``manager_external_id`` is the manager-defined ID when it was read or given (None otherwise); it
    only matters for a connector that says which external ID it uses.
    """
    if params.get("state") == "absent":
        return Plan("delete" if current else "none", after={}, changed=bool(current))
    if current is None:
        if params.get("id") is not None:
            raise ConnectorError("There is no AWS connector with ID %d; to create a connector, leave out id (the manager "
                                 "chooses the ID)." % params["id"])
        body = create_body(params)
        result = Plan("create", body, preview_created(body), True, sync=bool(params.get("sync")), verb="create")
        if params.get("use_manager_external_id"):
            result.switch, result.switch_msg = SWITCH_NOT_NEEDED, "A new AWS connector uses the manager-defined external ID."
        return result
    check_found(current, params)
    body = update_body(current, params)
    after = apply_body(current, body)
    result = Plan("modify", body, after, sync=bool(params.get("sync")))
    if params.get("use_manager_external_id"):
        result.source = external_id_source(current, manager_external_id)
        result.switch, result.switch_msg = switch_decision(current, manager_external_id)
        if result.switch == SWITCH_PERFORMED:
            body.setdefault("crossAccountRoleArn", current.get("crossAccountRoleArn"))
            if manager_external_id is not None:
                after["externalId"] = manager_external_id
    result.changed = bool(body)
    if not body:
        result.verb = "synchronize"
        if not result.sync:
            result.action = "none"
    elif body == {"crossAccountRoleArn": current.get("crossAccountRoleArn")}:
        result.verb = "switch to the manager-defined external ID"
    else:
        result.verb = "update"
    return result


# ------------------------------------------------------------------ sync

def poll_delays(timeout, first=0.5, factor=2.0, cap=5.0):
    """Seconds to sleep between polls, backing off from ``first`` to ``cap``, summing to ``timeout`` at most."""
    delays = []
    left = float(timeout)
    delay = first
    while left > 1e-9:
        step = min(delay, cap, left)
        delays.append(step)
        left -= step
        delay *= factor
    return delays
