# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters of the layer the extid_migration and connector_onboarding roles share (the internal role swp.aws.shared).

The documentation of each filter is in the ``<filter name>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.swp.aws.plugins.filter.connector_onboarding import connector_onboarding_plan
from ansible_collections.swp.aws.plugins.filter.extid_migration import extid_migration_plan
from ansible_collections.swp.aws.plugins.module_utils._connector_plan import connector_for, connector_index
from ansible_collections.swp.aws.plugins.module_utils._migration import MESSAGES as _MIGRATION_MESSAGES
from ansible_collections.swp.aws.plugins.module_utils._onboarding import MESSAGES as _ONBOARDING_MESSAGES
from ansible_collections.swp.aws.plugins.module_utils._report import ROLE_SETTINGS, UNSET, role_settings, verdict_message
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import filter_flag

# AWS errors worth a retry of sts_assume_role, which has no AWSRetry of its own (iam_role and iam_role_info do).
_RETRYABLE = ("Throttling", "RequestLimitExceeded", "TooManyRequestsException", "InternalFailure", "InternalError",
              "ServiceUnavailable", "Unavailable")


def shared_settings(role, values, sts=None):
    """The role's settings the shared layer uses, from its option values in force (name after the prefix -> value)."""
    if not isinstance(values, Mapping) or not set(values) <= set(ROLE_SETTINGS):
        raise AnsibleFilterError("shared_settings: values must name some of the options %s" % ", ".join(ROLE_SETTINGS))
    given = {}
    for name, value in values.items():
        if value != UNSET:
            given[name] = value
    if "reveal" in given:
        given["reveal"] = filter_flag(given["reveal"], name="reveal")
    # Read as Ansible's bool filter reads them (an extra variable is a string: "false").
    for name in ("narrow", "fail_on_error"):
        if name in given:
            given[name] = boolean(given[name], strict=False)
    try:
        return role_settings(role, given, sts if isinstance(sts, Mapping) else None)
    except ValueError as exc:
        raise AnsibleFilterError("shared_settings: %s" % exc) from None


_PLANS = {"extid_migration": extid_migration_plan, "connector_onboarding": connector_onboarding_plan}


def shared_plan(iam_roles, role, options=None, **values):
    """The account's plan by the role's own filter (extid_migration_plan or connector_onboarding_plan), from the roles
    amazon.aws.iam_role_info found; ``values`` are the arguments both take, ``options`` the role's own."""
    if role not in _PLANS:
        raise AnsibleFilterError("shared_plan: role must be one of %s" % ", ".join(sorted(_PLANS)))
    return _PLANS[role](iam_roles, **dict(values, **dict(options or {})))


def shared_connector_index(connectors):
    """The connectors of the play's listing indexed by role ARN and by account, once for the play."""
    return connector_index(connectors or [])


def shared_connector(index, account):
    """The account's connector in the index: the one with its role ARN, else one of its account, else {}."""
    if not isinstance(account, Mapping):
        raise AnsibleFilterError("shared_connector: account must be the result of the role's target filter")
    return connector_for(index if isinstance(index, Mapping) else {}, account)


def shared_retry_sts(result):
    """Whether a failed sts_assume_role result is worth another try (throttling, a 5xx)."""
    if not isinstance(result, Mapping) or not result.get("failed"):
        return False
    code = (result.get("error") or {}).get("code") if isinstance(result.get("error"), Mapping) else None
    status = (result.get("response_metadata") or {}).get("http_status_code") if isinstance(result.get("response_metadata"), Mapping) else None
    try:
        status = int(status or 0)
    except (TypeError, ValueError):
        status = 0
    return code in _RETRYABLE or status >= 500


def shared_verdict(report, role, path=None, merged=False):
    """The message that fails the play when an account failed, or None when none did."""
    if not isinstance(report, Mapping):
        raise AnsibleFilterError("shared_verdict: the input must be a report, such as migration_report makes")
    return verdict_message(dict(report), role, path, merged=merged)


_MESSAGES = dict(_MIGRATION_MESSAGES, **_ONBOARDING_MESSAGES)


def role_message(name, **values):
    """One of the roles' messages, by name, its blanks filled with ``values``."""
    if name not in _MESSAGES:
        raise AnsibleFilterError("role_message: the message must be one of %s" % ", ".join(sorted(_MESSAGES)))
    if name == "stack_failed":
        values.setdefault("doing", "Creating" if values.get("change") == "create" else "Updating")
    try:
        return _MESSAGES[name].format(**values)
    except (KeyError, IndexError) as exc:
        raise AnsibleFilterError("role_message: message %s needs the value %s" % (name, exc)) from None


class FilterModule:
    """Filters of the shared layer of the roles."""

    def filters(self):
        return {
            "shared_settings": shared_settings,
            "shared_plan": shared_plan,
            "shared_connector_index": shared_connector_index,
            "shared_connector": shared_connector,
            "shared_retry_sts": shared_retry_sts,
            "shared_verdict": shared_verdict,
            "role_message": role_message,
        }
