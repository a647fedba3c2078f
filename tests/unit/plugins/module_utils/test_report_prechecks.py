# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every host ends in the report, and the checks before any write: the report path, misspelt options."""

from __future__ import annotations

import datetime
import os

from ansible_collections.swp.aws.plugins.module_utils._report import (
    build_report,
    missing_result_message,
    report_path_problem,
    summary_lines,
    unknown_option_message,
    unknown_options,
)

NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.timezone.utc)
OPTIONS = ["extid_migration_narrow", "extid_migration_role_arn", "extid_migration_report_path", "extid_migration_aws_region"]


def migrated(host):
    return {"host": host, "outcome": "migrated", "changed": True, "actions": ["widen", "switch", "narrow"], "error": None}


def test_a_host_without_a_record_is_a_failed_account_named_by_the_checks_and_the_others_stay_right():
    hosts = ["a", "b", "c", "d", "e"]
    records = [migrated("a"), migrated("b"), None, migrated("d"), migrated("e")]
    report = build_report(records, hosts, now=NOW,
                          problems={"c": "The account's variables are missing: set extid_migration_role_arn"},
                          missing=missing_result_message("extid_migration_result"))
    assert [record["host"] for record in report["accounts"]] == hosts
    assert report["total"] == 5 and report["counts"]["migrated"] == 4 and report["counts"]["failed"] == 1
    assert report["failed_hosts"] == ["c"] and report["changed_hosts"] == ["a", "b", "d", "e"]
    assert "extid_migration_role_arn" in report["accounts"][2]["error"]
    assert "ERROR: The account's variables are missing" in summary_lines(report)[2]


def test_a_host_without_a_record_and_no_finding_names_the_missing_result():
    report = build_report([None], ["a"], now=NOW, missing=missing_result_message("connector_onboarding_result"))
    assert report["failed_hosts"] == ["a"]
    assert "connector_onboarding_result is not set" in report["accounts"][0]["error"]


def test_a_finding_does_not_override_a_record_the_host_made():
    report = build_report([migrated("a")], ["a"], now=NOW, problems={"a": "late finding"})
    assert report["accounts"][0]["outcome"] == "migrated" and report["accounts"][0]["error"] is None


def test_fewer_records_than_hosts_still_gives_every_host():
    report = build_report([], ["a", "b"], now=NOW)
    assert report["failed_hosts"] == ["a", "b"]


def test_unknown_options_names_the_closest_option_and_leaves_internal_and_allowed_names_alone():
    names = ["extid_migration_narow", "extid_migration_role_arn", "extid_migration__plan", "extid_migration_result",
             "extid_migration_zzzzzzzzzzzzzzzzzzzzzzzzzzzz", "other_variable", "connector_onboarding_narow"]
    found = unknown_options(names, OPTIONS, "extid_migration_", allowed=["extid_migration_result"])
    assert found == [("extid_migration_narow", "extid_migration_narrow"), ("extid_migration_zzzzzzzzzzzzzzzzzzzzzzzzzzzz", None)]


def test_unknown_option_message_is_one_sentence_with_the_hosts():
    text = unknown_option_message("extid_migration_narow", "extid_migration_narrow", ["h%d" % n for n in range(7)])
    assert text == ("extid_migration_narow (set for h0, h1, h2, h3, h4 and 2 more) is not an option of the role: "
                    "did you mean extid_migration_narrow?")
    assert unknown_option_message("extid_migration_x", None, ["a"]).endswith("it is none of the role's options.")


def test_report_path_that_is_a_directory_is_refused(tmp_path):
    assert report_path_problem(str(tmp_path), "extid_migration_report_path") == (
        "extid_migration_report_path %s is a directory: give the path of a file for the JSON report." % tmp_path)


def test_report_path_in_a_folder_to_make_or_an_existing_one_is_fine(tmp_path):
    assert report_path_problem(str(tmp_path / "report.json")) is None
    assert report_path_problem(str(tmp_path / "new" / "deeper" / "report.json")) is None
    assert report_path_problem("") is None and report_path_problem(None) is None


def test_report_path_in_a_folder_that_does_not_exist_is_refused_when_the_role_does_not_make_it(tmp_path):
    path = tmp_path / "new" / "report.json"
    assert report_path_problem(str(path), "p", make_folder=False) == (
        "p %s cannot be written: its folder %s does not exist." % (path, tmp_path / "new"))
    assert report_path_problem(str(tmp_path / "report.json"), "p", make_folder=False) is None


def test_report_path_under_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    text = report_path_problem(str(blocker / "report.json"), "p")
    assert text == "p %s cannot be written: %s is not a directory." % (blocker / "report.json", blocker)


def test_report_path_in_a_folder_that_is_not_writable_is_refused(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    # Root writes anywhere, whatever the mode: the folder's refusal is what os.access says of it.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(locked) else real_access(path, mode))
    assert report_path_problem(str(locked / "report.json"), "p") == (
        "p %s cannot be written: its folder %s is not writable." % (locked / "report.json", locked))
    assert report_path_problem(str(locked / "new" / "report.json"), "p") == (
        "p %s cannot be written: %s cannot be made there: %s is not writable." % (
            locked / "new" / "report.json", locked / "new", locked))
