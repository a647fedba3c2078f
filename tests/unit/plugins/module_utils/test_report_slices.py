# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Slices of one rollout (AWX job slicing, runs with --limit): slice names, report paths, and the merge of slice reports."""

from __future__ import annotations

import copy
import datetime
import json
import pathlib

import jsonschema
import pytest

from ansible_collections.swp.aws.plugins.module_utils._migration import plan_account, record_step
from ansible_collections.swp.aws.plugins.module_utils._report import (
    ReportError,
    build_report,
    merge_reports,
    slice_name,
    slice_report_path,
    summary_lines,
)

SCHEMA = json.loads((pathlib.Path(__file__).resolve().parents[4] / "docs" / "extid_migration_report.schema.json")
                    .read_text(encoding="utf-8"))
MANAGER_ID = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"
OLD_ID = "legacy-100000000001-x7Qp"
PRINCIPAL = "arn:aws:iam::147995105371:root"
EARLY = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)
LATE = datetime.datetime(2026, 11, 29, 12, 7, 30, tzinfo=datetime.timezone.utc)


def valid(report):
    """The report, through JSON, checked against the documented schema."""
    report = json.loads(json.dumps(report))
    jsonschema.validate(report, SCHEMA, cls=jsonschema.Draft202012Validator)
    return report


def account(host, number):
    account_id = "1000000000%02d" % number
    role_arn = "arn:aws:iam::%s:role/TrendMicroWorkloadSecurityRole" % account_id
    return {"role_arn": role_arn, "partition": "aws", "account_id": account_id, "role_name": "TrendMicroWorkloadSecurityRole"}


def trusting(external_id):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": PRINCIPAL}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}


def record_of(host, number, kind, check_mode=True):
    """A record as the role makes it: a would-be (or done) migration, an account already migrated, one without a connector."""
    connector = {"id": number, "auth_type": "cross_account_role"}
    if kind == "migrate":
        plan = plan_account(host, account(host, number), trusting(OLD_ID), connector, MANAGER_ID, check_mode=check_mode)
        record = record_step(plan["record"], plan, "widen", changed=True)
        record = record_step(record, plan, "switch", changed=True)
        return record_step(record, plan, "done", changed=True, check_mode=check_mode)
    if kind == "migrated":
        return plan_account(host, account(host, number), trusting(MANAGER_ID), connector, MANAGER_ID, check_mode=check_mode)["record"]
    return plan_account(host, account(host, number), None, {}, MANAGER_ID, check_mode=check_mode)["record"]


FLEET = [("acct-a", 1, "migrate"), ("acct-b", 2, "migrated"), ("acct-c", 3, "migrate"), ("acct-d", 4, "none"),
         ("acct-e", 5, "migrate")]


def slice_report(hosts, name, mode="check", now=EARLY, manager="3f1c****", principal=PRINCIPAL, narrow=True, missing=()):
    """The report one slice writes for its hosts (a host in ``missing`` made no record: it failed)."""
    chosen = [entry for entry in FLEET if entry[0] in hosts]
    records = [None if host in missing else record_of(host, number, kind, check_mode=mode == "check")
               for host, number, kind in chosen]
    return build_report(records, [entry[0] for entry in chosen], mode=mode, principal=principal,
                        manager_external_id=manager, narrow=narrow, now=now, slice=name)


def whole(mode="check", now=EARLY):
    return build_report([record_of(host, number, kind, check_mode=mode == "check") for host, number, kind in FLEET],
                        [entry[0] for entry in FLEET], mode=mode, principal=PRINCIPAL, manager_external_id="3f1c****",
                        now=now)


# --------------------------------------------------------------------------- slice names and report paths

@pytest.mark.parametrize("name, expected", [
    (None, ""), ("", ""), ("  ", ""), (False, ""), (12, "12"), ("7", "7"), ("eu-west.2_b", "eu-west.2_b"), ("a" * 64, "a" * 64),
])
def test_slice_names_that_can_name_a_file(name, expected):
    assert slice_name(name) == expected


@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden", "-x", "a b", "a" * 65, "slice*", True, "naïve"])
def test_slice_names_that_cannot_name_a_file_are_refused(name):
    with pytest.raises(ReportError, match="slice name"):
        slice_name(name)


@pytest.mark.parametrize("path, name, expected", [
    ("/reports/rollout.json", "12", "/reports/rollout.slice-12.json"),
    ("/reports/rollout.json", 12, "/reports/rollout.slice-12.json"),
    ("/reports/rollout.v1.json", "eu", "/reports/rollout.v1.slice-eu.json"),
    ("/reports/rollout", "eu", "/reports/rollout.slice-eu"),
    ("rollout.json", "eu", "rollout.slice-eu.json"),
    ("/reports.d/rollout", "eu", "/reports.d/rollout.slice-eu"),
    ("/reports/rollout.json", "", "/reports/rollout.json"),
    ("/reports/rollout.json", None, "/reports/rollout.json"),
    ("", "eu", ""),
    ("/reports/rollout.json", "*", "/reports/rollout.slice-*.json"),
])
def test_slice_report_path(path, name, expected):
    assert slice_report_path(path, name) == expected


def test_slice_report_path_refuses_a_name_that_would_leave_the_folder():
    with pytest.raises(ReportError):
        slice_report_path("/reports/rollout.json", "../../etc/x")


def test_a_slice_report_says_its_slice_in_the_report_and_every_record_and_follows_the_schema():
    report = valid(slice_report(["acct-a", "acct-b"], 41, missing=["acct-b"]))
    assert report["slice"] == "41"
    assert [record["slice"] for record in report["accounts"]] == ["41", "41"]
    assert summary_lines(report)[-1].startswith("check mode, 2 accounts (slice 41): ")


def test_a_report_without_a_slice_has_no_slice_field():
    report = valid(whole())
    assert "slice" not in report and "slices" not in report
    assert all("slice" not in record for record in report["accounts"])


def test_build_report_refuses_a_bad_slice_name():
    with pytest.raises(ReportError):
        build_report([], [], slice="a/b")


# --------------------------------------------------------------------------- the merge

def test_merged_slices_equal_the_unsliced_report_and_follow_the_schema():
    one = slice_report(["acct-a", "acct-c", "acct-e"], "1", now=EARLY)
    two = slice_report(["acct-b", "acct-d"], "2", now=LATE)
    merged = valid(merge_reports([one, two]))
    unsliced = whole()
    assert merged["slices"] == ["1", "2"] and "slice" not in merged
    for key in ("report_version", "mode", "principal", "manager_external_id", "narrow", "total", "counts"):
        assert merged[key] == unsliced[key], key
    assert merged["counts"] == {"migrated": 0, "would_migrate": 3, "unchanged": 1, "skipped": 1, "failed": 0}
    assert merged["changed_hosts"] == ["acct-a", "acct-c", "acct-e"] == sorted(unsliced["changed_hosts"])
    assert [record["host"] for record in merged["accounts"]] == sorted(record["host"] for record in unsliced["accounts"])
    assert [dict(record, slice=None) for record in merged["accounts"]] == [
        dict(record, slice=None) for record in sorted(unsliced["accounts"], key=lambda record: record["host"])]
    assert [record["slice"] for record in merged["accounts"]] == ["1", "2", "1", "2", "1"]
    # The latest slice's time: the merge of the same reports is the same report, in any order.
    assert merged["generated_at"] == "2026-11-29T12:07:30Z"
    assert merge_reports([two, one]) == merged
    assert summary_lines(merged)[-1].startswith("check mode, 5 accounts (merged from slices 1, 2): ")


def test_counts_and_failed_hosts_are_recomputed_from_the_records():
    one = slice_report(["acct-a", "acct-b"], "1", mode="apply", missing=["acct-b"])
    two = slice_report(["acct-c"], "2", mode="apply")
    one["counts"] = {"migrated": 99, "would_migrate": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    one["failed_hosts"], one["total"] = [], 42
    merged = valid(merge_reports([one, two]))
    assert merged["total"] == 3
    assert merged["counts"] == {"migrated": 2, "would_migrate": 0, "unchanged": 0, "skipped": 0, "failed": 1}
    assert merged["failed_hosts"] == ["acct-b"] and merged["changed_hosts"] == ["acct-a", "acct-c"]


def test_a_host_repeated_with_the_same_record_is_kept_once():
    one = slice_report(["acct-a", "acct-b"], "1")
    rerun = slice_report(["acct-b"], "3", now=LATE)
    merged = valid(merge_reports([one, rerun]))
    assert [record["host"] for record in merged["accounts"]] == ["acct-a", "acct-b"]
    assert merged["total"] == 2 and merged["slices"] == ["1", "3"]
    assert merged["accounts"][1]["slice"] == "1"


def test_a_single_report_and_reports_without_slice_names_merge():
    assert valid(merge_reports([whole()]))["slices"] == []
    merged = valid(merge_reports([whole(), slice_report(["acct-a"], "1")]))
    assert merged["total"] == 5 and merged["slices"] == ["1"]


def test_merging_a_merged_report_again_changes_nothing():
    merged = merge_reports([slice_report(["acct-a"], "1"), slice_report(["acct-b"], "2")])
    again = merge_reports([merged, slice_report(["acct-c"], "3")])
    assert valid(again)["slices"] == ["1", "2", "3"] and again["total"] == 3


def test_a_host_in_two_slices_with_different_records_fails_closed_naming_both():
    one = slice_report(["acct-a", "acct-b"], "1")
    two = slice_report(["acct-b", "acct-c"], "2", missing=["acct-b"])
    with pytest.raises(ReportError) as caught:
        merge_reports([one, two], names=["/r/rollout.slice-1.json", "/r/rollout.slice-2.json"])
    message = str(caught.value)
    assert "acct-b" in message and "/r/rollout.slice-1.json" in message and "/r/rollout.slice-2.json" in message
    assert "unchanged" in message and "failed" in message


@pytest.mark.parametrize("field, value, what", [
    ("mode", "apply", "mode"),
    ("manager_external_id", "9a9a****", "manager-defined external ID"),
    ("principal", "arn:aws:iam::999999999999:root", "principal"),
    ("narrow", False, "narrow"),
])
def test_reports_of_two_rollouts_fail_closed_naming_the_slices(field, value, what):
    one = slice_report(["acct-a"], "1")
    two = slice_report(["acct-c"], "2")
    three = slice_report(["acct-e"], "3")
    two[field] = value
    with pytest.raises(ReportError) as caught:
        merge_reports([one, two, three])
    message = str(caught.value)
    assert what in message and "slice 1" in message and "slice 2" in message and "slice 3" in message
    assert json.dumps(value) in message


def test_a_mode_mismatch_of_real_check_and_apply_reports_fails_closed():
    with pytest.raises(ReportError, match="mode"):
        merge_reports([slice_report(["acct-a"], "1", mode="check"), slice_report(["acct-c"], "2", mode="apply")])


def test_a_revealed_manager_id_is_masked_in_the_message():
    one = slice_report(["acct-a"], "1", manager=MANAGER_ID)
    two = slice_report(["acct-c"], "2")
    with pytest.raises(ReportError) as caught:
        merge_reports([one, two])
    assert MANAGER_ID not in str(caught.value) and "3f1c****" in str(caught.value)


@pytest.mark.parametrize("version", [2, 0, "1", None])
def test_another_report_version_fails_closed(version):
    one = slice_report(["acct-a"], "1")
    two = slice_report(["acct-c"], "2")
    two["report_version"] = version
    with pytest.raises(ReportError, match="report_version") as caught:
        merge_reports([one, two])
    assert "slice 2" in str(caught.value)


@pytest.mark.parametrize("breakage, expected", [
    (lambda reports: reports.__setitem__(1, "not a report"), "not a rollout report"),
    (lambda reports: reports[1].pop("mode"), "has no mode"),
    (lambda reports: reports[1].__setitem__("accounts", {}), "not a list"),
    (lambda reports: reports[1]["accounts"][0].__setitem__("outcome", "pending"), "outcome"),
    (lambda reports: reports[1]["accounts"][0].pop("host"), "no host"),
])
def test_what_is_not_a_report_fails_closed(breakage, expected):
    reports = [slice_report(["acct-a"], "1"), slice_report(["acct-c"], "2")]
    breakage(reports)
    with pytest.raises(ReportError, match=expected):
        merge_reports(reports)


def test_nothing_to_merge_fails():
    with pytest.raises(ReportError, match="No slice report"):
        merge_reports([])


def test_the_merge_does_not_change_its_inputs():
    one, two = slice_report(["acct-a"], "1"), slice_report(["acct-c"], "2")
    before = copy.deepcopy([one, two])
    merge_reports([one, two])
    assert [one, two] == before


@pytest.mark.parametrize("change", [
    pytest.param(lambda r: r.update(slice="a/b"), id="bad-slice"),
    pytest.param(lambda r: r.update(slices=["1", "1"]), id="slice-twice"),
    pytest.param(lambda r: r["accounts"][0].update(slice=""), id="empty-account-slice"),
])
def test_schema_refuses_bad_slice_fields(change):
    report = json.loads(json.dumps(slice_report(["acct-a"], "1")))
    change(report)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA, cls=jsonschema.Draft202012Validator)
