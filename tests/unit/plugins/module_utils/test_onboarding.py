# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding plan and the check of an ID read from a secrets store, with tables; policies judged by the evaluator."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.swp.aws.plugins.module_utils._extid_store import StoreError, resolve, source_name
from ansible_collections.swp.aws.plugins.module_utils._onboarding import (
    PERMISSIONS,
    OnboardingError,
    permissions_policy,
    plan_onboarding,
    plan_stack,
    record_step,
    stack_name,
    target,
    trust_policy,
)
from ansible_collections.swp.aws.tests.support.iam_eval import is_allowed

M = "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b"
OLD = "legacy-user-defined-id-1"
SWP = "arn:aws:iam::147995105371:root"
ACCOUNT = target("", "123456789012", "TrendMicroWorkloadSecurityRole")
ARN = ACCOUNT["role_arn"]
CONNECTOR = {"id": 7, "auth_type": "cross_account_role", "cross_account_role_arn": ARN, "account_id": "123456789012"}


def allowed(policy, principal, external_id):
    context = {} if external_id is None else {"sts:ExternalId": external_id}
    return is_allowed(policy, {"principal": principal, "action": "sts:AssumeRole", "context": context}, ARN)


def statement(condition):
    body = {"Effect": "Allow", "Principal": {"AWS": SWP}, "Action": "sts:AssumeRole"}
    if condition is not None:
        body["Condition"] = {"StringEquals": {"sts:ExternalId": condition}}
    return {"Version": "2012-10-17", "Statement": [body]}


def test_the_new_trust_policy_lets_in_the_manager_with_the_manager_defined_id_alone():
    policy = trust_policy(M)
    assert allowed(policy, SWP, M)
    for principal, external_id in ((SWP, None), (SWP, OLD), (SWP, M.upper()), ("arn:aws:iam::444455556666:root", M)):
        assert not allowed(policy, principal, external_id)


def test_a_bare_account_principal_is_written_as_its_root_in_the_roles_partition():
    gov = target("arn:aws-us-gov:iam::123456789012:role/x")
    policy = trust_policy(M, "210987654321", gov["partition"])
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws-us-gov:iam::210987654321:root"}


def test_the_role_path_comes_from_the_arn():
    assert target("arn:aws:iam::123456789012:role/swp/readers/Role")["role_path"] == "/swp/readers/"
    assert ACCOUNT["role_path"] == "/"
    with pytest.raises(OnboardingError, match="connector_onboarding_account_id"):
        target("", "12345", "x")


def test_the_permissions_are_the_documented_read_only_list_plus_extras():
    assert len(PERMISSIONS) == 15
    actions = permissions_policy()["Statement"][0]["Action"]
    assert sorted(PERMISSIONS) == actions and all(":Describe" in a or a.startswith("iam:") for a in actions)
    assert "s3:ListAllMyBuckets" in permissions_policy(list(PERMISSIONS) + ["s3:ListAllMyBuckets"])["Statement"][0]["Action"]


@pytest.mark.parametrize("policy, connector, update, action, trust, state, connector_create", [
    (None, None, False, "onboard", "create", "role_missing", True),
    (statement(M), None, False, "onboard", "keep", "migrated", True),
    (statement(M), CONNECTOR, False, "none", "keep", "migrated", False),
    (statement(OLD), None, False, "fail", "keep", "user_defined", False),
    (statement(OLD), None, True, "onboard", "update", "user_defined", True),
    (statement([OLD, M]), None, True, "onboard", "update", "half_done", True),
    (statement(OLD), CONNECTOR, True, "fail", "keep", "user_defined", False),
    (statement(None), None, True, "fail", "keep", "open", False),
    ("not json", None, True, "fail", "keep", "invalid", False),
    (None, CONNECTOR, False, "fail", "keep", "role_missing", False),
    (statement(M), dict(CONNECTOR, cross_account_role_arn="arn:aws:iam::123456789012:role/Other"), False, "fail", "keep", "migrated", False),
    (statement(M), {"id": 8, "auth_type": "access_key", "account_id": "123456789012"}, False, "fail", "keep", "migrated", False),
])
def test_the_plan_of_each_kind_of_account(policy, connector, update, action, trust, state, connector_create):
    plan = plan_onboarding("h", ACCOUNT, policy, connector, M, update_trust=update)
    assert (plan["action"], plan["state"], plan["create_connector"]) == (action, state, connector_create)
    if action == "fail":
        assert plan["trust_policy"] is None and plan["narrowed"] is None
        assert plan["record"]["outcome"] == "failed" and plan["message"] and M not in plan["message"] and OLD not in plan["message"]
    else:
        assert plan["trust"] == trust
    assert M not in json.dumps(plan["record"])


def test_an_updated_role_keeps_everyone_but_gives_the_manager_the_manager_defined_id_alone_at_the_end():
    other = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "partner"}}}
    policy = statement(OLD)
    policy["Statement"].append(other)
    plan = plan_onboarding("h", ACCOUNT, policy, None, M, update_trust=True)
    widened, narrowed = plan["trust_policy"], plan["narrowed"]
    assert allowed(widened, SWP, OLD) and allowed(widened, SWP, M)
    assert allowed(narrowed, SWP, M) and not allowed(narrowed, SWP, OLD)
    for result in (widened, narrowed):
        assert allowed(result, "arn:aws:iam::444455556666:root", "partner")
        assert not allowed(result, "arn:aws:iam::444455556666:root", M)


def test_the_record_follows_the_steps():
    plan = plan_onboarding("h", ACCOUNT, None, None, M)
    record = record_step(plan["record"], "create_role", changed=True)
    record = record_step(record, "permissions", changed=True)
    record = record_step(record, "connector", changed=True, connector={"id": 12})
    done = record_step(record, "done")
    assert done["actions"] == ["create_role", "put_role_policy", "create_connector"]
    assert (done["outcome"], done["state_after"], done["connector_id"], done["changed"]) == ("migrated", "migrated", 12, True)
    assert record_step(record, "done", check_mode=True)["outcome"] == "would_migrate"
    assert record_step(plan_onboarding("h", ACCOUNT, statement(M), CONNECTOR, M)["record"], "done")["outcome"] == "unchanged"
    with pytest.raises(OnboardingError):
        record_step(record, "bogus")


# ------------------------------------------------------------------ the secrets store

SOURCE = source_name(secret="swp/id", region="eu-west-1")
DISABLED = {"failed": True, "msg": "Retrieval ... disabled", "api_error": {"kind": "retrieval_disabled"}}


@pytest.mark.parametrize("stored", ["", None, [], "   \n"])
def test_a_missing_or_empty_store_is_an_error_naming_it(stored):
    with pytest.raises(StoreError, match=r"Secrets Manager secret swp/id \(eu-west-1\) that should hold .* is missing or empty"):
        resolve(stored, SOURCE, DISABLED)


def test_the_stored_id_must_be_the_managers_while_the_manager_can_say():
    assert resolve(M + "\n", SOURCE, {"external_id": M}) == M
    with pytest.raises(StoreError) as caught:
        resolve(OLD, SOURCE, {"external_id": M})
    assert "legacy-user-defined-id-1" not in str(caught.value) and "lega****" in str(caught.value) and "3f1c****" in str(caught.value)


def test_once_retrieval_is_disabled_the_store_is_the_source_and_other_failures_are_errors():
    assert resolve(M, SOURCE, DISABLED) == M
    with pytest.raises(StoreError, match="HTTP 401"):
        resolve(M, SOURCE, {"failed": True, "msg": "HTTP 401 bad key", "api_error": {"kind": "auth"}})


def test_a_store_is_named_once():
    assert source_name(parameter="/swp/id") == "SSM parameter /swp/id"
    for kwargs in ({}, {"secret": "a", "parameter": "b"}):
        with pytest.raises(StoreError):
            source_name(**kwargs)
    with pytest.raises(StoreError, match="not the external ID as plain text"):
        resolve({"id": M}, SOURCE)


# ------------------------------------------------------------------ the role through a CloudFormation stack

STACK = "swp-TrendMicroWorkloadSecurityRole"


def role_template(principal=SWP, parameter="ExternalID", description="d", policy_name="ServerWorkloadProtectionRead"):
    """What the role's templates/cross_account_role.json.j2 renders to."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {parameter: {"Type": "String", "NoEcho": True, "MinLength": 1}},
        "Resources": {"CrossAccountRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "TrendMicroWorkloadSecurityRole", "Path": "/", "Description": description,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Sid": "ServerWorkloadProtection", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": parameter}}}}]},
            "Policies": [{"PolicyName": policy_name, "PolicyDocument": permissions_policy()}]}}},
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["CrossAccountRole", "Arn"]}}},
    }


def stack_facts(template=None, status="CREATE_COMPLETE", physical="TrendMicroWorkloadSecurityRole", extra=(), value=M,
                logical="CrossAccountRole"):
    resources = [{"logical_resource_id": logical, "physical_resource_id": physical, "resource_type": "AWS::IAM::Role",
                  "resource_status": "CREATE_COMPLETE"}]
    resources += [{"logical_resource_id": name, "physical_resource_id": name, "resource_type": "AWS::SNS::Topic",
                   "resource_status": "CREATE_COMPLETE"} for name in extra]
    template = role_template() if template is None else template
    return {"stack_description": {"stack_name": STACK, "stack_status": status},
            "stack_parameters": dict((name, value) for name in template["Parameters"]), "stack_resource_list": resources,
            "stack_template": template}


def stacked(policy, facts, connector=None, update=False, template=None, **kwargs):
    plan = plan_onboarding("h", ACCOUNT, policy, connector, M, update_trust=update)
    assert plan["action"] != "fail", plan["message"]
    return plan_stack(plan, ACCOUNT, facts, role_template() if template is None else template, M, STACK, "us-east-1",
                      update_trust=update, **kwargs)


def test_the_stack_name_comes_from_the_role_name_unless_given():
    assert stack_name("TrendMicroWorkloadSecurityRole") == STACK
    assert stack_name("Reader+Role@corp_1") == "swp-Reader-Role-corp-1"
    assert len(stack_name("R" * 64 + "x" * 100)) == 128
    assert stack_name("x", "mine") == "mine"
    with pytest.raises(OnboardingError, match="not a CloudFormation stack name"):
        plan_stack(plan_onboarding("h", ACCOUNT, None, None, M), ACCOUNT, {}, role_template(), M, "1bad_name", "us-east-1")


def test_the_template_gives_the_planned_trust_policy_or_the_filter_refuses_it():
    plan = plan_onboarding("h", ACCOUNT, None, None, M)
    result = plan_stack(plan, ACCOUNT, {}, role_template(), M, STACK, "us-east-1")
    assert result["trust_policy"] == trust_policy(M) == plan["trust_policy"]
    for bad, match in ((role_template(principal="arn:aws:iam::444455556666:root"), "planned trust policy"),
                       (dict(role_template(), Parameters={"ExternalID": {"Type": "String"}}), "NoEcho"),
                       (role_template(parameter="Other"), "NoEcho"), ("text", "cannot be read")):
        with pytest.raises(OnboardingError, match=match):
            plan_stack(plan, ACCOUNT, {}, bad, M, STACK, "us-east-1")
    with pytest.raises(OnboardingError, match="parameter name"):
        plan_stack(plan, ACCOUNT, {}, role_template(), M, STACK, "us-east-1", parameter="External-ID")


def test_a_new_role_is_created_by_the_stack_and_the_record_names_it():
    result = stacked(None, {})
    assert (result["mode"], result["stack"], result["message"]) == ("stack", "create", None)
    record = result["record"]
    assert record["owner"] == "cloudformation"
    assert record["stack"] == {"name": STACK, "region": "us-east-1", "logical_id": "CrossAccountRole", "status": None,
                               "parameter": "ExternalID"}
    assert record["instruction"].startswith("Created through CloudFormation stack " + STACK)
    done = record_step(record_step(record_step(record, "create_stack", changed=True), "permissions"), "connector", changed=True,
                       connector={"id": 3})
    assert record_step(done, "done")["actions"] == ["create_stack", "create_connector"]
    assert M not in json.dumps(result["record"]) and M not in json.dumps(result["template"])


def test_a_right_stack_is_kept_and_a_rerun_writes_nothing():
    result = stacked(statement(M), stack_facts(), CONNECTOR)
    assert (result["mode"], result["stack"], result["message"]) == ("stack", "none", None)
    assert result["record"]["outcome"] == "unchanged" and result["record"]["stack"]["status"] == "CREATE_COMPLETE"
    # AWS masks the NoEcho value: the check does not need it.
    assert stacked(statement(M), stack_facts(value="****"), CONNECTOR)["stack"] == "none"
    assert stacked(statement(M), stack_facts(status="UPDATE_ROLLBACK_COMPLETE"), None)["stack"] == "none"


@pytest.mark.parametrize("policy, facts, match", [
    (None, stack_facts(), "exists \\(CREATE_COMPLETE\\), but the role .* does not"),
    (None, stack_facts(status="ROLLBACK_COMPLETE"), "delete the stack"),
    (statement(M), stack_facts(physical="SomeoneElsesRole"), "does not own the role"),
    (statement(M), stack_facts(status="UPDATE_IN_PROGRESS"), "is UPDATE_IN_PROGRESS"),
])
def test_a_stack_that_cannot_make_the_role_fails_closed(policy, facts, match):
    result = stacked(policy, facts, update=True)
    assert result["message"] and re.search(match, result["message"])
    assert result["record"]["outcome"] == "failed" and result["record"]["error"] == result["message"]
    assert M not in result["message"]


def test_a_stack_that_would_give_another_trust_policy_fails_unless_update_trust():
    other = role_template(principal="arn:aws:iam::444455556666:root")
    for policy, facts, reason in ((statement(M), stack_facts(other), "another trust policy"),
                                  (statement(M), stack_facts(role_template(parameter="Id")), "no parameter ExternalID"),
                                  (statement(OLD), stack_facts(value=OLD), None)):
        if reason:
            refused = stacked(policy, facts)
            assert "connector_onboarding_update_trust" in refused["message"] and reason in refused["message"]
            assert OLD not in refused["message"] and M not in refused["message"]
        else:  # the plan itself refuses a role that trusts other IDs without update_trust
            assert plan_onboarding("h", ACCOUNT, policy, None, M)["action"] == "fail"
        allowed_now = stacked(policy, facts, update=True)
        assert (allowed_now["mode"], allowed_now["stack"], allowed_now["message"]) == ("stack", "update", None)
        assert allowed_now["record"]["accepted_after"] == ["3f1c****"]
        assert allowed_now["record"]["instruction"].startswith("Updated through")
    # A stack whose role trusts other IDs and that a connector uses is a migration, refused by the plan already.
    assert plan_onboarding("h", ACCOUNT, statement(OLD), CONNECTOR, M, update_trust=True)["action"] == "fail"


def test_a_template_that_differs_only_elsewhere_is_updated_without_update_trust():
    result = stacked(statement(M), stack_facts(role_template(description="older")), CONNECTOR)
    assert (result["stack"], result["message"], result["record"]["outcome"]) == ("update", None, "pending")


def test_a_stack_with_other_resources_or_another_logical_id_is_never_replaced():
    other = role_template(principal="arn:aws:iam::444455556666:root")
    for facts in (stack_facts(other, extra=["Alerts"]), stack_facts(other, logical="Role")):
        result = stacked(statement(M), facts, update=True)
        assert "Update the stack yourself" in result["message"]


def test_an_existing_role_no_stack_owns_is_onboarded_in_place():
    result = stacked(statement(OLD), {}, update=True)
    assert (result["mode"], result["stack"], result["message"]) == ("direct", None, None)
    assert "onboarded in place" in result["record"]["instruction"] and result["record"]["owner"] is None


def with_another_principal(policy, sid="AuditTeam"):
    policy = json.loads(json.dumps(policy))
    policy["Statement"].append({"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:role/Audit"},
                                "Action": "sts:AssumeRole"})
    return policy


def test_a_stack_update_that_would_lose_other_principals_statements_fails_closed():
    # The template holds the manager's statement alone: updating the stack replaces the whole trust policy.
    for policy, facts, update in ((with_another_principal(statement(M)), stack_facts(role_template(description="older")), False),
                                  (with_another_principal(statement(M)), stack_facts(role_template(parameter="Id")), True),
                                  (with_another_principal(statement(OLD)), stack_facts(value=OLD), True)):
        result = stacked(policy, facts, CONNECTOR if update is False else None, update=update)
        assert result["message"] and "losing statements Statement[1] (Sid AuditTeam)" in result["message"], result["message"]
        assert "Nothing was written" in result["message"] and result["record"]["outcome"] == "failed"
        assert M not in result["message"] and OLD not in result["message"]
    # Nothing to write: the stack is kept, whatever else the policy holds.
    kept = stacked(with_another_principal(statement(M)), stack_facts(), CONNECTOR)
    assert (kept["stack"], kept["message"]) == ("none", None)


def test_only_the_managers_own_statements_count_as_its_alone():
    shared = statement(M)
    shared["Statement"][0]["Principal"] = {"AWS": [shared["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::999988887777:root"]}
    # A statement shared with another principal is not the manager's alone.
    assert plan_onboarding("h", ACCOUNT, shared, None, M)["other_statements"] == ["Statement[0]"]
    assert plan_onboarding("h", ACCOUNT, statement(M), None, M)["other_statements"] == []


# ------------------------------------------------------------------ the onboarding's own words, masked; its quota

def test_an_onboarding_failure_never_names_the_rollouts_options():
    china = target("arn:aws-cn:iam::123456789012:role/R")
    failures = [
        plan_onboarding("h", ACCOUNT, statement(None), None, M, update_trust=True),  # open
        plan_onboarding("h", ACCOUNT, {"Version": "2012-10-17", "Statement": [dict(statement(OLD)["Statement"][0],
                                                                                     Principal={"AWS": "arn:aws:iam::444455556666:root"})]},
                        None, M, update_trust=True),  # no statement of the manager's: no_external_id
        plan_onboarding("h", china, statement(OLD), None, M, update_trust=True),  # the principal's partition
    ]
    for plan in failures:
        assert plan["action"] == "fail" and plan["message"].startswith("The role %s cannot be onboarded safely" % plan["record"]["role_arn"])
        assert "extid_migration_" not in plan["message"] and "extid_migration_" not in plan["record"]["error"]
    assert failures[0]["message"].endswith("; require sts:ExternalId with StringEquals.")
    for plan in failures[1:]:
        assert plan["message"].endswith("(connector_onboarding_principal).")


def test_an_onboarding_failure_message_is_masked():
    # A role named after an external ID (it happens): the message names the role, and must not show the ID.
    named = target("", "123456789012", "swp-" + M)
    plan = plan_onboarding("h", named, statement(OLD), None, M)
    assert plan["action"] == "fail" and "swp-3f1c****" in plan["message"]
    assert M not in plan["message"] and M not in plan["record"]["error"]
    assert M in plan_onboarding("h", named, statement(OLD), None, M, reveal=True)["message"]


def test_a_stack_update_with_unreadable_other_statements_fails_closed():
    # others_statements() could not read the policy: nothing is known of what the stack's update would lose.
    plan = plan_onboarding("h", ACCOUNT, statement(M), CONNECTOR, M)
    plan["other_statements"] = None
    result = plan_stack(plan, ACCOUNT, stack_facts(role_template(description="older")), role_template(), M, STACK, "us-east-1")
    assert result["stack"] is None and result["record"]["outcome"] == "failed"
    assert "losing statements that could not be read" in result["message"] and "Nothing was written" in result["message"]


def test_the_onboarding_refuses_an_id_sts_would_refuse_and_a_trust_policy_over_the_quota():
    with pytest.raises(OnboardingError, match="in the plan of h ends with a newline"):
        plan_onboarding("h", ACCOUNT, None, None, M + "\n")
    with pytest.raises(OnboardingError, match="connector_onboarding_trust_policy_quota must be a whole number"):
        plan_onboarding("h", ACCOUNT, None, None, M, trust_policy_quota=8192)
    # A role whose narrowed policy keeps a long statement of another principal.
    long_policy = statement(OLD)
    long_policy["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
                                     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x" * 1900}}})
    plan = plan_onboarding("h", ACCOUNT, long_policy, None, M, update_trust=True)
    assert plan["action"] == "fail" and plan["trust_policy"] is None and plan["narrowed"] is None
    assert "would be too long for IAM" in plan["message"] and "over the quota of 2,048" in plan["message"]
    assert "set connector_onboarding_trust_policy_quota to it" in plan["message"] and "extid_migration_" not in plan["message"]
    assert plan_onboarding("h", ACCOUNT, long_policy, None, M, update_trust=True, trust_policy_quota=4096)["action"] == "onboard"
    # A new role's trust policy is far under any quota.
    assert plan_onboarding("h", ACCOUNT, None, None, M)["action"] == "onboard"
