# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the extid_migration role's report."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.module_utils._masking import mask_in_text
from ansible_collections.swp.aws.plugins.module_utils._report import (
    ReportError,
    build_report,
    merge_reports,
    slice_report_path,
    summary_lines,
)
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import filter_flag


def migration_report(records, hosts, mode="apply", principal=None, manager_external_id=None, narrow=True,
                     slice=None):  # pylint: disable=redefined-builtin
    try:
        return build_report(records, hosts, mode=mode, principal=principal, manager_external_id=manager_external_id,
                            narrow=narrow, slice=slice)
    except ReportError as exc:
        raise AnsibleFilterError("migration_report: %s" % exc) from None


def extid_migration_merge_reports(reports, names=None):
    """One report of the whole rollout from the reports of its slices."""
    if not isinstance(reports, (list, tuple)):
        raise AnsibleFilterError("extid_migration_merge_reports: the input must be a list of reports")
    try:
        return merge_reports(reports, names=names)
    except ReportError as exc:
        raise AnsibleFilterError("extid_migration_merge_reports: %s" % exc) from None


def extid_migration_slice_path(path, slice=None):  # pylint: disable=redefined-builtin
    """Where the slice writes its report."""
    try:
        return slice_report_path(path, slice)
    except ReportError as exc:
        raise AnsibleFilterError("extid_migration_slice_path: %s" % exc) from None


def migration_summary(report):
    return summary_lines(report)


def _mask_in_text(text, ids, reveal=False):
    """The text with every given external ID masked; ``reveal`` is read with Ansible's boolean rules."""
    return mask_in_text(text, ids, reveal=filter_flag(reveal))


class FilterModule:
    def filters(self):
        return {
            "migration_report": migration_report,
            "migration_summary": migration_summary,
            "mask_in_text": _mask_in_text,
            "extid_migration_merge_reports": extid_migration_merge_reports,
            "extid_migration_slice_path": extid_migration_slice_path,
        }
