# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding plan and the check of an ID read from a secrets store, with tables; policies judged by the evaluator."""

from __future__ import annotations

import json

import pytest

from ansible_collections.swp.aws.plugins.module_utils._extid_store import StoreError, resolve, source_name
from ansible_collections.swp.aws.plugins.module_utils._onboarding import (
    PERMISSIONS,
    OnboardingError,
    permissions_policy,
    plan_onboarding,
    record_step,
    target,
    trust_policy,
)
from ansible_collections.swp.aws.tests.unit.plugins.module_utils.iam_eval import is_allowed

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
