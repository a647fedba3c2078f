# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layer both roles share (swp.aws.shared): settings from a role's options, the connector index, the steps each
plan lists, the verdict, the retry of sts_assume_role and the merge of slice reports from their files."""

from __future__ import annotations

import json

import pytest

from ansible_collections.swp.aws.plugins.filter.role_shared import role_message, shared_retry_sts
from ansible_collections.swp.aws.plugins.module_utils._connector_plan import connector_for, connector_index
from ansible_collections.swp.aws.plugins.module_utils._migration import owner_steps, plan_account, record_step, stack_update, target
from ansible_collections.swp.aws.plugins.module_utils._onboarding import onboarding_steps
from ansible_collections.swp.aws.plugins.module_utils._report import (ReportError, build_report, merge_slice_files,
                                                                      role_settings, verdict_message)

MANAGER_ID = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"
OLD_ID = "legacy-100000000001-x7Qp"
PRINCIPAL = "arn:aws:iam::147995105371:root"
ROLE_ARN = "arn:aws:iam::100000000001:role/TrendMicroWorkloadSecurityRole"


def _policy(*ids):
    value = ids[0] if len(ids) == 1 else list(ids)
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": PRINCIPAL},
                                                    "Action": "sts:AssumeRole",
                                                    "Condition": {"StringEquals": {"sts:ExternalId": value}}}]}


def test_settings_use_the_assumed_credentials_once_hub_and_spoke_reached_the_account():
    given = {"aws_region": "eu-west-1", "aws_profile": "hub", "aws_access_key": "AKIAHUB", "aws_secret_key": "hub-secret",
             "aws_assume_role_arn": "arn:aws:iam::100000000001:role/Admin"}
    sts = {"sts_creds": {"access_key": "ASIAACCT", "secret_key": "acct-secret", "session_token": "token"}}
    settings = role_settings("extid_migration", given, sts)
    assert settings["aws"] == {"region": "eu-west-1", "access_key": "ASIAACCT", "secret_key": "acct-secret",
                               "session_token": "token"}
    assert settings["hub"] == {"profile": "hub", "access_key": "AKIAHUB", "secret_key": "hub-secret"}
    assert settings["session_name"] == "swp-extid-migration"


def test_settings_without_hub_and_spoke_use_the_credentials_given_and_the_shared_defaults():
    settings = role_settings("connector_onboarding", {"aws_region": "us-east-1", "aws_profile": "acct"}, {"skipped": True})
    assert settings["aws"] == {"region": "us-east-1", "profile": "acct"}
    assert settings["swp"] == {"timeout": 30, "retries": 5}
    assert settings["page_size"] == 1000 and settings["principal"] == PRINCIPAL
    assert settings["store_region"] == "us-east-1" and settings["store_read"] is False
    assert settings["make_folder"] is False and settings["no_log"] is True


def test_settings_read_the_store_only_when_no_id_is_given():
    settings = role_settings("extid_migration", {"aws_region": "us-east-1", "manager_external_id_parameter": "/swp/id"})
    assert settings["store_read"] and settings["store_lookup"] == "amazon.aws.ssm_parameter"
    assert settings["store_args"] == {"on_missing": "skip", "region": "us-east-1"}
    given = role_settings("extid_migration", {"aws_region": "us-east-1", "manager_external_id_parameter": "/swp/id",
                                              "manager_external_id": MANAGER_ID})
    assert not given["store_read"]


def test_the_index_finds_the_connector_by_role_then_by_account():
    by_role = {"id": 1, "cross_account_role_arn": ROLE_ARN, "account_id": "100000000001"}
    other_role = {"id": 2, "cross_account_role_arn": "arn:aws:iam::100000000002:role/Old", "account_id": "100000000002"}
    index = connector_index([by_role, other_role, {"id": 3}])
    assert connector_for(index, {"role_arn": ROLE_ARN, "account_id": "100000000001"}) == by_role
    assert connector_for(index, {"role_arn": "arn:aws:iam::100000000002:role/New", "account_id": "100000000002"}) == other_role
    assert connector_for(index, {"role_arn": "arn:aws:iam::100000000009:role/X", "account_id": "100000000009"}) == {}


def _plan(policy):
    account = target(ROLE_ARN)
    connector = {"id": 7, "auth_type": "cross_account_role", "cross_account_role_arn": ROLE_ARN}
    return plan_account("a", account, policy, connector, MANAGER_ID)


def test_the_plan_lists_its_steps():
    assert _plan(_policy(OLD_ID))["steps"] == ["owner"]
    assert _plan(_policy(MANAGER_ID))["steps"] == []
    plan = _plan(_policy(OLD_ID))
    edit = {"mode": "edit", "message": None}
    assert owner_steps(plan, edit) == ["show_widened", "widen", "switch", "verify", "show_narrowed", "narrow"]
    # A dry run shows the writes as diffs and does not run them.
    assert owner_steps(plan, edit, check_mode=True) == ["show_widened", "switch", "show_narrowed"]
    assert owner_steps(plan, edit, narrow=False) == ["show_widened", "widen", "switch", "verify"]
    assert owner_steps(plan, {"mode": "update_stack", "message": None}) == [
        "read_stack", "show_widened", "widen", "switch", "verify", "show_narrowed", "narrow_stack"]
    assert owner_steps(plan, {"mode": "update_stack", "message": None}, check_mode=True) == [
        "read_stack", "show_widened", "switch", "show_narrowed"]
    assert owner_steps(plan, {"mode": "files", "message": None}) == ["files"]
    assert owner_steps(plan, {"mode": "report", "message": None}) == []
    assert owner_steps(plan, {"mode": "update_stack", "message": "no parameter"}) == ["fail"]


def test_a_dry_run_counts_the_writes_it_leaves_out_as_the_plan_says():
    plan = _plan(_policy(OLD_ID))
    assert plan["needs_widen"] and plan["needs_narrow"]
    skipped = {"changed": False, "skipped": True}
    widened = record_step(plan["record"], plan, "widen", check_mode=True, results=[skipped])
    assert widened["changed"] and widened["actions"] == ["widen_trust_policy"]
    for via, action in (("edit", "narrow_trust_policy"), ("stack", "update_stack")):
        done = record_step(widened, plan, "done", check_mode=True, via=via, results=[skipped])
        assert done["outcome"] == "would_migrate" and done["actions"][-1] == action
    # Not asked to narrow, or a tool that gets files: no narrow counted.
    assert record_step(widened, plan, "done", check_mode=True, narrow=False, results=[skipped])["actions"] == ["widen_trust_policy"]
    assert record_step(widened, plan, "done", check_mode=True, via="files", results=[skipped])["actions"] == ["widen_trust_policy"]
    # An apply counts what the write did: a skipped write changed nothing.
    assert not record_step(plan["record"], plan, "widen", results=[skipped]).get("changed")
    # A policy already widened: the dry run counts no widen.
    half = _plan(_policy(OLD_ID, MANAGER_ID))
    assert not half["needs_widen"] and half["needs_narrow"]
    assert not record_step(half["record"], half, "widen", check_mode=True, results=[skipped]).get("changed")


def test_the_onboarding_steps_follow_the_stack_decision():
    plan = {"action": "onboard", "trust": "create", "trust_policy": {}, "narrowed": None, "create_connector": True}
    assert onboarding_steps(plan, {"mode": "direct"}) == ["show_role", "direct", "role", "permissions", "connector"]
    assert onboarding_steps(plan, {"mode": "direct"}, check_mode=True) == [
        "show_role", "direct", "role", "show_permissions", "connector"]
    assert onboarding_steps(plan, {"mode": "stack", "stack": "create"}) == ["show_role", "stack", "permissions", "connector"]
    assert onboarding_steps(plan, {"mode": "stack", "stack": "none", "message": "busy"}) == ["fail"]
    # A role that accepts more than the manager-defined ID is shown narrowed, then narrowed in place (the shared
    # layer's tasks/narrow.yml runs both steps); through a stack, the template narrows it.
    widened = dict(plan, trust="widen", narrowed={"Statement": []})
    assert onboarding_steps(widened, {"mode": "direct"})[-2:] == ["show_narrowed", "narrow"]
    assert "narrow" not in onboarding_steps(widened, {"mode": "stack", "stack": "update"})


def test_the_stack_update_keeps_every_other_parameter():
    facts = {"stack_template": {"Resources": {}}, "stack_parameters": {"ExternalID": OLD_ID, "Team": "security"}}
    update = stack_update(facts, MANAGER_ID)
    assert update["template_parameters"] == {"Team": {"use_previous_value": True}, "ExternalID": MANAGER_ID}
    assert json.loads(update["template_body"]) == {"Resources": {}}


def test_the_verdict_names_the_failed_accounts_and_what_to_do():
    report = build_report([{"host": "a", "outcome": "failed"}, {"host": "b", "outcome": "migrated"}], ["a", "b"])
    assert verdict_message(report, "extid_migration", "r.json") == (
        "1 of 2 accounts failed: a. Their trust policies still accept the ID their connectors use; fix the cause and "
        "rerun to resume. Report: r.json")
    assert "rerun their slices to resume" in verdict_message(report, "extid_migration", "r.json", merged=True)
    assert "accounts already onboarded are left as they are" in verdict_message(report, "connector_onboarding", "r.json")
    assert verdict_message(build_report([], []), "extid_migration") is None


@pytest.mark.parametrize("result, retry", [
    ({"failed": True, "error": {"code": "Throttling"}}, True),
    ({"failed": True, "response_metadata": {"http_status_code": 503}}, True),
    ({"failed": True, "error": {"code": "AccessDenied"}, "response_metadata": {"http_status_code": 403}}, False),
    ({"changed": False}, False),
])
def test_sts_is_retried_on_throttling_and_server_errors_only(result, retry):
    assert shared_retry_sts(result) is retry


def test_messages_fill_their_blanks():
    assert role_message("stack_failed", change="create", stack="s", region="r", task="t").startswith("Creating CloudFormation stack s (r)")
    assert "Connector 12 did not synchronize within 30 seconds" in role_message("not_synced", connector=12, timeout=30)


def test_slice_files_are_found_read_and_merged(tmp_path):
    for name in ("one", "two"):
        report = build_report([{"host": name, "outcome": "migrated"}], [name], slice=name)
        (tmp_path / ("rollout.slice-%s.json" % name)).write_text(json.dumps(report), encoding="utf-8")
    merged = merge_slice_files(["rollout.slice-*.json"], "rollout.json", str(tmp_path))
    assert merged["to"] == str(tmp_path / "rollout.json") and len(merged["files"]) == 2
    assert merged["report"]["slices"] == ["one", "two"] and merged["report"]["total"] == 2
    with pytest.raises(ReportError, match="No slice report found for missing.json"):
        merge_slice_files(["missing.json"], "rollout.json", str(tmp_path))
    with pytest.raises(ReportError, match="is empty"):
        merge_slice_files(["rollout.slice-*.json"], "", str(tmp_path))
