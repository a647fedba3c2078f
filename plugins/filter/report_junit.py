# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The JUnit XML form of a role's report (documentation in report_junit.yml)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.module_utils._report import junit_xml

ROLES = ("extid_migration", "connector_onboarding")


def report_junit(report, role="extid_migration", ids=None):
    """The report as JUnit XML, a test case per account, every external ID masked."""
    if not isinstance(report, Mapping):
        raise AnsibleFilterError("report_junit: the input must be a report (a dictionary), such as migration_report makes")
    if role not in ROLES:
        raise AnsibleFilterError("report_junit: role must be one of %s" % ", ".join(ROLES))
    if ids is not None and not isinstance(ids, (list, tuple)):
        ids = [ids]
    return junit_xml(dict(report), role=role, ids=[value for value in ids or [] if isinstance(value, str)])


class FilterModule:
    def filters(self):
        return {"report_junit": report_junit}
