# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-account decision of the connector_onboarding role, and the check of an external ID read from a secrets store.

The documentation of each filter is in the ``<filter name>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.module_utils._cloudformation import read_template
from ansible_collections.swp.aws.plugins.module_utils._external_id import ExternalIdError
from ansible_collections.swp.aws.plugins.module_utils._extid_store import manager_external_id as _manager_external_id
from ansible_collections.swp.aws.plugins.module_utils._extid_store import resolve, source_name
from ansible_collections.swp.aws.plugins.module_utils._migration import QUOTA
from ansible_collections.swp.aws.plugins.module_utils._onboarding import (
    OnboardingError,
    permissions_policy,
    plan_onboarding,
    onboarding_steps,
    plan_stack,
    record_step,
    stack_name,
    target,
)
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import SWP_PRINCIPAL
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import filter_flag as _flag


def connector_onboarding_target(role_arn="", account_id="", role_name=""):
    """The account's role ARN, partition, account ID, role name and path, checked."""
    try:
        return target(role_arn, "" if account_id is None else str(account_id), role_name)
    except OnboardingError as exc:
        raise AnsibleFilterError(str(exc)) from None


def connector_onboarding_plan(iam_roles, host, account, connector, manager_id, principal=SWP_PRINCIPAL, update_trust=False,
                              reveal=False, check_mode=False, trust_policy_quota=QUOTA):
    """What to do with one new account, from the roles amazon.aws.iam_role_info found for it."""
    if not isinstance(account, Mapping):
        raise AnsibleFilterError("connector_onboarding_plan: account must be the result of swp.aws.connector_onboarding_target")
    roles = list(iam_roles or [])
    policy = roles[0].get("assume_role_policy_document") if roles else None
    if roles and policy is None:
        raise AnsibleFilterError("%s: amazon.aws.iam_role_info returned the role without its trust policy" % account.get("role_arn"))
    try:
        return plan_onboarding(host, account, policy, connector if isinstance(connector, Mapping) else None, manager_id,
                               principal=principal or SWP_PRINCIPAL, update_trust=_flag(update_trust, "update_trust"),
                               reveal=_flag(reveal, "reveal"), check_mode=_flag(check_mode, "check_mode"),
                               trust_policy_quota=trust_policy_quota)
    except OnboardingError as exc:
        raise AnsibleFilterError(str(exc)) from None


def connector_onboarding_stack_name(account, name=""):
    """The name of the CloudFormation stack that is to own the account's role: ``name``, else one from the role's name."""
    if not isinstance(account, Mapping) or not account.get("role_name"):
        raise AnsibleFilterError("connector_onboarding_stack_name: the input must be the result of swp.aws.connector_onboarding_target")
    return stack_name(account["role_name"], name or "")


def connector_onboarding_stack(plan, facts, template, manager_id, account, name, region, parameter="ExternalID",
                               update_trust=False, reveal=False, enabled=True, check_mode=False):
    """How the account's role is made or kept through its CloudFormation stack, from amazon.aws.cloudformation_info, and
    the steps that follow (``enabled`` false: no stack, the role is written in place)."""
    if not isinstance(plan, Mapping) or "record" not in plan or "principal" not in plan:
        raise AnsibleFilterError("connector_onboarding_stack: the input must be the result of swp.aws.connector_onboarding_plan")
    if not _flag(enabled, "enabled"):
        result = {"mode": "direct", "stack": None, "message": None, "record": dict(plan["record"])}
        result["steps"] = onboarding_steps(dict(plan), result, check_mode=_flag(check_mode, "check_mode"))
        return result
    if not isinstance(account, Mapping):
        raise AnsibleFilterError("connector_onboarding_stack: account must be the result of swp.aws.connector_onboarding_target")
    facts = dict(facts) if isinstance(facts, Mapping) else {}
    if "stack_template" in facts:
        facts["stack_template"] = read_template(facts["stack_template"])
    try:
        result = plan_stack(dict(plan), dict(account), facts, read_template(template), manager_id, name, region,
                            parameter=parameter, update_trust=_flag(update_trust, "update_trust"), reveal=_flag(reveal, "reveal"))
    except OnboardingError as exc:
        raise AnsibleFilterError(str(exc)) from None
    result["steps"] = onboarding_steps(dict(plan), result, check_mode=_flag(check_mode, "check_mode"))
    return result


def connector_onboarding_step(record, step, changed=False, connector=None, check_mode=False, results=None):
    """The account's report record after one step of its onboarding."""
    if not isinstance(record, Mapping):
        raise AnsibleFilterError("connector_onboarding_step: the input must be the record of swp.aws.connector_onboarding_plan")
    try:
        return record_step(record, step, changed=_flag(changed, "changed"), connector=connector if isinstance(connector, Mapping) else None,
                           check_mode=_flag(check_mode, "check_mode"),
                           results=[result for result in results or [] if isinstance(result, Mapping)])
    except OnboardingError as exc:
        raise AnsibleFilterError(str(exc)) from None


def connector_onboarding_permissions(extra=None):
    """The inline permissions policy of the cross-account role: the documented read-only list, plus ``extra`` actions."""
    if extra is None:
        extra = []
    if isinstance(extra, str) or not all(isinstance(action, str) and action for action in extra):
        raise AnsibleFilterError("connector_onboarding_permissions: the input must be a list of IAM actions")
    return permissions_policy(list(permissions_policy()["Statement"][0]["Action"]) + list(extra))


def stored_external_id(stored, manager=None, secret=None, parameter=None, region=None, reveal=False):
    """The manager-defined external ID read from Secrets Manager or SSM, checked against the manager when it can say."""
    try:
        return resolve(stored, source_name(secret, parameter, region), manager, reveal=_flag(reveal, "reveal"))
    except ExternalIdError as exc:
        raise AnsibleFilterError(str(exc)) from None


def manager_external_id(manager, given=None, variable=None, stored=None, secret=None, parameter=None, region=None, reveal=False):
    """The manager-defined external ID a role uses (given, stored or the manager's), checked once per play before any write."""
    try:
        return _manager_external_id(manager, given=given, variable=variable, stored=stored, secret=secret or None,
                                    parameter=parameter or None, region=region, reveal=_flag(reveal, "reveal"))
    except ExternalIdError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """Filters of the connector_onboarding role and of the secrets hand-off."""

    def filters(self):
        return {
            "connector_onboarding_target": connector_onboarding_target,
            "connector_onboarding_plan": connector_onboarding_plan,
            "connector_onboarding_stack_name": connector_onboarding_stack_name,
            "connector_onboarding_stack": connector_onboarding_stack,
            "connector_onboarding_step": connector_onboarding_step,
            "connector_onboarding_permissions": connector_onboarding_permissions,
            "stored_external_id": stored_external_id,
            "manager_external_id": manager_external_id,
        }
