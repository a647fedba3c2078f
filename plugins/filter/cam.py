# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the joined view of Server & Workload Protection and Vision One Cloud Accounts (CAM)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.module_utils._cam_join import (
    account_standing, cam_state, standing_summary, summary_line, table_lines)
from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id


def _ran(result):
    """Whether a registered module result is a success (not failed, not skipped)."""
    return isinstance(result, Mapping) and not result.get("failed") and not result.get("skipped")


def _trust_policies(roles):
    """``{role ARN: trust policy}`` from the registered result of a swp.aws.trust_policy_info or amazon.aws.iam_role_info
    loop (or one call)."""
    policies = {}
    if not isinstance(roles, Mapping):
        return policies
    for result in roles.get("results", [roles]):
        if _ran(result):
            for role in result.get("iam_roles") or []:
                if isinstance(role, Mapping) and role.get("arn") and role.get("assume_role_policy_document") is not None:
                    policies[role["arn"]] = role["assume_role_policy_document"]
    return policies


def _message(result):
    if isinstance(result, Mapping) and result.get("skipped"):
        return "the CAM listing was skipped"
    return str(result.get("msg") or "CAM was not read") if isinstance(result, Mapping) else "CAM was not read"


def cam_account_standing(connectors, cam, manager=None, roles=None):
    """Rows, summary and table of where each AWS account stands (see the filter's documentation)."""
    if isinstance(connectors, Mapping):
        if not _ran(connectors):
            raise AnsibleFilterError("cam_account_standing: the connector listing failed or was skipped: %s"
                                     % connectors.get("msg", "no message"))
        connectors = connectors.get("connectors")
    if not isinstance(connectors, list):
        raise AnsibleFilterError("cam_account_standing: give the result of swp.aws.workload_connector_info (or its connectors).")
    # A result registered with failed_when: false is not failed, but it has no accounts.
    read = _ran(cam) and isinstance(cam.get("accounts"), list)
    # A listing filtered by state or account proves no absence.
    args = cam.get("invocation", {}).get("module_args", {}) if read else {}
    listed = read and not args.get("state") and not args.get("account_id")
    accounts = cam["accounts"] if read else []
    manager_mask = None
    if _ran(manager) and isinstance(manager.get("external_id"), str):
        manager_mask = mask_external_id(manager["external_id"])
    rows = account_standing(connectors, accounts, cam_listed=listed, manager_mask=manager_mask, trust_policies=_trust_policies(roles))
    summary = standing_summary(rows)
    return {"accounts": rows, "summary": summary, "table": table_lines(rows) + ["", summary_line(summary)],
            "cam_read": listed, "cam_error": None if read else _message(cam)}


def cam_state_filter(record, listed=True):
    return cam_state(record, listed)


class FilterModule:
    def filters(self):
        return {"cam_account_standing": cam_account_standing, "cam_state": cam_state_filter}
