# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout report: every host accounted for, counts, masking of IDs in error texts."""

from __future__ import annotations

import datetime
import json
import pathlib

import jsonschema
import pytest

from ansible_collections.swp.aws.plugins.module_utils._migration import plan_account, record_failure, record_step
from ansible_collections.swp.aws.plugins.module_utils._masking import mask_in_text
from ansible_collections.swp.aws.plugins.module_utils._report import build_report, cam_column, merge_reports, summary_lines

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)
MANAGER_ID = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"
OLD_ID = "legacy-100000000001-x7Qp"


def record(host, outcome, changed=False, error=None):
    return {"host": host, "account_id": "1000000000%02d" % len(host), "outcome": outcome, "changed": changed,
            "state_before": "user_defined", "state_after": "migrated", "actions": ["widen_trust_policy"], "error": error}


def test_every_host_is_in_the_report_in_inventory_order():
    report = build_report([record("a", "migrated", True), record("b", "unchanged")], ["a", "b"], now=NOW)
    assert [r["host"] for r in report["accounts"]] == ["a", "b"]
    assert report["total"] == 2 and report["generated_at"] == "2026-11-29T12:00:00Z"


def test_a_host_without_a_record_counts_as_failed():
    report = build_report([record("a", "migrated", True), None], ["a", "b"], now=NOW)
    assert report["counts"]["failed"] == 1 and report["failed_hosts"] == ["b"]
    assert "did not finish" in report["accounts"][1]["error"]


def test_a_record_left_pending_counts_as_failed():
    report = build_report([record("a", "pending")], ["a"], now=NOW)
    assert report["accounts"][0]["outcome"] == "failed" and report["failed_hosts"] == ["a"]


@pytest.mark.parametrize("outcomes, expected", [
    (["migrated", "migrated", "unchanged"], {"migrated": 2, "unchanged": 1, "failed": 0, "skipped": 0, "would_migrate": 0}),
    (["failed", "skipped"], {"migrated": 0, "unchanged": 0, "failed": 1, "skipped": 1, "would_migrate": 0}),
    ([], {"migrated": 0, "unchanged": 0, "failed": 0, "skipped": 0, "would_migrate": 0}),
])
def test_counts_per_outcome(outcomes, expected):
    hosts = ["h%d" % i for i in range(len(outcomes))]
    report = build_report([record(h, o) for h, o in zip(hosts, outcomes)], hosts, now=NOW)
    assert report["counts"] == expected


def test_changed_hosts_lists_only_the_changed():
    report = build_report([record("a", "migrated", True), record("b", "unchanged")], ["a", "b"], now=NOW)
    assert report["changed_hosts"] == ["a"]


def test_report_is_json_serialisable_and_the_summary_has_a_line_per_account_and_totals():
    report = build_report([record("a", "migrated", True), record("b", "failed", error="boom")], ["a", "b"], mode="check", now=NOW)
    json.dumps(report)
    lines = summary_lines(report)
    assert len(lines) == 3 and "ERROR: boom" in lines[1]
    assert lines[-1].startswith("check mode, 2 accounts:") and "1 failed" in lines[-1]


@pytest.mark.parametrize("text", [
    "Unable to assume role with external ID %s" % MANAGER_ID,
    "both %s and %s" % (OLD_ID, MANAGER_ID),
    "%s%s" % (MANAGER_ID, MANAGER_ID),
])
def test_mask_in_text_leaves_no_full_id(text):
    masked = mask_in_text(text, [MANAGER_ID, OLD_ID])
    assert MANAGER_ID not in masked and OLD_ID not in masked and "****" in masked


def test_mask_in_text_masks_the_longer_id_first_so_no_part_leaks():
    short, longer = "abcdefghijkl", "abcdefghijkl-extended-99"
    masked = mask_in_text("id %s" % longer, [short, longer])
    assert "extended-99" not in masked


def test_mask_in_text_reveal_and_empty_inputs():
    assert mask_in_text("x %s" % MANAGER_ID, [MANAGER_ID], reveal=True) == "x %s" % MANAGER_ID
    assert mask_in_text(None, [MANAGER_ID]) is None
    assert mask_in_text("nothing", [None, ""]) == "nothing"


# --------------------------------------------------------------------------- the documented format

SCHEMA_PATH = pathlib.Path(__file__).resolve().parents[4] / "docs" / "extid_migration_report.schema.json"
ROLE = "arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole"
ACCOUNT = {"role_arn": ROLE, "partition": "aws", "account_id": "123456789012", "role_name": "TrendMicroWorkloadSecurityRole"}
CONNECTOR = {"id": 4, "auth_type": "cross_account_role"}


def _policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _trusting(external_id, **extra):
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::147995105371:root"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}
    statement.update(extra)
    return statement


def _records(check_mode):
    """One record of every kind the role makes, through the same functions the role's filters call."""
    migrate = plan_account("a", ACCOUNT, _policy(_trusting(OLD_ID)), CONNECTOR, MANAGER_ID, check_mode=check_mode)
    record = record_step(migrate["record"], migrate, "widen", changed=True)
    record = record_step(record, migrate, "switch", changed=True)
    done = record_step(record, migrate, "done", changed=True, check_mode=check_mode)
    failed = record_failure(record, "refused %s" % MANAGER_ID, "Switch the connector", migrate["ids"])
    open_statement = {"Effect": "Allow", "Principal": {"AWS": "147995105371"}, "Action": "sts:AssumeRole", "Sid": "Open"}
    opened = plan_account("b", ACCOUNT, _policy(_trusting(OLD_ID), open_statement), CONNECTOR, MANAGER_ID,
                          check_mode=check_mode)["record"]
    unchanged = plan_account("c", ACCOUNT, _policy(_trusting(MANAGER_ID)), CONNECTOR, MANAGER_ID)["record"]
    skipped = plan_account("d", ACCOUNT, None, {}, MANAGER_ID)["record"]
    return [done, failed, opened, unchanged, skipped, None]


@pytest.mark.parametrize("check_mode", [False, True], ids=["apply", "check"])
def test_report_follows_its_json_schema(check_mode):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    records = _records(check_mode)
    report = build_report(records, ["a", "a2", "b", "c", "d", "e"], mode="check" if check_mode else "apply",
                          principal="arn:aws:iam::147995105371:root", manager_external_id="3f1c****", now=NOW)
    report = json.loads(json.dumps(report))
    jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
    assert report["report_version"] == 1
    assert [account["outcome"] for account in report["accounts"]] == [
        "would_migrate" if check_mode else "migrated", "failed", "failed", "unchanged", "skipped", "failed"]
    assert report["accounts"][2]["problems"][0]["where"] == "Statement[1] (Sid Open)"
    assert MANAGER_ID not in json.dumps(report) and OLD_ID not in json.dumps(report)


@pytest.mark.parametrize("change", [
    pytest.param(lambda r: r["accounts"][0].update(outcome="pending"), id="unknown-outcome"),
    pytest.param(lambda r: r["accounts"][0].update(surprise=1), id="unknown-account-field"),
    pytest.param(lambda r: r.pop("report_version"), id="no-version"),
    pytest.param(lambda r: r["accounts"][0].update(actions=["rewrite_everything"]), id="unknown-action"),
    pytest.param(lambda r: r["counts"].pop("failed"), id="count-missing"),
])
def test_schema_refuses_what_the_format_does_not_allow(change):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    report = json.loads(json.dumps(build_report(_records(False), ["a", "a2", "b", "c", "d", "e"], now=NOW)))
    change(report)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)


# Vision One Cloud Accounts (CAM) beside each account, when the role was given a Vision One key.
def _cam_records():
    return [record("a", "migrated", True), record("bb", "unchanged"), record("ccc", "failed", error="no"),
            dict(record("dddd", "unchanged"), account_id=None)]


CAM_LISTING = {"changed": False, "accounts": [
    {"account_id": "100000000001", "role_arn": None, "sources": ["workload"], "state": None},
    {"account_id": "100000000002", "role_arn": "arn:aws:iam::100000000002:role/VisionOneRole", "sources": [], "state": "managed"},
    {"account_id": "999999999999", "role_arn": "arn:aws:iam::999999999999:role/VisionOneRole", "sources": [], "state": "failed"}]}


def test_cam_states_are_recorded_and_counted_when_cam_was_read():
    report = build_report(_cam_records(), ["a", "bb", "ccc", "dddd"], now=NOW, cam=cam_column(CAM_LISTING))
    assert [r["cam_state"] for r in report["accounts"]] == ["legacy", "managed", "absent", "unknown"]
    assert report["cam"]["read"] is True and report["cam"]["error"] is None
    counts = report["cam"]["counts"]
    assert (counts["legacy"], counts["managed"], counts["absent"], counts["unknown"], counts["failed"], counts["total"]) == (1, 1, 1, 1, 0, 4)
    assert "Vision One Cloud Accounts (CAM): 1 absent, 1 legacy, 1 managed, 1 unknown" in summary_lines(report)


def test_a_failed_cam_listing_proves_no_absence():
    failed = {"failed": True, "msg": "GET /v3.0/cam/awsAccounts was refused (HTTP 401): the key is wrong"}
    report = build_report(_cam_records(), ["a", "bb", "ccc", "dddd"], now=NOW, cam=cam_column(failed))
    assert {r["cam_state"] for r in report["accounts"]} == {"unknown"}
    assert report["cam"]["read"] is False and "HTTP 401" in report["cam"]["error"]
    assert report["cam"]["counts"]["unknown"] == 4 and report["cam"]["counts"]["absent"] == 0
    line = [text for text in summary_lines(report) if text.startswith("Vision One")][0]
    assert "not read, so every state is unknown" in line and "HTTP 401" in line


@pytest.mark.parametrize("cam", [None, {"skipped": True, "changed": False}])
def test_no_cam_fields_without_a_vision_one_key(cam):
    report = build_report(_cam_records(), ["a", "bb", "ccc", "dddd"], now=NOW, cam=cam_column(cam))
    assert "cam" not in report and not any("cam_state" in r for r in report["accounts"])
    assert not any(text.startswith("Vision One") for text in summary_lines(report))


def test_report_with_cam_follows_its_json_schema_and_merges():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    one = build_report(_cam_records()[:2], ["a", "bb"], now=NOW, slice="s1", cam=cam_column(CAM_LISTING))
    two = build_report(_cam_records()[2:], ["ccc", "dddd"], now=NOW, slice="s2", cam=cam_column(CAM_LISTING))
    merged = merge_reports([one, two])
    states = schema["$defs"]["account"]["properties"]["cam_state"]
    for report in (one, two, merged):
        jsonschema.validate(report["cam"], schema["properties"]["cam"])
        for account in report["accounts"]:
            jsonschema.validate(account["cam_state"], states)
    assert merged["cam"]["read"] is True and merged["cam"]["counts"]["total"] == 4 and merged["cam"]["counts"]["absent"] == 1
