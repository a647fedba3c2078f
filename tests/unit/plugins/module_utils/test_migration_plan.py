# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout's per-account plan: IAM's size quota, the ID it is given, its own words on the core's problems, its guards."""

from __future__ import annotations

import json

import pytest

from ansible_collections.swp.aws.plugins.module_utils import _migration
from ansible_collections.swp.aws.plugins.module_utils._migration import (
    MigrationError,
    failure_message,
    plan_account,
    policy_size,
    quota,
    target,
)

M = "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b"
OLD = "legacy-user-defined-id-1"
SWP = "arn:aws:iam::147995105371:root"
ACCOUNT = target("", "123456789012", "TrendMicroWorkloadSecurityRole")
ARN = ACCOUNT["role_arn"]
CONNECTOR = {"id": 7, "auth_type": "cross_account_role", "cross_account_role_arn": ARN, "account_id": "123456789012"}


def swp_statement(ids, sid=None):
    body = {"Effect": "Allow", "Principal": {"AWS": SWP}, "Action": "sts:AssumeRole"}
    if sid:
        body["Sid"] = sid
    if ids is not None:
        body["Condition"] = {"StringEquals": {"sts:ExternalId": ids}}
    return body


def policy(*statements, pad=0):
    """A trust policy; ``pad`` characters of another principal's tag condition make it as long as a test needs."""
    statements = list(statements)
    if pad:
        statements.append({"Sid": "Audit", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                           "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x" * pad}}})
    return {"Version": "2012-10-17", "Statement": statements}


# ------------------------------------------------------------------ IAM's size quota

def test_the_size_is_compact_json_as_iam_counts_it():
    document = {"Version": "2012-10-17", "Statement": [{"Sid": "A b", "Effect": "Allow"}]}
    assert policy_size(document) == len('{"Version":"2012-10-17","Statement":[{"Sid":"A b","Effect":"Allow"}]}')
    assert policy_size({"Sid": "\u00e9"}) == len('{"Sid":"\u00e9"}')  # a character, not its \\u escape


def padded_to(widened_size):
    """A user-defined account whose widened trust policy is ``widened_size`` characters long (its narrowed one is shorter)."""
    base = plan_account("h", ACCOUNT, policy(swp_statement(OLD), pad=1), CONNECTOR, M, trust_policy_quota=4096)
    pad = 1 + widened_size - policy_size(base["widened"])
    found = policy(swp_statement(OLD), pad=pad)
    plan = plan_account("h", ACCOUNT, found, CONNECTOR, M, trust_policy_quota=4096)
    assert policy_size(plan["widened"]) == widened_size and policy_size(plan["narrowed"]) < widened_size
    return found, plan


@pytest.mark.parametrize("size, action", [(2047, "migrate"), (2048, "migrate"), (2049, "fail")])
def test_an_account_whose_widened_policy_would_exceed_the_quota_fails_before_any_write(size, action):
    found, sized = padded_to(size)
    plan = plan_account("h", ACCOUNT, found, CONNECTOR, M)
    assert plan["action"] == action
    if action == "migrate":
        assert plan["widened"] == sized["widened"] and plan["message"] is None
        return
    narrowed = policy_size(sized["narrowed"])
    assert plan["message"] == (
        "The trust policy of %s would be too long for IAM, so nothing was written: widened 2,049 and narrowed %s characters "
        "(compact JSON, as IAM counts them), over the quota of 2,048. Shorten the trust policy (statements or external IDs "
        "no one uses), or raise the role trust policy length quota in Service Quotas (IAM; up to 4,096) and set "
        "extid_migration_trust_policy_quota to it." % (ARN, format(narrowed, ",")))
    assert (plan["widened"], plan["narrowed"], plan["needs_widen"], plan["needs_narrow"]) == (None, None, False, False)
    assert plan["record"]["outcome"] == "failed" and plan["record"]["error"] == plan["message"]
    assert plan["record"]["state_before"] == "user_defined"
    # A raised quota, set in the option, lets it through.
    assert plan_account("h", ACCOUNT, found, CONNECTOR, M, trust_policy_quota="2049")["action"] == "migrate"


def test_a_narrow_that_would_exceed_the_quota_fails_even_when_no_widen_is_needed():
    # An open statement closed at the narrow: the widen writes nothing, the narrow grows the policy.
    found = policy(swp_statement(None), pad=1)
    base = plan_account("h", ACCOUNT, found, CONNECTOR, M, close_open_trust=True, trust_policy_quota=4096)
    assert not base["needs_widen"] and base["needs_narrow"]
    grow = policy_size(base["narrowed"]) - policy_size(base["widened"])
    found = policy(swp_statement(None), pad=1 + 2048 - policy_size(base["widened"]) - grow + 1)
    plan = plan_account("h", ACCOUNT, found, CONNECTOR, M, close_open_trust=True)
    assert plan["action"] == "fail"
    widened = policy_size(plan_account("h", ACCOUNT, found, CONNECTOR, M, close_open_trust=True, trust_policy_quota=4096)["widened"])
    assert widened <= 2048
    assert "widened %s and narrowed 2,049 characters" % format(widened, ",") in plan["message"]


@pytest.mark.parametrize("value", [2047, 4097, "big", None, True, 2048.5, "", "-2048"])
def test_the_quota_option_is_checked(value):
    with pytest.raises(MigrationError, match="extid_migration_trust_policy_quota must be a whole number from 2048"):
        plan_account("h", ACCOUNT, policy(swp_statement(OLD)), CONNECTOR, M, trust_policy_quota=value)


def test_the_quota_option_may_be_text_as_extra_vars_give_it():
    assert quota("4096", "x") == 4096 and quota(2048, "x") == 2048 and quota(" 3000 ", "x") == 3000


# ------------------------------------------------------------------ the ID it is given

def test_the_plan_refuses_an_id_sts_would_refuse_before_anything_else():
    with pytest.raises(MigrationError) as caught:
        plan_account("host-1", ACCOUNT, policy(swp_statement(OLD)), CONNECTOR, M + "\n")
    assert "in the plan of host-1 ends with a newline" in str(caught.value) and M not in str(caught.value)


# ------------------------------------------------------------------ the rollout's own words on the core's problems

def test_an_open_trust_failure_names_the_option_that_migrates_it():
    plan = plan_account("h", ACCOUNT, policy(swp_statement(None, sid="Legacy")), CONNECTOR, M)
    assert plan["action"] == "fail" and plan["state"] == "open"
    assert plan["message"].startswith("The trust policy of %s cannot be migrated safely, so nothing was written: "
                                      "Statement[0] (Sid Legacy): " % ARN)
    assert plan["message"].endswith("; require sts:ExternalId with StringEquals, or set extid_migration_close_open_trust "
                                    "to let the rollout do it.")
    assert plan["message"].count("extid_migration_close_open_trust") == 1


def test_principal_failures_name_the_rollouts_principal_option():
    no_id = plan_account("h", ACCOUNT, policy(pad=3), CONNECTOR, M)
    assert no_id["state"] == "no_external_id" and no_id["message"].endswith("(extid_migration_principal).")
    china = target("arn:aws-cn:iam::123456789012:role/R")
    other = plan_account("h", china, policy(swp_statement(OLD)), dict(CONNECTOR, cross_account_role_arn=china["role_arn"]), M)
    assert "partition" in other["message"] and other["message"].endswith("(extid_migration_principal).")
    assert other["message"].count("extid_migration_principal") == 1


def test_the_message_is_built_from_coded_role_neutral_problems():
    problems = [
        {"state": "open", "where": "Statement[0]", "problem": "it has no sts:ExternalId condition",
         "fix": "require sts:ExternalId with StringEquals", "code": "open_trust"},
        {"state": "invalid", "where": "Statement[1]", "problem": "its Effect is Perhaps", "fix": "correct the trust policy",
         "code": "invalid"},
        {"state": "not_editable", "where": "the policy", "problem": "the role is in aws-cn", "fix": "use the aws-cn principal",
         "code": "partition"},
    ]
    assert failure_message("Lead", problems, _migration._ADVICE) == (
        "Lead: Statement[0]: it has no sts:ExternalId condition; require sts:ExternalId with StringEquals, or set "
        "extid_migration_close_open_trust to let the rollout do it. Statement[1]: its Effect is Perhaps; correct the trust "
        "policy. the policy: the role is in aws-cn; use the aws-cn principal (extid_migration_principal).")


# ------------------------------------------------------------------ the plan's own guard

def test_a_narrowed_policy_the_core_would_not_call_migrated_is_refused_before_any_write(monkeypatch):
    real = _migration.analyze

    def analyze(document, manager_id, role_arn, **kwargs):
        result = real(document, manager_id, role_arn, **kwargs)
        if document is not found and kwargs.get("close_open_trust") is not True:  # the narrowed policy's analysis
            result = dict(result, state="half_done")
        return result

    found = policy(swp_statement(OLD))
    monkeypatch.setattr(_migration, "analyze", analyze)
    with pytest.raises(MigrationError, match="the narrowed trust policy would not be migrated \\(half_done\\)"):
        plan_account("h", ACCOUNT, found, CONNECTOR, M)


def test_a_record_of_a_failed_plan_holds_no_full_id():
    for found in (policy(swp_statement(None)), padded_to(2049)[0]):
        plan = plan_account("h", ACCOUNT, found, CONNECTOR, M)
        assert plan["action"] == "fail" and M not in json.dumps(plan["record"]) and OLD not in json.dumps(plan["record"])


def test_a_migration_failure_message_is_masked():
    named = target("", "123456789012", "swp-" + M)
    connector = dict(CONNECTOR, cross_account_role_arn=named["role_arn"])
    for found in (policy(swp_statement(None)), padded_to(2049)[0]):
        plan = plan_account("h", named, found, connector, M)
        assert plan["action"] == "fail" and "swp-3f1c****" in plan["message"]
        assert M not in plan["message"] and M not in plan["record"]["error"]
    assert M in plan_account("h", named, policy(swp_statement(None)), connector, M, reveal=True)["message"]


def test_a_failure_without_problems_is_the_lead_alone():
    assert failure_message("Lead", [], _migration._ADVICE) == "Lead."
