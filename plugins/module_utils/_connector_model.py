# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWS connector record of the swp.aws modules: its fields, and its reading both ways, for internal use.

This module is private to the swp.aws collection: its API may change without notice.
It is pure (standard library only, no Ansible or HTTP import). The API speaks camelCase
(``crossAccountRoleArn``); options and return values are snake_case (``cross_account_role_arn``):
``to_snake`` and ``from_snake`` convert a connector, and nothing else does. A secret key is never
part of anything ``to_snake`` returns.
"""

from __future__ import annotations

import datetime

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, parse_role_arn
from ansible_collections.swp.aws.plugins.module_utils._errors import SwpError
from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id

__all__ = ["ConnectorError", "FIELDS", "ROLE", "KEY", "INSTANCE_ROLE", "role_arn_account", "auth_type", "iso_utc", "is_number",
           "to_snake", "from_snake"]


# (API property, option / return key), in the order connectors are shown.
FIELDS = (
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

ROLE = "cross_account_role"
KEY = "access_key"
INSTANCE_ROLE = "instance_role"


class ConnectorError(SwpError, ValueError):
    """Input that cannot be acted on, or an answer of the API that makes no sense; the message says which."""

    kind = "invalid"


def role_arn_account(arn):
    """The 12-digit account of an IAM role ARN, or None when ``arn`` is not one."""
    try:
        return parse_role_arn(arn)[1]
    except ArnError:
        return None


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
    for api, key in FIELDS:
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
_SNAKE_REQUIRED = tuple(key for _api, key in FIELDS)
_SNAKE_OPTIONAL = ("last_sync", "synced_regions", "auth_type", "external_id")
_STRING_FIELDS = ("displayName", "accountId", "accountAlias", "crossAccountRoleArn", "accessKey", "seedRegion")


def is_number(value):
    """Whether ``value`` is an int or a float (a bool is neither here)."""
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
    for prop, key in FIELDS:
        value = connector[key]
        if prop in _BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                raise ConnectorError("connector's %s must be true or false, got %r." % (key, value))
        elif prop == "lastSyncTime":
            if value is not None and (not is_number(value) or value < 0):
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
