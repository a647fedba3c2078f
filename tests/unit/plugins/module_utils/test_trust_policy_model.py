# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The trust-policy model: wildcards, and conditions read with three values for the manager's requests."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.swp.aws.plugins.module_utils._trust_policy import CODES, SWP_PRINCIPAL, analyze, manager_applicability
from ansible_collections.swp.aws.plugins.module_utils._trust_policy_model import (
    Facts,
    arn_match,
    evaluate,
    glob_match,
    glob_may_start,
    read_conditions,
)

SWP = "147995105371"
ROLE = "arn:aws:iam::444455556666:role/Connector"
MANAGER_ID = "mgr-5f0c9a2e-7b1d-4e8a"
OLD = "user-defined-0001"


def reference_glob(pattern, text):
    """Every way of splitting the text, tried: slow and obviously right, for short inputs only."""
    if not pattern:
        return not text
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        return any(reference_glob(rest, text[cut:]) for cut in range(len(text) + 1))
    return bool(text) and (head == "?" or head == text[0]) and reference_glob(rest, text[1:])


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet="ab*?", max_size=9), st.text(alphabet="ab", max_size=9))
def test_property_glob_match_agrees_with_the_exhaustive_reference(pattern, text):
    assert glob_match(pattern, text) == reference_glob(pattern, text)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet="ab*?", max_size=7), st.text(alphabet="ab", max_size=4))
def test_property_glob_may_start_agrees_with_a_search_of_suffixes(pattern, prefix):
    suffixes = ["".join(letters) for size in range(8) for letters in itertools.product("ab", repeat=size)]
    assert glob_may_start(pattern, prefix) == any(reference_glob(pattern, prefix + suffix) for suffix in suffixes)


@pytest.mark.parametrize("pattern, text, fold, expected", [
    ("sts:Assume*", "sts:assumerole", True, True),
    ("sts:Assume*", "sts:assumerole", False, False),
    ("a*b*c", "abc", False, True),
    ("a*b*c", "acb", False, False),
    ("*", "", False, True),
    ("?", "", False, False),
    ("a?c*", "abcdef", False, True),
    ("**a**", "a", False, True),
])
def test_glob_match(pattern, text, fold, expected):
    assert glob_match(pattern, text, fold=fold) is expected


def test_glob_match_is_bounded_on_adversarial_patterns():
    """A backtracking matcher takes exponential time on these; the two pointers take a few milliseconds."""
    started = time.perf_counter()
    assert not glob_match("*a" * 600 + "b", "a" * 1224)
    assert not glob_match("*?" * 600 + "b", "a" * 1224)
    assert glob_match("*a" * 600, "a" * 1224)
    assert not glob_match("*" + "a" * 2000 + "?b", "a" * 1224 * 2)
    assert glob_match("*a?a?*b", "xxaxaxb") and not glob_match("*a?a?*b", "xxaxab")
    assert time.perf_counter() - started < 5  # generous: the figure itself is measured by `make bench`


@pytest.mark.parametrize("pattern, value, expected", [
    ("arn:aws:iam::147995105371:*", "arn:aws:iam::147995105371:role/Dsm", True),
    ("arn:aws:iam::*:role/Dsm", "arn:aws:iam::147995105371:role/Dsm", True),
    # Each part on its own: a star does not reach across a colon.
    ("arn:aws:*", "arn:aws:iam::147995105371:root", False),
    ("arn:aws:iam::147995105371:role/*", "arn:aws:iam::147995105371:root", False),
    ("not-an-arn", "arn:aws:iam::147995105371:root", False),
])
def test_arn_match_takes_each_part_on_its_own(pattern, value, expected):
    assert arn_match(pattern, value) is expected


def _conditions(block):
    return read_conditions("Statement[0]", block)


ANY_PRINCIPAL = Facts("aws", SWP)
ROOT_ONLY = Facts("aws", SWP, arns=("arn:aws:iam::%s:root" % SWP,), principal_type="Account")
OLD_POLICY = Facts("aws", SWP, version="2008-10-17")


@pytest.mark.parametrize("block, facts, expected", [
    # Policy variables resolve to the request's own values in a 2012-10-17 policy, and are text in an older one.
    ({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, ANY_PRINCIPAL, True),
    ({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, OLD_POLICY, False),
    ({"StringNotEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, ANY_PRINCIPAL, False),
    ({"StringEquals": {"aws:PrincipalAccount": "${aws:username}"}}, ANY_PRINCIPAL, None),
    ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:*"}}, ANY_PRINCIPAL, None),
    ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:root"}}, ROOT_ONLY, True),
    # IgnoreCase compares without letter case, ARNs and account IDs too.
    ({"StringEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:AWS:IAM::%s:ROOT" % SWP}}, ROOT_ONLY, True),
    ({"StringEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:AWS:IAM::%s:ROLE/X" % SWP}}, ANY_PRINCIPAL, None),
    ({"StringEquals": {"aws:PrincipalArn": "ARN:AWS:IAM::%s:ROLE/X" % SWP}}, ANY_PRINCIPAL, False),
    ({"StringNotEqualsIgnoreCase": {"aws:PrincipalAccount": SWP}}, ANY_PRINCIPAL, False),
    ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:*"}}, ANY_PRINCIPAL, False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:*:*:%s:*" % SWP}}, ANY_PRINCIPAL, None),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:s3:*:%s:*" % SWP}}, ANY_PRINCIPAL, False),
    # Every negated operator is true on a missing key, so a Null: true beside one is no contradiction.
    ({"Null": {"aws:SourceIp": "true"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:MultiFactorAuthAge": "true"}, "NumericNotEquals": {"aws:MultiFactorAuthAge": "5"}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:CurrentTime": "true"}, "DateNotEquals": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:SourceVpc": "true"}, "StringNotLike": {"aws:SourceVpc": "vpc-*"}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:SourceArn": "true"}, "ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::b"}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:SourceIp": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, ANY_PRINCIPAL, False),
    ({"Null": {"aws:SourceIp": "true"}, "IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:TagKeys": "true"}, "ForAllValues:StringEquals": {"aws:TagKeys": "a"}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:TagKeys": "true"}, "ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}, ANY_PRINCIPAL, False),
    # Values under one operator are ORed: Null with both values holds whether the key is there or not.
    ({"Null": {"aws:SourceIp": ["true", "false"]}}, ANY_PRINCIPAL, True),
    ({"Null": {"aws:SourceIp": ["true", "false"]}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, ANY_PRINCIPAL, None),
    # A key that may be there or not, with any value: unknown, unless no value can meet the conditions.
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, ANY_PRINCIPAL, None),
    ({"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, ANY_PRINCIPAL, False),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-1"}, "StringNotEquals": {"aws:PrincipalOrgID": ["o-1", "o-2"]}}, ANY_PRINCIPAL, False),
    ({"StringEquals": {"aws:PrincipalOrgID": "O-1"}, "StringNotEqualsIgnoreCase": {"aws:PrincipalOrgID": "o-1"}}, ANY_PRINCIPAL, False),
    ({"Bool": {"aws:PrincipalIsAWSService": "true"}}, ANY_PRINCIPAL, False),
    ({"StringEquals": {"aws:PrincipalType": "Account"}}, ROOT_ONLY, True),
    ({"StringEquals": {"aws:PrincipalType": "Account"}}, ANY_PRINCIPAL, None),
])
def test_a_condition_for_the_managers_request_has_three_values(block, facts, expected):
    assert evaluate(_conditions(block), facts) is expected


@pytest.mark.parametrize("block, external_id, expected", [
    ({"StringEquals": {"sts:ExternalId": MANAGER_ID}}, MANAGER_ID, True),
    ({"StringEquals": {"sts:ExternalId": MANAGER_ID}}, None, False),
    ({"StringEqualsIfExists": {"sts:ExternalId": OLD}}, None, True),
    ({"StringNotEquals": {"sts:ExternalId": OLD}}, None, True),
    ({"Null": {"sts:ExternalId": ["true", "false"]}}, MANAGER_ID, True),
    ({"Null": {"sts:ExternalId": "true"}}, MANAGER_ID, False),
    ({"StringEqualsIgnoreCase": {"sts:ExternalId": MANAGER_ID.upper()}}, MANAGER_ID, True),
])
def test_the_external_id_is_read_as_the_request_carries_it(block, external_id, expected):
    assert evaluate(_conditions(block), ANY_PRINCIPAL.with_external_id(external_id)) is expected


def _policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(condition, principal=None, effect="Allow", sid=None):
    statement = {"Effect": effect, "Principal": principal or {"AWS": "arn:aws:iam::%s:root" % SWP}, "Action": "sts:AssumeRole",
                 "Condition": condition}
    if sid:
        statement["Sid"] = sid
    return statement


NORMAL = _allow({"StringEquals": {"sts:ExternalId": OLD}})


@pytest.mark.parametrize("deny, code", [
    # A Deny whose conditions may hold for the manager with the manager-defined ID: a lockout after the switch.
    ({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, "deny_may_apply"),
    ({"StringNotLike": {"sts:ExternalId": OLD}}, "deny_may_apply"),
    ({"Null": {"sts:ExternalId": ["true", "false"]}}, "deny_may_apply"),
    ({"StringNotEqualsIgnoreCase": {"aws:PrincipalArn": "arn:aws:iam::111122223333:root"}}, "deny_may_apply"),
    ({}, "denied"),
])
def test_a_deny_that_may_refuse_the_manager_id_fails_before_any_write(deny, code):
    result = analyze(_policy(NORMAL, _allow(deny, principal="*", effect="Deny", sid="Guard")), MANAGER_ID, ROLE)
    assert result["action"] == "fail" and result["widened"] is None and result["narrowed"] is None
    assert [(problem["code"], problem["where"]) for problem in result["problems"]] == [(code, "Statement[1] (Sid Guard)")]
    assert "Sid Guard" in result["message"]


@pytest.mark.parametrize("deny", [
    {"StringEquals": {"sts:ExternalId": OLD}},
    {"Null": {"sts:ExternalId": "true"}},
    {"StringNotEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}},
    {"StringNotEquals": {"aws:PrincipalAccount": SWP}},
])
def test_a_deny_that_cannot_apply_to_the_manager_id_lets_the_migration_go_on(deny):
    result = analyze(_policy(NORMAL, _allow(deny, principal="*", effect="Deny")), MANAGER_ID, ROLE)
    assert (result["state"], result["action"]) == ("user_defined", "migrate")


def test_a_condition_on_the_requests_external_id_through_a_variable_fails_closed():
    statement = _allow({"StringEquals": {"sts:ExternalId": OLD, "aws:PrincipalTag/id": "${sts:ExternalId}"}}, sid="Tag")
    result = analyze(_policy(statement), MANAGER_ID, ROLE)
    assert [(p["code"], p["where"]) for p in result["problems"]] == [("external_id_variable", "Statement[0] (Sid Tag)")]


def test_every_problem_carries_a_known_code_and_no_role_variable():
    policies = [_policy(_allow({}, principal="*")), _policy(_allow({"StringEquals": {"aws:SourceIp": "x"}})),
                _policy(NORMAL, _allow({}, effect="Deny")), {"Statement": "nope"},
                _policy({"Effect": "Allow", "NotPrincipal": {"AWS": SWP}, "Action": "sts:AssumeRole"})]
    seen = set()
    for policy in policies:
        result = analyze(policy, MANAGER_ID, ROLE)
        assert result["action"] == "fail"
        for problem in result["problems"]:
            assert problem["code"] in CODES
            assert "extid_migration_" not in problem["fix"] and "connector_onboarding_" not in problem["fix"]
            seen.add(problem["code"])
        assert "extid_migration_" not in result["message"]
    assert len(seen) >= 4


@pytest.mark.parametrize("statement, expected", [
    (_allow({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, principal="*"), True),
    (_allow({"StringNotEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, principal="*"), False),
    ({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::%s:root" % SWP}, "Action": "sts:AssumeRole"}, True),
    ({"Effect": "Allow", "NotPrincipal": {"AWS": "*"}, "Action": "sts:AssumeRole"}, False),
    (_allow({"Null": {"aws:SourceIp": "true"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), True),
    (_allow({"Null": {"aws:SourceIp": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), False),
    (_allow({"StringEqualsIgnoreCase": {"aws:PrincipalAccount": SWP}}, principal="*"), True),
    ({"Effect": "Allow", "Principal": {"AWS": SWP}, "Action": "sts:TagSession"}, False),
    (_allow({}, principal={"AWS": "arn:aws:iam::111122223333:root"}), False),
])
def test_manager_applicability(statement, expected):
    assert manager_applicability(_policy(statement), ROLE, SWP_PRINCIPAL) == [expected]
