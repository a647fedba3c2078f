# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An adversarial corpus of role trust policies with the state the trust-policy core must find.

Each case names the policy, the arguments of ``analyze`` and the expected ``state`` (one state, or a
tuple of acceptable ones) and ``action``. For a ``fail`` the case names the statement the failure
must point at (``where``: a Sid, a ``Statement[i]`` index, or None for the policy as a whole). For a
``migrate`` nothing else is written down here: the independent evaluator judges the widened and
narrowed policies.
"""

from __future__ import annotations

import json
from urllib.parse import quote

SWP_ACCOUNT = "147995105371"
SWP_ROOT = "arn:aws:iam::%s:root" % SWP_ACCOUNT
SWP_ROLE = "arn:aws:iam::%s:role/Dsm" % SWP_ACCOUNT
SWP_PATH_ROLE = "arn:aws:iam::%s:role/service/DsmScanner" % SWP_ACCOUNT
SWP_USER = "arn:aws:iam::%s:user/ops/dsm" % SWP_ACCOUNT
SWP_SESSION = "arn:aws:sts::%s:assumed-role/Dsm/scan" % SWP_ACCOUNT
CN_ROOT = "arn:aws-cn:iam::%s:root" % SWP_ACCOUNT
GOV_ROOT = "arn:aws-us-gov:iam::%s:root" % SWP_ACCOUNT
OTHER_ACCOUNT = "111122223333"
OTHER_ROOT = "arn:aws:iam::%s:root" % OTHER_ACCOUNT
OTHER_ROLE = "arn:aws:iam::%s:role/Auditor" % OTHER_ACCOUNT

ROLE = "arn:aws:iam::444455556666:role/SwpConnector"
ROLE_CN = "arn:aws-cn:iam::444455556666:role/SwpConnector"
ROLE_GOV = "arn:aws-us-gov:iam::444455556666:role/SwpConnector"

MANAGER_ID = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"
OLD = "legacy-200000000002-AbCd"
OLD2 = "other-300000000003-EfGh"
OLD3 = "third-400000000004-IjKl"

ASSUME = "sts:AssumeRole"
EXT = "sts:ExternalId"


def st(principal=None, condition=None, sid=None, effect="Allow", action=ASSUME, not_action=None):
    """One statement; the principal defaults to the SWP root."""
    statement = {}
    if sid is not None:
        statement["Sid"] = sid
    statement["Effect"] = effect
    statement["Principal"] = principal if principal is not None else {"AWS": SWP_ROOT}
    if not_action is not None:
        statement["NotAction"] = not_action
    else:
        statement["Action"] = action
    if condition is not None:
        statement["Condition"] = condition
    return statement


def ext(value, operator="StringEquals"):
    return {operator: {EXT: value}}


def both(*conditions):
    """Conditions merged into one block (operators ANDed)."""
    out = {}
    for condition in conditions:
        for operator, pairs in condition.items():
            out.setdefault(operator, {}).update(pairs)
    return out


def pol(*statements, version="2012-10-17"):
    policy = {}
    if version is not None:
        policy["Version"] = version
    policy["Statement"] = list(statements)
    return policy


IN_10 = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
TLS = {"Bool": {"aws:SecureTransport": "true"}}
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-swp0000001"}}
SWP_ACCT_COND = {"StringEquals": {"aws:PrincipalAccount": SWP_ACCOUNT}}
OTHER_ACCT_COND = {"StringEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}}
DSM_ARN_COND = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::%s:role/Dsm*" % SWP_ACCOUNT}}
OTHER_ARN_COND = {"ArnEquals": {"aws:PrincipalArn": OTHER_ROLE}}

NORMAL = st(sid="Normal", condition=ext(OLD))


def deep(depth):
    value = "x"
    for _level in range(depth):
        value = {"k": value}
    return value


def case(name, policy, state, action=None, where=None, manager_id=MANAGER_ID, role_arn=ROLE, principal=None,
         close_open_trust=False):
    return {"name": name, "policy": policy, "state": state, "action": action, "where": where, "manager_id": manager_id,
            "role_arn": role_arn, "principal": principal, "close_open_trust": close_open_trust}


FAIL_STATES = ("open", "not_editable", "denied", "invalid", "no_external_id")
ACTIONS = {"migrated": "none", "user_defined": "migrate", "half_done": "migrate"}

CASES = [
    # --- the plain states -------------------------------------------------------------------------
    case("user-defined ID", pol(NORMAL), "user_defined"),
    case("migrated", pol(st(condition=ext(MANAGER_ID))), "migrated"),
    case("half done", pol(st(condition=ext([OLD, MANAGER_ID]))), "half_done"),
    case("no statement of the SWP principal", pol(st({"AWS": OTHER_ROOT}, ext(OLD))), "no_external_id", where=None),
    case("policy as JSON text", json.dumps(pol(NORMAL)), "user_defined"),
    case("policy as URL-encoded JSON text", quote(json.dumps(pol(NORMAL))), "user_defined"),
    case("Statement as a single object", {"Version": "2012-10-17", "Statement": NORMAL}, "user_defined"),
    case("StringLike with a literal ID", pol(st(condition=ext(OLD, "StringLike"))), "user_defined"),
    case("StringLike with a pattern", pol(st(condition=ext("legacy-*", "StringLike"))), "user_defined"),
    case("StringEqualsIgnoreCase", pol(st(condition=ext(OLD, "StringEqualsIgnoreCase"))), "user_defined"),
    case("ForAnyValue:StringEquals", pol(st(condition=ext(OLD, "ForAnyValue:StringEquals"))), "user_defined"),
    case("an integer ID", pol(st(condition=ext(123456789012345))), "user_defined"),
    case("condition key in other case", pol(st(condition={"StringEquals": {"STS:EXTERNALID": OLD}})), "user_defined"),
    case("operator in other case", pol(st(condition={"stringequals": {EXT: OLD}})), "user_defined"),
    case("M under a pattern that matches it", pol(st(condition=ext(["3f1c9a7e-*", OLD], "StringLike"))), "half_done"),
    case("migrated, only from 10/8", pol(st(condition=both(ext(MANAGER_ID), IN_10))), "migrated"),
    case("Null false beside StringEquals", pol(st(condition=both(ext(OLD), {"Null": {EXT: "false"}}))), "user_defined"),
    # --- issue item 1: statements that let the SWP principal in without an external ID -------------
    case("IfExists alone", pol(st(sid="IfEx", condition=ext(OLD, "StringEqualsIfExists"))), "open", where="IfEx"),
    case("IfExists beside a normal statement", pol(NORMAL, st(sid="IfEx", condition=ext(OLD2, "StringEqualsIfExists"))),
         "open", where="IfEx"),
    case("ForAllValues alone", pol(st(condition=ext(OLD, "ForAllValues:StringEquals"))), "open", where="Statement[0]"),
    case("ForAllValues beside a normal statement", pol(NORMAL, st(sid="All", condition=ext(OLD2, "ForAllValues:StringLike"))),
         "open", where="All"),
    case("Null true", pol(NORMAL, st(sid="NullT", condition={"Null": {EXT: "true"}})), "open", where="NullT"),
    case("Null false alone (any ID)", pol(st(sid="NullF", condition={"Null": {EXT: "false"}})), "open", where="NullF"),
    case("StringNotEquals alone", pol(st(sid="Neg", condition=ext(OLD, "StringNotEquals"))), "open", where="Neg"),
    case("StringNotLike beside a normal statement", pol(NORMAL, st(sid="NegLike", condition=ext("x*", "StringNotLike"))),
         "open", where="NegLike"),
    case("StringLike '*' alone", pol(st(sid="Star", condition=ext("*", "StringLike"))), "open", where="Star"),
    case("StringLike '*?' beside a normal statement", pol(NORMAL, st(sid="Star", condition=ext(["*?"], "StringLike"))),
         "open", where="Star"),
    case("no condition alone", pol(st(sid="Bare")), "open", where="Bare"),
    case("no condition beside a normal statement", pol(NORMAL, st()), "open", where="Statement[1]"),
    case("only another condition", pol(NORMAL, st(sid="IpOnly", condition=IN_10)), "open", where="IpOnly"),
    case("no condition, opt-in to close it", pol(st(sid="Bare")), "open", action="migrate", close_open_trust=True),
    case("IfExists beside a normal statement, opt-in", pol(NORMAL, st(sid="IfEx", condition=ext(OLD2, "StringEqualsIfExists"))),
         "open", action="migrate", close_open_trust=True),
    case("StringNotLike with another condition, opt-in", pol(st(sid="N", condition=both(ext("x*", "StringNotLike"), IN_10))),
         "open", action="migrate", close_open_trust=True),
    # --- issue item 2: principals that cover the SWP account without naming its root ----------------
    case("'*' with an external ID", pol(st("*", ext(OLD), sid="Everyone")), "not_editable", where="Everyone"),
    case("AWS '*' with an external ID", pol(NORMAL, st({"AWS": "*"}, ext(OLD2))), "not_editable", where="Statement[1]"),
    case("'*' without a condition", pol(NORMAL, st("*", sid="Everyone")), "open", where="Everyone"),
    case("'*' with aws:PrincipalAccount SWP and an ID", pol(st("*", both(ext(OLD), SWP_ACCT_COND), sid="Acct")),
         "not_editable", where="Acct"),
    case("'*' with aws:PrincipalAccount SWP, no ID", pol(NORMAL, st("*", SWP_ACCT_COND, sid="Acct")), "open", where="Acct"),
    case("'*' limited to another account", pol(NORMAL, st("*", both(ext(OLD2), OTHER_ACCT_COND), sid="Others")),
         "user_defined"),
    case("'*' limited to another account, no ID", pol(NORMAL, st("*", OTHER_ACCT_COND, sid="Others")), "user_defined"),
    case("'*' with aws:PrincipalArn in SWP and an ID", pol(st("*", both(ext(OLD), DSM_ARN_COND), sid="Arn")),
         "not_editable", where="Arn"),
    case("'*' with aws:PrincipalArn in SWP, no ID", pol(NORMAL, st("*", DSM_ARN_COND, sid="Arn")), "open", where="Arn"),
    case("'*' limited to another role ARN", pol(NORMAL, st("*", OTHER_ARN_COND, sid="Arn")), "user_defined"),
    case("'*' with aws:PrincipalOrgID and an ID", pol(st("*", both(ext(OLD), ORG), sid="Org")), "not_editable", where="Org"),
    case("'*' with aws:PrincipalOrgID, no ID", pol(NORMAL, st("*", ORG, sid="Org")), "open", where="Org"),
    case("role ARN in the SWP account", pol(st({"AWS": SWP_ROLE}, ext(OLD))), "user_defined"),
    case("role ARN with a path in the SWP account", pol(NORMAL, st({"AWS": SWP_PATH_ROLE}, ext(OLD2))), "user_defined"),
    case("user ARN in the SWP account", pol(st({"AWS": SWP_USER}, ext(OLD))), "user_defined"),
    case("session ARN in the SWP account", pol(st({"AWS": SWP_SESSION}, ext(OLD))), "user_defined"),
    case("role ARN in the SWP account without a condition", pol(NORMAL, st({"AWS": SWP_ROLE}, sid="RoleOpen")), "open",
         where="RoleOpen"),
    case("role ARN in the SWP account, IfExists", pol(NORMAL, st({"AWS": SWP_ROLE}, ext(OLD, "StringEqualsIfExists"), sid="R")),
         "open", where="R"),
    case("bare SWP account ID", pol(st({"AWS": SWP_ACCOUNT}, ext(OLD))), "user_defined"),
    # A statement of the SWP account that its own conditions make unreachable lets nobody in: reporting the
    # account migrated (or half done) would claim the manager ID works when it never can.
    case("SWP user ARN excluded by its aws:PrincipalArn condition, manager ID",
         pol(st({"AWS": SWP_USER}, both(ext(MANAGER_ID), DSM_ARN_COND))),
         "no_external_id"),
    # --- issue item 3: several SWP statements on their own terms ------------------------------------
    case("StringEquals and StringLike", pol(NORMAL, st(condition=ext("legacy-*", "StringLike"), sid="Like")), "user_defined"),
    case("one ID only from 10/8", pol(st(condition=both(ext(OLD), IN_10), sid="Ip"), st(condition=ext(OLD2), sid="Any")),
         "user_defined"),
    case("one ID only for one role", pol(st({"AWS": SWP_ROOT}, both(ext(OLD), DSM_ARN_COND), sid="Dsm"),
                                         st(condition=ext(OLD2), sid="Any")), "user_defined"),
    case("IgnoreCase beside StringEquals", pol(st(condition=ext(OLD, "StringEqualsIgnoreCase")), st(condition=ext(OLD2))),
         "user_defined"),
    case("TLS-only statement beside a migrated one", pol(st(condition=both(ext(OLD), TLS)), st(condition=ext(MANAGER_ID))),
         "half_done"),
    case("two IDs from 10/8 and M anywhere", pol(st(condition=both(ext([OLD, MANAGER_ID]), IN_10)), st(condition=ext(MANAGER_ID))),
         "half_done"),
    case("pattern from 10/8 and a literal", pol(st(condition=both(ext("legacy-*", "StringLike"), IN_10)),
                                                st(condition=ext(OLD2))), "user_defined"),
    case("root and a role of SWP with their own IDs", pol(NORMAL, st({"AWS": SWP_ROLE}, both(ext(OLD2), TLS))), "user_defined"),
    case("three statements, three operators", pol(st(condition=ext(OLD)), st(condition=ext(OLD2, "StringEqualsIgnoreCase")),
                                                  st(condition=both(ext("third-*", "StringLike"), ORG))), "user_defined"),
    # --- issue item 4: partitions -------------------------------------------------------------------
    case("aws-cn role, bare ID, aws-cn SWP principal", pol(st({"AWS": SWP_ACCOUNT}, ext(OLD))), "user_defined",
         role_arn=ROLE_CN, principal=CN_ROOT),
    case("aws-cn role, aws-cn root, bare SWP principal", pol(st({"AWS": CN_ROOT}, ext(OLD))), "user_defined",
         role_arn=ROLE_CN, principal=SWP_ACCOUNT),
    case("aws-cn role, commercial root only", pol(st({"AWS": SWP_ROOT}, ext(OLD))), "no_external_id",
         role_arn=ROLE_CN, principal=SWP_ACCOUNT),
    case("aws-cn role, commercial SWP principal configured", pol(st({"AWS": SWP_ACCOUNT}, ext(OLD))),
         ("not_editable", "no_external_id"), role_arn=ROLE_CN),
    case("commercial role, us-gov root only", pol(st({"AWS": GOV_ROOT}, ext(OLD))), "no_external_id"),
    case("us-gov role, an open commercial statement is not SWP", pol(st({"AWS": GOV_ROOT}, ext(OLD)), st({"AWS": SWP_ROOT})),
         "user_defined", role_arn=ROLE_GOV, principal=GOV_ROOT),
    case("commercial role, an open us-gov statement is not SWP", pol(NORMAL, st({"AWS": GOV_ROOT})), "user_defined"),
    case("aws-cn role, bare ID mixed with a commercial root", pol(st({"AWS": [SWP_ACCOUNT, SWP_ROOT]}, ext(OLD))),
         "user_defined", role_arn=ROLE_CN, principal=SWP_ACCOUNT),
    # --- issue item 5: shared statements and Sid clashes --------------------------------------------
    case("shared with another account", pol(st({"AWS": [SWP_ROOT, OTHER_ROOT]}, ext(OLD), sid="Shared")), "user_defined"),
    case("shared, Sids of the split taken",
         pol(st({"AWS": [SWP_ROOT, OTHER_ROOT]}, ext(OLD), sid="A"), st({"AWS": OTHER_ROLE}, ext(OLD3), sid="AOthers"),
             st({"AWS": OTHER_ROLE}, ext(OLD2), sid="AManagerId"), st({"AWS": OTHER_ROLE}, ext(OLD2), sid="AOthers2")),
         "user_defined"),
    case("shared with a service", pol(st({"AWS": SWP_ROOT, "Service": "ec2.amazonaws.com"}, ext(OLD), sid="Mixed")),
         "user_defined"),
    case("shared with a service and another account, no Sid",
         pol(st({"AWS": [OTHER_ROOT, SWP_ROLE], "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
                both(ext(OLD, "StringLike"), TLS))), "user_defined"),
    case("shared, migrated IDs", pol(st({"AWS": [SWP_ROOT, OTHER_ROOT]}, ext(MANAGER_ID))), "migrated"),
    case("shared, half done", pol(st({"AWS": [SWP_ROOT, OTHER_ROOT]}, ext([MANAGER_ID, OLD]), sid="H"),
                                  st({"AWS": OTHER_ROOT}, ext(OLD2), sid="HOthers")), "half_done"),
    case("the same statement twice", pol(NORMAL, dict(NORMAL, Sid="Again")), "user_defined"),
    # --- issue item 6: versions ---------------------------------------------------------------------
    case("2008 policy", pol(NORMAL, version="2008-10-17"), "user_defined"),
    case("no Version", pol(NORMAL, version=None), "user_defined"),
    case("2008, migrated", pol(st(condition=ext(MANAGER_ID)), version="2008-10-17"), "migrated"),
    case("2008 with ${...} in the external ID", pol(st(sid="Var", condition=ext("${aws:username}-x")), version="2008-10-17"),
         "not_editable"),
    case("2008 with ${...} in another SWP condition",
         pol(st(condition=both(ext(OLD), {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/${x}"}})),
             version="2008-10-17"), "not_editable"),
    case("2012 with ${...} in a statement of others",
         pol(NORMAL, st({"AWS": OTHER_ROOT}, ext("${aws:PrincipalAccount}"))), "user_defined"),
    case("2008 with ${...} in a statement of others (2008)",
         pol(NORMAL, st({"AWS": OTHER_ROOT}, ext("${aws:PrincipalAccount}")), version="2008-10-17"), "not_editable"),
    case("2012 with ${...} in the external ID", pol(st(sid="Var", condition=ext("${aws:PrincipalAccount}"))),
         "not_editable", where="Var"),
    # --- Deny ---------------------------------------------------------------------------------------
    case("unconditional Deny of SWP", pol(NORMAL, st(effect="Deny", sid="No")), "denied", where="No"),
    case("unconditional Deny of everyone", pol(NORMAL, st("*", effect="Deny")), "denied", where="Statement[1]"),
    case("Deny of one old ID", pol(st(condition=ext([OLD, OLD2])), st(effect="Deny", condition=ext(OLD2))), "user_defined"),
    case("Deny of every other ID", pol(NORMAL, st(effect="Deny", condition=ext(OLD, "StringNotEquals"), sid="Only")),
         "not_editable", where="Only"),
    case("Deny by pattern", pol(NORMAL, st(effect="Deny", condition=ext("legacy-*", "StringNotLike"), sid="Pat")),
         "not_editable", where="Pat"),
    case("Deny of the manager ID", pol(NORMAL, st(effect="Deny", condition=ext(MANAGER_ID), sid="NoM")), "not_editable",
         where="NoM"),
    # The manager's requests may come from outside 10/8: the Deny may refuse the manager-defined ID (fail closed).
    case("Deny outside 10/8", pol(NORMAL, st(sid="Outside", effect="Deny", condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
         "not_editable", where="Outside"),
    case("Deny of another account", pol(NORMAL, st({"AWS": OTHER_ROOT}, effect="Deny")), "user_defined"),
    case("Deny without an ID", pol(NORMAL, st(effect="Deny", condition={"Null": {EXT: "true"}})), "user_defined"),
    case("Deny of TagSession only", pol(NORMAL, st(effect="Deny", action="sts:TagSession")), "user_defined"),
    # --- actions ------------------------------------------------------------------------------------
    case("NotAction covering AssumeRole", pol(st(not_action="sts:TagSession", condition=ext(OLD))), "user_defined"),
    case("NotAction excluding AssumeRole", pol(st(not_action="sts:*"), NORMAL), "user_defined"),
    case("NotAction excluding AssumeRole only", pol(st(not_action="sts:*")), "no_external_id"),
    case("NotAction s3:* without a condition", pol(NORMAL, st(not_action="s3:*", sid="NA")), "open", where="NA"),
    case("Action sts:*", pol(st(action="sts:*", condition=ext(OLD))), "user_defined"),
    case("Action in other case", pol(st(action="STS:ASSUMEROLE", condition=ext(OLD))), "user_defined"),
    case("Action list with TagSession", pol(st(action=["sts:TagSession", "sts:AssumeRole"], condition=ext(OLD))),
         "user_defined"),
    case("TagSession only", pol(st(action="sts:TagSession")), "no_external_id"),
    # --- not editable -------------------------------------------------------------------------------
    case("Allow with NotPrincipal", {"Version": "2012-10-17", "Statement": [
        {"Sid": "NotP", "Effect": "Allow", "NotPrincipal": {"AWS": OTHER_ROOT}, "Action": ASSUME, "Condition": ext(OLD)}]},
        "not_editable", where="NotP"),
    case("NumericEquals on the external ID", pol(st(sid="Num", condition={"NumericEquals": {EXT: "5"}})), "not_editable",
         where="Num"),
    # The core keeps such an ID out of StringLike (a StringEquals sibling statement): the judge checks it stays literal.
    case("a manager ID with '*' beside StringLike", pol(st(condition=ext(OLD, "StringLike"))), "user_defined",
         manager_id="mgr-*-3f1c9a7e5b2d"),
    case("a manager ID with '?' beside a StringLike pattern", pol(st(condition=ext("legacy-*", "StringLike"))),
         "user_defined", manager_id="mgr-?-3f1c9a7e5b2d"),
    case("a manager ID with '*' into StringEquals", pol(st(condition=ext(OLD))), "user_defined",
         manager_id="mgr-*-3f1c9a7e5b2d"),
    # --- issue 15: escaped mutants ---------------------------------------------------------------------
    # (a) A StringLike list holding a wildcard-only value beside real IDs accepts any ID: open (a restriction that
    # needs all its values to be wildcards, not any, would call it user-defined or half done).
    case("StringLike '*' beside a real ID", pol(st(sid="Mix", condition=ext(["*", OLD], "StringLike"))), "open", where="Mix"),
    case("StringLike the manager ID beside '*': open, never half done",
         pol(st(sid="Mix", condition=ext([MANAGER_ID, "*"], "StringLike"))), "open", where="Mix"),
    case("StringLike '?*' among IDs beside a normal statement",
         pol(NORMAL, st(sid="Mix", condition=ext([OLD2, "?*", MANAGER_ID], "StringLike"))), "open", where="Mix"),
    case("StringLike '*' beside a real ID, opt-in to close it", pol(NORMAL, st(sid="Mix", condition=ext([OLD2, "*"], "StringLike"))),
         "open", action="migrate", close_open_trust=True),
    # (b) NotPrincipal naming the manager's account root (or its account ID) alone does not exclude a role session or
    # a user of that account (IAM User Guide, "IAM JSON policy elements: NotPrincipal"): the statement may apply.
    case("Allow NotPrincipal naming the SWP root ARN", pol(NORMAL, {
        "Sid": "NotRoot", "Effect": "Allow", "NotPrincipal": {"AWS": SWP_ROOT}, "Action": ASSUME, "Condition": ext(OLD2)}),
        "not_editable", where="NotRoot"),
    case("Allow NotPrincipal naming the SWP account ID", pol(NORMAL, {
        "Sid": "NotAcct", "Effect": "Allow", "NotPrincipal": {"AWS": SWP_ACCOUNT}, "Action": ASSUME, "Condition": ext(OLD2)}),
        "not_editable", where="NotAcct"),
    case("Allow NotPrincipal naming the SWP root ARN, no condition", pol(NORMAL, {
        "Sid": "NotRoot", "Effect": "Allow", "NotPrincipal": {"AWS": SWP_ROOT}, "Action": ASSUME}),
        ("not_editable", "open"), where="NotRoot"),
    case("Deny NotPrincipal naming the SWP root ARN denies its role sessions", pol(NORMAL, {
        "Sid": "OnlyRoot", "Effect": "Deny", "NotPrincipal": {"AWS": SWP_ROOT}, "Action": ASSUME}),
        ("denied", "not_editable"), where="OnlyRoot"),
    # --- malformed input ----------------------------------------------------------------------------
    case("not JSON", "{not json", "invalid"),
    case("empty text", "", "invalid"),
    case("a JSON list", "[]", "invalid"),
    case("nesting deeper than 32", pol(st(condition={"StringEquals": {EXT: deep(40)}})), "invalid"),
    case("deep nesting as text", '{"Statement": ' + "[" * 200 + "]" * 200 + "}", "invalid"),
    case("an object as ID", pol(st(sid="Obj", condition=ext({"a": OLD}))), "invalid", where="Obj"),
    case("a list of lists as IDs", pol(st(condition=ext([[OLD]]))), "invalid", where="Statement[0]"),
    case("null as ID", pol(st(sid="Nul", condition=ext(None))), "invalid", where="Nul"),
    case("unknown operator", pol(st(sid="Op", condition={"StringEqualz": {EXT: OLD}})), "invalid", where="Op"),
    case("unknown operator in a statement of others", pol(NORMAL, st({"AWS": OTHER_ROOT}, {"Foo": {"k": "v"}}, sid="Op")),
         "invalid", where="Op"),
    case("unknown principal type", pol(st({"Friend": SWP_ROOT}, ext(OLD), sid="P")), "invalid", where="P"),
    case("integer principal", pol(st({"AWS": 147995105371}, ext(OLD), sid="P")), "invalid", where="P"),
    case("Statement is a string", {"Version": "2012-10-17", "Statement": "Allow"}, "invalid"),
    case("Effect is neither Allow nor Deny", pol(dict(NORMAL, Effect="Permit")), "invalid", where="Normal"),
]
