# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One new account of the connector_onboarding role: the documents it writes and the plan, decided before any write.

For internal use (pure: no Ansible import). The role reaches it through the ``swp.aws.connector_onboarding_*``
filters and keeps only I/O and order in YAML. The report record is the rollout's (``_report.new_record``).
"""

from __future__ import annotations

import copy

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, is_account_id, role_target
from ansible_collections.swp.aws.plugins.module_utils._report import mask_in_text, new_record
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import (
    EXTERNAL_ID_KEY,
    MIGRATED,
    POLICY_VERSION,
    SWP_PRINCIPAL,
    TrustPolicyError,
    analyze,
    mask_external_id,
)

__all__ = ["PERMISSIONS", "OnboardingError", "target", "trust_policy", "permissions_policy", "plan_onboarding", "record_step"]

# The read-only permissions the manager needs in the account, as the vendor's own onboarding tooling grants them.
PERMISSIONS = (
    "ec2:DescribeImages",
    "ec2:DescribeInstances",
    "ec2:DescribeRegions",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVpcs",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeSecurityGroups",
    "workspaces:DescribeWorkspaces",
    "workspaces:DescribeWorkspaceDirectories",
    "workspaces:DescribeWorkspaceBundles",
    "workspaces:DescribeTags",
    "iam:ListAccountAliases",
    "iam:GetRole",
    "iam:GetRolePolicy",
)

ROLE_CONNECTOR = "cross_account_role"
ROLE_MISSING = "role_missing"
TRUST_SID = "ServerWorkloadProtection"
PERMISSIONS_SID = "ServerWorkloadProtectionRead"

# What the role does with the trust policy and with the connector.
CREATE, KEEP, UPDATE, FAIL = "create", "keep", "update", "fail"
ACTIONS = {"create_role": "create_role", "widen": "widen_trust_policy", "permissions": "put_role_policy",
           "connector": "create_connector", "narrow": "narrow_trust_policy"}


class OnboardingError(ValueError):
    """Inputs of one account that cannot be used."""


def target(role_arn="", account_id="", role_name=""):
    """The account's role, checked: ``{"role_arn", "partition", "account_id", "role_name", "role_path"}``."""
    try:
        return role_target(role_arn or "", account_id, role_name or "")
    except ArnError as exc:
        raise OnboardingError(
            "set connector_onboarding_role_arn, or connector_onboarding_account_id (12 digits) and connector_onboarding_role_name: %s"
            % exc) from None


def _principal_arn(principal, partition):
    """The principal as IAM stores it: a bare account ID becomes the account's root ARN in the role's partition."""
    return "arn:%s:iam::%s:root" % (partition, principal) if is_account_id(principal) else principal


def trust_policy(manager_id, principal=SWP_PRINCIPAL, partition="aws"):
    """The trust policy of a new role: the manager's principal, with the manager-defined ID alone, under StringEquals."""
    if not isinstance(manager_id, str) or not manager_id.strip():
        raise OnboardingError("the manager-defined external ID must be a non-empty string")
    return {"Version": POLICY_VERSION, "Statement": [{
        "Sid": TRUST_SID,
        "Effect": "Allow",
        "Principal": {"AWS": _principal_arn(principal, partition)},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {EXTERNAL_ID_KEY: manager_id}},
    }]}


def permissions_policy(actions=PERMISSIONS):
    """The inline permissions policy: the read-only actions the manager needs, on every resource."""
    actions = sorted(set(actions or PERMISSIONS))
    return {"Version": POLICY_VERSION, "Statement": [{"Sid": PERMISSIONS_SID, "Effect": "Allow", "Action": actions, "Resource": "*"}]}


def _connector_problem(account, connector):
    """Why an existing connector of the account cannot be kept as this account's connector, or None."""
    if not connector:
        return None
    if connector.get("auth_type") != ROLE_CONNECTOR:
        return ("Account %s already has connector %s, which does not use a cross-account role (%s): onboarding does not "
                "replace it. Remove it, or move it to the role with swp.aws.workload_connector." % (
                    account["account_id"], connector.get("id"), connector.get("auth_type") or "unknown"))
    if connector.get("cross_account_role_arn") != account["role_arn"]:
        return ("Account %s already has connector %s, which uses the role %s, not %s: onboarding does not replace it. "
                "Onboard with connector_onboarding_role_arn set to that role, or remove the connector." % (
                    account["account_id"], connector.get("id"), connector.get("cross_account_role_arn"), account["role_arn"]))
    return None


def plan_onboarding(host, account, policy, connector, manager_id, principal=SWP_PRINCIPAL, update_trust=False,
                    reveal=False, check_mode=False):
    """What to do with one account, decided before any write.

    ``account`` is target()'s result, ``policy`` the role's trust policy (None when the role does not exist),
    ``connector`` the manager's connector for the role or account (empty when none).
    Returns ``action`` (``onboard``, ``none`` or ``fail``), ``trust`` (``create``, ``keep`` or ``update``), ``state``,
    ``message``, ``trust_policy`` (the document to write first: the new role's, or the widened one), ``narrowed``
    (the document to write after the connector, or None), ``create_connector``, ``ids`` (every full external ID
    known, to mask text) and ``record`` (the account's report record so far).
    """
    connector = connector or {}
    principal = principal or SWP_PRINCIPAL
    record = new_record(host, account["account_id"], account["role_arn"], connector.get("id"), check_mode)
    plan = {"action": FAIL, "trust": KEEP, "state": None, "message": None, "trust_policy": None, "narrowed": None,
            "create_connector": not connector, "ids": [manager_id], "record": record}
    problem = _connector_problem(account, connector)
    if policy is None:
        plan["state"] = ROLE_MISSING
        if connector and not problem:
            problem = ("The role %s does not exist, but connector %s uses it: recreate the role with its trust policy, or "
                       "remove the connector and onboard the account again." % (account["role_arn"], connector.get("id")))
        plan["trust"] = CREATE
        plan["trust_policy"] = trust_policy(manager_id, principal, account["partition"])
        record["accepted_after"] = [mask_external_id(manager_id, reveal=reveal)]
    else:
        try:
            analysis = analyze(policy, manager_id, account["role_arn"], principal=_principal_arn(principal, account["partition"]))
        except TrustPolicyError as exc:
            raise OnboardingError("%s: %s" % (account["role_arn"], exc)) from None
        plan["state"] = analysis["state"]
        plan["ids"] = sorted(set(analysis["accepted"]) | {manager_id})
        record["accepted_before"] = record["accepted_after"] = [mask_external_id(i, reveal=reveal) for i in analysis["accepted"]]
        record["problems"] = analysis["problems"]
        if analysis["action"] == "fail":
            problem = problem or analysis["message"]
        elif analysis["state"] != MIGRATED:
            if connector and not problem:
                problem = ("The role %s trusts the manager with other external IDs (%s) and connector %s uses it: that is a "
                           "migration, not an onboarding. Run the swp.aws.extid_migration role for this account." % (
                               account["role_arn"], analysis["state"], connector.get("id")))
            elif not update_trust and not problem:
                problem = ("The role %s exists and its trust policy lets the manager in with other external IDs than the "
                           "manager-defined one (%s), so nothing was written. Set connector_onboarding_update_trust: true to "
                           "have it accept the manager-defined ID alone (other principals' statements are kept), or fix "
                           "the trust policy yourself." % (account["role_arn"], analysis["state"]))
            plan["trust"] = UPDATE
            plan["trust_policy"] = analysis["widened"] if analysis["needs_widen"] else None
            plan["narrowed"] = analysis["narrowed"]
            record["accepted_after"] = [mask_external_id(manager_id, reveal=reveal)]
    record["state_before"] = plan["state"]
    if problem:
        plan["message"] = mask_in_text(problem, plan["ids"], reveal=reveal)
        record["outcome"] = "failed"
        record["error"] = plan["message"]
        record["state_after"] = plan["state"]
        record["accepted_after"] = record["accepted_before"]
        plan["trust_policy"] = plan["narrowed"] = None
        plan["create_connector"] = False
        return plan
    plan["action"] = "onboard" if plan["trust"] != KEEP or plan["create_connector"] else "none"
    record["state_after"] = plan["state"] if plan["action"] == "none" else "pending"
    record["outcome"] = "unchanged" if plan["action"] == "none" else "pending"
    return plan


def record_step(record, step, changed=False, connector=None, check_mode=False):
    """The record after one step: ``create_role``, ``widen``, ``permissions``, ``connector``, ``narrow`` or ``done``."""
    record = copy.deepcopy(record)
    if step != "done":
        if step not in ACTIONS:
            raise OnboardingError("unknown onboarding step %r" % (step,))
        if changed:
            record["actions"].append(ACTIONS[step])
            record["changed"] = True
        if step == "connector" and connector:
            record["connector_id"] = connector.get("id")
        return record
    record["state_after"] = MIGRATED
    if record["changed"]:
        record["outcome"] = "would_migrate" if check_mode else "migrated"
    else:
        record["outcome"] = "unchanged"
    return record
