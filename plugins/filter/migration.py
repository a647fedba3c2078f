# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the extid_migration role's report."""

from __future__ import annotations

import os
import re

from jinja2 import Undefined

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.swp.aws.plugins.module_utils._masking import mask_in_text
from ansible_collections.swp.aws.plugins.module_utils._migration import MigrationError, target as migration_target
from ansible_collections.swp.aws.plugins.module_utils._onboarding import OnboardingError, target as onboarding_target
from ansible_collections.swp.aws.plugins.module_utils._report import (
    REGISTERS,
    ReportError,
    build_report,
    cam_column,
    merge_reports,
    merge_slice_files,
    missing_result_message,
    phase_progress,
    report_path_problem,
    slice_report_path,
    summary_lines,
    unknown_option_message,
    unknown_options,
)
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import filter_flag


_ABSENT = object()
# The roles whose inputs role_precheck checks: each one's account variables and its checker of them.
_ROLES = {
    "extid_migration": (migration_target, MigrationError),
    "connector_onboarding": (onboarding_target, OnboardingError),
}


def _undefined_why(value):
    try:
        why = getattr(value, "_undefined_message", None)
    except Exception:  # pylint: disable=broad-exception-caught
        why = None
    return str(why) if why else "it is undefined"


def _host_value(hostvars, host, name):
    """(value, None), (_ABSENT, None) when the host has no such variable, or (None, why) when it does not resolve."""
    try:
        variables = hostvars[host]
        if name not in variables:
            return _ABSENT, None
        value = variables[name]
        if isinstance(value, Undefined):
            # ansible-core 2.19 hands a value that does not resolve over as an undefined marker, not an error.
            return None, _undefined_why(value)
        return value, None
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # Any templating error of the host's variables: the host is reported failed, the others go on.
        return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def migration_report(records, hosts, mode="apply", principal=None, manager_external_id=None, narrow=True,
                     slice=None, hostvars=None, result=None, problems=None, cam=None):  # pylint: disable=redefined-builtin
    missing = None
    if hostvars is not None and result:
        # Each host's record read here, so that a host that made none (or whose record does not resolve) is a failed
        # account rather than an error of the whole report.
        missing = missing_result_message(result)
        records = []
        for host in hosts or []:
            value, _why = _host_value(hostvars, host, result)
            records.append(value if isinstance(value, dict) else None)
    try:
        return build_report(records, hosts, mode=mode, principal=principal, manager_external_id=manager_external_id,
                            narrow=narrow, slice=slice, problems=problems, missing=missing, cam=cam_column(cam))
    except ReportError as exc:
        raise AnsibleFilterError("migration_report: %s" % exc) from None


def _same_folder(one, other):
    return bool(one) and bool(other) and os.path.dirname(os.path.abspath(str(one))) == os.path.dirname(os.path.abspath(str(other)))


def role_precheck(hosts, hostvars, role, options=None, report_path="", allowed=None, junit_path=""):
    """The play's inputs checked once, before any write: the report path, each host's account variables, typos.

    Returns ``report`` (why the report cannot be written, or None), ``hosts`` (host -> the error naming the variable,
    for each host that cannot be handled), ``typos`` (one sentence per variable that looks like a misspelt option; also
    shown as warnings) and ``failed_hosts``.
    """
    if role not in _ROLES:
        raise AnsibleFilterError("role_precheck: role must be one of %s" % ", ".join(sorted(_ROLES)))
    check, error = _ROLES[role]
    prefix = role + "_"
    problems = {}
    names = {}
    for host in hosts or []:
        values = {}
        for key in ("role_arn", "account_id", "role_name"):
            value, why = _host_value(hostvars, host, prefix + key)
            if why:
                problems[host] = "%s%s does not resolve: %s" % (prefix, key, why)
                break
            values[key] = "" if value is _ABSENT or value is None else value
        else:
            try:
                if not values["role_arn"] and not values["account_id"]:
                    problems[host] = ("The account's variables are missing: set %srole_arn, or %saccount_id and "
                                      "%srole_name, for this host." % (prefix, prefix, prefix))
                else:
                    check(values["role_arn"], values["account_id"], values["role_name"])
            except error as exc:
                problems[host] = "The account's variables are wrong: %s" % exc
        try:
            keys = list(hostvars[host].keys())
        except Exception:  # pylint: disable=broad-exception-caught
            keys = []
        for name in keys:
            names.setdefault(name, []).append(host)
    if isinstance(options, dict):
        # A role's meta/argument_specs.yml as read: the options of every entry point.
        specs = options.get("argument_specs", options)
        options = [name for spec in specs.values() if isinstance(spec, dict) for name in (spec.get("options") or {})]
    typos = []
    if options:
        for name, closest in unknown_options(names, options, prefix, allowed=allowed or ()):
            typos.append(unknown_option_message(name, closest, names[name]))
    for sentence in typos:
        Display().warning(sentence)
    return {
        # The rollout makes the report's folder; the onboarding writes into an existing one.
        "report": report_path_problem(report_path, prefix + "report_path", make_folder=role == "extid_migration")
        or report_path_problem(junit_path, prefix + "junit_path", kind="the JUnit XML report",
                               # The rollout makes the JSON report's folder only.
                               make_folder=role == "extid_migration" and _same_folder(junit_path, report_path)),
        "hosts": problems,
        "typos": typos,
        "failed_hosts": [host for host in hosts or [] if host in problems],
    }


# What the role's task gives for an option that is not set (the vars lookup's default).
_UNSET = "__swp_unset__"
_TYPE_ERROR = re.compile(r"^argument '[^']+' is of type \S+ and we were unable to convert to (\w+)", re.IGNORECASE)
_SECRET_WORDS = ("api_key", "secret", "password", "token", "external_id")


def _option_specs(spec):
    """Every option of a role's ``meta/argument_specs.yml`` as read (all entry points), name -> its spec."""
    if not isinstance(spec, dict):
        raise AnsibleFilterError("role_option_problems: the spec must be a role's meta/argument_specs.yml as read")
    entries = spec.get("argument_specs", spec)
    options = {}
    for entry in entries.values():
        if isinstance(entry, dict):
            for name, option in (entry.get("options") or {}).items():
                options.setdefault(name, option if isinstance(option, dict) else {})
    return options


def _option_errors(name, option, value):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    checked = {key: val for key, val in option.items() if key not in ("description", "version_added", "default")}
    checked.pop("required", None)
    try:
        messages = ArgumentSpecValidator({name: checked}).validate({name: value}).error_messages
    except Exception as exc:  # pylint: disable=broad-exception-caught
        messages = ["the value of %s could not be checked: %s" % (name, type(exc).__name__)]
    secret = option.get("no_log") or any(word in name for word in _SECRET_WORDS)
    out = []
    for message in messages:
        match = _TYPE_ERROR.match(message)
        if match:
            # The validator's own wording names Python classes; say what was expected and what was given.
            message = "%s must be of type %s, got %s" % (name, match.group(1), "********" if secret else repr(value))
        if secret and isinstance(value, (str, int, float)) and str(value):
            message = message.replace(str(value), "********")
        out.append(message)
    return out


def _plain(value):
    """The value as plain Python data (Ansible's tagged strings and containers make the validator's messages unreadable)."""
    if isinstance(value, dict):
        return {_plain(key): _plain(val) for key, val in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(val) for val in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def _hosts_text(names):
    shown = ", ".join(names[:5]) + (" and %d more" % (len(names) - 5) if len(names) > 5 else "")
    return "host%s %s" % ("s" if len(names) > 1 else "", shown)


def role_option_problems(hosts, hostvars, spec, current=None, host=None):
    """One sentence per option value the role's argument spec refuses (a choice, a type), before the role runs.

    ``current`` holds the values in force for ``host`` (play variables, role parameters, extra variables and the host's
    own variables); a value there that the host's inventory variables do not explain is the play's. The other hosts'
    values are their inventory variables. A value that does not resolve is left to the role's own checks.
    """
    options = _option_specs(spec)
    found = {}

    def note(name, value, where):
        if value is None or isinstance(value, Undefined):
            return
        for message in _option_errors(name, options[name], _plain(value)):
            found.setdefault(message, []).append(where)

    play_level = set()
    if isinstance(current, dict):
        for name, value in sorted(current.items()):
            if name not in options or value == _UNSET:
                continue
            own, why = _host_value(hostvars, host, name) if host is not None else (_ABSENT, None)
            if own is _ABSENT or why or _plain(own) != _plain(value):
                play_level.add(name)
                note(name, value, None)
    for other in hosts or []:
        for name in sorted(options):
            if name in play_level:
                continue
            value, why = _host_value(hostvars, other, name)
            if value is not _ABSENT and not why:
                note(name, value, other)
    sentences = []
    for message, where in found.items():
        names = [name for name in where if name is not None]
        if None in where:
            scope = "set in the play: a play variable, role parameter or extra variable"
        elif len(hosts or []) > 1 and set(names) >= set(hosts):
            scope = "set for every host of the play: an extra variable or a group variable"
        else:
            scope = _hosts_text(names)
        if message.startswith("value of"):
            message = "V" + message[1:]
        sentences.append("%s (%s)." % (message, scope))
    return sentences


def extid_migration_merge_reports(reports, names=None):
    """One report of the whole rollout from the reports of its slices."""
    if not isinstance(reports, (list, tuple)):
        raise AnsibleFilterError("extid_migration_merge_reports: the input must be a list of reports")
    try:
        return merge_reports(reports, names=names)
    except ReportError as exc:
        raise AnsibleFilterError("extid_migration_merge_reports: %s" % exc) from None


def extid_migration_merge_slices(patterns, to, base):
    """The slice reports of one rollout, found, read and merged into one report (the merge_reports entry point)."""
    if isinstance(patterns, str) or not isinstance(patterns, (list, tuple)):
        raise AnsibleFilterError("extid_migration_merge_slices: the input must be a list of paths or glob patterns")
    try:
        return merge_slice_files([str(pattern) for pattern in patterns], str(to or ""), str(base))
    except ReportError as exc:
        raise AnsibleFilterError(str(exc)) from None


def extid_migration_slice_path(path, slice=None):  # pylint: disable=redefined-builtin
    """Where the slice writes its report."""
    try:
        return slice_report_path(path, slice)
    except ReportError as exc:
        raise AnsibleFilterError("extid_migration_slice_path: %s" % exc) from None


def migration_summary(report, files=None):
    return summary_lines(report, files=files if isinstance(files, dict) else None)


def migration_progress(hosts, hostvars, role, phase, registers=None, check_mode=False):
    """One line on a write phase, from every host's record (``<role>_result``) and the phase's registered results
    (``registers``: their names; by default those of the role's tasks of the phase)."""
    if registers is None:
        registers = REGISTERS.get(role, {}).get(phase, ())
    entries = []
    for host in hosts or []:
        record, _why = _host_value(hostvars, host, role + "_result")
        results = []
        for name in registers or []:
            value, _why = _host_value(hostvars, host, name)
            results.append(value if isinstance(value, dict) else None)
        entries.append((record if isinstance(record, dict) else None, results))
    try:
        return phase_progress(entries, role, phase, check_mode=filter_flag(check_mode, name="check_mode"))
    except ReportError as exc:
        raise AnsibleFilterError("migration_progress: %s" % exc) from None


def _mask_in_text(text, ids, reveal=False):
    """The text with every given external ID masked; ``reveal`` is read with Ansible's boolean rules."""
    return mask_in_text(text, ids, reveal=filter_flag(reveal))


class FilterModule:
    def filters(self):
        return {
            "migration_report": migration_report,
            "role_precheck": role_precheck,
            "role_option_problems": role_option_problems,
            "migration_summary": migration_summary,
            "migration_progress": migration_progress,
            "mask_in_text": _mask_in_text,
            "extid_migration_merge_reports": extid_migration_merge_reports,
            "extid_migration_slice_path": extid_migration_slice_path,
            "extid_migration_merge_slices": extid_migration_merge_slices,
        }
