# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The slice filters as playbooks call them: errors are filter errors that say which filter and why."""

from __future__ import annotations

import datetime

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.migration import FilterModule

FILTERS = FilterModule().filters()
NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)


def report(host, name, mode="check"):
    record = {"host": host, "account_id": None, "role_arn": None, "connector_id": None, "mode": mode,
              "state_before": "no_connector", "state_after": "no_connector", "accepted_before": [], "accepted_after": [],
              "actions": [], "outcome": "skipped", "changed": False, "error": None, "failed_task": None, "problems": []}
    return FILTERS["migration_report"]([record], [host], mode=mode, manager_external_id="3f1c****", slice=name)


def test_migration_report_takes_a_slice():
    assert report("a", 7)["slice"] == "7"
    assert "slice" not in report("a", "")


def test_migration_report_refuses_a_bad_slice_name_as_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="^migration_report: The slice name"):
        report("a", "x/y")


def test_slice_path_filter():
    assert FILTERS["extid_migration_slice_path"]("/r/rollout.json", "7") == "/r/rollout.slice-7.json"
    assert FILTERS["extid_migration_slice_path"]("/r/rollout.json", "*") == "/r/rollout.slice-*.json"
    assert FILTERS["extid_migration_slice_path"]("/r/rollout.json") == "/r/rollout.json"
    with pytest.raises(AnsibleFilterError, match="^extid_migration_slice_path: "):
        FILTERS["extid_migration_slice_path"]("/r/rollout.json", "../x")


def test_merge_filter_merges_and_fails_as_a_filter_error():
    merged = FILTERS["extid_migration_merge_reports"]([report("b", "2"), report("a", "1")])
    assert [record["host"] for record in merged["accounts"]] == ["a", "b"] and merged["slices"] == ["1", "2"]
    with pytest.raises(AnsibleFilterError, match="^extid_migration_merge_reports: .*mode") as caught:
        FILTERS["extid_migration_merge_reports"]([report("a", "1"), report("b", "2", mode="apply")], ["one.json", "two.json"])
    assert "one.json (slice 1)" in str(caught.value) and "two.json (slice 2)" in str(caught.value)
    with pytest.raises(AnsibleFilterError, match="a list of reports"):
        FILTERS["extid_migration_merge_reports"](report("a", "1"))
