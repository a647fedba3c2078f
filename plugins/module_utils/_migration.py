# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One account of the external-ID rollout: the plan, and the one definition of its report record.

For internal use (pure: no Ansible import). The extid_migration role reaches it through the
``swp.aws.extid_migration_*`` filters and keeps only I/O and order in YAML.
"""

from __future__ import annotations

import json
import re

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, role_target
from ansible_collections.swp.aws.plugins.module_utils._external_id import ExternalIdError, check as check_external_id
from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id, mask_in_text
from ansible_collections.swp.aws.plugins.module_utils._report import new_record
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import (
    MIGRATED,
    SWP_PRINCIPAL,
    TrustPolicyError,
    analyze,
)

__all__ = ["ROLE_CONNECTOR", "MigrationError", "target", "new_record", "plan_account", "record_step", "record_failure",
           "is_tagged", "plan_owner", "owner_steps", "stack_update", "QUOTA", "QUOTA_MAX", "policy_size", "quota", "oversize", "failure_message"]

ROLE_CONNECTOR = "cross_account_role"
ROLE_MISSING = "role_missing"
NO_CONNECTOR = "no_connector"
NOT_ROLE_CONNECTOR = "not_role_connector"

# What the role does with an account, by the plan's action.
SKIP, NONE, FAIL, MIGRATE = "skip", "none", "fail", "migrate"
_OUTCOME = {SKIP: "skipped", NONE: "unchanged", FAIL: "failed", MIGRATE: "pending"}


class MigrationError(ValueError):
    """Inputs of one account that cannot be used."""


# IAM's quota on the length of a role's trust policy: 2,048 characters unless the account raised it in Service Quotas
# (IAM, "Role trust policy length"), to at most 4,096.
QUOTA, QUOTA_MAX = 2048, 4096


def policy_size(document):
    """The length of a trust policy as IAM counts it against its quota: compact JSON (IAM ignores whitespace)."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def quota(value, option):
    """The quota option ``option`` as an int, checked: from IAM's default, 2048, to the most AWS allows, 4096."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]+", text) or not QUOTA <= int(text) <= QUOTA_MAX:
        raise MigrationError("%s must be a whole number from %d (IAM's default) to %d (the most AWS allows): the role trust "
                             "policy length quota of the accounts in Service Quotas" % (option, QUOTA, QUOTA_MAX))
    return int(text)


def oversize(role_arn, documents, limit, option):
    """Why writing ``documents`` (``[(label, document)]``, None documents left out) would exceed IAM's quota ``limit``,
    naming every size; None when they all fit."""
    sizes = [(label, policy_size(document)) for label, document in documents if document is not None]
    if all(size <= limit for _label, size in sizes):
        return None
    return ("The trust policy of %s would be too long for IAM, so nothing was written: %s characters (compact JSON, as IAM "
            "counts them), over the quota of %s. Shorten the trust policy (statements or external IDs no one uses), or "
            "raise the role trust policy length quota in Service Quotas (IAM; up to %s) and set %s to it." % (
                role_arn, " and ".join("%s %s" % (label, format(size, ",")) for label, size in sizes), format(limit, ","),
                format(QUOTA_MAX, ","), option))


# The trust core's problems carry a role-neutral fix and a code; each role adds its own advice by code.
_ADVICE = {
    "open_trust": ", or set extid_migration_close_open_trust to let the rollout do it",
    "partition": " (extid_migration_principal)",
    "no_external_id": " (extid_migration_principal)",
}


def failure_message(lead, problems, advice):
    """``lead`` ("The trust policy of R cannot be migrated safely, so nothing was written") and every problem of the
    trust core, ``where: problem; fix`` and the role's own ``advice`` for the problem's code."""
    if not problems:
        return lead + "."
    parts = []
    for problem in problems:
        parts.append("%s: %s; %s%s." % (problem["where"], problem["problem"], problem["fix"], advice.get(problem.get("code"), "")))
    return "%s: %s" % (lead, " ".join(parts))


def target(role_arn="", account_id="", role_name=""):
    """The account's role, checked: ``{"role_arn", "partition", "account_id", "role_name", "role_path"}``."""
    try:
        return role_target(role_arn or "", account_id, role_name or "")
    except ArnError as exc:
        raise MigrationError(
            "set extid_migration_role_arn, or extid_migration_account_id (12 digits) and extid_migration_role_name: %s" % exc) from None


def _masked(ids, reveal):
    return [mask_external_id(value, reveal=reveal) for value in sorted(ids)]


def _view(analysis, reveal):
    return {"state_after": analysis["state"], "accepted_after": _masked(analysis["accepted"], reveal)}


def plan_account(host, account, policy, connector, manager_id, principal=SWP_PRINCIPAL, close_open_trust=False,
                 reveal=False, check_mode=False, trust_policy_quota=QUOTA):
    """What to do with one account, decided before any write.

    ``account`` is target()'s result, ``policy`` the role's trust policy (None when the role does
    not exist), ``connector`` the manager's connector for the role or account (empty when none).
    Returns ``action`` (``skip``, ``none``, ``fail`` or ``migrate``), ``state``, ``message``,
    ``widened``, ``narrowed``, ``needs_widen``, ``needs_narrow``, ``ids`` (every full external ID
    known, for masking text), ``record`` (the account's report record so far) and, for
    ``migrate``, ``after_widen`` and ``after_narrow`` (the record's state and accepted IDs then), and ``steps``: the
    role's steps, ``["fail"]``, ``["owner"]`` (plan_owner() plans the rest) or none.
    An account whose widened or narrowed trust policy would exceed ``trust_policy_quota`` (IAM's quota on its length)
    fails, as one whose trust policy cannot be edited safely does.
    """
    limit = quota(trust_policy_quota, "extid_migration_trust_policy_quota")
    try:
        check_external_id(manager_id, "plan of %s" % host)
    except ExternalIdError as exc:
        raise MigrationError(str(exc)) from None
    connector = connector or {}
    record = new_record(host, account["account_id"], account["role_arn"], connector.get("id"), check_mode)
    plan = {"action": SKIP, "state": None, "message": None, "widened": None, "narrowed": None,
            "needs_widen": False, "needs_narrow": False, "ids": [manager_id], "record": record,
            "after_widen": None, "after_narrow": None}
    role_connector = connector.get("auth_type") == ROLE_CONNECTOR
    if connector and not role_connector:
        plan["state"] = NOT_ROLE_CONNECTOR
    elif policy is None:
        plan["state"] = ROLE_MISSING
        if connector:
            plan["action"] = FAIL
            plan["message"] = "The role %s does not exist, but connector %s uses it: create the role or remove the connector." % (
                account["role_arn"], connector.get("id"))
    elif not connector:
        plan["state"] = NO_CONNECTOR
    else:
        try:
            analysis = analyze(policy, manager_id, account["role_arn"], principal=principal, close_open_trust=close_open_trust)
        except TrustPolicyError as exc:
            raise MigrationError("%s: %s" % (account["role_arn"], exc)) from None
        plan.update((key, analysis[key]) for key in ("state", "widened", "narrowed", "needs_widen", "needs_narrow"))
        plan["action"] = analysis["action"]
        if plan["action"] == FAIL:
            plan["message"] = failure_message(
                "The trust policy of %s cannot be migrated safely, so nothing was written" % account["role_arn"],
                analysis["problems"], _ADVICE)
        plan["ids"] = sorted(set(analysis["accepted"]) | {manager_id})
        record["accepted_before"] = record["accepted_after"] = _masked(analysis["accepted"], reveal)
        record["problems"] = analysis["problems"]
        if plan["action"] == MIGRATE:
            after_widen = analyze(plan["widened"], manager_id, account["role_arn"], principal=principal, close_open_trust=True)
            after_narrow = analyze(plan["narrowed"], manager_id, account["role_arn"], principal=principal)
            plan["after_widen"] = _view(after_widen, reveal)
            plan["after_narrow"] = _view(after_narrow, reveal)
            if after_narrow["state"] != MIGRATED:  # the core's own promise, checked before any write
                raise MigrationError("%s: the narrowed trust policy would not be migrated (%s)" % (account["role_arn"], after_narrow["state"]))
            plan["message"] = oversize(account["role_arn"], [("widened", plan["widened"]), ("narrowed", plan["narrowed"])],
                                       limit, "extid_migration_trust_policy_quota")
            if plan["message"]:
                plan.update(action=FAIL, widened=None, narrowed=None, needs_widen=False, needs_narrow=False,
                            after_widen=None, after_narrow=None)
    record["state_before"] = record["state_after"] = plan["state"]
    record["outcome"] = _OUTCOME[plan["action"]]
    # The role's steps for the account, in order: fail it, or find who owns the role (which plans the rest).
    plan["steps"] = {FAIL: ["fail"], MIGRATE: ["owner"]}.get(plan["action"], [])
    if plan["action"] == FAIL:
        # The message names the role, whose name may hold an external ID: it is shown by the task that stops the account.
        plan["message"] = record["error"] = mask_in_text(plan["message"], plan["ids"], reveal=reveal)
    return plan


def record_step(record, plan, step, changed=False, narrow=True, check_mode=False, via="edit", files=None, results=None):
    """The record after one step of the migration: ``widen``, ``switch``, ``files`` or ``done`` (after the narrow, if any).

    ``results``: the registered results of the step's tasks; one that changed something makes the step changed. In a
    dry run the trust-policy writes are not run (owner_steps()): the widen counts as a change when the plan widens,
    and at ``done`` the narrow (in place or through a stack) when the narrowed policy differs.

    ``via`` says how the narrow was made: ``edit`` (in place), ``stack`` (through the CloudFormation stack that owns
    the role) or ``files`` (not at all: the narrowed document was written for the tool that owns the role).
    """
    record = dict(record)
    record["actions"] = list(record.get("actions") or [])
    if results is not None:
        changed = changed or any(isinstance(result, dict) and result.get("changed") for result in results)
        if check_mode and step == "widen" and plan.get("needs_widen"):
            changed = True
        if check_mode and step == "done" and narrow and via in ("edit", "stack") and plan.get("needs_narrow"):
            changed = True
    if step == "files":
        record["files"] = list(files or [])
        record["actions"].append("write_policy_files")
        return record
    if changed:
        narrowed_by = "update_stack" if via == "stack" else "narrow_trust_policy"
        record["actions"].append({"widen": "widen_trust_policy", "switch": "switch_connector", "done": narrowed_by}[step])
        record["changed"] = True
    if step == "widen":
        record.update(plan["after_widen"])
    elif step == "done":
        record.update(plan["after_narrow"] if narrow and via != "files" else plan["after_widen"])
        record["outcome"] = "would_migrate" if check_mode else "migrated"
    return record


def record_failure(record, error, failed_task=None, ids=(), reveal=False):
    """The record of an account whose migration stopped: the error with every known external ID masked."""
    record = dict(record)
    record["outcome"] = "failed"
    if record.get("stack") and str(record.get("instruction") or "").startswith("Narrowed through"):
        record["instruction"] = ("Not narrowed: rerun to update CloudFormation stack %s; until then the role accepts the old and "
                                 "the manager-defined ID and drifts from the stack." % record["stack"].get("name"))
    record["error"] = mask_in_text("failed" if error is None else str(error), list(ids or []), reveal=reveal)
    record["failed_task"] = failed_task
    return record


# Roles another tool owns (issue 11): CloudFormation, found through the stacks of the account's regions, or
# Terraform and the like, marked by a user-given tag. What the role does with them, per extid_migration_cloudformation
# and extid_migration_tagged_roles.
CFN_CHOICES = ("report", "update_stack", "edit")
TAGGED_CHOICES = ("files", "edit")


def is_tagged(tags, key, values):
    """Whether the role carries the user-given ownership tag (``values`` empty: any value; compared case-insensitively)."""
    if not key:
        return False
    tags = tags or {}
    if isinstance(tags, list):  # boto3's TagList
        tags = dict((item.get("Key"), item.get("Value")) for item in tags if isinstance(item, dict))
    if key not in tags:
        return False
    wanted = [str(value).lower() for value in (values or [])]
    return not wanted or str(tags[key]).lower() in wanted


def plan_owner(plan, stack=None, tagged=False, cloudformation="report", tagged_roles="files", parameter="ExternalID",
               tag=None, narrow=True, check_mode=False):
    """How a role another tool owns is migrated, decided before any write.

    ``plan`` is plan_account()'s result for an account it would migrate, ``stack`` _cloudformation.find_stack()'s, ``tagged``
    is_tagged()'s. Returns ``mode`` (``edit``: in place, as for any role; ``report``: nothing written;
    ``update_stack``: widen in place, switch and sync, narrow through the stack; ``files``: the trust-policy
    documents written for the owner's tool, the connector switched only once the role accepts the
    manager-defined ID), ``via`` (how the narrow is made, for record_step()), ``message`` (set when the
    account must fail closed), ``record`` and ``steps`` (owner_steps()).
    """
    if cloudformation not in CFN_CHOICES:
        raise MigrationError("extid_migration_cloudformation must be one of %s" % ", ".join(CFN_CHOICES))
    if tagged_roles not in TAGGED_CHOICES:
        raise MigrationError("extid_migration_tagged_roles must be one of %s" % ", ".join(TAGGED_CHOICES))
    record = dict(plan["record"])
    result = {"mode": "edit", "message": None, "record": record}
    if stack:
        stack = dict(stack)
        parameters = stack.pop("parameters", None) or []
        stack["parameter"] = parameter if parameter in parameters else None
        record["owner"] = "cloudformation"
        record["stack"] = stack
        where = "stack %s (%s, resource %s)" % (stack["name"], stack["region"], stack["logical_id"])
        change = ("set its parameter %s to the manager-defined external ID" % parameter if stack["parameter"]
                  else "change the external ID in its template (it has no parameter %s)" % parameter)
        if cloudformation == "report":
            result["mode"] = "report"
            record["outcome"] = "skipped"
            record["instruction"] = ("The role belongs to CloudFormation %s: %s, or rerun with extid_migration_cloudformation "
                                     "update_stack (or edit, accepting drift). Nothing was written." % (where, change))
        elif cloudformation == "update_stack":
            result["mode"] = "update_stack"
            if not stack["parameter"]:
                result["message"] = ("The role belongs to CloudFormation %s, which has no parameter %s: set "
                                     "extid_migration_cloudformation_parameter to the template's external-ID parameter, or "
                                     "use extid_migration_cloudformation report or edit. Nothing was written." % (where, parameter))
            elif not narrow:
                record["instruction"] = ("Widened in place (the stack %s drifts until the narrow): rerun with "
                                         "extid_migration_narrow true to narrow through the stack." % stack["name"])
            else:
                record["instruction"] = ("Narrowed through CloudFormation %s, parameter %s: the stack is the source of "
                                         "truth again." % (where, parameter))
        else:
            record["instruction"] = ("Edited in place, drift accepted: the role belongs to CloudFormation %s, whose next "
                                     "update puts the old external ID back unless you %s." % (where, change))
    elif tagged:
        record["owner"] = "tagged"
        if tagged_roles == "files":
            result["mode"] = "files"
            record["instruction"] = (
                "The role is managed by another tool (tag %s): apply the widened trust policy with it and rerun; "
                "after the switch, apply the narrowed one." % (tag or "given") if plan["needs_widen"] else
                "The role is managed by another tool (tag %s): the connector was switched; apply the narrowed trust "
                "policy with it." % (tag or "given"))
            if plan["needs_widen"]:
                record["outcome"] = "skipped"
        else:
            record["instruction"] = "Edited in place although tagged %s: update the owner's code to match." % (tag or "given")
    if result["message"]:
        record["outcome"] = "failed"
        record["error"] = result["message"]
    # How the narrow is made, for record_step(): in place, through the stack, or not at all (files).
    result["via"] = {"update_stack": "stack", "files": "files"}.get(result["mode"], "edit")
    result["steps"] = owner_steps(plan, result, narrow=narrow, check_mode=check_mode)
    return result


def owner_steps(plan, owner, narrow=True, check_mode=False):
    """The role's steps for an account it migrates, in order, once it knows who owns the role.

    ``fail`` (nothing written), ``read_stack`` (the template and parameters of the stack that owns the role, checked
    against the planned narrowed policy), ``files`` (the trust-policy documents written for the owner's tool),
    ``show_widened``, ``widen``, ``switch`` (and its record, after the widen's), ``verify`` (the synchronization proved),
    ``show_narrowed``, ``narrow`` (in place) and ``narrow_stack`` (through the stack).

    A dry run (``check_mode``) shows each trust-policy write as its masked diff and does not run the write itself: the
    plan was made from the document just read, so the write's own check-mode answer would only repeat it, at the cost
    of one more AWS module run per write; record_step() counts the write as the plan says.
    """
    mode = owner["mode"]
    if owner["message"]:
        return ["fail"]
    steps = []
    if mode == "update_stack" and narrow:
        steps.append("read_stack")
    if mode == "files":
        steps.append("files")
    # A tagged role whose tool must widen it first gets its files only; a stack's role is reported, unless asked.
    if mode in ("edit", "update_stack") or (mode == "files" and not plan["needs_widen"]):
        if plan["needs_widen"]:
            steps.append("show_widened")
        if plan["needs_widen"] and not check_mode:
            steps.append("widen")
        steps.append("switch")
        if not check_mode:
            steps.append("verify")
        if narrow and plan["needs_narrow"] and mode != "files":
            steps.append("show_narrowed")
        if narrow and plan["needs_narrow"] and mode == "edit" and not check_mode:
            steps.append("narrow")
        if narrow and mode == "update_stack" and not check_mode:
            steps.append("narrow_stack")
    return steps


def stack_update(facts, manager_id, parameter="ExternalID"):
    """The arguments of the update of the stack that owns the role (amazon.aws.cloudformation): its template as it is,
    its parameter ``parameter`` set to the manager-defined ID and every other parameter kept (its previous value).

    ``facts`` is amazon.aws.cloudformation_info's entry for the stack, with its template and parameters.
    """
    template = facts.get("stack_template")
    body = template if isinstance(template, str) else json.dumps(template)
    parameters = dict((name, {"use_previous_value": True}) for name in (facts.get("stack_parameters") or {}) if name != parameter)
    parameters[parameter] = manager_id
    return {"template_body": body, "template_parameters": parameters}


# What the rollout's tasks say when they stop an account, by name (swp.aws.role_message); the values fill the text.
MESSAGES = {
    "not_synced": ("Connector {connector} did not synchronize within {timeout} seconds of the switch, as far as the manager's "
                   "answers prove (a synchronization the manager ran on its own before the switch does not count); the trust "
                   "policy was left accepting the ID it used before, so nothing is locked out. Rerun to resume."),
    "stack_update_failed": ("Updating CloudFormation stack {stack} failed (see its events). The trust policy accepts the old and "
                            "the manager-defined ID, so nothing is locked out; the stack drifts until a rerun updates it."),
}
