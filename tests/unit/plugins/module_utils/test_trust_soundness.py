# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Soundness of the trust core's reading of conditions, stated directly (issue 15, part 7).

``manager_applicability(policy, role_arn, principal)`` gives one boolean per statement: False only when the
statement cannot apply to any ``sts:AssumeRole`` request of a principal of the SWP account (its root, a role
session, a user, in the role's partition), whatever the external ID and the rest of the request context.
For every generated policy and every statement the core calls False, the independent evaluator
(``iam_eval.statement_applies``) must find no request of the grid in which the statement applies:

* principals: the SWP root, a role session, a user, and each SWP name the policy holds (a role also as its
  IAM ARN, which gives ``aws:PrincipalArn`` with the role's path);
* contexts: every other key of the statement's conditions (and every key a policy variable reads) absent,
  set to each value the statement names, or to a miss, in every combination;
* external IDs: none, the manager ID, each ID the policy names, and a random one.

Nothing here reuses the core's matcher: only ``manager_applicability`` and ``SWP_PRINCIPAL`` come from it.
"""

from __future__ import annotations

import copy
import ipaddress
import itertools
import json
import os
import re

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.swp.aws.plugins.module_utils import _trust_policy as core
from ansible_collections.swp.aws.tests.unit.plugins.module_utils import trust_cases as tc
from ansible_collections.swp.aws.tests.support.iam_eval import statement_applies
from ansible_collections.swp.aws.tests.unit.plugins.module_utils.test_trust_safety import scenario

ACCOUNT = re.compile(r"\A\d{12}\Z")
VARIABLE = re.compile(r"\$\{([^},]+)")
DERIVED = {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:principalpartition",
           "aws:principalisawsservice", "aws:principalservicename", "aws:username", "aws:userid"}
EXT = "sts:externalid"
MISS = "zz-miss"
RANDOM_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-_+=,.@:/", min_size=2, max_size=24)


def _statements(policy):
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else statements


def _arn(text):
    parts = text.split(":", 5) if isinstance(text, str) else []
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def _scope(principal, role_arn):
    """(role's partition, SWP account): the account of the configured principal, in the role's partition."""
    partition = _arn(role_arn)[1]
    return partition, principal if ACCOUNT.match(principal) else _arn(principal)[4]


def _pairs(statement):
    block = statement.get("Condition")
    for operator, pairs in (block or {}).items():
        for key, values in pairs.items():
            yield operator, key, values if isinstance(values, list) else [values]


def swp_principals(policy, scope):
    """The SWP principals of the grid, as (principal, context it carries): the root, a role session, a user, and each
    SWP name of the policy. A session of a named role carries the role's ARN as ``aws:PrincipalArn`` (with its path,
    which the session ARN does not show); the role's own ARN stands for its sessions too."""
    partition, account = scope
    found = [("arn:%s:iam::%s:root" % (partition, account), None),
             ("arn:%s:sts::%s:assumed-role/Dsm/s1" % (partition, account), None),
             ("arn:%s:iam::%s:user/ops/dsm" % (partition, account), None)]
    plain_dsm = "arn:%s:iam::%s:role/Dsm" % (partition, account)
    names, in_conditions = [], []
    for statement in _statements(policy):
        for element in ("Principal", "NotPrincipal"):
            block = statement.get(element)
            if isinstance(block, dict):
                for values in block.values():
                    names += values if isinstance(values, list) else [values]
        for _operator, key, values in _pairs(statement):
            if key.lower() == "aws:principalarn":
                in_conditions += [value for value in values if isinstance(value, str) and not re.search(r"[*?$]", value)]

    def role_name(name):
        parts = _arn(name)
        return parts[5].rsplit("/", 1)[1] if parts and parts[2] == "iam" and parts[5].startswith("role/") else None

    # A role name is unique in its account: a role a Principal names with its path is the only role of that name, so
    # a condition's ARN of the same name with another path names no role of the account.
    named = dict((role_name(name), name) for name in names if role_name(name))
    names += [name for name in in_conditions if named.get(role_name(name), name) == name]
    for name in names:
        parts = _arn(name)
        if parts is None or parts[1] != partition or parts[4] != account:
            continue
        if parts[2] == "iam" and parts[5].startswith("role/"):
            session = "arn:%s:sts::%s:assumed-role/%s/s1" % (partition, account, parts[5].rsplit("/", 1)[1])
            found.append((session, {"aws:PrincipalArn": name}))
            found.append((name, None))
        elif (parts[2] == "iam" and parts[5].startswith("user/")) or (
                parts[2] == "sts" and parts[5].startswith("assumed-role/") and parts[5].count("/") == 2):
            found.append((name, None))
    if any(role_name(name) == "Dsm" and name != plain_dsm for name in names):
        # A role name is unique in its account: a role Dsm named with a path is the only Dsm, so no session of a
        # role Dsm without a path stands beside it.
        del found[1]
    unique = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def external_ids(policy, manager_id, random_id):
    ids = [None, manager_id, random_id]
    for statement in _statements(policy):
        for _operator, key, values in _pairs(statement):
            if key.lower() != EXT:
                continue
            for value in values:
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    text = str(value)
                    ids += [text, text.swapcase()]
                    if "*" in text or "?" in text:
                        ids.append(text.replace("*", "x").replace("?", "q"))
    return list(dict.fromkeys(ids))


def _values_for(operator, value):
    """Request values that hit (or miss) one policy value of an operator."""
    lowered = operator.lower()
    if isinstance(value, bool):
        value = "true" if value else "false"
    value = str(value)
    if "ipaddress" in lowered:
        network = ipaddress.ip_network(value, strict=False)
        return [str(network.network_address + (1 if network.num_addresses > 1 else 0))]
    if "bool" in lowered or lowered == "null":
        return ["true", "false"]
    out = [value, value.swapcase()]
    if "*" in value or "?" in value:
        out.append(value.replace("*", "x").replace("?", "q"))
    return out


def contexts(statement, cap=4096):
    """Every combination of the statement's other keys: absent, each value named, a miss."""
    axes = {}
    for operator, key, values in _pairs(statement):
        lowered = key.lower()
        for value in values:
            for name in VARIABLE.findall(value) if isinstance(value, str) else []:
                name = name.strip().lower()
                if name not in DERIVED and name not in ("*", "?", "$", EXT):
                    axes.setdefault(name, set()).update([MISS, "true"])
        if lowered == EXT or lowered in DERIVED:
            continue
        slot = axes.setdefault(lowered, set())
        for value in values:
            slot.update(_values_for(operator, value))
        slot.add("192.0.2.77" if "ip" in lowered else MISS)
    keys = sorted(axes)
    choices = [sorted(axes[key]) + [None] for key in keys]
    out = []
    for combo in itertools.product(*choices):
        out.append({key: value for key, value in zip(keys, combo) if value is not None})
        if len(out) >= cap:
            break
    return out


def witness(statement, policy, role_arn, principal, manager_id, random_id):
    """A request of the grid in which the statement applies to an SWP principal, or None."""
    version = policy.get("Version", "2008-10-17")
    scope = _scope(principal, role_arn)
    ids = external_ids(policy, manager_id, random_id)
    others = contexts(statement)
    for who, carried in swp_principals(policy, scope):
        for context in others:
            for external_id in ids:
                full = dict(context, **(carried or {}))
                if external_id is not None:
                    full["sts:ExternalId"] = external_id
                request = {"principal": who, "action": "sts:AssumeRole", "context": full}
                if statement_applies(statement, request, role_arn, version=version):
                    return request
    return None


def applicability(policy, role_arn, principal):
    function = getattr(core, "manager_applicability", None)
    assert function is not None, "the trust core exports no manager_applicability(policy, role_arn, principal)"
    return function(copy.deepcopy(policy), role_arn, principal=principal)


def unsound(policy, flags, role_arn, principal, manager_id, random_id):
    """[(index, statement, request)] for every statement the core rules out (``flags``) but the evaluator lets apply."""
    statements = _statements(policy)
    assert isinstance(flags, list) and len(flags) == len(statements), flags
    assert all(isinstance(flag, bool) for flag in flags), flags
    found = []
    for index, (statement, flag) in enumerate(zip(statements, flags)):
        if flag:
            continue
        request = witness(statement, policy, role_arn, principal, manager_id, random_id)
        if request is not None:
            found.append((index, statement, request))
    return found


def show(policy, found):
    return "%s\n%s" % (json.dumps(policy), "\n".join(
        "Statement[%d] is ruled out by the core, yet applies to %s" % (index, json.dumps(request, sort_keys=True))
        for index, _statement, request in found))


# ----------------------------------------------------------------------------------------------
# The judge is not vacuous: a statement that applies has a witness, one that cannot has none.

SWP_ROOT = tc.SWP_ROOT
SESSION_ONLY = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/*"}}


@pytest.mark.parametrize("statement, applies", [
    (tc.st({"AWS": "arn:aws:iam::%s:role/path/Dsm" % tc.SWP_ACCOUNT},
           {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::%s:role/Dsm" % tc.SWP_ACCOUNT}}), False),
    (tc.st(condition=tc.ext(tc.OLD)), True),
    (tc.st("*", SESSION_ONLY), True),
    (tc.st("*", {"Null": {"aws:SourceIp": "true"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), True),
    (tc.st({"AWS": SWP_ROOT}, {"Null": {"sts:ExternalId": ["true", "false"]}, "StringEquals": {"sts:ExternalId": tc.OLD}}),
     True),
    (tc.st({"AWS": tc.OTHER_ROOT}), False),
    (tc.st("*", {"StringNotEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}), False),
    (tc.st(condition={"Null": {"sts:ExternalId": "true"}, "StringEquals": {"sts:ExternalId": tc.OLD}}), False),
    (tc.st(condition=tc.ext(tc.OLD), action="sts:TagSession"), False),
], ids=["role with a path vs its ARN without", "plain", "variable in aws:PrincipalArn", "Null true beside NotIpAddress", "multi-valued Null",
        "another account", "never-true variable", "Null true beside StringEquals", "TagSession only"])
def test_witness_finder(statement, applies):
    policy = tc.pol(statement)
    found = witness(statement, policy, tc.ROLE, core.SWP_PRINCIPAL, tc.MANAGER_ID, "random-1")
    assert (found is not None) is applies, found


# ----------------------------------------------------------------------------------------------
# Table: statements the core must not rule out (each once ruled out by a core that read conditions
# with two values). The evaluator confirms each applies; the core must say True for it.

PARTS = [
    ("ArnLike aws:PrincipalArn with ${aws:PrincipalAccount}, Principal '*'", tc.pol(tc.st("*", tc.both(tc.ext(tc.OLD), SESSION_ONLY))), 0),
    ("ArnLike aws:PrincipalArn with ${aws:PrincipalAccount}, SWP root", tc.pol(tc.st(condition=tc.both(tc.ext(tc.OLD), SESSION_ONLY))), 0),
    ("StringEquals aws:PrincipalAccount ${aws:PrincipalAccount}",
     tc.pol(tc.st("*", tc.both(tc.ext(tc.OLD), {"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}))), 0),
    ("StringEquals aws:PrincipalAccount with a ${aws:username} default",
     tc.pol(tc.st("*", {"StringEquals": {"aws:PrincipalAccount": "${aws:username, '%s'}" % tc.SWP_ACCOUNT}})), 0),
    ("ArnEquals aws:PrincipalArn user/ops/${aws:username}",
     tc.pol(tc.st(condition={"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::%s:user/ops/${aws:username}" % tc.SWP_ACCOUNT}})), 0),
    ("StringEqualsIgnoreCase aws:PrincipalArn, the role in capitals",
     tc.pol(tc.st("*", {"StringEqualsIgnoreCase": {"aws:PrincipalArn": tc.SWP_ROLE.upper()}})), 0),
    ("StringEqualsIgnoreCase aws:PrincipalAccount",
     tc.pol(tc.st("*", {"StringEqualsIgnoreCase": {"aws:PrincipalAccount": [tc.SWP_ACCOUNT, tc.OTHER_ACCOUNT]}})), 0),
    ("Null true beside NotIpAddress on the same key",
     tc.pol(tc.st(condition={"Null": {"aws:SourceIp": "true"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})), 0),
    ("Null true beside NumericNotEquals on the same key",
     tc.pol(tc.st(condition={"Null": {"aws:MultiFactorAuthAge": "true"}, "NumericNotEquals": {"aws:MultiFactorAuthAge": "0"}})), 0),
    ("Null true beside DateNotEquals on the same key",
     tc.pol(tc.st(condition={"Null": {"aws:TokenIssueTime": "true"},
                             "DateNotEquals": {"aws:TokenIssueTime": "2030-01-01T00:00:00Z"}})), 0),
    ("Null true beside StringNotEqualsIgnoreCase on the same key",
     tc.pol(tc.st(condition={"Null": {"aws:PrincipalOrgID": "true"}, "StringNotEqualsIgnoreCase": {"aws:PrincipalOrgID": "o-1"}})), 0),
    ("multi-valued Null beside StringEquals on the external ID",
     tc.pol(tc.st(condition={"Null": {"sts:ExternalId": ["true", "false"]}, "StringEquals": {"sts:ExternalId": tc.OLD}})), 0),
    ("NotPrincipal naming the SWP root ARN (Allow)", tc.pol(
        {"Effect": "Allow", "NotPrincipal": {"AWS": tc.SWP_ROOT}, "Action": "sts:AssumeRole", "Condition": tc.ext(tc.OLD)}), 0),
    ("NotPrincipal naming the SWP account ID (Deny)",
     tc.pol(tc.NORMAL, {"Effect": "Deny", "NotPrincipal": {"AWS": tc.SWP_ACCOUNT}, "Action": "sts:AssumeRole"}), 1),
    ("NotPrincipal naming an SWP role", tc.pol(
        {"Effect": "Deny", "NotPrincipal": {"AWS": tc.SWP_ROLE}, "Action": "sts:AssumeRole"}), 0),
    ("StringLike list with '*' beside a real ID", tc.pol(tc.st(condition=tc.ext(["*", tc.OLD], "StringLike"))), 0),
    ("StringNotEquals aws:PrincipalOrgID (a key the SWP request may lack)",
     tc.pol(tc.st("*", tc.both(tc.ext(tc.OLD), {"StringNotEquals": {"aws:PrincipalOrgID": "o-swp0000001"}}))), 0),
    ("aws-cn role, commercial principal configured: a statement naming the aws-cn root",
     tc.pol(tc.st({"AWS": tc.CN_ROOT}, tc.ext(tc.OLD))), 0, tc.ROLE_CN),
    ("aws-cn role, commercial principal configured: the bare account ID with aws:PrincipalPartition aws-cn",
     tc.pol(tc.st({"AWS": tc.SWP_ACCOUNT}, tc.both(tc.ext(tc.OLD), {"StringEquals": {"aws:PrincipalPartition": "aws-cn"}}))), 0,
     tc.ROLE_CN),
    ("a role named with its path, aws:PrincipalArn with the same path",
     tc.pol(tc.st({"AWS": tc.SWP_PATH_ROLE}, tc.both(tc.ext(tc.OLD), {"ArnEquals": {"aws:PrincipalArn": tc.SWP_PATH_ROLE}}))), 0),
    ("ArnNotLike aws:SourceArn (a key the SWP request may lack)",
     tc.pol(tc.st(condition={"ArnNotLike": {"aws:SourceArn": "arn:aws:*:*:*:*"}})), 0),
]
PARTS = [part if len(part) == 4 else part + (tc.ROLE,) for part in PARTS]


@pytest.mark.parametrize("name, policy, index, role_arn", PARTS, ids=[part[0] for part in PARTS])
def test_statement_that_may_apply_is_not_ruled_out(name, policy, index, role_arn):
    statement = _statements(policy)[index]
    request = witness(statement, policy, role_arn, core.SWP_PRINCIPAL, tc.MANAGER_ID, "random-1")
    assert request is not None, "the evaluator finds no SWP request for %s" % name
    flags = applicability(policy, role_arn, core.SWP_PRINCIPAL)
    assert flags[index] is True, "%s: the core rules out Statement[%d], yet it applies to %s" % (name, index, json.dumps(request))


# ----------------------------------------------------------------------------------------------
# The property

SOUNDNESS_SETTINGS = settings(
    max_examples=1000 if os.environ.get("CI") else 300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


@SOUNDNESS_SETTINGS
@given(scenario(), RANDOM_IDS)
def test_property_manager_applicability_is_sound(case_, random_id):
    policy, manager_id, role_arn, principal, _close = case_
    try:
        flags = applicability(policy, role_arn, principal)
    except core.TrustPolicyError:
        event("the core cannot read the policy")
        return
    event("ruled out: %d of %d statements" % (flags.count(False), len(flags)))
    found = unsound(policy, flags, role_arn, principal, manager_id, random_id)
    assert not found, show(policy, found)
