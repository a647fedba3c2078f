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
import re

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, is_account_id, role_target
from ansible_collections.swp.aws.plugins.module_utils._cloudformation import TemplateError, find_stack, stack_trust_policy
from ansible_collections.swp.aws.plugins.module_utils._external_id import ExternalIdError, check as check_external_id
from ansible_collections.swp.aws.plugins.module_utils._migration import (
    QUOTA,
    MigrationError,
    failure_message,
    oversize,
    quota,
)
from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id, mask_in_text
from ansible_collections.swp.aws.plugins.module_utils._report import new_record
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import (
    EXTERNAL_ID_KEY,
    MIGRATED,
    POLICY_VERSION,
    SWP_PRINCIPAL,
    TrustPolicyError,
    analyze,
    others_statements,
)

__all__ = ["PERMISSIONS", "OnboardingError", "target", "trust_policy", "permissions_policy", "plan_onboarding", "record_step",
           "stack_name", "plan_stack", "onboarding_steps", "MESSAGES"]

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
           "connector": "create_connector", "narrow": "narrow_trust_policy", "create_stack": "create_stack",
           "update_stack": "update_stack"}


class OnboardingError(ValueError):
    """Inputs of one account that cannot be used."""


QUOTA_OPTION = "connector_onboarding_trust_policy_quota"
# The onboarding's own advice on the trust core's problems, by code (the core's fix is role-neutral). An open statement
# is never rewritten by the onboarding: the core's fix is the whole advice.
_ADVICE = {
    "partition": " (connector_onboarding_principal)",
    "no_external_id": " (connector_onboarding_principal)",
}


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
                    reveal=False, check_mode=False, trust_policy_quota=QUOTA):
    """What to do with one account, decided before any write.

    ``account`` is target()'s result, ``policy`` the role's trust policy (None when the role does not exist),
    ``connector`` the manager's connector for the role or account (empty when none).
    Returns ``action`` (``onboard``, ``none`` or ``fail``), ``trust`` (``create``, ``keep`` or ``update``), ``state``,
    ``message``, ``trust_policy`` (the document to write first: the new role's, or the widened one), ``narrowed``
    (the document to write after the connector, or None), ``create_connector``, ``ids`` (every full external ID
    known, to mask text), ``principal`` (the manager's principal as IAM stores it), ``record`` (the account's
    report record so far) and ``steps`` (``["fail"]``, or none until onboarding_steps()). A trust policy to write
    that would exceed ``trust_policy_quota`` (IAM's quota on its length)
    fails the account.
    """
    try:
        limit = quota(trust_policy_quota, QUOTA_OPTION)
        check_external_id(manager_id, "plan of %s" % host)
    except (MigrationError, ExternalIdError) as exc:
        raise OnboardingError(str(exc)) from None
    connector = connector or {}
    principal = principal or SWP_PRINCIPAL
    record = new_record(host, account["account_id"], account["role_arn"], connector.get("id"), check_mode)
    plan = {"action": FAIL, "trust": KEEP, "state": None, "message": None, "trust_policy": None, "narrowed": None,
            "create_connector": not connector, "ids": [manager_id], "record": record,
            "principal": _principal_arn(principal, account["partition"])}
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
        try:
            # A stack that owns the role replaces its whole trust policy: what else it holds must not be lost.
            plan["other_statements"] = others_statements(policy, account["role_arn"], _principal_arn(principal, account["partition"]))
        except TrustPolicyError:
            plan["other_statements"] = None
        if analysis["action"] == "fail":
            problem = problem or failure_message(
                "The role %s cannot be onboarded safely, so nothing was written" % account["role_arn"], analysis["problems"], _ADVICE)
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
    if not problem:
        label = "new" if plan["trust"] == CREATE else "widened"
        problem = oversize(account["role_arn"], [(label, plan["trust_policy"]), ("narrowed", plan["narrowed"])], limit, QUOTA_OPTION)
    if problem:
        plan["message"] = mask_in_text(problem, plan["ids"], reveal=reveal)
        record["outcome"] = "failed"
        record["error"] = plan["message"]
        record["state_after"] = plan["state"]
        record["accepted_after"] = record["accepted_before"]
        plan["trust_policy"] = plan["narrowed"] = None
        plan["create_connector"] = False
        plan["steps"] = ["fail"]
        return plan
    plan["action"] = "onboard" if plan["trust"] != KEEP or plan["create_connector"] else "none"
    # The rest of the steps follow once it is known whether a stack makes the role (onboarding_steps()).
    plan["steps"] = []
    record["state_after"] = plan["state"] if plan["action"] == "none" else "pending"
    record["outcome"] = "unchanged" if plan["action"] == "none" else "pending"
    return plan


def onboarding_steps(plan, stack, check_mode=False):
    """The role's steps for an account, in order, once it is known whether a stack makes the role (``stack``:
    plan_stack()'s result, or ``{"mode": "direct"}``).

    ``fail`` (nothing written), ``show_role`` (the role's trust policy as it will be), ``stack`` (the stack created or
    updated), ``direct`` (the role written in place) and ``role`` (its trust policy written), ``permissions`` or, for
    a role a dry run would create, ``show_permissions``, ``connector``, ``show_narrowed`` and ``narrow``.
    """
    if plan["action"] == FAIL or stack.get("message"):
        return ["fail"]
    via_stack = stack.get("mode") == "stack"
    writes_stack = via_stack and stack.get("stack") in (STACK_CREATE, STACK_UPDATE)
    steps = []
    if writes_stack or (not via_stack and plan["trust_policy"] is not None):
        steps.append("show_role")
    if writes_stack:
        steps.append("stack")
    if not via_stack:
        steps.append("direct")
        if plan["trust_policy"] is not None:
            steps.append("role")
    # In a dry run a role that does not exist yet cannot be read: its permissions policy is shown instead.
    steps.append("show_permissions" if check_mode and plan["trust"] == CREATE else "permissions")
    if plan["create_connector"]:
        steps.append("connector")
    if not via_stack and plan["narrowed"] is not None:
        steps.extend(["show_narrowed", "narrow"])
    return steps


def record_step(record, step, changed=False, connector=None, check_mode=False, results=None):
    """The record after one step: ``create_role``, ``create_stack``, ``update_stack``, ``widen``, ``permissions``,
    ``connector``, ``narrow`` or ``done``. ``results``: the registered results of the step's tasks; one that changed
    something makes the step changed."""
    record = copy.deepcopy(record)
    changed = changed or any(isinstance(result, dict) and result.get("changed") for result in results or [])
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


# A role made through a CloudFormation stack (connector_onboarding_cloudformation, issue 11): the role's own template,
# rendered by the role, holds the same trust policy, permissions, name and path as the role writes in place; the
# manager-defined ID is its NoEcho parameter, so the rollout's update_stack can later set it.
STACK_LOGICAL_ID = "CrossAccountRole"
STACK_STABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")
STACK_CREATE, STACK_UPDATE, STACK_NONE = "create", "update", "none"
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9]{1,255}$")


def stack_name(role_name, name=""):
    """The stack's name: ``name`` when given, else ``swp-`` and the role's name with every other character than
    letters, digits and ``-`` made ``-`` (at most 128 characters)."""
    return name or ("swp-" + re.sub(r"[^A-Za-z0-9-]", "-", role_name or ""))[:128]


def _check_template(template, account, manager_id, principal, name, region, parameter):
    """The role's own template must give exactly the planned trust policy, with the ID as a NoEcho parameter."""
    if not isinstance(template, dict):
        raise OnboardingError("the role's CloudFormation template cannot be read")
    if (template.get("Parameters") or {}).get(parameter, {}).get("NoEcho") is not True:
        raise OnboardingError("the role's CloudFormation template has no NoEcho parameter %s" % parameter)
    planned = trust_policy(manager_id, principal, account["partition"])
    try:
        given = stack_trust_policy(template, STACK_LOGICAL_ID, {parameter: manager_id}, account["account_id"],
                                   account["partition"], region, name)
    except TemplateError as exc:
        raise OnboardingError("the role's CloudFormation template: %s" % exc) from None
    if given != planned:
        raise OnboardingError("the role's CloudFormation template does not give the planned trust policy")
    return planned


def _stack_trust_differs(facts, owned, planned, plan, account, manager_id, name, region, parameter):
    """Why the stack, updated with its own template and the manager-defined ID, would not give the planned trust
    policy (a list of reasons; empty when it would)."""
    reasons = []
    if plan["trust"] != KEEP:
        reasons.append("the role trusts the manager with other external IDs (%s)" % plan["state"])
    if parameter not in owned["parameters"]:
        reasons.append("its template has no parameter %s" % parameter)
        return reasons
    values = dict(facts.get("stack_parameters") or {})
    values[parameter] = manager_id
    try:
        document = stack_trust_policy(facts.get("stack_template"), owned["logical_id"], values, account["account_id"],
                                      account["partition"], region, name)
    except TemplateError as exc:
        reasons.append(str(exc))
        return reasons
    if document != planned:
        reasons.append("its template gives another trust policy than the manager's principal with the manager-defined ID alone")
    return reasons


def plan_stack(plan, account, facts, template, manager_id, name, region, parameter="ExternalID", update_trust=False,
               reveal=False):
    """How the role is made or kept through the CloudFormation stack ``name``, decided before any write.

    ``plan`` is plan_onboarding()'s result for an account it does not fail, ``facts`` amazon.aws.cloudformation_info's
    entry for the stack with its resources and its template parsed (empty when there is no stack), ``template`` the
    role's own template (the external ID is its NoEcho parameter ``parameter``).

    Returns ``mode`` (``stack``: the stack makes or keeps the role; ``direct``: an existing role no stack owns,
    onboarded in place as without the option), ``stack`` (``create``, ``update``, ``none``, or None in ``direct``
    mode), ``message`` (set when the account must fail closed), ``trust_policy`` (the role's trust policy through the
    stack: it holds the full ID), ``template`` and ``record``.
    """
    if not _STACK_NAME.match(name or ""):
        raise OnboardingError("connector_onboarding_cloudformation_stack %r is not a CloudFormation stack name (a letter, "
                              "then letters, digits and -, at most 128)" % (name,))
    if not _PARAMETER_NAME.match(parameter or ""):
        raise OnboardingError("connector_onboarding_cloudformation_parameter must be a CloudFormation parameter name "
                              "(letters and digits)")
    planned = _check_template(template, account, manager_id, plan["principal"], name, region, parameter)
    facts = facts or {}
    record = copy.deepcopy(plan["record"])
    result = {"mode": "direct", "stack": None, "message": None, "trust_policy": planned, "template": template,
              "record": record}
    description = facts.get("stack_description") or {}
    where = "CloudFormation stack %s (%s)" % (name, region)
    stack = {"name": name, "region": region, "logical_id": STACK_LOGICAL_ID, "status": description.get("stack_status"),
             "parameter": parameter}
    owned = find_stack({region: {name: facts}}, account["role_name"], account["role_arn"]) if description else None
    problem = None
    if plan["trust"] == CREATE:
        if description:
            problem = ("%s exists (%s), but the role %s does not: delete the stack (a failed create can leave it so) or "
                       "name another with connector_onboarding_cloudformation_stack. Nothing was written." % (
                           where, stack["status"], account["role_arn"]))
        else:
            result["stack"] = STACK_CREATE
    elif owned is None:
        if description:
            problem = ("%s exists and does not own the role %s, which exists: name another stack with "
                       "connector_onboarding_cloudformation_stack, or onboard without connector_onboarding_cloudformation. "
                       "Nothing was written." % (where, account["role_arn"]))
        else:
            record["instruction"] = ("The role existed and no CloudFormation stack owns it: onboarded in place, as "
                                     "without connector_onboarding_cloudformation (importing it into a stack is yours to do).")
            return result
    else:
        stack.update(logical_id=owned["logical_id"], status=owned["status"],
                     parameter=parameter if parameter in owned["parameters"] else None)
        others = sorted(resource.get("logical_resource_id") for resource in facts.get("stack_resource_list") or []
                        if resource.get("logical_resource_id") != owned["logical_id"])
        reasons = _stack_trust_differs(facts, owned, planned, plan, account, manager_id, name, region, parameter)
        if stack["status"] not in STACK_STABLE:
            problem = "%s is %s: let it settle or repair it, then rerun. Nothing was written." % (where, stack["status"])
        elif not reasons and facts.get("stack_template") == template:
            result["stack"] = STACK_NONE
        elif plan.get("other_statements") != []:
            problem = ("%s owns the role, and updating it with the role's template would replace the whole trust policy, "
                       "losing %s: add them to the stack's template yourself, or onboard without "
                       "connector_onboarding_cloudformation (a direct edit keeps them). Nothing was written." % (
                           where, ("statements " + ", ".join(plan["other_statements"])) if plan.get("other_statements") else
                           "statements that could not be read"))
        elif reasons and not update_trust:
            problem = ("%s owns the role and would not give it the manager's principal with the manager-defined ID alone: "
                       "%s. Nothing was written. Set connector_onboarding_update_trust: true to update the stack with the "
                       "role's template and the manager-defined ID, or fix the stack yourself." % (where, "; ".join(reasons)))
        elif others or owned["logical_id"] != STACK_LOGICAL_ID:
            problem = ("%s holds %s: updating it with the role's template would %s. Update the stack yourself. Nothing was "
                       "written." % (where, ", ".join(others) if others else "the role as resource " + owned["logical_id"],
                                     "delete them" if others else "replace the role"))
        else:
            result["stack"] = STACK_UPDATE
    record["owner"] = "cloudformation"
    record["stack"] = stack
    if problem:
        result["message"] = mask_in_text(problem, plan["ids"], reveal=reveal)
        record.update(outcome="failed", error=result["message"], state_after=record["state_before"],
                      accepted_after=record["accepted_before"])
        return result
    result["mode"] = "stack"
    if result["stack"] != STACK_NONE:
        record.update(outcome="pending", state_after="pending", accepted_after=[mask_external_id(manager_id, reveal=reveal)])
        record["instruction"] = ("%s through %s, parameter %s: the stack is the role's source of truth (the rollout "
                                 "updates it with extid_migration_cloudformation update_stack)." % (
                                     "Created" if result["stack"] == STACK_CREATE else "Updated", where, parameter))
    return result


# What the onboarding's tasks say, by name (swp.aws.role_message); the values fill the text.
MESSAGES = {
    "stack_preview": ("CloudFormation stack {stack} ({region}) would be {change}d: role {role} (resource CrossAccountRole), its "
                      "trust policy above, inline policy {policy}, the manager-defined ID as the NoEcho parameter {parameter}."),
    "stack_failed": ("{doing} CloudFormation stack {stack} ({region}) failed in task \"{task}\" (see the stack's events). A failed "
                     "create leaves no stack; a failed update rolls the stack back. Fix the cause and rerun."),
    "retrieval_locked": ("Retrieval of the external ID is already disabled on the manager and the {store} holds nothing: enable "
                         "retrieval (swp.aws.workload_extid_retrieval enabled=true), run this again, and it stores the ID and "
                         "locks again."),
    "stored": "{store} ({region}): {before} -> {after}",
}
