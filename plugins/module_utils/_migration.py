# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One account of the external-ID rollout: the plan, and the one definition of its report record.

For internal use (pure: no Ansible import). The extid_migration role reaches it through the
``swp.aws.extid_migration_*`` filters and keeps only I/O and order in YAML.
"""

from __future__ import annotations

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, role_arn as _role_arn
from ansible_collections.swp.aws.plugins.module_utils._report import mask_in_text, new_record
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import (
    MIGRATED,
    SWP_PRINCIPAL,
    TrustPolicyError,
    analyze,
    mask_external_id,
)

__all__ = ["ROLE_CONNECTOR", "MigrationError", "target", "new_record", "plan_account", "record_step", "record_failure"]

ROLE_CONNECTOR = "cross_account_role"
ROLE_MISSING = "role_missing"
NO_CONNECTOR = "no_connector"
NOT_ROLE_CONNECTOR = "not_role_connector"

# What the role does with an account, by the plan's action.
SKIP, NONE, FAIL, MIGRATE = "skip", "none", "fail", "migrate"
_OUTCOME = {SKIP: "skipped", NONE: "unchanged", FAIL: "failed", MIGRATE: "pending"}


class MigrationError(ValueError):
    """Inputs of one account that cannot be used."""


def target(role_arn="", account_id="", role_name=""):
    """The account's role, checked: ``{"role_arn", "partition", "account_id", "role_name"}``."""
    try:
        arn, partition, account, name = _role_arn(role_arn or "", account_id or "", role_name or "")
    except ArnError as exc:
        raise MigrationError(
            "set extid_migration_role_arn, or extid_migration_account_id (12 digits) and extid_migration_role_name: %s" % exc) from None
    return {"role_arn": arn, "partition": partition, "account_id": account, "role_name": name}


def _masked(ids, reveal):
    return [mask_external_id(value, reveal=reveal) for value in sorted(ids)]


def _view(analysis, reveal):
    return {"state_after": analysis["state"], "accepted_after": _masked(analysis["accepted"], reveal)}


def plan_account(host, account, policy, connector, manager_id, principal=SWP_PRINCIPAL, close_open_trust=False,
                 reveal=False, check_mode=False):
    """What to do with one account, decided before any write.

    ``account`` is target()'s result, ``policy`` the role's trust policy (None when the role does
    not exist), ``connector`` the manager's connector for the role or account (empty when none).
    Returns ``action`` (``skip``, ``none``, ``fail`` or ``migrate``), ``state``, ``message``,
    ``widened``, ``narrowed``, ``needs_widen``, ``needs_narrow``, ``ids`` (every full external ID
    known, for masking text), ``record`` (the account's report record so far) and, for
    ``migrate``, ``after_widen`` and ``after_narrow`` (the record's state and accepted IDs then).
    """
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
        plan.update((key, analysis[key]) for key in ("state", "message", "widened", "narrowed", "needs_widen", "needs_narrow"))
        plan["action"] = analysis["action"]
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
    record["state_before"] = record["state_after"] = plan["state"]
    record["outcome"] = _OUTCOME[plan["action"]]
    if plan["action"] == FAIL:
        record["error"] = plan["message"]
    return plan


def record_step(record, plan, step, changed=False, narrow=True, check_mode=False):
    """The record after one step of the migration: ``widen``, ``switch`` or ``done`` (after the narrow, if any)."""
    record = dict(record)
    record["actions"] = list(record.get("actions") or [])
    if changed:
        record["actions"].append({"widen": "widen_trust_policy", "switch": "switch_connector", "done": "narrow_trust_policy"}[step])
        record["changed"] = True
    if step == "widen":
        record.update(plan["after_widen"])
    elif step == "done":
        record.update(plan["after_narrow"] if narrow else plan["after_widen"])
        record["outcome"] = "would_migrate" if check_mode else "migrated"
    return record


def record_failure(record, error, failed_task=None, ids=(), reveal=False):
    """The record of an account whose migration stopped: the error with every known external ID masked."""
    record = dict(record)
    record["outcome"] = "failed"
    record["error"] = mask_in_text("failed" if error is None else str(error), list(ids or []), reveal=reveal)
    record["failed_task"] = failed_task
    return record
