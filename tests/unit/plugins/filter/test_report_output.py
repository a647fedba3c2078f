# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The progress line and the JUnit XML report, as the roles' tasks call them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.migration import FilterModule as MigrationFilters
from ansible_collections.swp.aws.plugins.filter.report_junit import FilterModule as JunitFilters

FILTERS = dict(MigrationFilters().filters(), **JunitFilters().filters())
MANAGER_ID = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"


class Broken(dict):
    """A host whose variables raise when read, as one whose template fails may."""

    def __getitem__(self, key):
        raise ValueError("'nope' is undefined")


def test_progress_reads_each_hosts_record_and_registered_result():
    hostvars = {
        "a": {"extid_migration_result": {"outcome": "pending", "actions": ["switch_connector"]},
              "extid_migration__switch": {"changed": True}},
        "b": {"extid_migration_result": {"outcome": "pending", "actions": []}, "extid_migration__switch": {"failed": True}},
        "c": {"extid_migration_result": {"outcome": "unchanged", "actions": []}, "extid_migration__switch": {"skipped": True}},
        "d": {},
        "e": Broken(extid_migration_result={}),
    }
    line = FILTERS["migration_progress"](["a", "b", "c", "d", "e"], hostvars, "extid_migration", "switch",
                                         ["extid_migration__switch"], check_mode=False)
    assert line == "switched 1 of 5 accounts (3 failed, 1 had nothing to switch)"


def test_progress_refuses_an_unknown_phase():
    with pytest.raises(AnsibleFilterError, match="migration_progress"):
        FILTERS["migration_progress"]([], {}, "connector_onboarding", "widen")


def test_junit_filter_masks_the_given_id_and_checks_its_input():
    report = {"mode": "apply", "accounts": [{"host": "a", "outcome": "failed", "error": "refused %s" % MANAGER_ID}]}
    text = FILTERS["report_junit"](report, "connector_onboarding", ids=[MANAGER_ID])
    assert MANAGER_ID not in text and ET.fromstring(text.encode()).find(".//failure") is not None
    with pytest.raises(AnsibleFilterError):
        FILTERS["report_junit"]("not a report")
    with pytest.raises(AnsibleFilterError):
        FILTERS["report_junit"](report, "other_role")
