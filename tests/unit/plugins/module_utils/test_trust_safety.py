# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Trust safety of the trust-policy core, judged by the independent evaluator in ``iam_eval``.

* a table of adversarial trust policies (``trust_cases``) with the state ``analyze`` must find;
* for every ``migrate``, the widened and narrowed policies are judged over a grid of requests
  (SWP principals and others, external IDs, other request contexts): nobody gains access except the
  SWP principal with the manager-defined ID, nobody else loses any, the IDs in use stay accepted until
  the narrow, and after the narrow the SWP principal gets in with the manager-defined ID only;
* the same judgement over Hypothesis-generated policies.

Nothing here reuses the core's matcher: only ``analyze`` and ``SWP_PRINCIPAL`` are imported from it.
"""

from __future__ import annotations

import collections
import copy
import ipaddress
import itertools
import json
import re
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from ansible_collections.swp.aws.plugins.module_utils._trust_policy import SWP_PRINCIPAL, analyze
from ansible_collections.swp.aws.tests.unit.plugins.module_utils import trust_cases as tc
from ansible_collections.swp.aws.tests.support.iam_eval import is_allowed

ACCOUNT = re.compile(r"\A\d{12}\Z")
RANDOM_ID = "zz-9d8c7b6a5f4e3d2c1b0a"
DERIVED_KEYS = {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:principalpartition",
                "aws:principalisawsservice", "aws:principalservicename", "aws:username", "aws:userid"}
VARIABLE = re.compile(r"\$\{([^},]+)")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


# ----------------------------------------------------------------------------------------------
# The grid of requests


def _arn_parts(text):
    parts = text.split(":", 5) if isinstance(text, str) else []
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def swp_scope(principal, role_arn):
    """(partition, account) of the SWP account as the contract defines it."""
    role_partition = _arn_parts(role_arn)[1]
    if ACCOUNT.match(principal):
        return role_partition, principal
    parts = _arn_parts(principal)
    return parts[1], parts[4]


def is_swp_request(who, scope, role_arn):
    """A request principal of the SWP account in the role's partition."""
    if not isinstance(who, str):
        return False
    parts = _arn_parts(who)
    role_partition = _arn_parts(role_arn)[1]
    return parts[1] == role_partition == scope[0] and parts[4] == scope[1]


def _statements(policy):
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else statements


def _principal_blocks(policy):
    for statement in _statements(policy):
        for element in ("Principal", "NotPrincipal"):
            block = statement.get(element)
            if isinstance(block, dict):
                yield block


def request_principals(policies, scope, role_arn):
    """SWP principals (root, a role session, a user, and each SWP ARN named in the policies) and others."""
    role_partition = _arn_parts(role_arn)[1]
    swp_account = scope[1]
    found = []
    for part in dict.fromkeys([role_partition, scope[0], "aws"]):
        found += ["arn:%s:iam::%s:root" % (part, swp_account),
                  "arn:%s:sts::%s:assumed-role/Dsm/s1" % (part, swp_account),
                  "arn:%s:iam::%s:user/ops/dsm" % (part, swp_account)]
    found += ["arn:%s:iam::111122223333:root" % role_partition,
              "arn:%s:sts::111122223333:assumed-role/Auditor/s1" % role_partition,
              {"Service": "ec2.amazonaws.com"}]
    for policy in policies:
        # A principal ARN named in an aws:PrincipalArn condition (a pattern's instance too) is a request principal.
        # A role has one path: a role ARN of the same name with another path is no principal that can exist.
        roles = dict((name.rsplit("/", 1)[1], name) for name in _principal_roles(policies))
        named = [("AWS", item) for _operator, key, values in _condition_pairs(policy) if key.lower() == "aws:principalarn"
                 for value in values if isinstance(value, str) and "${" not in value for item in _instances(value)
                 if _named_principal(item) and (":role/" not in item or roles.get(item.rsplit("/", 1)[1], item) == item)]
        for block in list(_principal_blocks(policy)) + [dict([pair]) for pair in named]:
            for kind, values in block.items():
                for value in values if isinstance(values, list) else [values]:
                    if not isinstance(value, str) or value == "*":
                        continue
                    if kind != "AWS":
                        found.append({kind: value})
                        continue
                    if ACCOUNT.match(value):
                        found.append("arn:%s:iam::%s:root" % (role_partition, value))
                        continue
                    parts = _arn_parts(value)
                    if parts is None or not ACCOUNT.match(parts[4]):
                        continue
                    if parts[2] == "iam" and parts[5].startswith("role/"):
                        found.append("arn:%s:sts::%s:assumed-role/%s/s1" % (parts[1], parts[4], parts[5].rsplit("/", 1)[1]))
                    found.append(value)
    unique = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def _principal_roles(policies):
    """Every role ARN a Principal or NotPrincipal of the policies names."""
    for policy in policies:
        for block in _principal_blocks(policy):
            for value in as_list_of_strings(block.get("AWS")):
                parts = _arn_parts(value)
                if parts is not None and parts[2] == "iam" and parts[5].startswith("role/"):
                    yield value


def as_list_of_strings(value):
    return [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, str)]


def session_carries(policies):
    """What a session of each role named with a path carries: the role's ARN, path included, as aws:PrincipalArn
    (the session's own ARN does not show the path)."""
    carried = {}
    for name in _principal_roles(policies):
        parts = _arn_parts(name)
        session = "arn:%s:sts::%s:assumed-role/%s/s1" % (parts[1], parts[4], parts[5].rsplit("/", 1)[1])
        carried.setdefault(session, {"aws:PrincipalArn": name})
    return carried


def _named_principal(text):
    """An IAM root, user or role ARN (no wildcard): one a request can come from."""
    parts = _arn_parts(text)
    return (parts is not None and parts[2] == "iam" and ACCOUNT.match(parts[4]) is not None and "*" not in text and "?" not in text
            and (parts[5] == "root" or parts[5].startswith(("user/", "role/"))) and not parts[5].endswith("/"))


def _condition_pairs(policy):
    for statement in _statements(policy):
        block = statement.get("Condition")
        if not isinstance(block, dict):
            continue
        for operator, pairs in block.items():
            if isinstance(pairs, dict):
                for key, values in pairs.items():
                    yield operator, key, values if isinstance(values, list) else [values]


_DEFAULTED = re.compile(r"\$\{[^},]*,\s*'([^']*)'\s*\}")


def _instances(text):
    """A value matching a pattern, and the literal; for a policy variable with a default, the default's text too."""
    out = [text]
    if "${" in text and _DEFAULTED.search(text):
        out += _instances(_DEFAULTED.sub(lambda match: match.group(1), text))
    if "*" in text or "?" in text:
        out.append(text.replace("*", "x").replace("?", "q"))
    return out


def external_ids(policies, manager_id):
    ids = [None, manager_id, manager_id.swapcase(), manager_id.upper(), RANDOM_ID]
    for policy in policies:
        for _operator, key, values in _condition_pairs(policy):
            if key.lower() != "sts:externalid":
                continue
            for value in values:
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    for item in _instances(str(value)):
                        ids += [item, item.swapcase()]
    unique = []
    for item in ids:
        if item not in unique:
            unique.append(item)
    return unique


def other_contexts(policies, full=True, cap=64):
    """Contexts over every other key the policies use: each value they name, a miss, and (full) absence."""
    candidates = collections.OrderedDict()
    # A key under Null is absent in some context even in the reduced grid (Null true beside a negated operator
    # holds only there).
    nullable = set()
    for policy in policies:
        for operator, key, values in _condition_pairs(policy):
            lowered = key.lower()
            if operator.lower() == "null":
                nullable.add(lowered)
            if lowered == "sts:externalid" or lowered in DERIVED_KEYS:
                continue
            slot = candidates.setdefault(lowered, [])
            for value in values:
                if isinstance(value, bool):
                    value = "true" if value else "false"
                if not isinstance(value, (str, int)):
                    continue
                value = str(value)
                if "ipaddress" in operator.lower():
                    network = ipaddress.ip_network(value, strict=False)
                    slot.append(str(network.network_address + (1 if network.num_addresses > 1 else 0)))
                    continue
                if "bool" in operator.lower():
                    slot += ["true", "false"]
                    continue
                slot += _instances(value)
            slot.append("192.0.2.77" if "ip" in lowered else "zz-miss")
    # A key a policy variable reads (not one the principal gives): the miss value (so that it equals a key set to
    # the miss), "true" (for Bool) and absent (its default, if any).
    for policy in policies:
        for _operator, key, values in _condition_pairs(policy):
            for value in values:
                for name in VARIABLE.findall(value) if isinstance(value, str) else []:
                    name = name.strip().lower()
                    if name not in DERIVED_KEYS and name not in ("*", "?", "$", "sts:externalid"):
                        candidates.setdefault(name, []).extend(["zz-miss", "true"])
    axes = []
    for key, values in candidates.items():
        unique = list(dict.fromkeys(values))
        axis = [(key, v) for v in unique]
        if full or key in nullable:
            axis.append((key, None))
        axes.append(axis)
    out = [{}]  # every other key absent
    for combo in itertools.product(*axes):
        context = {key: value for key, value in combo if value is not None}
        if context not in out:
            out.append(context)
        if len(out) >= cap:
            break
    return out


class Grid:
    """Every request of the grid, with P's, widened's and narrowed's decisions."""

    def __init__(self, policies, manager_id, role_arn, scope, full=True):
        self.principals = request_principals(policies, scope, role_arn)
        self.carried = session_carries(policies)
        self.ids = external_ids(policies, manager_id)
        self.contexts = other_contexts(policies, full=full, cap=64 if full else 16)
        self.role_arn = role_arn
        self.scope = scope

    def requests(self):
        for who in self.principals:
            for index, context in enumerate(self.contexts):
                for external_id in self.ids:
                    full = dict(context, **self.carried.get(who, {}) if isinstance(who, str) else {})
                    if external_id is not None:
                        full["sts:ExternalId"] = external_id
                    yield who, index, external_id, {"principal": who, "action": "sts:AssumeRole", "context": full}

    def swp(self, who):
        return is_swp_request(who, self.scope, self.role_arn)


def show(request):
    return json.dumps(request, sort_keys=True)


# ----------------------------------------------------------------------------------------------
# Judgements


def judge_migrate(policy, result, manager_id, role_arn, principal, close_open_trust, full=True):
    """Violations (list of text) of the safety properties of one migrate result."""
    widened, narrowed = result["widened"], result["narrowed"]
    problems = []
    if not isinstance(widened, dict) or not isinstance(narrowed, dict):
        return ["migrate without widened and narrowed policies"]
    for name, written in (("widened", widened), ("narrowed", narrowed)):
        # A policy that is written (needs_widen / needs_narrow) must be a 2012-10-17 policy.
        if result["needs_" + name[:-2]] and written.get("Version") != "2012-10-17":
            problems.append("%s has Version %r" % (name, written.get("Version")))
        sids = [s.get("Sid") for s in _statements(written) if s.get("Sid") is not None]
        if len(sids) != len(set(sids)):
            problems.append("%s has duplicate Sids %r" % (name, sids))
    scope = swp_scope(principal, role_arn)
    grid = Grid([policy, widened, narrowed], manager_id, role_arn, scope, full=full)
    got_in = set()
    for who, context_index, external_id, request in grid.requests():
        before = is_allowed(policy, request, role_arn)
        wide = is_allowed(widened, request, role_arn)
        narrow = is_allowed(narrowed, request, role_arn)
        swp = grid.swp(who)
        gain_ok = swp and external_id == manager_id
        if wide and not before and not gain_ok:
            problems.append("widened lets in a new request: %s" % show(request))
        if narrow and not before and not gain_ok:
            problems.append("narrowed lets in a new request: %s" % show(request))
        if before and not wide:
            problems.append("widened refuses a request allowed before: %s" % show(request))
        if swp and narrow and external_id != manager_id:
            problems.append("narrowed lets the SWP principal in without the manager ID: %s" % show(request))
        if not swp and not close_open_trust and before != narrow:
            problems.append("narrowed changes the access of another principal: %s (before %s)" % (show(request), before))
        if swp and before:
            got_in.add((json.dumps(who), context_index))
    if not unknowable_access(policy) and not any(
            grid.swp(who) and external_id == manager_id and is_allowed(narrowed, request, role_arn)
            for who, _index, external_id, request in grid.requests()):
        problems.append("[state] after the narrow the SWP principal cannot assume with the manager ID anywhere, "
                        "yet analyze(narrowed) would report it migrated")
    for who_text, context_index in sorted(got_in):
        who = json.loads(who_text)
        carried = grid.carried.get(who, {}) if isinstance(who, str) else {}
        context = dict(grid.contexts[context_index], **dict(carried, **{"sts:ExternalId": manager_id}))
        request = {"principal": who, "action": "sts:AssumeRole", "context": context}
        if not is_allowed(narrowed, request, role_arn):
            problems.append("narrowed refuses the manager ID where the SWP principal got in before: %s" % show(request))
        if not is_allowed(widened, request, role_arn):
            problems.append("widened refuses the manager ID where the SWP principal got in before: %s" % show(request))
    again = analyze(narrowed, manager_id, role_arn, principal=principal, close_open_trust=close_open_trust)
    if again["action"] != "none" or again["state"] != "migrated":
        problems.append("analyze(narrowed) is %s/%s: %s" % (again["state"], again["action"], again["message"]))
    again = analyze(widened, manager_id, role_arn, principal=principal, close_open_trust=close_open_trust)
    if again["action"] != "migrate" or again["needs_widen"]:
        problems.append("analyze(widened) is %s/%s needs_widen=%s: %s"
                        % (again["state"], again["action"], again["needs_widen"], again["message"]))
    return problems


# Variables whose value no request of the grid carries (a principal's or a request's tags, a user's name or ID, keys of
# other services): a condition on one may hold for the manager's real requests, so "the SWP principal never gets in"
# cannot be shown by the grid's requests (unknown is not false), and the state labels that rest on it are not judged.
UNKNOWABLE_VARIABLE = re.compile(r"\$\{(?:aws:(?:PrincipalTag|RequestTag|ResourceTag)/|aws:(?:username|userid|SourceIdentity)\}"
                                 r"|(?!aws:|sts:ExternalId\}|\*\}|\?\}|\$\}))", re.IGNORECASE)


def unknowable_access(policy):
    """Whether an Allow's condition uses a variable the grid cannot give a value (see UNKNOWABLE_VARIABLE)."""
    for statement in _statements(policy):
        if statement.get("Effect") == "Allow" and UNKNOWABLE_VARIABLE.search(json.dumps(statement.get("Condition") or {})):
            return True
    return False


def judge_swp_with_ids(policy, manager_id, role_arn, principal, full=True):
    """(IDs other than M, or none, that let an SWP principal in; whether M does somewhere)."""
    scope = swp_scope(principal, role_arn)
    grid = Grid([policy], manager_id, role_arn, scope, full=full)
    others, manager_in = [], False
    for who, _index, external_id, request in grid.requests():
        if not grid.swp(who) or not is_allowed(policy, request, role_arn):
            continue
        if external_id == manager_id:
            manager_in = True
        else:
            others.append(request)
    return others, manager_in


def judge(policy, result, manager_id, role_arn, principal, close_open_trust, full=True):
    """Every semantic violation of one analyze result (empty when the core is right)."""
    state, action = result["state"], result["action"]
    if action == "migrate":
        problems = judge_migrate(policy, result, manager_id, role_arn, principal, close_open_trust, full=full)
        others, manager_in = judge_swp_with_ids(policy, manager_id, role_arn, principal, full=full)
        if state == "half_done" and not manager_in and not unknowable_access(policy):
            problems.append("[state] half_done but the SWP principal never gets in with the manager ID")
        if state == "user_defined" and manager_in:
            problems.append("[state] user_defined but the SWP principal already gets in with the manager ID")
        # Any ID (a random one) or none lets the SWP principal in: the trust is open, and an open trust is only
        # ever migrated as "open" with close_open_trust (never as user-defined or half done).
        loose = [r for r in others if r["context"].get("sts:ExternalId") in (None, RANDOM_ID)]
        if loose and state != "open":
            problems.append("migrate as %s, not open, yet the SWP principal gets in with any external ID or none: %s"
                            % (state, show(loose[0])))
        if state == "open" and not close_open_trust:
            problems.append("an open trust is migrated without close_open_trust")
        return problems
    if action == "none":
        others, manager_in = judge_swp_with_ids(policy, manager_id, role_arn, principal, full=full)
        problems = ["reported %s but the SWP principal gets in without the manager ID: %s" % (state, show(r))
                    for r in others[:3]]
        if not manager_in and not unknowable_access(policy):
            problems.append("[state] reported %s but the SWP principal never gets in with the manager ID" % state)
        if state != "migrated":
            problems.append("[state] action none with state %s" % state)
        return problems
    if state == "open":
        # Judged without the Deny statements: a statement that is open on its own is a fair "open" even
        # where a Deny happens to cover the hole (failing closed there is the core's right).
        allows = dict(policy, Statement=[s for s in _statements(policy) if s.get("Effect") != "Deny"])
        others, _manager_in = judge_swp_with_ids(allows, manager_id, role_arn, principal, full=full)
        if not any(r["context"].get("sts:ExternalId") in (None, RANDOM_ID) for r in others):
            # "May let in" is a fair claim where the core cannot rule the statement's other conditions out (unknown is
            # not false); "lets in" is not, and must have a witness.
            sure = [p for p in result.get("problems") or [] if p.get("state") == "open" and "cannot be ruled out" not in p["problem"]]
            if sure or not result.get("problems"):
                return ["[state] reported open but no SWP request without an ID or with a random ID gets in"]
    return []


def check_failure_text(result, where, secrets):
    problems = []
    text = json.dumps(result["problems"]) + " " + str(result["message"])
    if not result["problems"] or not isinstance(result["message"], str) or not result["message"]:
        problems.append("a failure needs problems and a message")
    for secret in secrets:
        if secret and len(secret) >= 8 and secret in text:
            problems.append("the failure quotes a full external ID %r" % secret[:6])
    if where is not None:
        if where not in (result["message"] or ""):
            problems.append("the message does not name %s: %s" % (where, result["message"]))
        if not any(where in str(p.get("where")) for p in result["problems"]):
            problems.append("no problem is located at %s: %r" % (where, result["problems"]))
    return problems


# ----------------------------------------------------------------------------------------------
# The corpus


def as_dict(policy):
    if isinstance(policy, dict):
        return policy
    try:
        return json.loads(policy)
    except ValueError:
        return json.loads(unquote(policy))


def _run(item):
    principal = item["principal"] or SWP_PRINCIPAL
    return principal, analyze(copy.deepcopy(item["policy"]), item["manager_id"], item["role_arn"], principal=principal,
                              close_open_trust=item["close_open_trust"])


@pytest.mark.parametrize("item", tc.CASES, ids=[item["name"] for item in tc.CASES])
def test_corpus(item):
    principal, result = _run(item)
    states = item["state"] if isinstance(item["state"], tuple) else (item["state"],)
    expected_action = item["action"] or ("fail" if states[0] in tc.FAIL_STATES else tc.ACTIONS[states[0]])
    found = []
    if result["state"] not in states or result["action"] != expected_action:
        found.append("expected %s/%s, got %s/%s (%s)"
                     % ("|".join(states), expected_action, result["state"], result["action"], result["message"]))
    if result["action"] == "fail":
        found += check_failure_text(result, item["where"], [tc.OLD, tc.OLD2, tc.OLD3, tc.MANAGER_ID, item["manager_id"]])
    if result["action"] != "fail" or result["state"] == "open":
        found += judge(as_dict(item["policy"]), result, item["manager_id"], item["role_arn"], principal,
                       item["close_open_trust"])
    assert not found, "\n".join(found[:8])


def test_corpus_size_and_coverage():
    states = collections.Counter(item["state"] if isinstance(item["state"], str) else item["state"][0] for item in tc.CASES)
    assert len(tc.CASES) >= 80
    for state in ("migrated", "user_defined", "half_done", "no_external_id", "open", "not_editable", "denied", "invalid"):
        assert states[state] >= 1, state


# ----------------------------------------------------------------------------------------------
# The judge is not vacuous: known-bad rewrites are caught.

IP_ONLY = tc.pol(tc.st(sid="Ip", condition=tc.both(tc.ext(tc.OLD), tc.IN_10)), tc.st(sid="Any", condition=tc.ext(tc.OLD2)))


def _fake(state, widened, narrowed):
    return {"state": state, "action": "migrate", "widened": widened, "narrowed": narrowed, "needs_widen": True,
            "needs_narrow": True, "problems": [], "message": None, "accepted": []}


def _good_narrow(policy):
    narrowed = copy.deepcopy(policy)
    for statement in narrowed["Statement"]:
        statement["Condition"]["StringEquals"]["sts:ExternalId"] = tc.MANAGER_ID
    return narrowed


def test_judge_catches_ids_merged_across_statements():
    merged = copy.deepcopy(IP_ONLY)
    for statement in merged["Statement"]:
        statement["Condition"]["StringEquals"]["sts:ExternalId"] = [tc.OLD, tc.OLD2, tc.MANAGER_ID]
    found = judge_migrate(IP_ONLY, _fake("user_defined", merged, _good_narrow(IP_ONLY)), tc.MANAGER_ID, tc.ROLE,
                          SWP_PRINCIPAL, False)
    assert any("widened lets in a new request" in text and tc.OLD in text and "192.0.2.77" in text for text in found)


def test_judge_catches_an_open_statement_left_after_narrow():
    policy = tc.pol(tc.NORMAL, tc.st(sid="IfEx", condition=tc.ext(tc.OLD2, "StringEqualsIfExists")))
    narrowed = copy.deepcopy(policy)
    narrowed["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] = tc.MANAGER_ID
    widened = copy.deepcopy(policy)
    widened["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] = [tc.OLD, tc.MANAGER_ID]
    found = judge_migrate(policy, _fake("user_defined", widened, narrowed), tc.MANAGER_ID, tc.ROLE, SWP_PRINCIPAL, False)
    assert any("narrowed lets the SWP principal in without the manager ID" in text for text in found)


def test_judge_catches_a_shared_statement_not_split():
    policy = tc.pol(tc.st({"AWS": tc.SWP_ROOT, "Service": "ec2.amazonaws.com"}, tc.ext(tc.OLD), sid="Mixed"))
    widened = copy.deepcopy(policy)
    widened["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] = [tc.OLD, tc.MANAGER_ID]
    narrowed = _good_narrow(policy)
    found = judge_migrate(policy, _fake("user_defined", widened, narrowed), tc.MANAGER_ID, tc.ROLE, SWP_PRINCIPAL, False)
    assert any("widened lets in a new request" in text and "ec2.amazonaws.com" in text for text in found)
    assert any("narrowed changes the access of another principal" in text for text in found)


def test_judge_catches_migrated_with_a_hole():
    policy = tc.pol(tc.st(condition=tc.ext(tc.MANAGER_ID)), tc.st({"AWS": tc.SWP_ROLE}))
    result = {"state": "migrated", "action": "none"}
    found = judge(policy, result, tc.MANAGER_ID, tc.ROLE, SWP_PRINCIPAL, False)
    assert any("gets in without the manager ID" in text for text in found)


def test_judge_catches_a_crying_wolf_open():
    result = {"state": "open", "action": "fail"}
    assert judge(tc.pol(tc.NORMAL), result, tc.MANAGER_ID, tc.ROLE, SWP_PRINCIPAL, False)


def test_judge_holds_a_sure_open_to_a_witness_and_lets_a_may_stand():
    def result(text):
        return {"state": "open", "action": "fail", "problems": [{"state": "open", "where": "Statement[0]", "problem": text}]}
    sure = result("it has no sts:ExternalId condition, so the role can be assumed without an external ID")
    assert judge(tc.pol(tc.NORMAL), sure, tc.MANAGER_ID, tc.ROLE, SWP_PRINCIPAL, False)
    may = result(sure["problems"][0]["problem"] + ", whenever its other conditions hold (they cannot be ruled out for the manager's requests)")
    assert not judge(tc.pol(tc.NORMAL), may, tc.MANAGER_ID, tc.ROLE, SWP_PRINCIPAL, False)


# ----------------------------------------------------------------------------------------------
# Properties over generated policies

OLD_IDS = [tc.OLD, tc.OLD2, "legacy-*", "Legacy-200000000002-abcd", "id-??-x", 404000000004]
EXT_OPERATORS = ["StringEquals"] * 6 + ["StringLike"] * 2 + [
    "StringEqualsIgnoreCase", "StringNotEquals", "StringNotLike", "StringEqualsIfExists", "StringLikeIfExists",
    "ForAllValues:StringEquals", "ForAllValues:StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike",
    "StringNotEqualsIgnoreCase", "Null", None,
    # issue 15: a StringLike list mixing a wildcard-only value with real IDs, a multi-valued Null, a variable
    "StringLike+wildcard", "StringLike+wildcard", "Null+both", "StringEquals+variable"]
SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com"]
WILDCARD_ONLY = ["*", "**", "?*", "*?"]


def principal_conditions(partition, account):
    """Conditions on the principal keys: policy variables, IgnoreCase operators, negated operators (issue 15)."""
    root = "arn:%s:iam::%s:root" % (partition, account)
    role = "arn:%s:iam::%s:role/Dsm" % (partition, account)
    return [
        {"ArnLike": {"aws:PrincipalArn": "arn:%s:iam::${aws:PrincipalAccount}:role/*" % partition}},
        {"ArnLike": {"aws:PrincipalArn": "arn:%s:iam::${aws:PrincipalAccount}:root" % partition}},
        {"StringLike": {"aws:PrincipalArn": "arn:%s:iam::${aws:PrincipalAccount}:*" % partition}},
        {"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}},
        {"StringNotEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}},
        {"ArnEquals": {"aws:PrincipalArn": "arn:%s:iam::%s:user/ops/${aws:username}" % (partition, account)}},
        {"StringEquals": {"aws:PrincipalAccount": "${aws:username, '%s'}" % account}},
        {"StringEquals": {"aws:PrincipalArn": "${aws:PrincipalTag/arn}"}},
        {"StringEqualsIgnoreCase": {"aws:PrincipalArn": root.upper()}},
        {"StringEqualsIgnoreCase": {"aws:PrincipalArn": [role.upper(), "arn:%s:iam::111122223333:root" % partition]}},
        {"StringNotEqualsIgnoreCase": {"aws:PrincipalArn": root.upper()}},
        {"StringEqualsIgnoreCase": {"aws:PrincipalAccount": [account, "111122223333"]}},
        {"StringNotEqualsIgnoreCase": {"aws:PrincipalAccount": account}},
        {"StringEqualsIgnoreCase": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}},
        {"ArnNotLike": {"aws:PrincipalArn": "arn:%s:iam::%s:role/*" % (partition, account)}},
        {"ArnNotEquals": {"aws:PrincipalArn": root}},
        {"StringNotLike": {"aws:PrincipalArn": "arn:%s:sts::*" % partition}},
        {"StringNotLike": {"aws:PrincipalAccount": ["1479*", "1111*"]}},
        {"StringEquals": {"aws:PrincipalType": "User"}},
        {"StringNotEquals": {"aws:PrincipalType": "AssumedRole"}},
        {"Null": {"aws:PrincipalArn": "true"}},
        {"Null": {"aws:PrincipalArn": ["true", "false"]}},
        {"ForAnyValue:StringLike": {"aws:PrincipalArn": "arn:%s:iam::%s:role/*" % (partition, account)}},
        {"ForAllValues:StringNotEquals": {"aws:PrincipalAccount": account}},
        {"ArnLike": {"aws:PrincipalArn": "arn:%s:iam::%s:role/Scanner" % (partition, account)}},
        {"StringEqualsIgnoreCase": {"aws:PrincipalArn": "arn:%s:iam::%s:role/PATH/scanner" % (partition, account)}},
        {"Bool": {"aws:PrincipalIsAWSService": "false"}},
        {"StringEquals": {"aws:PrincipalPartition": partition}},
    ]


# Negated operators on keys an SWP request may lack, alone, IfExists, under a set qualifier, beside Null on the same key
# (no contradiction), multi-valued Null, and policy variables in conditions on other keys (issue 15).
MISSING_KEY_CONDITIONS = [
    {"StringNotEquals": {"aws:PrincipalOrgID": "o-swp0000001"}},
    {"StringNotEqualsIgnoreCase": {"aws:PrincipalOrgID": "O-SWP0000001"}},
    {"StringNotLike": {"aws:SourceVpce": "vpce-*"}},
    {"ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::bucket"}},
    {"ArnNotLike": {"aws:SourceArn": "arn:aws:*:*:*:*"}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NumericNotEquals": {"aws:MultiFactorAuthAge": "0"}},
    {"DateNotEquals": {"aws:TokenIssueTime": "2030-01-01T00:00:00Z"}},
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-other00001"}},
    {"ForAllValues:StringNotEquals": {"aws:TagKeys": "k"}},
    {"ForAnyValue:StringNotLike": {"aws:TagKeys": "k*"}},
    {"Null": {"aws:SourceIp": "true"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"Null": {"aws:MultiFactorAuthAge": "true"}, "NumericNotEquals": {"aws:MultiFactorAuthAge": "0"}},
    {"Null": {"aws:TokenIssueTime": "true"}, "DateNotEquals": {"aws:TokenIssueTime": "2030-01-01T00:00:00Z"}},
    {"Null": {"aws:SourceArn": "true"}, "ArnNotLike": {"aws:SourceArn": "arn:aws:*:*:*:*"}},
    {"Null": {"aws:PrincipalOrgID": "true"}, "StringNotEqualsIgnoreCase": {"aws:PrincipalOrgID": "o-swp0000001"}},
    {"Null": {"aws:PrincipalOrgID": ["true", "false"]}},
    {"Null": {"aws:SourceVpce": ["false", "true"]}, "StringNotLike": {"aws:SourceVpce": "vpce-*"}},
    {"StringEquals": {"aws:PrincipalOrgID": "${aws:PrincipalTag/org}"}},
    {"StringLike": {"aws:SourceVpce": "${aws:PrincipalTag/vpce, 'vpce-*'}"}},
    {"Bool": {"aws:SecureTransport": "${aws:PrincipalTag/tls, 'true'}"}},
]


def not_principals(partition, account):
    """NotPrincipal forms: the SWP root ARN, its account ID, a role, "*", a full chain, another account (issue 15)."""
    root = "arn:%s:iam::%s:root" % (partition, account)
    role = "arn:%s:iam::%s:role/Dsm" % (partition, account)
    session = "arn:%s:sts::%s:assumed-role/Dsm/s1" % (partition, account)
    return [{"AWS": root}, {"AWS": account}, {"AWS": role}, "*", {"AWS": "*"}, {"AWS": [root, role, session]},
            {"AWS": [root, "arn:%s:iam::%s:user/ops/dsm" % (partition, account)]},
            {"AWS": "arn:%s:iam::111122223333:root" % partition}]


@st.composite
def scenario(draw, rich=True):
    """(policy, manager ID, role ARN, principal, close_open_trust); ``rich`` adds the classes of issue 15 (None: drawn,
    so that two policies in three keep the plain shapes, most of which can be migrated)."""
    if rich is None:
        rich = draw(st.integers(0, 2)) == 0
    partition = draw(st.sampled_from(["aws"] * 4 + ["aws-cn", "aws-us-gov"]))
    role_arn = "arn:%s:iam::444455556666:role/SwpConnector" % partition
    if partition == "aws":
        principal = draw(st.sampled_from([SWP_PRINCIPAL, SWP_PRINCIPAL, tc.SWP_ACCOUNT]))
    else:
        # The commercial principal configured for a role of another partition (rich only): the SWP account is still
        # the account's principals in the role's partition.
        principal = draw(st.sampled_from([tc.SWP_ACCOUNT, "arn:%s:iam::%s:root" % (partition, tc.SWP_ACCOUNT)] * 3
                                         + ([SWP_PRINCIPAL] if rich else [])))
    swp = ["arn:%s:iam::%s:root" % (partition, tc.SWP_ACCOUNT), tc.SWP_ACCOUNT,
           "arn:%s:iam::%s:role/Dsm" % (partition, tc.SWP_ACCOUNT),
           "arn:%s:iam::%s:role/path/Scanner" % (partition, tc.SWP_ACCOUNT),
           "arn:%s:iam::%s:user/ops/dsm" % (partition, tc.SWP_ACCOUNT)]
    other_partition = "aws-us-gov" if partition == "aws" else "aws"
    others = ["arn:%s:iam::111122223333:root" % partition, "111122223333",
              "arn:%s:iam::111122223333:role/Auditor" % partition, "arn:%s:iam::%s:root" % (other_partition, tc.SWP_ACCOUNT)]
    manager_id = tc.MANAGER_ID
    ids = OLD_IDS + [manager_id, manager_id.upper()]
    other_conditions = [
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"ArnLike": {"aws:PrincipalArn": "arn:%s:iam::%s:role/Dsm*" % (partition, tc.SWP_ACCOUNT)}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-swp0000001"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEquals": {"aws:PrincipalAccount": draw(st.sampled_from([tc.SWP_ACCOUNT, "111122223333"]))}},
    ]
    if rich:
        other_conditions += principal_conditions(partition, tc.SWP_ACCOUNT) + MISSING_KEY_CONDITIONS

    def statement(normal=False):
        if normal:
            return {"Effect": "Allow", "Principal": {"AWS": swp[0] if principal != tc.SWP_ACCOUNT else tc.SWP_ACCOUNT},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": draw(st.one_of(st.just(manager_id), st.sampled_from(ids)))}}}
        data = {"Effect": draw(st.sampled_from(["Allow"] * 6 + ["Deny"] * (3 if rich else 1)))}
        shape = draw(st.sampled_from(["aws"] * 5 + ["mixed", "star", "aws-star", "service"] + (["not"] * 2 if rich else [])))
        if shape == "star":
            data["Principal"] = "*"
        elif shape == "aws-star":
            data["Principal"] = {"AWS": "*"}
        elif shape == "service":
            data["Principal"] = {"Service": draw(st.sampled_from(SERVICES))}
        elif shape == "not":
            data["NotPrincipal"] = draw(st.sampled_from(not_principals(partition, tc.SWP_ACCOUNT)))
        else:
            names = draw(st.lists(st.sampled_from(swp + swp + others), min_size=1, max_size=3, unique=True))
            data["Principal"] = {"AWS": names[0] if len(names) == 1 else names}
            if shape == "mixed":
                data["Principal"]["Service"] = draw(st.sampled_from(SERVICES))
        if draw(st.integers(0, 5)) == 0:
            data["NotAction"] = draw(st.sampled_from(["sts:TagSession", "s3:*", "sts:*"]))
        else:
            data["Action"] = draw(st.sampled_from(["sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"], "sts:*",
                                                   "STS:assumerole", "sts:TagSession"]))
        condition = {}
        operator = draw(st.sampled_from(EXT_OPERATORS if rich else EXT_OPERATORS[:-4]))
        if operator == "Null":
            condition["Null"] = {"sts:ExternalId": draw(st.sampled_from(["true", "false"]))}
        elif operator == "Null+both":
            condition["Null"] = {"sts:ExternalId": draw(st.sampled_from([["true", "false"], ["false", "true"]]))}
            condition["StringEquals"] = {"sts:ExternalId": draw(st.sampled_from(ids))}
        elif operator == "StringLike+wildcard":
            values = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))
            values.insert(draw(st.integers(0, len(values))), draw(st.sampled_from(WILDCARD_ONLY)))
            condition["StringLike"] = {"sts:ExternalId": values}
        elif operator == "StringEquals+variable":
            condition["StringEquals"] = {"sts:ExternalId": draw(st.sampled_from(
                ["${aws:PrincipalAccount}", "id-${aws:username}", "${aws:PrincipalTag/extid, '%s'}" % tc.OLD]))}
        elif operator is not None:
            values = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
            key = draw(st.sampled_from(["sts:ExternalId", "sts:ExternalId", "STS:externalid"]))
            condition[operator] = {key: values[0] if len(values) == 1 else values}
        for extra in draw(st.lists(st.sampled_from(range(len(other_conditions))), max_size=2, unique=True)):
            for op, pairs in other_conditions[extra].items():
                condition.setdefault(op, {}).update(pairs)
        if condition:
            data["Condition"] = condition
        return data

    statements = []
    if draw(st.integers(0, 9)) < 7:
        statements.append(statement(normal=True))
    statements += [statement() for _number in range(draw(st.integers(0 if statements else 1, 3)))]
    statements = draw(st.permutations(statements))
    sids = draw(st.lists(st.sampled_from(["A", "AOthers", "AManagerId", "AManagerId2", "AOthers2", "B", "Swp",
                                          "SwpManagerId"]),
                         min_size=len(statements), max_size=len(statements), unique=True))
    for data, sid in zip(statements, sids):
        if draw(st.booleans()):
            data["Sid"] = sid
    policy = {"Statement": [dict(sorted(s.items(), key=lambda kv: kv[0] != "Sid")) for s in statements]}
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17", None]))
    if version:
        policy["Version"] = version
    return policy, manager_id, role_arn, principal, draw(st.booleans())


STATS = collections.Counter()
LABEL_ISSUES = []


# Found by the generator in a CI run: the manager's root named in an ArnNotEquals on aws:PrincipalArn broke the judge
# (a root ARN has no "/"); kept as a fixed example so it runs every time.
ROOT_IN_PRINCIPAL_ARN_CONDITION = (
    {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::147995105371:root"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"}}},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::147995105371:root"}, "NotAction": "sts:TagSession",
         "Condition": {"StringEquals": {"sts:ExternalId": "legacy-200000000002-AbCd"},
                       "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                       "ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::147995105371:root"}}}]},
    "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33", "arn:aws:iam::444455556666:role/SwpConnector", "arn:aws:iam::147995105371:root",
    False)

# Also found by the generator: the manager's access hangs on a principal tag no grid request carries, so the judge
# cannot say it never gets in (the state labels are not judged there; the safety checks are).
PRINCIPAL_TAG_VARIABLE = (
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "SwpManagerId", "Effect": "Allow", "Principal": {"AWS": [
            "arn:aws:iam::147995105371:role/path/Scanner", "arn:aws:iam::147995105371:user/ops/dsm", "147995105371"]},
         "Action": "sts:*",
         "Condition": {"StringEqualsIgnoreCase": {"sts:ExternalId": [404000000004, "3F1C9A7E-5B2D-4C8E-9F10-AA11BB22CC33", "Legacy-200000000002-abcd"]},
                       "Bool": {"aws:PrincipalIsAWSService": "false"},
                       "StringEquals": {"aws:PrincipalArn": "${aws:PrincipalTag/arn}"}}}]},
    "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33", "arn:aws:iam::444455556666:role/SwpConnector", "147995105371", True)


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(scenario(rich=None))
@example(ROOT_IN_PRINCIPAL_ARN_CONDITION)
@example(PRINCIPAL_TAG_VARIABLE)
def test_property_trust_safety(case_):
    policy, manager_id, role_arn, principal, close_open_trust = case_
    result = analyze(copy.deepcopy(policy), manager_id, role_arn, principal=principal, close_open_trust=close_open_trust)
    label = "%s/%s" % (result["state"], result["action"])
    event(label)
    STATS[label] += 1
    STATS["examples"] += 1
    found = judge(policy, result, manager_id, role_arn, principal, close_open_trust, full=False)
    if result["action"] == "fail":
        found += check_failure_text(result, None, [tc.OLD, tc.OLD2, manager_id, manager_id.upper()])
    # A wrong state label that lets nobody in is recorded and reported by test_property_state_labels,
    # so that it does not hide a safety failure here.
    labels = [text for text in found if text.startswith("[state]")]
    if labels:
        LABEL_ISSUES.append((json.dumps(case_), label, labels))
    found = [text for text in found if not text.startswith("[state]")]
    assert not found, "%s\n%s" % (json.dumps(policy), "\n".join(found[:6]))


def test_property_distribution():
    """The generator reaches every kind of result; the example count is printed for the record."""
    if not STATS["examples"]:
        test_property_trust_safety()  # pylint: disable=no-value-for-parameter
    counts = dict(STATS)
    print("trust-safety property: %s" % json.dumps(counts, sort_keys=True))
    migrate = sum(count for label, count in counts.items() if label.endswith("/migrate"))
    assert migrate >= counts["examples"] // 4, counts
    assert any(label.endswith("/none") for label in counts), counts
    assert any(label.startswith("open/") for label in counts), counts


def test_property_state_labels():
    """The state names what the evaluator sees: half_done only when the manager ID already gets in, and so on."""
    if not STATS["examples"]:
        test_property_trust_safety()  # pylint: disable=no-value-for-parameter
    shown = ["%s -> %s: %s" % (case_, label, "; ".join(texts)) for case_, label, texts in LABEL_ISSUES[:5]]
    assert not LABEL_ISSUES, "%d generated policies got a wrong state:\n%s" % (len(LABEL_ISSUES), "\n".join(shown))
