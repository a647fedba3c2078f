# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rollout report of the extid_migration role, for internal use (pure: no Ansible import)."""

from __future__ import annotations

import datetime
import difflib
import glob
import json
import os
import re
import xml.etree.ElementTree as ET

from ansible_collections.swp.aws.plugins.module_utils._cam_join import UNKNOWN as CAM_UNKNOWN, cam_state, count_states
from ansible_collections.swp.aws.plugins.module_utils._masking import MASK, censor_external_ids, mask_external_id

OUTCOMES = ("migrated", "would_migrate", "unchanged", "skipped", "failed")
# The version of the report's format (docs/extid_migration_report.schema.json): raised when a field is removed or renamed.
REPORT_VERSION = 1
FAILED = "failed"
# A slice's name goes into a file name: letters, digits, '_', '.' and '-', starting with a letter or digit.
SLICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SLICE_GLOB = "*"


class ReportError(ValueError):
    """A slice name or a set of slice reports that cannot be used; the message says why."""


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


def _missing(host, mode, error=None):
    record = new_record(host, check_mode=mode == "check")
    record["outcome"] = FAILED
    record["error"] = error or (
        "The account did not finish: see the play output for this host (bad inputs or an unreachable host).")
    return record


def missing_result_message(variable):
    """The error of a host that never made its record (``variable``, the fact that holds it)."""
    return ("The account made no record (%s is not set): it stopped before its first step; see the play output for "
            "this host (a variable that is missing or does not resolve, or an unreachable host)." % variable)


def report_path_problem(path, variable="the report path", make_folder=True, kind="the JSON report"):
    """Why the report cannot be written at ``path`` (one sentence), or None when it can.

    An existing directory, or a file whose folder cannot be made (``make_folder``: the role makes it; else it must
    exist) or written, is refused; an empty path (no report) is fine.
    """
    if not path:
        return None
    path = str(path)
    if os.path.isdir(path):
        return "%s %s is a directory: give the path of a file for %s." % (variable, path, kind)
    folder = os.path.dirname(os.path.abspath(path))
    if not make_folder and not os.path.isdir(folder):
        return "%s %s cannot be written: its folder %s does not exist." % (variable, path, folder)
    existing = folder
    while not os.path.exists(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if not os.path.isdir(existing):
        return "%s %s cannot be written: %s is not a directory." % (variable, path, existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "its folder" if existing == folder else "%s cannot be made there:" % folder
        return "%s %s cannot be written: %s %s is not writable." % (variable, path, what, existing)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return "%s %s cannot be written: the file is not writable." % (variable, path)
    return None


def unknown_options(names, options, prefix, allowed=()):
    """The variables named like an option of the role (``prefix``...) that are none, each with the closest option.

    Internal variables (``prefix`` followed by ``_``) and ``allowed`` names are left out. Returns sorted
    ``(name, closest option or None)`` pairs.
    """
    options = sorted(set(options))
    found = []
    for name in sorted(set(names)):
        if not isinstance(name, str) or not name.startswith(prefix) or name.startswith(prefix + "_"):
            continue
        if name in options or name in allowed:
            continue
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        found.append((name, close[0] if close else None))
    return found


def unknown_option_message(name, closest, hosts):
    """One sentence about a variable that looks like a typo of an option."""
    where = ", ".join(hosts[:5]) + (" and %d more" % (len(hosts) - 5) if len(hosts) > 5 else "")
    hint = "did you mean %s?" % closest if closest else "it is none of the role's options."
    return "%s (set for %s) is not an option of the role: %s" % (name, where, hint)


def slice_name(name):
    """The slice's name as a string, checked; "" (no slice) for None or an empty value.

    AWX's job IDs are integers: any integer is a good name.
    """
    if name is None or isinstance(name, bool):
        if name:
            raise ReportError("The slice name must be a string or an integer, not a boolean.")
        return ""
    text = str(name).strip()
    if text and not SLICE_NAME.match(text):
        raise ReportError(
            "The slice name %r cannot name a report file: use 1 to 64 letters, digits, '_', '.' or '-', "
            "starting with a letter or a digit." % text[:80])
    return text


def slice_report_path(path, name):
    """Where a slice writes its report: ``.slice-<name>`` before the extension of the file name, if it has one.

    ``reports/rollout.json`` with slice ``12`` is ``reports/rollout.slice-12.json``; ``report`` is ``report.slice-12``.
    No slice name: the path as it is. The name ``*`` gives the glob pattern that matches every slice's report.
    """
    if not path:
        return path
    name = SLICE_GLOB if name == SLICE_GLOB else slice_name(name)
    if not name:
        return path
    folder, base = os.path.split(str(path))
    root, ext = os.path.splitext(base)
    return os.path.join(folder, "%s.slice-%s%s" % (root, name, ext))


def _counted(accounts):
    counts = dict((outcome, 0) for outcome in OUTCOMES)
    for record in accounts:
        counts[record["outcome"]] = counts.get(record["outcome"], 0) + 1
    return counts


def cam_column(cam):
    """What a report needs of a read of Vision One Cloud Accounts (CAM): None when no read was made (no Vision One
    key), else ``{"read": bool, "error": str or None, "by_account": {account ID: CAM record}}``.

    ``cam`` is what ``swp.aws.cam_aws_account_info`` returned when registered: a listing that did not succeed (its
    ``failed``, or no ``accounts``) proves nothing, so every account's CAM state is then ``unknown``, never ``absent``.
    """
    if not isinstance(cam, dict) or cam.get("skipped"):
        return None
    accounts = cam.get("accounts")
    if cam.get("failed") or not isinstance(accounts, list):
        return {"read": False, "error": str(cam.get("msg") or "Vision One Cloud Accounts could not be read."), "by_account": {}}
    by_account = {}
    for record in accounts:
        if isinstance(record, dict) and record.get("account_id"):
            by_account[str(record["account_id"])] = record
    return {"read": True, "error": None, "by_account": by_account}


def _cam_counted(accounts, read, error=None):
    counts = count_states([record.get("cam_state") for record in accounts if "cam_state" in record])
    return {"read": bool(read), "error": error, "counts": counts}


def build_report(records, hosts, mode="apply", principal=None, manager_external_id=None, narrow=True, now=None,
                 slice=None, problems=None, missing=None, cam=None):  # pylint: disable=redefined-builtin
    """One report for the fleet: a record per host, in inventory order, and the counts per outcome.

    ``records[i]`` is host ``hosts[i]``'s record, or None when the host never got as far as making one.
    With a ``slice`` name (one job of AWX job slicing, or a run with ``--limit``), the report and each of its
    records say which slice they come from.
    A host without a record is a failed account: its error is ``problems[host]`` (what the checks before any write
    found, naming the variable), else ``missing`` (the message for a host that made no record), else a general one.
    With ``cam`` (a column made by cam_column), each record gets its account's ``cam_state`` (absent, legacy,
    managed, outdated, failed, unknown) and the report a ``cam`` section counting them.
    """
    name = slice_name(slice)
    problems = problems if isinstance(problems, dict) else {}
    records = list(records or [])
    accounts = []
    for index, host in enumerate(hosts or []):
        record = records[index] if index < len(records) else None
        record = dict(record) if isinstance(record, dict) else _missing(host, mode, problems.get(host) or missing)
        if record.get("outcome") == "pending":
            record["outcome"] = FAILED
            record["error"] = record.get("error") or "The account stopped before its migration finished."
        if name:
            record["slice"] = name
        if cam is not None:
            account_id = record.get("account_id")
            if cam["read"] and account_id:
                record["cam_state"] = cam_state(cam["by_account"].get(str(account_id)), listed=True)
            else:
                record["cam_state"] = CAM_UNKNOWN
        accounts.append(record)
    when = now or datetime.datetime.now(datetime.timezone.utc)
    report = {
        "report_version": REPORT_VERSION,
        "mode": mode,
        "generated_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "principal": principal,
        "manager_external_id": manager_external_id,
        "narrow": bool(narrow),
        "total": len(accounts),
        "counts": _counted(accounts),
        "failed_hosts": [record["host"] for record in accounts if record["outcome"] == FAILED],
        "changed_hosts": [record["host"] for record in accounts if record.get("changed")],
        "accounts": accounts,
    }
    if cam is not None:
        report["cam"] = _cam_counted(accounts, cam["read"], cam["error"])
    if name:
        report["slice"] = name
    return report


# The fields every slice of one rollout shares; two reports that differ in one of them are not one rollout.
SHARED_FIELDS = (
    ("report_version", "report version"),
    ("mode", "mode (check or apply)"),
    ("manager_external_id", "manager-defined external ID (masked)"),
    ("principal", "principal"),
    ("narrow", "narrow setting"),
)


def _label(report, index, names):
    """How messages name a report: its file (with its slice, unless the file's name says it), else its slice or position."""
    name = report.get("slice") if isinstance(report, dict) else None
    given = names[index] if index < len(names) and names[index] else None
    if given:
        return "%s (slice %s)" % (given, name) if name and ".slice-%s" % name not in str(given) else str(given)
    return "slice %s" % name if name else "report %d" % (index + 1)


def _checked(report, label):
    """The report's accounts, once it looks like a report of this format; ReportError otherwise."""
    if not isinstance(report, dict):
        raise ReportError("%s is not a rollout report (a JSON object)." % label)
    missing = [key for key in [field[0] for field in SHARED_FIELDS] + ["accounts"] if key not in report]
    if missing:
        raise ReportError("%s is not a rollout report: it has no %s." % (label, ", ".join(missing)))
    if report["report_version"] != REPORT_VERSION:
        raise ReportError("%s has report_version %r; this collection merges version %d only."
                          % (label, report["report_version"], REPORT_VERSION))
    accounts = report["accounts"]
    if not isinstance(accounts, list):
        raise ReportError("%s is not a rollout report: its accounts are not a list." % label)
    for index, record in enumerate(accounts):
        if not isinstance(record, dict) or not isinstance(record.get("host"), str) or record.get("outcome") not in OUTCOMES:
            raise ReportError("%s: its account %d has no host or an outcome that is not one of %s."
                              % (label, index + 1, ", ".join(OUTCOMES)))
    return accounts


def _shown(key, value):
    """A shared field's value for an error message: a revealed manager-defined ID is masked here."""
    if key == "manager_external_id" and isinstance(value, str) and not value.endswith("****"):
        value = mask_external_id(value)
    return json.dumps(value)


def _without_slice(record):
    return dict((key, value) for key, value in record.items() if key != "slice")


def merge_reports(reports, names=None):
    """One report of the whole rollout from the reports of its slices (AWX job slicing, or runs with ``--limit``).

    Fails closed (ReportError naming the reports) when they disagree on the report version, the mode, the masked
    manager-defined ID, the principal or the narrow setting, or when a host is in two reports with different
    records. A host repeated with the same record (a slice run twice) is kept once. The accounts are sorted by host,
    the counts, total, failed and changed hosts recomputed from them; ``generated_at`` is the latest of the reports'
    (so merging the same reports twice gives the same report), and ``slices`` lists the slices merged.
    ``names`` (for example the files read) label the reports in the messages.
    """
    reports = list(reports or [])
    names = list(names or [])
    if not reports:
        raise ReportError("No slice report to merge.")
    labels = [_label(report, index, names) for index, report in enumerate(reports)]
    accounts_of = [_checked(report, label) for report, label in zip(reports, labels)]
    first = reports[0]
    for key, what in SHARED_FIELDS:
        values = [report[key] for report in reports]
        if any(value != values[0] for value in values):
            raise ReportError("The reports are not of one rollout: their %s differ (%s)." % (what, "; ".join(
                "%s: %s" % (label, _shown(key, value)) for label, value in zip(labels, values))))
    by_host = {}
    for label, accounts in zip(labels, accounts_of):
        for record in accounts:
            host = record["host"]
            if host not in by_host:
                by_host[host] = (label, record)
            elif _without_slice(by_host[host][1]) != _without_slice(record):
                raise ReportError(
                    "Host %s is in two reports with different records: %s (outcome %s) and %s (outcome %s). A host belongs "
                    "to one slice; merge the reports of one run only (remove those of earlier runs)."
                    % (host, by_host[host][0], by_host[host][1]["outcome"], label, record["outcome"]))
    accounts = [dict(by_host[host][1]) for host in sorted(by_host)]
    stamps = [report.get("generated_at") for report in reports if isinstance(report.get("generated_at"), str)]
    slices = []
    for report in reports:
        name = report.get("slice")
        for value in ([name] if name else []) + list(report.get("slices") or []):
            if str(value) not in slices:
                slices.append(str(value))
    merged = {
        "report_version": REPORT_VERSION,
        "mode": first["mode"],
        "generated_at": max(stamps) if stamps else datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "principal": first["principal"],
        "manager_external_id": first["manager_external_id"],
        "narrow": bool(first["narrow"]),
        "total": len(accounts),
        "counts": _counted(accounts),
        "failed_hosts": [record["host"] for record in accounts if record["outcome"] == FAILED],
        "changed_hosts": [record["host"] for record in accounts if record.get("changed")],
        "accounts": accounts,
        "slices": sorted(slices),
    }
    cams = [report["cam"] for report in reports if isinstance(report.get("cam"), dict)]
    if cams:
        errors = [cam.get("error") for cam in cams if cam.get("error")]
        merged["cam"] = _cam_counted(accounts, all(cam.get("read") for cam in cams) and len(cams) == len(reports),
                                     errors[0] if errors else None)
    return merged


def summary_lines(report, files=None):
    """A readable summary: one line per account, then the totals, then where the report files were written.

    ``files`` maps a label (``JSON``, ``JUnit``) to the path written, or to "" when that form is off.
    """
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
    if report.get("slice"):
        scope = " (slice %s)" % report["slice"]
    elif report.get("slices"):
        scope = " (merged from slices %s)" % ", ".join(report["slices"])
    else:
        scope = ""
    lines.append("%s mode, %d accounts%s: %s" % (
        report.get("mode"), report.get("total", 0), scope,
        ", ".join("%d %s" % (counts[key], key) for key in sorted(counts) if counts[key])))
    cam = report.get("cam")
    if isinstance(cam, dict):
        cam_counts = cam.get("counts") or {}
        states = ", ".join("%d %s" % (cam_counts[key], key) for key in ("absent", "legacy", "managed", "outdated", "failed", "unknown")
                           if cam_counts.get(key))
        line = "Vision One Cloud Accounts (CAM): %s" % (states or "no account")
        if not cam.get("read"):
            line += " (not read, so every state is unknown: %s)" % (cam.get("error") or "no answer")
        lines.append(line)
    if files is not None:
        written = ["%s %s" % (label, path) for label, path in files.items() if path]
        lines.append("Report written: %s" % "; ".join(written) if written else "No report file written (report path empty).")
    return lines


# JUnit XML for CI dashboards: one test case per account. XML 1.0 cannot carry most control characters.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _known_ids(report, ids):
    """Every full external ID the report may hold: those given, and any value of it not masked (a revealed report)."""
    known = [value for value in (ids or []) if isinstance(value, str) and value]
    values = [report.get("manager_external_id")]
    for record in report.get("accounts") or []:
        if isinstance(record, dict):
            values.extend(list(record.get("accepted_before") or []) + list(record.get("accepted_after") or []))
    known.extend(value for value in values if isinstance(value, str) and value and not value.endswith(MASK))
    return known


def _clean(value, known):
    """Text for the XML: every external ID masked, characters XML cannot hold dropped."""
    if value is None:
        return ""
    return _NOT_XML.sub("", censor_external_ids(str(value), known))


def _masked_ids(values):
    return [value if str(value).endswith(MASK) else mask_external_id(value) for value in values or []]


def _account_text(record):
    lines = [
        "outcome: %s" % record.get("outcome"),
        "account: %s  role: %s  connector: %s" % (
            record.get("account_id") or "-", record.get("role_arn") or "-",
            record.get("connector_id") if record.get("connector_id") is not None else "-"),
        "state: %s -> %s" % (record.get("state_before"), record.get("state_after")),
        "actions: %s" % (", ".join(record.get("actions") or []) or "none"),
        "external IDs accepted before: %s; after: %s" % (", ".join(_masked_ids(record.get("accepted_before"))) or "none",
                                                         ", ".join(_masked_ids(record.get("accepted_after"))) or "none"),
    ]
    if record.get("owner"):
        lines.append("owner: %s%s" % (record["owner"], " (stack %s)" % record["stack"].get("name")
                                      if isinstance(record.get("stack"), dict) else ""))
    if record.get("instruction"):
        lines.append("instruction: %s" % record["instruction"])
    return "\n".join(lines)


def _failure_text(record):
    lines = [str(record.get("error") or "failed")]
    if record.get("failed_task"):
        lines.append("task: %s" % record["failed_task"])
    for problem in record.get("problems") or []:
        if isinstance(problem, dict):
            lines.append("%s: %s Fix: %s" % (problem.get("where") or problem.get("code") or "-",
                                             problem.get("problem") or "", problem.get("fix") or ""))
    return "\n".join(lines)


def junit_xml(report, role="extid_migration", ids=None):
    """The report as JUnit XML text: a test suite of the run, a test case per account (class ``<role>.<mode>``).

    A failed account is a ``<failure>`` whose message is its error; a skipped one (no connector, no role connector,
    no role) is ``<skipped>``; migrated, would-migrate and unchanged accounts pass. Every text goes through the
    external-ID masking: the report's own IDs (when it was written revealed), ``ids`` and any token quoted after
    "external ID" are masked, so no full ID reaches the XML, whatever the report holds.
    """
    known = _known_ids(report, ids)
    accounts = [record for record in report.get("accounts") or [] if isinstance(record, dict)]
    mode = str(report.get("mode") or "apply")
    failures = sum(1 for record in accounts if record.get("outcome") == FAILED)
    skipped = sum(1 for record in accounts if record.get("outcome") == "skipped")
    counts = {"tests": str(len(accounts)), "failures": str(failures), "errors": "0", "skipped": str(skipped), "time": "0"}
    root = ET.Element("testsuites", dict(name=_clean("swp.aws.%s" % role, known), **counts))
    suite_name = "%s (%s%s)" % (role, mode, ", slice %s" % report["slice"] if report.get("slice") else "")
    suite = ET.SubElement(root, "testsuite", dict(name=_clean(suite_name, known), timestamp=_clean(report.get("generated_at"), known),
                                                  **counts))
    properties = ET.SubElement(suite, "properties")
    for key in ("mode", "principal", "narrow", "slice"):
        if report.get(key) is not None and report.get(key) != "":
            value = report[key]
            ET.SubElement(properties, "property", name=key, value=_clean(str(value).lower() if isinstance(value, bool) else value, known))
    if report.get("manager_external_id"):
        ET.SubElement(properties, "property", name="manager_external_id",
                      value=_clean(_masked_ids([report["manager_external_id"]])[0], known))
    classname = _clean("%s.%s" % (role, mode), known)
    for record in accounts:
        case = ET.SubElement(suite, "testcase", classname=classname, name=_clean(record.get("host"), known), time="0")
        outcome = record.get("outcome")
        if outcome == FAILED:
            failure = ET.SubElement(case, "failure", message=_clean(record.get("error") or "failed", known),
                                    type=_clean(record.get("failed_task") or "failed", known))
            failure.text = _clean(_failure_text(record), known)
        elif outcome == "skipped":
            why = record.get("instruction") or record.get("error") or "nothing to migrate"
            ET.SubElement(case, "skipped", message=_clean("%s: %s" % (record.get("state_before"), why), known))
        out = ET.SubElement(case, "system-out")
        out.text = _clean(_account_text(record), known)
    if hasattr(ET, "indent"):
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# Progress lines after each write phase of a role: the actions that count as done, and the words.
PROGRESS = {
    "extid_migration": {
        "widen": (("widen_trust_policy",), "widened %d of %d accounts", "had nothing to widen"),
        "switch": (("switch_connector",), "switched %d of %d accounts", "had nothing to switch"),
        "narrow": (("narrow_trust_policy", "update_stack"), "narrowed %d of %d accounts", "had nothing to narrow"),
    },
    "connector_onboarding": {
        "role": (("create_role", "widen_trust_policy", "create_stack", "update_stack"),
                 "made or widened the role in %d of %d accounts", "had it right"),
        "permissions": (("put_role_policy",), "put the permissions policy in %d of %d accounts", "had it right"),
        "connector": (("create_connector",), "created the connector of %d of %d accounts", "had one"),
        "narrow": (("narrow_trust_policy",), "narrowed %d of %d accounts", "had nothing to narrow"),
    },
}


# The registered results of each write phase's tasks, by role and phase: what the progress line reads by default (the
# narrow in place is the shared layer's, tasks/narrow.yml).
REGISTERS = {
    "extid_migration": {
        "widen": ("extid_migration__widen",),
        "switch": ("extid_migration__switch",),
        "narrow": ("shared__narrow", "extid_migration__stack_update", "extid_migration__stack_narrow"),
    },
    "connector_onboarding": {
        "role": ("connector_onboarding__role", "connector_onboarding__stack_write", "connector_onboarding__stack_trust"),
        "permissions": ("connector_onboarding__permissions",),
        "connector": ("connector_onboarding__created",),
        "narrow": ("shared__narrow",),
    },
}


def phase_progress(entries, role, phase, check_mode=False):
    """One line on a write phase of the play: how many accounts it changed, failed, or left alone.

    ``entries`` holds one ``(record, results)`` pair per host of the play: its report record (None when it made none)
    and the registered results of the phase's tasks (None for a task the host never reached). A host counts as failed
    when its record says so or is missing, when one of those tasks failed, or when it reached none of them (it
    stopped earlier; its failure is recorded after the others finish the block) while its record is still pending (a
    record that says it had nothing to do needs no task of the phase). Otherwise it counts as done when its
    record lists one of the phase's actions (in check mode too: the action it would take), else as left alone.
    """
    try:
        actions, done_text, rest_text = PROGRESS[role][phase]
    except KeyError:
        raise ReportError("No progress line for phase %r of role %r." % (phase, role)) from None
    done = failed = total = 0
    for record, results in entries or []:
        total += 1
        results = [result for result in results or [] if isinstance(result, dict)]
        # A host the phase's tasks never reached failed before them, unless its record says it had nothing to do.
        if (not isinstance(record, dict) or record.get("outcome") == FAILED
                or (not results and record.get("outcome") == "pending")
                or any(result.get("failed") for result in results)):
            failed += 1
        elif set(record.get("actions") or []) & set(actions):
            done += 1
    line = done_text % (done, total)
    if check_mode:
        line = "dry run: would have " + line
    return "%s (%d failed, %d %s)" % (line, failed, total - done - failed, rest_text)


# The shared layer of the two roles (swp.aws.shared): the options it reads, by their name after the role's prefix, in
# this order; a value not set in the play is UNSET.
ROLE_SETTINGS = ("aws_profile", "aws_access_key", "aws_secret_key", "aws_session_token", "aws_region", "aws_endpoint_url",
                 "aws_assume_role_arn", "url", "api_key", "auth_header", "validate_certs", "ca_path", "timeout", "retries",
                 "page_size", "manager_external_id", "manager_external_id_secret", "manager_external_id_parameter",
                 "store_region", "principal", "reveal", "narrow", "slice", "report_path", "junit_path", "fail_on_error")
UNSET = "__swp_unset__"
# The defaults of the options both roles share (documented in each role's meta/argument_specs.yml); the store's region
# is the account's region unless given.
ROLE_DEFAULTS = {"timeout": 30, "retries": 5, "page_size": 1000, "manager_external_id": "", "manager_external_id_secret": "",
                 "manager_external_id_parameter": "", "principal": "arn:aws:iam::147995105371:root"}
ROLES = ("extid_migration", "connector_onboarding")
_SWP_CONNECTION = ("url", "api_key", "auth_header", "validate_certs", "ca_path")
_HUB = ("profile", "access_key", "secret_key", "session_token", "endpoint_url")


def role_settings(role, given, sts=None):
    """What the shared layer needs of a role's options (``given``: name after the prefix -> value, unset ones absent).

    ``aws`` is the amazon.aws modules' connection for the account: the assumed role's credentials (``sts``, the result
    of amazon.aws.sts_assume_role) once hub and spoke has reached the account, else the ones given; ``hub`` the hub's
    own credentials (for the secrets store and for sts_assume_role); ``swp`` the connection of the swp.aws modules.
    """
    if role not in ROLES:
        raise ValueError("role must be one of %s" % ", ".join(ROLES))
    given = dict(ROLE_DEFAULTS, **given)
    if "store_region" not in given:
        given["store_region"] = given.get("aws_region")
    value = given.get
    creds = (sts or {}).get("sts_creds") or {}
    assume = value("aws_assume_role_arn") or ""
    aws = {"region": value("aws_region")}
    if value("aws_endpoint_url") is not None:
        aws["endpoint_url"] = value("aws_endpoint_url")
    if not assume and value("aws_profile") is not None:
        aws["profile"] = value("aws_profile")
    for key in ("access_key", "secret_key", "session_token"):
        found = creds.get(key) if key in creds else value("aws_" + key)
        if found is not None:
            aws[key] = found
    hub = dict((key, value("aws_" + key)) for key in _HUB if value("aws_" + key) is not None)
    swp = dict((key, value(key)) for key in _SWP_CONNECTION if value(key) is not None)
    swp.update(timeout=value("timeout"), retries=value("retries"))
    secret = value("manager_external_id_secret") or ""
    parameter = value("manager_external_id_parameter") or ""
    reveal = bool(value("reveal", False))
    return {
        "role": role,
        "aws": aws,
        "hub": hub,
        "swp": swp,
        "assume_role_arn": assume,
        "session_name": "swp-" + role.replace("_", "-"),
        "reveal": reveal,
        # Tasks whose output holds an external ID run with no_log unless the user asked to see the IDs.
        "no_log": not reveal,
        "principal": value("principal"),
        "narrow": bool(value("narrow", True)),
        "slice": value("slice") or None,
        "report_path": value("report_path") or "",
        "junit_path": value("junit_path") or "",
        "fail_on_error": bool(value("fail_on_error", True)),
        "page_size": value("page_size"),
        "manager_external_id": value("manager_external_id") or "",
        "secret": secret,
        "parameter": parameter,
        "store_region": value("store_region"),
        # The secrets store that holds the manager-defined ID, read with the hub's credentials on the controller.
        "store_name": secret or parameter,
        "store_lookup": "amazon.aws.secretsmanager_secret" if secret else "amazon.aws.ssm_parameter",
        # Read only when the ID is not given.
        "store_read": bool((secret or parameter) and not value("manager_external_id")),
        "store_args": dict(hub, on_missing="skip", region=value("store_region")),
        # The rollout makes the report's folder (and writes trust-policy files beside it); the onboarding does not.
        "make_folder": role == "extid_migration",
    }


def verdict_message(report, role, path=None, merged=False):
    """Why the play fails once every account is done (some failed), or None when none did."""
    failed = (report.get("counts") or {}).get(FAILED, 0)
    if not failed:
        return None
    if role == "extid_migration":
        advice = ("Their trust policies still accept the ID their connectors use; fix the cause and rerun %sto resume."
                  % ("their slices " if merged else ""))
    else:
        advice = "Fix the cause and rerun; accounts already onboarded are left as they are."
    hosts = ", ".join(report.get("failed_hosts") or [])
    return "%s of %s accounts failed: %s. %s Report: %s" % (failed, report.get("total"), hosts, advice, path)


def merge_slice_files(patterns, to, base):
    """The merge_reports entry point of the rollout: the slice reports that ``patterns`` (paths or glob patterns,
    relative ones from ``base``) name, read and merged (merge_reports()); ``to`` is where the merged report goes.

    Returns ``{"to", "files", "report"}``. Fails closed (ReportError) when ``to`` is empty or a path or pattern names
    no report; the merged report's own file is never one of its slices.
    """
    if not to:
        raise ReportError("extid_migration_merge_reports_to is empty: name the file of the merged report.")
    to = to if os.path.isabs(to) else os.path.join(base, to)
    found, missing = [], []
    for pattern in patterns or []:
        path = pattern if os.path.isabs(pattern) else os.path.join(base, pattern)
        if re.search(r"[][*?]", path):
            files = sorted(name for name in glob.glob(path) if os.path.isfile(name))
        else:
            files = [path] if os.path.isfile(path) else []
        if not files:
            missing.append(pattern)
        found.extend(files)
    if missing:
        raise ReportError("No slice report found for %s (extid_migration_merge_reports_from)." % ", ".join(missing))
    files = []
    for name in found:
        real = os.path.realpath(name)
        if real not in files and real != os.path.realpath(to):
            files.append(real)
    reports = []
    for name in files:
        try:
            with open(name, encoding="utf-8") as handle:
                reports.append(json.load(handle))
        except ValueError as exc:
            raise ReportError("%s is not a rollout report (not JSON: %s)." % (name, exc)) from None
    return {"to": to, "files": files, "report": merge_reports(reports, names=files)}
