# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JUnit XML form of the report, the progress lines of the write phases, and where the report was written."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id
from ansible_collections.swp.aws.plugins.module_utils._report import (
    ReportError, build_report, junit_xml, phase_progress, summary_lines)

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)
MANAGER_ID = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"
OLD_ID = "legacy-100000000001-x7Qp"


def record(host, outcome, error=None, actions=(), **extra):
    value = {"host": host, "account_id": "100000000001", "role_arn": "arn:aws:iam::100000000001:role/Swp",
             "connector_id": 7, "outcome": outcome, "changed": bool(actions), "state_before": "user_defined",
             "state_after": "migrated", "accepted_before": [mask_external_id(OLD_ID)],
             "accepted_after": [mask_external_id(MANAGER_ID)], "actions": list(actions), "error": error,
             "failed_task": "Switch the connector" if error else None, "problems": [], "instruction": None}
    value.update(extra)
    return value


def fleet_report(**kwargs):
    records = [
        record("payments-prod", "migrated", actions=["widen_trust_policy", "switch_connector", "narrow_trust_policy"]),
        record("data-lake", "unchanged", state_before="migrated"),
        record("web-edge", "skipped", state_before="no_connector", state_after="no_connector"),
        record("ml-sandbox", "failed", error="Internal error while updating the connector."),
        None,
    ]
    hosts = ["payments-prod", "data-lake", "web-edge", "ml-sandbox", "gone"]
    return build_report(records, hosts, now=NOW, manager_external_id=mask_external_id(MANAGER_ID), **kwargs)


def parsed(text):
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def test_one_testcase_per_account_and_a_failure_per_failed_account():
    root = parsed(junit_xml(fleet_report()))
    cases = root.findall("./testsuite/testcase")
    assert [case.get("name") for case in cases] == ["payments-prod", "data-lake", "web-edge", "ml-sandbox", "gone"]
    assert len(root.findall(".//failure")) == 2 and len(root.findall(".//skipped")) == 1
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("5", "2", "1", "0")
    assert root.get("tests") == "5" and root.get("failures") == "2"


def test_failures_carry_the_error_as_message_and_the_failed_task_as_type():
    root = parsed(junit_xml(fleet_report()))
    failure = root.find("./testsuite/testcase[@name='ml-sandbox']/failure")
    assert failure.get("message") == "Internal error while updating the connector."
    assert failure.get("type") == "Switch the connector"
    assert "did not finish" in root.find("./testsuite/testcase[@name='gone']/failure").get("message")


def test_classname_is_the_role_and_the_mode():
    root = parsed(junit_xml(fleet_report(mode="check"), role="connector_onboarding"))
    assert {case.get("classname") for case in root.iter("testcase")} == {"connector_onboarding.check"}
    assert root.get("name") == "swp.aws.connector_onboarding"


def test_passing_accounts_have_no_failure_and_show_what_was_done():
    root = parsed(junit_xml(fleet_report()))
    case = root.find("./testsuite/testcase[@name='payments-prod']")
    assert case.find("failure") is None and case.find("skipped") is None
    assert "widen_trust_policy, switch_connector, narrow_trust_policy" in case.find("system-out").text


def test_markup_in_messages_is_escaped_and_parses_back():
    nasty = 'role <Swp> & "quoted" \'single\' ]]> \x1b[31m\x00 end'
    report = build_report([record("a&b<c>", "failed", error=nasty)], ["a&b<c>"], now=NOW)
    text = junit_xml(report)
    root = parsed(text)
    case = root.find("./testsuite/testcase")
    assert case.get("name") == "a&b<c>"
    assert case.find("failure").get("message") == 'role <Swp> & "quoted" \'single\' ]]> [31m end'
    assert "<Swp>" not in text and "&lt;Swp&gt;" in text


@pytest.mark.parametrize("where", ["error", "instruction", "accepted_before", "accepted_after", "host", "problems",
                                   "manager_external_id", "failed_task"])
def test_a_planted_external_id_never_reaches_the_xml(where):
    planted = "planted-ext-id-0123456789"
    rec = record("h1", "failed", error="boom")
    report = build_report([rec], ["h1"], now=NOW)
    target = report["accounts"][0]
    if where == "manager_external_id":
        report["manager_external_id"] = planted
    elif where in ("accepted_before", "accepted_after"):
        target[where] = [planted]
    elif where == "problems":
        target["problems"] = [{"where": "Statement[0]", "problem": "accepts %s" % planted, "fix": "drop %s" % planted}]
        target["accepted_before"] = [planted]
    else:
        target[where] = "text with %s in it" % planted
        target["accepted_after"] = [planted]
    text = junit_xml(report, ids=[])
    assert planted not in text and planted[:4] + "****" in text
    parsed(text)


def test_an_id_given_or_quoted_after_external_id_is_masked():
    error = "The manager refused external ID abc123def456ghi: use %s instead" % MANAGER_ID
    report = build_report([record("h1", "failed", error=error)], ["h1"], now=NOW)
    text = junit_xml(report, ids=[MANAGER_ID])
    assert MANAGER_ID not in text and "abc123def456ghi" not in text


def test_the_suite_says_the_mode_and_the_masked_manager_id():
    root = parsed(junit_xml(fleet_report(slice="12")))
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties["mode"] == "apply" and properties["slice"] == "12" and properties["narrow"] == "true"
    assert properties["manager_external_id"] == mask_external_id(MANAGER_ID)
    assert root.find("testsuite").get("timestamp") == "2026-11-29T12:00:00Z"


def test_an_empty_report_is_an_empty_suite():
    root = parsed(junit_xml(build_report([], [], now=NOW)))
    assert root.find("testsuite").get("tests") == "0" and root.findall(".//testcase") == []


# Progress lines: (record, [registered results of the phase's tasks]) per host.
SWITCHED = {"changed": True}
LEFT = {"changed": False, "skipped": True}


def test_the_switch_line_counts_switched_failed_and_left_alone():
    entries = [
        (record("a", "pending", actions=["widen_trust_policy", "switch_connector"]), [SWITCHED]),
        (record("b", "pending", actions=["widen_trust_policy"]), [{"failed": True, "msg": "500"}]),
        (record("c", "failed", error="open trust"), [LEFT]),
        (None, [None]),
        (record("d", "pending"), [None]),
        (record("e", "unchanged"), [LEFT]),
        (record("f", "skipped"), [LEFT]),
    ]
    assert phase_progress(entries, "extid_migration", "switch") == "switched 1 of 7 accounts (4 failed, 2 had nothing to switch)"


def test_the_dry_run_says_what_it_would_have_done():
    entries = [(record("a", "pending", actions=["widen_trust_policy"]), [{"changed": True}]), (record("b", "unchanged"), [LEFT])]
    assert phase_progress(entries, "extid_migration", "widen", check_mode=True) == (
        "dry run: would have widened 1 of 2 accounts (0 failed, 1 had nothing to widen)")


def test_the_narrow_counts_a_narrow_through_a_stack_and_any_failed_task_of_the_phase():
    entries = [
        (record("a", "migrated", actions=["switch_connector", "update_stack"]), [LEFT, {"changed": True}, {"changed": False}]),
        (record("b", "pending", actions=["switch_connector"]), [LEFT, {"failed": True}, None]),
    ]
    assert phase_progress(entries, "extid_migration", "narrow") == "narrowed 1 of 2 accounts (1 failed, 0 had nothing to narrow)"


def test_onboarding_phases_have_their_own_words():
    entries = [(record("a", "pending", actions=["create_role", "put_role_policy", "create_connector"]), [{"changed": True}]),
               (record("b", "pending", actions=["put_role_policy"]), [{"changed": False}])]
    assert phase_progress(entries, "connector_onboarding", "connector") == (
        "created the connector of 1 of 2 accounts (0 failed, 1 had one)")
    assert phase_progress(entries, "connector_onboarding", "role").startswith("made or widened the role in 1 of 2 accounts")


def test_an_unknown_phase_is_refused():
    with pytest.raises(ReportError):
        phase_progress([], "extid_migration", "sync")


def test_the_summary_ends_with_where_the_report_was_written():
    lines = summary_lines(fleet_report(), files={"JSON": "out/r.json", "JUnit": "out/r.xml"})
    assert lines[-1] == "Report written: JSON out/r.json; JUnit out/r.xml"
    assert summary_lines(fleet_report(), files={"JSON": "", "JUnit": ""})[-1].startswith("No report file written")
    assert not summary_lines(fleet_report())[-1].startswith(("Report written", "No report"))
