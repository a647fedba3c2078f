# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan of an AWS connector change by swp.aws.workload_connector, for internal use.

This module is private to the swp.aws collection: its API may change without notice.
It is pure (standard library only, no Ansible or HTTP import): plain functions over the
module's options and the connector read, so that every decision the module makes (input
validation, which properties a create or an update sends, whether the switch to the
manager-defined external ID needs a write, what the diff shows) can be unit-tested with a table.
"""

from __future__ import annotations

from ansible_collections.swp.aws.plugins.module_utils._arn import is_account_id
from ansible_collections.swp.aws.plugins.module_utils._connector_model import (
    ConnectorError, auth_type, from_snake, role_arn_account, to_snake)
from ansible_collections.swp.aws.plugins.module_utils._connector_search import (
    describe_criteria, local_match, lookup_criteria, option_given)
from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id

__all__ = ["validate_params", "check_given_connector", "given_connector_decides", "create_body", "preview_created",
           "check_found", "update_body", "apply_body", "switch_decision", "external_id_source", "diff_view", "Plan", "plan",
           "SWITCH_NOT_REQUESTED", "SWITCH_NOT_NEEDED", "SWITCH_PERFORMED", "MANAGER_DEFINED", "USER_DEFINED", "UNKNOWN",
           "connector_index", "connector_for"]


# Properties a module option sets directly, compared as they are.
_PLAIN_SETTINGS = (("display_name", "displayName"), ("seed_region", "seedRegion"), ("workspaces_enabled", "workspacesEnabled"))
# What --diff shows: the settings a task can change (never a secret, never sync results).
_DIFF_KEYS = ("display_name", "account_id", "auth_type", "cross_account_role_arn", "access_key", "use_instance_role",
              "seed_region", "workspaces_enabled")


SWITCH_NOT_REQUESTED = "not_requested"
SWITCH_NOT_NEEDED = "not_needed"
SWITCH_PERFORMED = "performed"

MANAGER_DEFINED = "manager_defined"
USER_DEFINED = "user_defined"
UNKNOWN = "unknown"


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
    if option_given(params, "access_key") and arn is not None:
        raise ConnectorError("access_key and cross_account_role_arn are mutually exclusive: a connector uses either a "
                             "cross-account role or an access key.")
    if option_given(params, "secret_key") and not option_given(params, "access_key"):
        raise ConnectorError("secret_key was given without access_key: give the access key ID that the secret belongs to.")
    if params.get("update_secret") == "always" and not option_given(params, "secret_key"):
        raise ConnectorError("update_secret=always needs secret_key (and access_key).")
    if params.get("use_instance_role"):
        if arn is not None or option_given(params, "access_key"):
            raise ConnectorError("use_instance_role cannot be combined with cross_account_role_arn or access_key: a connector "
                                 "uses exactly one of a cross-account role, an access key or the manager's instance role.")
    if params.get("use_manager_external_id") and (option_given(params, "access_key") or params.get("use_instance_role")):
        raise ConnectorError("use_manager_external_id applies to cross-account role connectors only; it cannot be "
                             "combined with access_key or use_instance_role.")
    if params.get("sync_timeout") is not None and params["sync_timeout"] < 0:
        raise ConnectorError("sync_timeout must be 0 or more seconds.")
    given = check_given_connector(params)
    if not lookup_criteria(params) and not local_match(params) and given is None:
        raise ConnectorError("Nothing identifies the connector: give id, cross_account_role_arn, account_id, access_key, "
                             "use_instance_role or connector.")
    return given


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
    elif option_given(params, "access_key"):
        if not option_given(params, "secret_key"):
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
    if option_given(params, "access_key") and (key != connector.get("accessKey") or params.get("update_secret") == "always"):
        if not option_given(params, "secret_key"):
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


def connector_index(connectors):
    """The play's connector listing indexed once: ``by_arn`` (role ARN -> connector) and ``by_account`` (account ID ->
    connector); where two share a key, the later one in the listing wins."""
    by_arn, by_account = {}, {}
    for connector in connectors or []:
        if not isinstance(connector, dict):
            continue
        if connector.get("cross_account_role_arn"):
            by_arn[connector["cross_account_role_arn"]] = connector
        if connector.get("account_id"):
            by_account[connector["account_id"]] = connector
    return {"by_arn": by_arn, "by_account": by_account}


def connector_for(index, account):
    """The account's connector: the one with its role ARN, else one of its account (found by account, under another
    role), else {}."""
    by_arn = index.get("by_arn") or {}
    if account.get("role_arn") in by_arn:
        return by_arn[account["role_arn"]]
    return (index.get("by_account") or {}).get(account.get("account_id")) or {}
