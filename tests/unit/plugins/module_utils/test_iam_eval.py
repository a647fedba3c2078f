# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The test-side IAM trust-policy evaluator against documented IAM behaviours, one table row each."""

from __future__ import annotations

import pytest

from ansible_collections.swp.aws.tests.support.iam_eval import PolicyError, glob_match, is_allowed, statement_applies

ROLE = "arn:aws:iam::444455556666:role/Target"
ROLE_CN = "arn:aws-cn:iam::444455556666:role/Target"
SWP = "147995105371"
ROOT = "arn:aws:iam::%s:root" % SWP
SESSION = "arn:aws:sts::%s:assumed-role/Dsm/s1" % SWP
USER = "arn:aws:iam::%s:user/ops/alice" % SWP
OTHER = "arn:aws:sts::111122223333:assumed-role/Dsm/s1"
EC2 = {"Service": "ec2.amazonaws.com"}


def allow(principal=None, condition=None, action="sts:AssumeRole", effect="Allow", key="Principal", **extra):
    statement = {"Effect": effect, key: principal or {"AWS": ROOT}, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    statement.update(extra)
    return statement


def pol(*statements, version="2012-10-17"):
    policy = {"Statement": list(statements)}
    if version is not None:
        policy["Version"] = version
    return policy


def req(principal=SESSION, action="sts:AssumeRole", **context):
    return {"principal": principal, "action": action, "context": context}


def ext(value):
    return {"sts:ExternalId": value}


def cond(operator, key, value):
    return {operator: {key: value}}


CASES = [
    # --- effects ---------------------------------------------------------------------------------
    ("no statement: default deny", pol(), req(), ROLE, False),
    ("plain allow", pol(allow({"AWS": ROOT})), req(), ROLE, True),
    ("explicit deny wins over allow", pol(allow({"AWS": ROOT}), allow({"AWS": ROOT}, effect="Deny")), req(), ROLE, False),
    ("deny for someone else does not matter", pol(allow({"AWS": ROOT}), allow({"AWS": "111122223333"}, effect="Deny")),
     req(), ROLE, True),
    # --- principals ------------------------------------------------------------------------------
    ("Principal '*' covers everyone", pol(allow("*")), req(OTHER), ROLE, True),
    ("AWS '*' covers everyone", pol(allow({"AWS": "*"})), req(OTHER), ROLE, True),
    ("'*' covers a service too", pol(allow("*")), req(EC2), ROLE, True),
    ("list of principals", pol(allow({"AWS": ["arn:aws:iam::111122223333:root", ROOT]})), req(USER), ROLE, True),
    ("bare account ID = root of the role's partition", pol(allow({"AWS": SWP})), req(SESSION), ROLE, True),
    ("bare account ID in aws-cn role is the aws-cn root", pol(allow({"AWS": SWP})), req(SESSION), ROLE_CN, False),
    ("bare account ID in aws-cn role lets the aws-cn session in", pol(allow({"AWS": SWP})),
     req("arn:aws-cn:sts::%s:assumed-role/Dsm/s1" % SWP), ROLE_CN, True),
    ("root ARN of another partition does not cover", pol(allow({"AWS": "arn:aws-us-gov:iam::%s:root" % SWP})),
     req(SESSION), ROLE, False),
    ("root ARN covers the root itself", pol(allow({"AWS": ROOT})), req(ROOT), ROLE, True),
    ("root ARN does not cover another account", pol(allow({"AWS": ROOT})), req(OTHER), ROLE, False),
    ("role ARN covers its sessions", pol(allow({"AWS": "arn:aws:iam::%s:role/path/Dsm" % SWP})), req(SESSION), ROLE, True),
    ("role ARN does not cover another role's sessions", pol(allow({"AWS": "arn:aws:iam::%s:role/Other" % SWP})),
     req(SESSION), ROLE, False),
    ("role ARN does not cover the account root", pol(allow({"AWS": "arn:aws:iam::%s:role/Dsm" % SWP})), req(ROOT), ROLE,
     False),
    ("user ARN covers that user", pol(allow({"AWS": USER})), req(USER), ROLE, True),
    ("user ARN does not cover a session", pol(allow({"AWS": USER})), req(SESSION), ROLE, False),
    ("session ARN covers only that session", pol(allow({"AWS": SESSION})),
     req("arn:aws:sts::%s:assumed-role/Dsm/s2" % SWP), ROLE, False),
    ("service principal", pol(allow({"Service": "ec2.amazonaws.com"})), req(EC2), ROLE, True),
    ("service principal does not cover an AWS principal", pol(allow({"Service": "ec2.amazonaws.com"})), req(ROOT), ROLE,
     False),
    ("AWS principal does not cover a service", pol(allow({"AWS": ROOT})), req(EC2), ROLE, False),
    ("mixed AWS and Service", pol(allow({"AWS": ROOT, "Service": "ec2.amazonaws.com"})), req(EC2), ROLE, True),
    ("federated principal", pol(allow({"Federated": "cognito-identity.amazonaws.com"},
                                      action="sts:AssumeRoleWithWebIdentity")),
     req({"Federated": "cognito-identity.amazonaws.com"}, action="sts:AssumeRoleWithWebIdentity"), ROLE, True),
    ("NotPrincipal in Allow: everyone else", pol(allow({"AWS": "arn:aws:iam::111122223333:root"}, key="NotPrincipal")),
     req(SESSION), ROLE, True),
    ("NotPrincipal excludes only with the whole chain listed",
     pol(allow("*"), allow({"AWS": ["arn:aws:iam::%s:role/Dsm" % SWP, SESSION]}, effect="Deny", key="NotPrincipal")),
     req(SESSION), ROLE, False),
    ("NotPrincipal with account, role and session listed spares the session",
     pol(allow("*"), allow({"AWS": [ROOT, "arn:aws:iam::%s:role/Dsm" % SWP, SESSION]}, effect="Deny", key="NotPrincipal")),
     req(SESSION), ROLE, True),
    # --- actions ---------------------------------------------------------------------------------
    ("action wildcard", pol(allow({"AWS": ROOT}, action="sts:Assume*")), req(), ROLE, True),
    ("action case-insensitive", pol(allow({"AWS": ROOT}, action="STS:assumerole")), req(), ROLE, True),
    ("action ? wildcard", pol(allow({"AWS": ROOT}, action="sts:?ssumeRole")), req(), ROLE, True),
    ("other action does not cover", pol(allow({"AWS": ROOT}, action="sts:TagSession")), req(), ROLE, False),
    ("action list", pol(allow({"AWS": ROOT}, action=["sts:TagSession", "sts:AssumeRole"])), req(action="sts:TagSession"),
     ROLE, True),
    ("NotAction covers everything else", pol({"Effect": "Allow", "Principal": {"AWS": ROOT}, "NotAction": "sts:TagSession"}),
     req(), ROLE, True),
    ("NotAction excludes the listed one", pol({"Effect": "Allow", "Principal": {"AWS": ROOT}, "NotAction": "sts:Assume*"}),
     req(), ROLE, False),
    # --- string operators ------------------------------------------------------------------------
    ("StringEquals match", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "abc"))), req(**ext("abc")), ROLE,
     True),
    ("StringEquals is case-sensitive", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "abc"))),
     req(**ext("ABC")), ROLE, False),
    ("StringEquals on an absent key is false", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "abc"))), req(),
     ROLE, False),
    ("several values are ORed", pol(allow(condition=cond("StringEquals", "sts:ExternalId", ["a", "b"]))), req(**ext("b")),
     ROLE, True),
    ("condition keys are case-insensitive", pol(allow(condition=cond("StringEquals", "STS:EXTERNALID", "abc"))),
     req(**ext("abc")), ROLE, True),
    ("operator names are case-insensitive", pol(allow(condition=cond("stringequals", "sts:ExternalId", "abc"))),
     req(**ext("abc")), ROLE, True),
    ("StringEqualsIgnoreCase", pol(allow(condition=cond("StringEqualsIgnoreCase", "sts:ExternalId", "abc"))),
     req(**ext("AbC")), ROLE, True),
    ("StringNotEquals on another value", pol(allow(condition=cond("StringNotEquals", "sts:ExternalId", "abc"))),
     req(**ext("zzz")), ROLE, True),
    ("StringNotEquals with several values is NOR", pol(allow(condition=cond("StringNotEquals", "sts:ExternalId", ["a", "b"]))),
     req(**ext("b")), ROLE, False),
    ("negated operator on an absent key is true", pol(allow(condition=cond("StringNotEquals", "sts:ExternalId", "abc"))),
     req(), ROLE, True),
    ("StringNotLike on an absent key is true", pol(allow(condition=cond("StringNotLike", "sts:ExternalId", "a*"))), req(),
     ROLE, True),
    ("StringNotEqualsIgnoreCase", pol(allow(condition=cond("StringNotEqualsIgnoreCase", "sts:ExternalId", "abc"))),
     req(**ext("ABC")), ROLE, False),
    ("StringLike *", pol(allow(condition=cond("StringLike", "sts:ExternalId", "legacy-*"))), req(**ext("legacy-7")), ROLE,
     True),
    ("StringLike ?", pol(allow(condition=cond("StringLike", "sts:ExternalId", "id-?"))), req(**ext("id-12")), ROLE, False),
    ("StringLike '*' needs the key", pol(allow(condition=cond("StringLike", "sts:ExternalId", "*"))), req(), ROLE, False),
    ("StringNotLike excludes a match", pol(allow(condition=cond("StringNotLike", "sts:ExternalId", "legacy-*"))),
     req(**ext("legacy-1")), ROLE, False),
    ("IfExists: absent key passes", pol(allow(condition=cond("StringEqualsIfExists", "sts:ExternalId", "abc"))), req(), ROLE,
     True),
    ("IfExists: present key is checked", pol(allow(condition=cond("StringEqualsIfExists", "sts:ExternalId", "abc"))),
     req(**ext("zzz")), ROLE, False),
    ("ForAllValues on an absent key is true", pol(allow(condition=cond("ForAllValues:StringEquals", "sts:ExternalId", "a"))),
     req(), ROLE, True),
    ("ForAnyValue on an absent key is false", pol(allow(condition=cond("ForAnyValue:StringEquals", "sts:ExternalId", "a"))),
     req(), ROLE, False),
    ("ForAllValues needs every request value", pol(allow(condition=cond("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"]))),
     req(**{"aws:TagKeys": ["a", "c"]}), ROLE, False),
    ("ForAnyValue needs one request value", pol(allow(condition=cond("ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"]))),
     req(**{"aws:TagKeys": ["x", "b"]}), ROLE, True),
    ("ForAllValues on an empty list is true", pol(allow(condition=cond("ForAllValues:StringEquals", "aws:TagKeys", "a"))),
     req(**{"aws:TagKeys": []}), ROLE, True),
    ("ForAllValues:StringNotLike", pol(allow(condition=cond("ForAllValues:StringNotLike", "aws:TagKeys", "x*"))),
     req(**{"aws:TagKeys": ["a", "xb"]}), ROLE, False),
    ("Null true: key must be absent", pol(allow(condition=cond("Null", "sts:ExternalId", "true"))), req(), ROLE, True),
    ("Null false: key must be present", pol(allow(condition=cond("Null", "sts:ExternalId", "false"))), req(**ext("q")),
     ROLE, True),
    ("Null false with the key absent", pol(allow(condition=cond("Null", "sts:ExternalId", "false"))), req(), ROLE, False),
    ("Null with a JSON boolean", pol(allow(condition=cond("Null", "sts:ExternalId", False))), req(**ext("q")), ROLE, True),
    ("integer value read as text", pol(allow(condition=cond("StringEquals", "sts:ExternalId", 12345))), req(**ext("12345")),
     ROLE, True),
    # --- numeric, date, bool, binary -------------------------------------------------------------
    ("NumericLessThan", pol(allow(condition=cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600"))),
     req(**{"aws:MultiFactorAuthAge": "10"}), ROLE, True),
    ("NumericGreaterThanEquals false", pol(allow(condition=cond("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", 3600))),
     req(**{"aws:MultiFactorAuthAge": "10"}), ROLE, False),
    ("NumericNotEquals on absent key", pol(allow(condition=cond("NumericNotEquals", "aws:MultiFactorAuthAge", 1))), req(),
     ROLE, True),
    ("NumericEquals with a non-number never matches", pol(allow(condition=cond("NumericEquals", "k:n", "1"))),
     req(**{"k:n": "one"}), ROLE, False),
    ("DateLessThan ISO", pol(allow(condition=cond("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"))),
     req(**{"aws:CurrentTime": "2029-12-31T23:59:59Z"}), ROLE, True),
    ("DateGreaterThan epoch", pol(allow(condition=cond("DateGreaterThan", "aws:EpochTime", "1700000000"))),
     req(**{"aws:EpochTime": "1600000000"}), ROLE, False),
    ("DateEquals across time zones", pol(allow(condition=cond("DateEquals", "aws:CurrentTime", "2030-01-01T01:00:00+01:00"))),
     req(**{"aws:CurrentTime": "2030-01-01T00:00:00Z"}), ROLE, True),
    ("Bool true", pol(allow(condition=cond("Bool", "aws:SecureTransport", "true"))),
     req(**{"aws:SecureTransport": "true"}), ROLE, True),
    ("Bool on an absent key is false", pol(allow(condition=cond("Bool", "aws:SecureTransport", "true"))), req(), ROLE, False),
    ("BoolIfExists on an absent key is true", pol(allow(condition=cond("BoolIfExists", "aws:MultiFactorAuthPresent", True))),
     req(), ROLE, True),
    ("BinaryEquals", pol(allow(condition=cond("BinaryEquals", "k:bin", "QmluYXJ5"))), req(**{"k:bin": "QmluYXJ5"}), ROLE,
     True),
    ("BinaryEquals differs", pol(allow(condition=cond("BinaryEquals", "k:bin", "QmluYXJ5"))), req(**{"k:bin": "QmluYXJ6"}),
     ROLE, False),
    # --- IP and ARN ------------------------------------------------------------------------------
    ("IpAddress in CIDR", pol(allow(condition=cond("IpAddress", "aws:SourceIp", "10.0.0.0/8"))),
     req(**{"aws:SourceIp": "10.1.2.3"}), ROLE, True),
    ("IpAddress outside", pol(allow(condition=cond("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.0.2.1"]))),
     req(**{"aws:SourceIp": "192.0.2.2"}), ROLE, False),
    ("NotIpAddress outside", pol(allow(condition=cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))),
     req(**{"aws:SourceIp": "192.0.2.2"}), ROLE, True),
    ("IpAddress IPv6", pol(allow(condition=cond("IpAddress", "aws:SourceIp", "2001:db8::/32"))),
     req(**{"aws:SourceIp": "2001:db8::1"}), ROLE, True),
    ("IpAddress on an absent key is false", pol(allow(condition=cond("IpAddress", "aws:SourceIp", "10.0.0.0/8"))), req(),
     ROLE, False),
    ("ArnLike on aws:PrincipalArn (derived)",
     pol(allow("*", condition=cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::%s:role/*" % SWP))),
     req(SESSION), ROLE, True),
    ("ArnLike: components are matched one by one",
     pol(allow("*", condition=cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Dsm"))),
     req(OTHER), ROLE, True),
    ("ArnEquals on the root", pol(allow("*", condition=cond("ArnEquals", "aws:PrincipalArn", ROOT))), req(SESSION), ROLE,
     False),
    ("ArnNotLike", pol(allow("*", condition=cond("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::%s:*" % SWP))),
     req(OTHER), ROLE, True),
    ("aws:PrincipalAccount derived", pol(allow("*", condition=cond("StringEquals", "aws:PrincipalAccount", SWP))),
     req(SESSION), ROLE, True),
    ("aws:PrincipalAccount excludes another account",
     pol(allow("*", condition=cond("StringEquals", "aws:PrincipalAccount", SWP))),
     req(OTHER), ROLE, False),
    ("aws:PrincipalOrgID from the context", pol(allow("*", condition=cond("StringEquals", "aws:PrincipalOrgID", "o-1"))),
     req(OTHER, **{"aws:PrincipalOrgID": "o-1"}), ROLE, True),
    ("a service has no aws:PrincipalAccount", pol(allow("*", condition=cond("StringNotEquals", "aws:PrincipalAccount", SWP))),
     req(EC2), ROLE, True),
    # --- combination -----------------------------------------------------------------------------
    ("two keys are ANDed", pol(allow(condition={"StringEquals": {"sts:ExternalId": "a", "aws:PrincipalAccount": "1"}})),
     req(**ext("a")), ROLE, False),
    ("two operators are ANDed",
     pol(allow(condition={"StringEquals": ext("a"), "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
     req(**{"sts:ExternalId": "a", "aws:SourceIp": "10.0.0.1"}), ROLE, True),
    ("statements are ORed", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "a")),
                                allow(condition=cond("StringEquals", "sts:ExternalId", "b"))),
     req(**ext("b")), ROLE, True),
    ("a conditional deny", pol(allow(), allow(effect="Deny", condition=cond("StringEquals", "sts:ExternalId", "bad"))),
     req(**ext("bad")), ROLE, False),
    # --- versions and policy variables -----------------------------------------------------------
    ("2012: a policy variable is substituted",
     pol(allow("*", condition=cond("StringEquals", "sts:ExternalId", "${aws:PrincipalAccount}"))),
     req(SESSION, **ext(SWP)), ROLE, True),
    ("2008: a policy variable is literal",
     pol(allow("*", condition=cond("StringEquals", "sts:ExternalId", "${aws:PrincipalAccount}")), version="2008-10-17"),
     req(SESSION, **ext(SWP)), ROLE, False),
    ("2008: the literal text matches",
     pol(allow("*", condition=cond("StringEquals", "sts:ExternalId", "${aws:PrincipalAccount}")), version="2008-10-17"),
     req(SESSION, **ext("${aws:PrincipalAccount}")), ROLE, True),
    ("no Version is 2008", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "${x}")), version=None),
     req(**ext("${x}")), ROLE, True),
    ("2012: ${*} is a literal asterisk in StringLike", pol(allow(condition=cond("StringLike", "sts:ExternalId", "a${*}"))),
     req(**ext("abc")), ROLE, False),
    ("2012: ${*} matches a literal asterisk", pol(allow(condition=cond("StringLike", "sts:ExternalId", "a${*}"))),
     req(**ext("a*")), ROLE, True),
    ("2012: an unresolved variable matches nothing",
     pol(allow(condition=cond("StringEquals", "sts:ExternalId", "${aws:username}"))), req(**ext("")), ROLE, False),
    ("2012: a variable default", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "${aws:username, 'dflt'}"))),
     req(**ext("dflt")), ROLE, True),
]


@pytest.mark.parametrize("name, policy, request_, role, expected", CASES, ids=[c[0] for c in CASES])
def test_documented_behaviour(name, policy, request_, role, expected):
    assert is_allowed(policy, request_, role) is expected, name


@pytest.mark.parametrize("policy", [
    pol(allow(condition=cond("StringEqualz", "sts:ExternalId", "a"))),
    pol(allow(condition=cond("ForSomeValues:StringEquals", "sts:ExternalId", "a"))),
    pol(allow(condition=cond("NullIfExists", "sts:ExternalId", "true"))),
    pol(allow({"Weird": "x"})),
    pol(allow({"AWS": 147995105371})),
    pol(allow(condition=cond("StringEquals", "sts:ExternalId", {"nested": "x"}))),
    pol(allow(effect="Maybe")),
    pol({"Effect": "Allow", "Principal": "*"}),
    # an unknown operator in a statement that does not apply still makes the policy unreadable
    pol(allow({"AWS": "111122223333"}, condition=cond("Foo", "k", "v"))),
], ids=["unknown operator", "unknown qualifier", "Null IfExists", "unknown principal type", "integer principal",
        "nested value", "bad effect", "no action", "unknown operator elsewhere"])
def test_unknown_input_raises(policy):
    with pytest.raises(PolicyError):
        is_allowed(policy, req(**ext("a")), ROLE)


def test_a_policy_as_json_text():
    assert is_allowed('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "%s"}, '
                      '"Action": "sts:AssumeRole"}}' % SWP, req(), ROLE)


@pytest.mark.parametrize("pattern, text, expected", [
    ("*", "", True), ("a*c", "abbbc", True), ("a?c", "ac", False), ("*a*", "bab", True), ("a*b*c", "acb", False),
    ("", "", True), ("??", "ab", True), ("x", "X", False),
])
def test_glob(pattern, text, expected):
    assert glob_match(pattern, text) is expected


# ------------------------------------------------------------------------------------------------
# Issue 15, part 7: what the evaluator learned, each block from the IAM User Guide.

SWP_ROLE = "arn:aws:iam::%s:role/path/Dsm" % SWP
ABSENT = "k:absent"


def absent(operator, value):
    """A statement for everyone whose one condition is on a key no request of these tables carries."""
    return pol(allow("*", condition=cond(operator, ABSENT, value)))


DOCUMENTED = [
    # IAM User Guide, "IAM policy elements: Variables and tags": "Using variables in policies" (variables are
    # substituted in a 2012-10-17 policy, literal text in a 2008-10-17 one), "Principal key values"
    # (aws:username is an IAM user's friendly name, absent for the root and for role sessions),
    # "Specifying default values", "Policy variables with no value" (no equal or like value).
    ("var: ${aws:PrincipalAccount} in aws:PrincipalArn (ArnLike)",
     pol(allow("*", condition=cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:role/*"))),
     req(SESSION), ROLE, True),
    ("var: ${aws:PrincipalAccount} in aws:PrincipalArn, another account's role ARN too",
     pol(allow("*", condition=cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:role/*"))),
     req(OTHER), ROLE, True),
    ("var: ${aws:PrincipalAccount} in aws:PrincipalArn does not match the root's ARN under role/*",
     pol(allow("*", condition=cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:role/*"))),
     req(ROOT), ROLE, False),
    ("var: aws:PrincipalAccount equal to ${aws:PrincipalAccount} always holds",
     pol(allow("*", condition=cond("StringEquals", "aws:PrincipalAccount", "${aws:PrincipalAccount}"))),
     req(SESSION), ROLE, True),
    ("var: StringNotEquals aws:PrincipalAccount ${aws:PrincipalAccount} never holds",
     pol(allow("*", condition=cond("StringNotEquals", "aws:PrincipalAccount", "${aws:PrincipalAccount}"))),
     req(SESSION), ROLE, False),
    ("var: ${aws:username} for an IAM user",
     pol(allow({"AWS": USER}, condition=cond("StringEquals", "sts:ExternalId", "id-${aws:username}"))),
     req(USER, **ext("id-alice")), ROLE, True),
    ("var: ${aws:username} is absent for a role session",
     pol(allow(condition=cond("StringEquals", "sts:ExternalId", "id-${aws:username}"))),
     req(SESSION, **ext("id-")), ROLE, False),
    ("var: ${aws:username} absent, the default is used",
     pol(allow(condition=cond("StringEquals", "sts:ExternalId", "id-${aws:username, 'none'}"))),
     req(SESSION, **ext("id-none")), ROLE, True),
    ("var: the default is not used when the key is there",
     pol(allow({"AWS": USER}, condition=cond("StringEquals", "sts:ExternalId", "id-${aws:username, 'none'}"))),
     req(USER, **ext("id-none")), ROLE, False),
    ("var: the variable's key name is case-insensitive",
     pol(allow("*", condition=cond("StringEquals", "aws:PrincipalAccount", "${AWS:principalaccount}"))),
     req(SESSION), ROLE, True),
    ("var: ${aws:userid} of the root is the account ID",
     pol(allow("*", condition=cond("StringEquals", "sts:ExternalId", "${aws:userid}"))),
     req(ROOT, **ext(SWP)), ROLE, True),
    ("var: a context key as a variable", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "${aws:SourceIp}"))),
     req(**{"sts:ExternalId": "10.1.2.3", "aws:SourceIp": "10.1.2.3"}), ROLE, True),
    ("var: an unresolved variable under a negated operator: no equal value, so it holds",
     pol(allow(condition=cond("StringNotEquals", "sts:ExternalId", "${aws:username}"))),
     req(SESSION, **ext("x")), ROLE, True),
    ("var: in Bool (Boolean condition operators: policy variables supported)",
     pol(allow(condition=cond("Bool", "aws:SecureTransport", "${k:flag}"))),
     req(**{"aws:SecureTransport": "true", "k:flag": "true"}), ROLE, True),
    ("var: 2008, ${aws:PrincipalAccount} in aws:PrincipalArn is literal text",
     pol(allow("*", condition=cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:role/*")),
         version="2008-10-17"), req(SESSION), ROLE, False),
    ("var: no Version, ${aws:PrincipalAccount} in aws:PrincipalAccount is literal text",
     pol(allow("*", condition=cond("StringEquals", "aws:PrincipalAccount", "${aws:PrincipalAccount}")), version=None),
     req(SESSION), ROLE, False),
    # "Special characters": ${*}, ${?} and ${$} stand for a literal *, ? and $.
    ("var: ${?} is a literal question mark", pol(allow(condition=cond("StringLike", "sts:ExternalId", "a${?}"))),
     req(**ext("ab")), ROLE, False),
    ("var: ${?} matches a literal question mark", pol(allow(condition=cond("StringLike", "sts:ExternalId", "a${?}"))),
     req(**ext("a?")), ROLE, True),
    ("var: ${$} is a literal dollar", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "${$}{x}"))),
     req(**ext("${x}")), ROLE, True),
    ("var: ${*} in StringEquals is a literal asterisk", pol(allow(condition=cond("StringEquals", "sts:ExternalId", "${*}"))),
     req(**ext("*")), ROLE, True),
    ("var: 2008, ${*} is the text itself",
     pol(allow(condition=cond("StringEquals", "sts:ExternalId", "${*}")), version="2008-10-17"),
     req(**ext("${*}")), ROLE, True),
    # "IAM JSON policy elements: Condition operators", "String condition operators": the IgnoreCase operators,
    # here on the principal keys (aws:PrincipalArn, aws:PrincipalAccount, "AWS global condition context keys").
    ("IgnoreCase: StringEqualsIgnoreCase on aws:PrincipalArn",
     pol(allow("*", condition=cond("StringEqualsIgnoreCase", "aws:PrincipalArn", "ARN:AWS:IAM::%s:ROLE/DSM" % SWP))),
     req(SESSION), ROLE, True),
    ("IgnoreCase: StringEquals on aws:PrincipalArn is case-sensitive",
     pol(allow("*", condition=cond("StringEquals", "aws:PrincipalArn", "arn:aws:iam::%s:role/DSM" % SWP))),
     req(SESSION), ROLE, False),
    ("IgnoreCase: StringNotEqualsIgnoreCase on aws:PrincipalArn excludes another case",
     pol(allow("*", condition=cond("StringNotEqualsIgnoreCase", "aws:PrincipalArn", ROOT.upper()))),
     req(ROOT), ROLE, False),
    ("IgnoreCase: StringNotEqualsIgnoreCase on aws:PrincipalArn lets another principal in",
     pol(allow("*", condition=cond("StringNotEqualsIgnoreCase", "aws:PrincipalArn", ROOT.upper()))),
     req(SESSION), ROLE, True),
    ("IgnoreCase: StringEqualsIgnoreCase on aws:PrincipalAccount",
     pol(allow("*", condition=cond("StringEqualsIgnoreCase", "aws:PrincipalAccount", SWP))), req(USER), ROLE, True),
    ("IgnoreCase: StringNotEqualsIgnoreCase on aws:PrincipalAccount",
     pol(allow("*", condition=cond("StringNotEqualsIgnoreCase", "aws:PrincipalAccount", [SWP, "111122223333"]))),
     req(SESSION), ROLE, False),
    ("IgnoreCase: StringEqualsIgnoreCase with a variable",
     pol(allow("*", condition=cond("StringEqualsIgnoreCase", "aws:PrincipalArn",
                                   "ARN:aws:iam::${aws:PrincipalAccount}:ROOT"))), req(ROOT), ROLE, True),
    ("IgnoreCase: a role ARN with its path, given by the request",
     pol(allow("*", condition=cond("StringEqualsIgnoreCase", "aws:PrincipalArn", SWP_ROLE.upper()))),
     req(SWP_ROLE), ROLE, True),
    # "IAM JSON policy elements: Condition operators", the Important note: a key absent from the request context
    # makes every condition false, except that a negated operator ("not matched") is true, and except ...IfExists
    # and Null. Every negated operator IAM has:
    ("missing key: StringNotEquals is true", absent("StringNotEquals", "a"), req(), ROLE, True),
    ("missing key: StringNotEqualsIgnoreCase is true", absent("StringNotEqualsIgnoreCase", "a"), req(), ROLE, True),
    ("missing key: StringNotLike is true", absent("StringNotLike", "*"), req(), ROLE, True),
    ("missing key: ArnNotEquals is true", absent("ArnNotEquals", ROOT), req(), ROLE, True),
    ("missing key: ArnNotLike is true", absent("ArnNotLike", "arn:*:*:*:*:*"), req(), ROLE, True),
    ("missing key: NotIpAddress is true", absent("NotIpAddress", "0.0.0.0/0"), req(), ROLE, True),
    ("missing key: NumericNotEquals is true", absent("NumericNotEquals", "1"), req(), ROLE, True),
    ("missing key: DateNotEquals is true", absent("DateNotEquals", "2030-01-01T00:00:00Z"), req(), ROLE, True),
    # ... and every other operator is false there (no Not in its name: BinaryEquals and Bool have no negated form).
    ("missing key: StringEquals is false", absent("StringEquals", "a"), req(), ROLE, False),
    ("missing key: StringEqualsIgnoreCase is false", absent("StringEqualsIgnoreCase", "a"), req(), ROLE, False),
    ("missing key: StringLike '*' is false", absent("StringLike", "*"), req(), ROLE, False),
    ("missing key: ArnEquals is false", absent("ArnEquals", ROOT), req(), ROLE, False),
    ("missing key: ArnLike is false", absent("ArnLike", "arn:*:*:*:*:*"), req(), ROLE, False),
    ("missing key: IpAddress is false", absent("IpAddress", "0.0.0.0/0"), req(), ROLE, False),
    ("missing key: NumericEquals is false", absent("NumericEquals", "1"), req(), ROLE, False),
    ("missing key: NumericLessThan is false", absent("NumericLessThan", "1"), req(), ROLE, False),
    ("missing key: NumericLessThanEquals is false", absent("NumericLessThanEquals", "1"), req(), ROLE, False),
    ("missing key: NumericGreaterThan is false", absent("NumericGreaterThan", "1"), req(), ROLE, False),
    ("missing key: NumericGreaterThanEquals is false", absent("NumericGreaterThanEquals", "1"), req(), ROLE, False),
    ("missing key: DateEquals is false", absent("DateEquals", "2030-01-01T00:00:00Z"), req(), ROLE, False),
    ("missing key: DateLessThan is false", absent("DateLessThan", "2030-01-01T00:00:00Z"), req(), ROLE, False),
    ("missing key: DateLessThanEquals is false", absent("DateLessThanEquals", "2030-01-01T00:00:00Z"), req(), ROLE, False),
    ("missing key: DateGreaterThan is false", absent("DateGreaterThan", "2000-01-01T00:00:00Z"), req(), ROLE, False),
    ("missing key: DateGreaterThanEquals is false", absent("DateGreaterThanEquals", "2000-01-01T00:00:00Z"), req(), ROLE,
     False),
    ("missing key: Bool is false", absent("Bool", "false"), req(), ROLE, False),
    ("missing key: BinaryEquals is false", absent("BinaryEquals", "QmluYXJ5"), req(), ROLE, False),
    # A negated operator on a present key still has to miss every value (NOR: "Conditions with multiple context
    # keys or values", "Evaluation logic for multiple context keys or values").
    ("present key: NumericNotEquals with the value", pol(allow(condition=cond("NumericNotEquals", "k:n", ["1", "2"]))),
     req(**{"k:n": "2"}), ROLE, False),
    ("present key: DateNotEquals with another date", pol(allow(condition=cond("DateNotEquals", "k:d", "2030-01-01T00:00:00Z"))),
     req(**{"k:d": "2031-01-01T00:00:00Z"}), ROLE, True),
    ("present key: ArnNotEquals with the ARN", pol(allow("*", condition=cond("ArnNotEquals", "aws:PrincipalArn", ROOT))),
     req(ROOT), ROLE, False),
    ("present key: NotIpAddress inside", pol(allow(condition=cond("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.0.2.0/24"]))),
     req(**{"aws:SourceIp": "192.0.2.9"}), ROLE, False),
    # "...IfExists condition operators": true on a missing key, negated or not; checked as the base operator otherwise.
    ("missing key: StringNotEqualsIfExists is true", absent("StringNotEqualsIfExists", "a"), req(), ROLE, True),
    ("missing key: ArnLikeIfExists is true", absent("ArnLikeIfExists", ROOT), req(), ROLE, True),
    ("missing key: NumericNotEqualsIfExists is true", absent("NumericNotEqualsIfExists", "1"), req(), ROLE, True),
    ("missing key: IpAddressIfExists is true", absent("IpAddressIfExists", "10.0.0.0/8"), req(), ROLE, True),
    ("missing key: DateLessThanIfExists is true", absent("DateLessThanIfExists", "2000-01-01T00:00:00Z"), req(), ROLE, True),
    ("present key: StringNotLikeIfExists checks the value",
     pol(allow(condition=cond("StringNotLikeIfExists", "sts:ExternalId", "a*"))), req(**ext("ab")), ROLE, False),
    # "Set operators for multivalued context keys": ForAllValues is true and ForAnyValue false on a missing key
    # (or an empty list), whatever the operator after the qualifier, negated or IfExists included.
    ("missing key: ForAllValues:StringNotEquals is true", absent("ForAllValues:StringNotEquals", "a"), req(), ROLE, True),
    ("missing key: ForAllValues:StringLike is true", absent("ForAllValues:StringLike", "a"), req(), ROLE, True),
    ("missing key: ForAnyValue:StringNotEquals is false", absent("ForAnyValue:StringNotEquals", "a"), req(), ROLE, False),
    ("missing key: ForAnyValue:StringNotLike is false", absent("ForAnyValue:StringNotLike", "a*"), req(), ROLE, False),
    ("missing key: ForAnyValue:StringEqualsIfExists is false", absent("ForAnyValue:StringEqualsIfExists", "a"), req(), ROLE,
     False),
    ("missing key: ForAllValues:ArnNotLike is true", absent("ForAllValues:ArnNotLike", "arn:*:*:*:*:*"), req(), ROLE, True),
    ("one value: ForAnyValue:StringNotEquals with another value",
     pol(allow(condition=cond("ForAnyValue:StringNotEquals", "sts:ExternalId", "a"))), req(**ext("b")), ROLE, True),
    # "Condition operator to check existence of condition keys" (Null): true = the key is absent, false = present;
    # beside a negated operator on the same key, Null true is no contradiction (the negated operator holds on the
    # missing key), and several Null values are ORed ("Evaluation logic for multiple context keys or values").
    ("Null true beside StringNotEquals on the same key: the request without the key",
     pol(allow(condition={"Null": {"sts:ExternalId": "true"}, "StringNotEquals": {"sts:ExternalId": "a"}})), req(),
     ROLE, True),
    ("Null true beside NotIpAddress on the same key",
     pol(allow(condition={"Null": {"aws:SourceIp": "true"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})), req(),
     ROLE, True),
    ("Null true beside NumericNotEquals on the same key",
     pol(allow(condition={"Null": {"k:n": "true"}, "NumericNotEquals": {"k:n": "1"}})), req(), ROLE, True),
    ("Null true beside DateNotEquals on the same key",
     pol(allow(condition={"Null": {"k:d": "true"}, "DateNotEquals": {"k:d": "2030-01-01T00:00:00Z"}})), req(), ROLE, True),
    ("Null true beside ArnNotLike on the same key",
     pol(allow(condition={"Null": {"k:arn": "true"}, "ArnNotLike": {"k:arn": "arn:*:*:*:*:*"}})), req(), ROLE, True),
    ("Null true beside StringNotLike on the same key, the key present",
     pol(allow(condition={"Null": {"sts:ExternalId": "true"}, "StringNotLike": {"sts:ExternalId": "a*"}})),
     req(**ext("b")), ROLE, False),
    ("Null true beside StringEquals on the same key: a contradiction",
     pol(allow(condition={"Null": {"sts:ExternalId": "true"}, "StringEquals": {"sts:ExternalId": "a"}})),
     req(**ext("a")), ROLE, False),
    ("Null [true, false] holds without the key", pol(allow(condition=cond("Null", "sts:ExternalId", ["true", "false"]))),
     req(), ROLE, True),
    ("Null [true, false] holds with the key", pol(allow(condition=cond("Null", "sts:ExternalId", ["true", "false"]))),
     req(**ext("a")), ROLE, True),
    ("Null [false, true] beside StringEquals: the ID alone decides",
     pol(allow(condition={"Null": {"sts:ExternalId": ["false", "true"]}, "StringEquals": {"sts:ExternalId": "a"}})),
     req(**ext("a")), ROLE, True),
    ("Null [true, true] is Null true", pol(allow(condition=cond("Null", "sts:ExternalId", ["true", "true"]))),
     req(**ext("a")), ROLE, False),
    # "IAM JSON policy elements: NotPrincipal": a role session is excluded only when its account, its role and its
    # session are all listed; listing the account root alone excludes the root user only.
    ("NotPrincipal root ARN alone does not exclude a role session",
     pol(allow({"AWS": ROOT}, key="NotPrincipal")), req(SESSION), ROLE, True),
    ("NotPrincipal root ARN alone does not exclude a user", pol(allow({"AWS": ROOT}, key="NotPrincipal")), req(USER), ROLE,
     True),
    ("NotPrincipal root ARN excludes the root", pol(allow({"AWS": ROOT}, key="NotPrincipal")), req(ROOT), ROLE, False),
    ("NotPrincipal account ID alone does not exclude a role session",
     pol(allow({"AWS": SWP}, key="NotPrincipal")), req(SESSION), ROLE, True),
    ("NotPrincipal a role alone does not exclude its session",
     pol(allow({"AWS": "arn:aws:iam::%s:role/Dsm" % SWP}, key="NotPrincipal")), req(SESSION), ROLE, True),
    ("NotPrincipal account and user exclude the user",
     pol(allow({"AWS": [ROOT, USER]}, key="NotPrincipal")), req(USER), ROLE, False),
    ("NotPrincipal '*' excludes everyone", pol(allow({"AWS": "*"}, key="NotPrincipal")), req(SESSION), ROLE, False),
    ("Deny with NotPrincipal root: the session is denied",
     pol(allow("*"), allow({"AWS": ROOT}, effect="Deny", key="NotPrincipal")), req(SESSION), ROLE, False),
]


@pytest.mark.parametrize("name, policy, request_, role, expected", DOCUMENTED, ids=[c[0] for c in DOCUMENTED])
def test_documented_behaviour_issue_15(name, policy, request_, role, expected):
    assert is_allowed(policy, request_, role) is expected, name


def test_statement_applies_reads_the_version_it_is_given():
    statement = allow("*", condition=cond("StringEquals", "aws:PrincipalAccount", "${aws:PrincipalAccount}"))
    assert statement_applies(statement, req(SESSION), ROLE)
    assert not statement_applies(statement, req(SESSION), ROLE, version="2008-10-17")
