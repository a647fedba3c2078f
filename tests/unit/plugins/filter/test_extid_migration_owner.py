# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Roles another tool owns: the owning stack, the ownership tag, the mode, and the check of a stack update."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.extid_migration import FilterModule
from ansible_collections.swp.aws.plugins.module_utils._migration import record_failure, record_step

FILTERS = FilterModule().filters()
SWP = "arn:aws:iam::147995105371:root"
OLD = "user-defined-external-id-0001"
NEW = "5f0c9a2e-7b1d-4e8a-9c3f-2a6b8d0e4f17"
NAME = "TrendMicroWorkloadSecurityRole"
ROLE_ARN = "arn:aws:iam::123456789012:role/" + NAME
ACCOUNT = FILTERS["extid_migration_target"](ROLE_ARN)
CONNECTOR = {"id": 7, "auth_type": "cross_account_role", "cross_account_role_arn": ROLE_ARN}


def policy(ids):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": SWP}, "Action": "sts:AssumeRole",
                                                   "Condition": {"StringEquals": {"sts:ExternalId": ids}}}]}


def role(ids=OLD, tags=None):
    return [{"role_name": NAME, "arn": ROLE_ARN, "assume_role_policy_document": policy(ids), "tags": tags or {}}]


def plan_for(ids=OLD):
    return FILTERS["extid_migration_plan"](role(ids), "acct", ACCOUNT, CONNECTOR, NEW)


def stacks(region="us-east-1", physical=NAME, params=("ExternalID", "Team"), status="CREATE_COMPLETE"):
    facts = {"stack_description": {"stack_name": "swp-role", "stack_status": status},
             "stack_parameters": dict((name, "x") for name in params),
             "stack_resource_list": [
                 {"logical_resource_id": "Bucket", "physical_resource_id": NAME, "resource_type": "AWS::S3::Bucket"},
                 {"logical_resource_id": "CrossAccountRole", "physical_resource_id": physical, "resource_type": "AWS::IAM::Role",
                  "resource_status": status}]}
    return [{"item": "eu-west-1", "skipped": True}, {"item": region, "cloudformation": {"swp-role": facts}}]


TEMPLATE = {"Parameters": {"ExternalID": {"Type": "String"}, "Partner": {"Type": "String"}},
            "Resources": {"CrossAccountRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::147995105371:root"}},
                    "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalID"}}}}]}}}}}
YAML_TEMPLATE = """
Parameters:
  ExternalID: {Type: String}
Resources:
  CrossAccountRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Join [":", ["arn", !Ref "AWS::Partition", "iam:", "147995105371", "root"]]
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId: !Ref ExternalID
"""


def owner(plan=None, iam_roles=None, found=None, **options):
    return FILTERS["extid_migration_owner"](plan or plan_for(), iam_roles or role(), found if found is not None else stacks(), **options)


def test_a_stack_owning_the_role_is_reported_by_default_and_nothing_is_planned_to_be_written():
    result = owner()
    assert result["mode"] == "report" and result["message"] is None
    record = result["record"]
    assert record["owner"] == "cloudformation" and record["outcome"] == "skipped"
    assert record["stack"] == {"name": "swp-role", "region": "us-east-1", "logical_id": "CrossAccountRole",
                               "status": "CREATE_COMPLETE", "parameter": "ExternalID"}
    assert "set its parameter ExternalID" in record["instruction"]
    assert NEW not in json.dumps(result) and OLD not in json.dumps(record)


@pytest.mark.parametrize("found", [[], stacks(physical="SomeOtherRole"), stacks(status="DELETE_COMPLETE")])
def test_no_stack_owns_the_role(found):
    result = owner(found=found)
    assert result["mode"] == "edit" and result["record"]["owner"] is None and result["record"]["stack"] is None


def test_update_stack_needs_the_parameter_and_fails_closed_without_it():
    assert owner(cloudformation="update_stack")["mode"] == "update_stack"
    missing = owner(found=stacks(params=("Team",)), cloudformation="update_stack")
    assert missing["message"] and "no parameter ExternalID" in missing["message"]
    assert missing["record"]["outcome"] == "failed" and missing["record"]["stack"]["parameter"] is None
    assert owner(found=stacks(params=("ExtId",)), cloudformation="update_stack", parameter="ExtId")["message"] is None


def test_edit_says_the_drift_is_accepted():
    result = owner(cloudformation="edit")
    assert result["mode"] == "edit" and "drift accepted" in result["record"]["instruction"]
    assert result["record"]["outcome"] == "pending"


@pytest.mark.parametrize("tags, key, values, tagged", [
    ({"ManagedBy": "terraform"}, "ManagedBy", ["Terraform"], True),
    ({"ManagedBy": "pulumi"}, "ManagedBy", ["terraform"], False),
    ({"ManagedBy": "pulumi"}, "ManagedBy", [], True),
    ({"ManagedBy": "terraform"}, "", [], False),
    ({"Owner": "terraform"}, "ManagedBy", ["terraform"], False),
    ([{"Key": "ManagedBy", "Value": "Terraform"}], "ManagedBy", "terraform", True),
])
def test_the_ownership_tag(tags, key, values, tagged):
    result = owner(iam_roles=role(tags=tags), found=[], tag_key=key, tag_values=values)
    assert (result["record"]["owner"] == "tagged") is tagged
    assert result["mode"] == ("files" if tagged else "edit")


def test_a_tagged_role_waits_for_its_tool_to_widen_then_its_connector_is_switched():
    tags = {"ManagedBy": "terraform"}
    first = owner(iam_roles=role(tags=tags), found=[], tag_key="ManagedBy")
    assert first["record"]["outcome"] == "skipped" and "apply the widened" in first["record"]["instruction"]
    widened = plan_for([OLD, NEW])
    second = owner(plan=widened, iam_roles=role([OLD, NEW], tags=tags), found=[], tag_key="ManagedBy")
    assert second["mode"] == "files" and second["record"]["outcome"] == "pending"
    assert "apply the narrowed" in second["record"]["instruction"]
    record = record_step(second["record"], widened, "files", files=["acct-trust-policy-widened.json"])
    record = record_step(record, widened, "switch", changed=True)
    record = record_step(record, widened, "done", via="files")
    assert record["actions"] == ["write_policy_files", "switch_connector"]
    assert record["state_after"] == "half_done" and record["outcome"] == "migrated"
    assert owner(iam_roles=role(tags=tags), found=[], tag_key="ManagedBy", tagged_roles="edit")["mode"] == "edit"


def test_a_stack_wins_over_the_tag():
    assert owner(iam_roles=role(tags={"ManagedBy": "terraform"}), tag_key="ManagedBy")["record"]["owner"] == "cloudformation"


@pytest.mark.parametrize("options", [{"cloudformation": "replace"}, {"tagged_roles": "ignore"}])
def test_bad_choices(options):
    with pytest.raises(AnsibleFilterError):
        owner(**options)


def test_a_failed_stack_update_says_the_stack_drifts():
    result = owner(cloudformation="update_stack")
    record = record_step(result["record"], plan_for(), "done", changed=True, via="stack")
    assert record["actions"] == ["update_stack"]
    failed = record_failure(result["record"], "boom " + NEW, ids=[NEW])
    assert failed["instruction"].startswith("Not narrowed") and NEW not in failed["error"]


@pytest.mark.parametrize("template", [TEMPLATE, YAML_TEMPLATE])
def test_the_stack_check_accepts_a_template_that_narrows_as_planned(template):
    result = owner(cloudformation="update_stack")
    facts = {"stack_template": template, "stack_parameters": {"ExternalID": "****", "Partner": "p"}}
    assert FILTERS["extid_migration_stack_check"](result, facts, plan_for(), NEW, ACCOUNT) == {"ok": True, "message": None}


def test_the_stack_check_refuses_what_would_not_narrow_as_planned():
    result = owner(cloudformation="update_stack")
    check = FILTERS["extid_migration_stack_check"]
    hard_coded = json.loads(json.dumps(TEMPLATE).replace('{"Ref": "ExternalID"}', json.dumps(OLD)))
    refused = check(result, {"stack_template": hard_coded}, plan_for(), NEW, ACCOUNT)
    assert not refused["ok"] and "other than the planned" in refused["message"] and OLD not in refused["message"]
    if_else = json.loads(json.dumps(TEMPLATE).replace('{"Ref": "ExternalID"}', '{"Fn::If": ["c", "a", "b"]}'))
    assert "Fn::If" in check(result, {"stack_template": if_else}, plan_for(), NEW, ACCOUNT)["message"]
    unknown = json.loads(json.dumps(TEMPLATE).replace('"ExternalID"}', '"Other"}'))
    assert not check(result, {"stack_template": unknown}, plan_for(), NEW, ACCOUNT)["ok"]
    assert not check(result, {"stack_template": "{not: [yaml"}, plan_for(), NEW, ACCOUNT)["ok"]
    assert not check(result, {"stack_template": {"Resources": {}}}, plan_for(), NEW, ACCOUNT)["ok"]


FOUND_BY_READ = {"name": "swp-role", "region": "us-east-1", "logical_id": "CrossAccountRole", "status": "CREATE_COMPLETE",
                 "parameters": ["ExternalID", "Team"]}


def test_the_stack_the_read_found_decides_when_no_look_up_ran_and_matches_the_look_ups_decision():
    by_read = FILTERS["extid_migration_owner"](plan_for(), role(), [{"item": "us-east-1", "skipped": True}], stack=FOUND_BY_READ)
    by_look_up = owner()
    assert by_read == by_look_up
    assert by_read["record"]["owner"] == "cloudformation" and by_read["mode"] == "report"
    assert FILTERS["extid_migration_owner"](plan_for(), role(), [], stack=None)["mode"] == "edit"


def test_a_look_up_that_ran_wins_over_the_stack_the_read_found():
    # The read left the look-up out (the role named the manager's ID); the look-up before the write found none.
    result = FILTERS["extid_migration_owner"](plan_for(), role(), [{"item": "us-east-1", "cloudformation": {}}], stack=FOUND_BY_READ)
    assert result["mode"] == "edit" and result["record"]["stack"] is None


def test_a_stack_that_is_not_a_mapping_is_refused():
    with pytest.raises(AnsibleFilterError, match="stack must be the stack swp.aws.trust_policy_info found"):
        FILTERS["extid_migration_owner"](plan_for(), role(), [], stack="swp-role")
