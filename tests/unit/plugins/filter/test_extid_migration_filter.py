# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The extid_migration role's per-account decision, through its filters: target, plan, steps, failure record."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.extid_migration import FilterModule

FILTERS = FilterModule().filters()
SWP = "arn:aws:iam::147995105371:root"
OLD = "user-defined-external-id-0001"
NEW = "5f0c9a2e-7b1d-4e8a-9c3f-2a6b8d0e4f17"
ROLE_ARN = "arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole"
ACCOUNT = FILTERS["extid_migration_target"](ROLE_ARN)
ROLE_CONNECTOR = {"id": 7, "auth_type": "cross_account_role", "cross_account_role_arn": ROLE_ARN}
KEY_CONNECTOR = {"id": 8, "auth_type": "access_key", "account_id": "123456789012"}
INSTANCE_CONNECTOR = {"id": 9, "auth_type": "instance_role", "account_id": "123456789012"}


def trusting(ids, principal=SWP, operator="StringEquals", **extra):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if ids is not None:
        statement["Condition"] = {operator: {"sts:ExternalId": ids}}
    statement.update(extra)
    return statement


def roles(*statements, version="2012-10-17"):
    return [{"assume_role_policy_document": {"Version": version, "Statement": list(statements)}}]


def plan(iam_roles, connector=None, **kwargs):
    connector = ROLE_CONNECTOR if connector is None else connector
    return FILTERS["extid_migration_plan"](iam_roles, "host-1", ACCOUNT, connector, NEW, **kwargs)


# --------------------------------------------------------------------------- target

@pytest.mark.parametrize("args, expected", [
    pytest.param((ROLE_ARN,), (ROLE_ARN, "aws", "123456789012", "TrendMicroWorkloadSecurityRole"), id="arn"),
    pytest.param((ROLE_ARN, "123456789012"), (ROLE_ARN, "aws", "123456789012", "TrendMicroWorkloadSecurityRole"), id="arn-and-same-account"),
    pytest.param(("", "123456789012", "R"), ("arn:aws:iam::123456789012:role/R", "aws", "123456789012", "R"), id="account-and-name"),
    pytest.param(("arn:aws-cn:iam::123456789012:role/path/R",), ("arn:aws-cn:iam::123456789012:role/path/R", "aws-cn", "123456789012", "R"),
                 id="china-partition-with-path"),
    pytest.param(("arn:aws-us-gov:iam::123456789012:role/R",), ("arn:aws-us-gov:iam::123456789012:role/R", "aws-us-gov", "123456789012", "R"),
                 id="govcloud"),
])
def test_target_reads_the_role_once(args, expected):
    found = FILTERS["extid_migration_target"](*args)
    assert (found["role_arn"], found["partition"], found["account_id"], found["role_name"]) == expected


@pytest.mark.parametrize("args, message", [
    pytest.param(("",), "is not 12 digits", id="nothing"),
    pytest.param(("", "12345", "R"), "is not 12 digits", id="short-account"),
    pytest.param(("", "123456789012", ""), "no role name", id="no-name"),
    pytest.param(("arn:aws:iam::123456789012:user/R",), "is not an IAM role ARN", id="user-arn"),
    pytest.param(("arn:aws:iam::12345678901:role/R",), "is not an IAM role ARN", id="eleven-digits"),
    pytest.param((ROLE_ARN, "999999999999"), "is in account 123456789012, not in 999999999999", id="account-mismatch"),
    pytest.param(("arn:aws:iam::123456789012:role/bad name",), "characters IAM does not allow", id="bad-name"),
])
def test_target_refuses_what_is_not_a_role(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        FILTERS["extid_migration_target"](*args)


# --------------------------------------------------------------------------- plan

def test_user_defined_account_is_migrated_in_two_writes():
    result = plan(roles(trusting(OLD)))
    assert (result["action"], result["state"], result["needs_widen"], result["needs_narrow"]) == ("migrate", "user_defined", True, True)
    assert result["widened"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == [OLD, NEW]
    assert result["narrowed"]["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": NEW}}
    assert result["after_widen"] == {"state_after": "half_done", "accepted_after": ["5f0c****", "user****"]}
    assert result["after_narrow"] == {"state_after": "migrated", "accepted_after": ["5f0c****"]}
    assert sorted(result["ids"]) == sorted([OLD, NEW])
    record = result["record"]
    assert (record["state_before"], record["outcome"], record["connector_id"], record["accepted_before"]) == (
        "user_defined", "pending", 7, ["user****"])


def test_migrated_account_needs_no_write():
    result = plan(roles(trusting(NEW)))
    assert (result["action"], result["state"], result["record"]["outcome"]) == ("none", "migrated", "unchanged")
    assert result["widened"] is None and result["narrowed"] is None


@pytest.mark.parametrize("connector", [KEY_CONNECTOR, INSTANCE_CONNECTOR], ids=["access-key", "instance-role"])
@pytest.mark.parametrize("iam_roles", [[], roles(trusting(OLD))], ids=["role-absent", "role-present"])
def test_connector_that_uses_no_role_is_skipped_whether_or_not_the_role_exists(connector, iam_roles):
    result = plan(iam_roles, connector=connector)
    assert (result["action"], result["state"], result["record"]["outcome"]) == ("skip", "not_role_connector", "skipped")


def test_missing_role_fails_only_when_a_role_connector_uses_it():
    used = plan([])
    assert (used["action"], used["state"]) == ("fail", "role_missing")
    assert "does not exist, but connector 7 uses it" in used["message"] and used["record"]["error"] == used["message"]
    unused = plan([], connector={})
    assert (unused["action"], unused["state"], unused["record"]["outcome"]) == ("skip", "role_missing", "skipped")


def test_account_without_connector_is_skipped():
    result = plan(roles(trusting(OLD)), connector={})
    assert (result["action"], result["state"]) == ("skip", "no_connector")


def test_open_statement_fails_closed_naming_the_statement_and_the_fix():
    result = plan(roles(trusting(OLD), trusting(None, Sid="Legacy")))
    assert (result["action"], result["state"], result["record"]["outcome"]) == ("fail", "open", "failed")
    assert "Statement[1] (Sid Legacy)" in result["message"] and ROLE_ARN in result["message"]
    assert "extid_migration_close_open_trust" in result["message"]
    assert result["record"]["problems"][0]["where"] == "Statement[1] (Sid Legacy)"
    assert OLD not in json.dumps(result["record"]) and NEW not in result["message"]


def test_open_statement_is_closed_at_the_narrow_when_asked():
    result = plan(roles(trusting(OLD), trusting(None, Sid="Legacy")), close_open_trust="yes")
    assert (result["action"], result["state"]) == ("migrate", "open")
    assert result["widened"]["Statement"][1] == trusting(None, Sid="Legacy")  # still lets the connector in until the switch
    assert all(statement["Condition"] == {"StringEquals": {"sts:ExternalId": NEW}} for statement in result["narrowed"]["Statement"])
    assert result["after_narrow"]["state_after"] == "migrated"


@pytest.mark.parametrize("reveal, shown", [("false", ["user****"]), ("no", ["user****"]), (0, ["user****"]), ("true", [OLD])])
def test_reveal_follows_ansible_booleans(reveal, shown):
    assert plan(roles(trusting(OLD)), reveal=reveal)["record"]["accepted_before"] == shown


def test_plan_refuses_a_reveal_that_is_not_a_boolean_without_quoting_it():
    with pytest.raises(AnsibleFilterError) as info:
        plan(roles(trusting(OLD)), reveal=OLD)
    assert OLD not in str(info.value)


def test_plan_of_a_2008_policy_writes_2012():
    result = plan(roles(trusting(OLD), version="2008-10-17"))
    assert result["widened"]["Version"] == result["narrowed"]["Version"] == "2012-10-17"


def test_plan_refuses_a_role_without_its_policy():
    with pytest.raises(AnsibleFilterError, match="without its trust policy"):
        plan([{"role_name": "R"}])


# --------------------------------------------------------------------------- steps and failures

def test_steps_record_actions_states_and_outcome():
    result = plan(roles(trusting(OLD)))
    record = FILTERS["extid_migration_step"](result["record"], result, "widen", changed=True)
    record = FILTERS["extid_migration_step"](record, result, "switch", changed=True)
    done = FILTERS["extid_migration_step"](record, result, "done", changed=True)
    assert done["actions"] == ["widen_trust_policy", "switch_connector", "narrow_trust_policy"]
    assert (done["state_after"], done["accepted_after"], done["outcome"], done["changed"]) == ("migrated", ["5f0c****"], "migrated", True)
    kept_wide = FILTERS["extid_migration_step"](record, result, "done", narrow=False)
    assert (kept_wide["state_after"], kept_wide["outcome"], kept_wide["actions"]) == (
        "half_done", "migrated", ["widen_trust_policy", "switch_connector"])
    dry = FILTERS["extid_migration_step"](record, result, "done", changed=True, check_mode=True)
    assert dry["outcome"] == "would_migrate"
    with pytest.raises(AnsibleFilterError, match="step must be"):
        FILTERS["extid_migration_step"](record, result, "narrow")


def test_failure_record_masks_every_known_id():
    result = plan(roles(trusting(OLD)))
    failed = FILTERS["extid_migration_failed"](result["record"], "refused %s and %s" % (OLD, NEW), "Switch", result["ids"])
    assert failed["outcome"] == "failed" and failed["failed_task"] == "Switch"
    assert OLD not in failed["error"] and NEW not in failed["error"] and "user****" in failed["error"]
    assert FILTERS["extid_migration_failed"](result["record"], None)["error"] == "failed"


def test_record_starts_with_every_field():
    record = FILTERS["extid_migration_record"](ACCOUNT, "host-1", ROLE_CONNECTOR, True)
    assert record["mode"] == "check" and record["connector_id"] == 7 and record["outcome"] == "pending"
    assert set(record) >= {"host", "account_id", "role_arn", "state_before", "state_after", "accepted_before",
                           "accepted_after", "actions", "changed", "error", "failed_task", "problems"}
