# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rollout report of the extid_migration role, for internal use (pure: no Ansible import)."""

from __future__ import annotations

import datetime

from ansible_collections.swp.aws.plugins.module_utils._trust_policy import mask_external_id

OUTCOMES = ("migrated", "would_migrate", "unchanged", "skipped", "failed")
# The version of the report's format (docs/extid_migration_report.schema.json): raised when a field is removed or renamed.
REPORT_VERSION = 1
FAILED = "failed"


def mask_in_text(text, ids, reveal=False):
    """Replace every full external ID in ``text`` by its masked form (longest first, so no ID leaks in part)."""
    if text is None or reveal:
        return text
    text = str(text)
    for value in sorted(set(i for i in (ids or []) if isinstance(i, str) and i), key=len, reverse=True):
        text = text.replace(value, mask_external_id(value))
    return text


def new_record(host, account_id=None, role_arn=None, connector_id=None, check_mode=False):
    """The report record of one account before anything is known: every field a report consumer may read."""
    return {
        "host": host,
        "account_id": account_id,
        "role_arn": role_arn,
        "connector_id": connector_id,
        "mode": "check" if check_mode else "apply",
        "state_before": "unknown",
        "state_after": "unknown",
        "accepted_before": [],
        "accepted_after": [],
        "actions": [],
        "outcome": "pending",
        "changed": False,
        "error": None,
        "failed_task": None,
        "problems": [],
        # Roles another tool owns: "cloudformation" (with the stack) or "tagged"; what to do, for a person.
        "owner": None,
        "stack": None,
        "instruction": None,
        "files": [],
    }


def _missing(host, mode):
    record = new_record(host, check_mode=mode == "check")
    record["outcome"] = FAILED
    record["error"] = "The account did not finish: see the play output for this host (bad inputs or an unreachable host)."
    return record


def build_report(records, hosts, mode="apply", principal=None, manager_external_id=None, narrow=True, now=None):
    """One report for the fleet: a record per host, in inventory order, and the counts per outcome.

    ``records[i]`` is host ``hosts[i]``'s record, or None when the host never got as far as making one.
    """
    records = list(records or [])
    accounts = []
    for index, host in enumerate(hosts or []):
        record = records[index] if index < len(records) else None
        record = dict(record) if isinstance(record, dict) else _missing(host, mode)
        if record.get("outcome") == "pending":
            record["outcome"] = FAILED
            record["error"] = record.get("error") or "The account stopped before its migration finished."
        accounts.append(record)
    counts = dict((outcome, 0) for outcome in OUTCOMES)
    for record in accounts:
        counts[record["outcome"]] = counts.get(record["outcome"], 0) + 1
    when = now or datetime.datetime.now(datetime.timezone.utc)
    return {
        "report_version": REPORT_VERSION,
        "mode": mode,
        "generated_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "principal": principal,
        "manager_external_id": manager_external_id,
        "narrow": bool(narrow),
        "total": len(accounts),
        "counts": counts,
        "failed_hosts": [record["host"] for record in accounts if record["outcome"] == FAILED],
        "changed_hosts": [record["host"] for record in accounts if record.get("changed")],
        "accounts": accounts,
    }


def summary_lines(report):
    """A readable summary: one line per account, then the totals."""
    lines = []
    for record in report.get("accounts", []):
        actions = ", ".join(record.get("actions") or []) or "no action"
        line = "%-14s %-12s %s: %s -> %s (%s)" % (
            record.get("outcome"), record.get("account_id") or "-", record.get("host"),
            record.get("state_before"), record.get("state_after"), actions)
        if record.get("error"):
            line += " ERROR: %s" % record["error"]
        elif record.get("instruction"):
            line += " NOTE: %s" % record["instruction"]
        lines.append(line)
    counts = report.get("counts", {})
    lines.append("%s mode, %d accounts: %s" % (
        report.get("mode"), report.get("total", 0),
        ", ".join("%d %s" % (counts[key], key) for key in sorted(counts) if counts[key])))
    return lines
