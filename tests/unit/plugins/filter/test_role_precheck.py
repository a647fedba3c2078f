# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles' checks before any write and the report of a host without a record, as playbooks call them."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.migration import FilterModule

FILTERS = FilterModule().filters()
SPECS = {"argument_specs": {
    "main": {"options": {"extid_migration_narrow": {}, "extid_migration_role_arn": {}, "extid_migration_account_id": {},
                         "extid_migration_role_name": {}}},
    "merge_reports": {"options": {"extid_migration_merge_reports_to": {}}},
}}
ARN = "arn:aws:iam::111122223333:role/swp"


class Broken(dict):
    """A host whose variables raise when read, as one whose template fails may."""

    def __getitem__(self, key):
        raise ValueError("'nope' is undefined\nmore")


def test_precheck_names_the_host_without_its_variables_and_the_typo(tmp_path):
    hostvars = {
        "a": {"extid_migration_role_arn": ARN, "extid_migration_narow": False},
        "b": {"extid_migration_merge_reports_to": "x", "extid_migration_role_name": "swp"},
        "c": {"extid_migration_account_id": "12", "extid_migration_role_name": "r"},
        "d": Broken(extid_migration_role_arn="x"),
    }
    result = FILTERS["role_precheck"](["a", "b", "c", "d"], hostvars, "extid_migration", options=SPECS,
                                      report_path=str(tmp_path / "r.json"))
    assert result["report"] is None
    assert result["failed_hosts"] == ["b", "c", "d"]
    assert result["hosts"]["b"] == ("The account's variables are missing: set extid_migration_role_arn, or "
                                    "extid_migration_account_id and extid_migration_role_name, for this host.")
    assert result["hosts"]["c"].startswith("The account's variables are wrong: set extid_migration_role_arn")
    assert result["hosts"]["d"] == "extid_migration_role_arn does not resolve: 'nope' is undefined"
    assert result["typos"] == ["extid_migration_narow (set for a) is not an option of the role: did you mean "
                               "extid_migration_narrow?"]


def test_precheck_refuses_a_report_path_that_is_a_directory(tmp_path):
    result = FILTERS["role_precheck"]([], {}, "connector_onboarding", report_path=str(tmp_path))
    assert result["report"] == ("connector_onboarding_report_path %s is a directory: give the path of a file for the "
                                "JSON report." % tmp_path)


def test_precheck_of_the_onboarding_wants_the_reports_folder_to_exist(tmp_path):
    result = FILTERS["role_precheck"]([], {}, "connector_onboarding", report_path=str(tmp_path / "new" / "r.json"))
    assert result["report"].endswith("its folder %s does not exist." % (tmp_path / "new"))
    result = FILTERS["role_precheck"]([], {}, "extid_migration", report_path=str(tmp_path / "new" / "r.json"))
    assert result["report"] is None


def test_precheck_checks_onboarding_hosts_by_their_own_variables():
    result = FILTERS["role_precheck"](["a", "b"], {"a": {"connector_onboarding_role_arn": ARN}, "b": {}},
                                      "connector_onboarding", options=["connector_onboarding_role_arn"])
    assert result["failed_hosts"] == ["b"] and "connector_onboarding_role_arn" in result["hosts"]["b"]


def test_precheck_knows_only_the_two_roles():
    with pytest.raises(AnsibleFilterError, match="role must be one of"):
        FILTERS["role_precheck"]([], {}, "other")


def test_migration_report_reads_each_hosts_record_from_hostvars_and_tolerates_a_missing_one():
    hostvars = {"a": {"extid_migration_result": {"host": "a", "outcome": "unchanged"}}, "b": {}, "c": Broken()}
    report = FILTERS["migration_report"](None, ["a", "b", "c"], hostvars=hostvars, result="extid_migration_result",
                                         problems={"b": "The account's variables are missing: set extid_migration_role_arn"})
    assert [record["outcome"] for record in report["accounts"]] == ["unchanged", "failed", "failed"]
    assert "extid_migration_role_arn" in report["accounts"][1]["error"]
    assert "extid_migration_result is not set" in report["accounts"][2]["error"]
    assert report["failed_hosts"] == ["b", "c"]


def test_precheck_refuses_a_junit_path_that_cannot_be_written(tmp_path):
    report = str(tmp_path / "r.json")
    result = FILTERS["role_precheck"]([], {}, "extid_migration", report_path=report, junit_path=str(tmp_path))
    assert result["report"] == ("extid_migration_junit_path %s is a directory: give the path of a file for the JUnit XML "
                                "report." % tmp_path)
    # Its own folder must exist unless it is the JSON report's folder (which the rollout makes).
    elsewhere = str(tmp_path / "nowhere" / "r.xml")
    result = FILTERS["role_precheck"]([], {}, "extid_migration", report_path=report, junit_path=elsewhere)
    assert result["report"] == ("extid_migration_junit_path %s cannot be written: its folder %s does not exist."
                                % (elsewhere, tmp_path / "nowhere"))
    beside = FILTERS["role_precheck"]([], {}, "extid_migration", report_path=str(tmp_path / "new" / "r.json"),
                                      junit_path=str(tmp_path / "new" / "r.xml"))
    assert beside["report"] is None
    assert FILTERS["role_precheck"]([], {}, "extid_migration", report_path=report, junit_path="")["report"] is None
