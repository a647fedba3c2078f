# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-account decision of the extid_migration role, as filters over the pure core.

The documentation of each filter is in the ``<filter name>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.module_utils._cloudformation import find_stack, stack_check
from ansible_collections.swp.aws.plugins.module_utils._migration import (
    QUOTA,
    MigrationError,
    is_tagged,
    new_record,
    plan_account,
    plan_owner,
    record_failure,
    record_step,
    stack_update,
    target,
)
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import SWP_PRINCIPAL, TrustPolicyError
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import filter_flag as _flag


def extid_migration_target(role_arn="", account_id="", role_name=""):
    """The account's role ARN, partition, account ID and role name, checked."""
    try:
        return target(role_arn, "" if account_id is None else str(account_id), role_name)
    except MigrationError as exc:
        raise AnsibleFilterError(str(exc)) from None


def extid_migration_record(account, host, connector=None, check_mode=False):
    """The report record of one account before anything is known."""
    if not isinstance(account, Mapping):
        raise AnsibleFilterError("extid_migration_record: the input must be the result of swp.aws.extid_migration_target")
    connector_id = connector.get("id") if isinstance(connector, Mapping) else None
    return new_record(host, account.get("account_id"), account.get("role_arn"), connector_id, _flag(check_mode, "check_mode"))


def extid_migration_failed(record, error, failed_task=None, ids=None, reveal=False):
    """The record of an account whose migration stopped, every known external ID masked in the error."""
    return record_failure(record, error, failed_task, ids or [], reveal=_flag(reveal, "reveal"))


def extid_migration_plan(iam_roles, host, account, connector, manager_id, principal=SWP_PRINCIPAL, close_open_trust=False,
                         reveal=False, check_mode=False, trust_policy_quota=QUOTA):
    """What to do with one account, from the roles amazon.aws.iam_role_info found for it."""
    if not isinstance(account, Mapping):
        raise AnsibleFilterError("extid_migration_plan: account must be the result of swp.aws.extid_migration_target")
    roles = list(iam_roles or [])
    policy = roles[0].get("assume_role_policy_document") if roles else None
    if roles and policy is None:
        raise AnsibleFilterError("%s: amazon.aws.iam_role_info returned the role without its trust policy" % account.get("role_arn"))
    try:
        return plan_account(host, account, policy, connector, manager_id, principal=principal or SWP_PRINCIPAL,
                            close_open_trust=_flag(close_open_trust, "close_open_trust"),
                            reveal=_flag(reveal, "reveal"), check_mode=_flag(check_mode, "check_mode"),
                            trust_policy_quota=trust_policy_quota)
    except (MigrationError, TrustPolicyError) as exc:
        raise AnsibleFilterError(str(exc)) from None


def extid_migration_step(record, plan, step, changed=False, narrow=True, check_mode=False, via="edit", files=None, results=None):
    """The account's report record after one step of its migration."""
    if step not in ("widen", "switch", "done", "files"):
        raise AnsibleFilterError("extid_migration_step: step must be widen, switch, files or done")
    if via not in ("edit", "stack", "files"):
        raise AnsibleFilterError("extid_migration_step: via must be edit, stack or files")
    return record_step(record, plan, step, changed=_flag(changed, "changed"), narrow=_flag(narrow, "narrow"),
                       check_mode=_flag(check_mode, "check_mode"), via=via, files=files,
                       results=None if results is None else [result for result in results if isinstance(result, Mapping)])


def extid_migration_owner(plan, iam_roles, stacks=None, cloudformation="report", tagged_roles="files", parameter="ExternalID",
                          tag_key="", tag_values=None, narrow=True, check_mode=False, stack=None):
    """Who owns the account's role (a CloudFormation stack, a tagged tool, nobody) and how to migrate it.

    ``stacks``: the results of an amazon.aws.cloudformation_info loop over regions; when none ran, ``stack`` is the
    stack swp.aws.trust_policy_info found (None: none)."""
    if not isinstance(plan, Mapping) or "record" not in plan:
        raise AnsibleFilterError("extid_migration_owner: the input must be the result of swp.aws.extid_migration_plan")
    roles = list(iam_roles or [])
    role = roles[0] if roles else {}
    by_region = {}
    for result in stacks or []:
        if not isinstance(result, Mapping) or result.get("skipped"):
            continue
        if result.get("failed"):
            raise AnsibleFilterError("extid_migration_owner: the stacks of %s could not be read" % result.get("item"))
        by_region[result.get("item")] = result.get("cloudformation") or {}
    values = [tag_values] if isinstance(tag_values, str) else list(tag_values or [])
    try:
        if by_region:
            stack = find_stack(by_region, role.get("role_name"), role.get("arn"))
        elif stack is not None and not isinstance(stack, Mapping):
            raise AnsibleFilterError("extid_migration_owner: stack must be the stack swp.aws.trust_policy_info found, or null")
        tagged = is_tagged(role.get("tags"), tag_key, values)
        tag = "%s=%s" % (tag_key, "|".join(values) or "*") if tag_key else None
        return plan_owner(plan, stack, tagged, cloudformation=cloudformation, tagged_roles=tagged_roles, parameter=parameter,
                          tag=tag, narrow=_flag(narrow, "narrow"), check_mode=_flag(check_mode, "check_mode"))
    except MigrationError as exc:
        raise AnsibleFilterError(str(exc)) from None


def extid_migration_stack_check(owner, facts, plan, manager_id, account, parameter="ExternalID"):
    """Whether updating the stack that owns the role with the manager-defined ID gives the planned narrowed trust policy."""
    return stack_check(owner, facts, plan, manager_id, account, parameter=parameter)


def extid_migration_stack_update(facts, manager_id, parameter="ExternalID"):
    """The update of the stack that owns the role: its template as it is, the external-ID parameter the manager-defined ID."""
    if not isinstance(facts, Mapping) or "stack_template" not in facts:
        raise AnsibleFilterError("extid_migration_stack_update: the input must be amazon.aws.cloudformation_info's entry for the "
                                 "stack, with its template")
    return stack_update(dict(facts), manager_id, parameter=parameter)


class FilterModule:
    """Filters of the extid_migration role."""

    def filters(self):
        return {
            "extid_migration_target": extid_migration_target,
            "extid_migration_record": extid_migration_record,
            "extid_migration_failed": extid_migration_failed,
            "extid_migration_plan": extid_migration_plan,
            "extid_migration_step": extid_migration_step,
            "extid_migration_owner": extid_migration_owner,
            "extid_migration_stack_check": extid_migration_stack_check,
            "extid_migration_stack_update": extid_migration_stack_update,
        }
