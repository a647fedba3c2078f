# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-account decision of the external-ID migration, for internal use.

This module is private to the swp.aws collection: its API may change without notice.
It is pure (standard library only, no Ansible import): modules, action plugins and filters
share it, and its tests judge it with an IAM evaluator written apart from it.

Server & Workload Protection reads an AWS account by assuming a cross-account role whose trust
policy trusts the service's AWS principal on condition of an ``sts:ExternalId``. ``analyze()``
takes the policy as ``_trust_policy_model`` reads it (IAM's reading, conditions with three values)
and decides, before anything is written:

* which statements are the manager's (*SWP statements*): Allow statements for ``sts:AssumeRole``
  that may apply to a principal of the manager's account in the role's own partition. Only a
  condition that is false for every request of the manager keeps it out; one that may hold
  (unknown) lets it in;
* the account's state: ``migrated``, ``user_defined``, ``half_done``, or a reason to write
  nothing: ``open`` (a statement lets the manager in without an external ID or with any),
  ``not_editable`` (no edit could keep everyone else's access exactly as it was, or a Deny may
  refuse the manager-defined ID), ``denied``, ``no_external_id`` or ``invalid``;
* the widened and narrowed policies (``_trust_policy_edit``).

It fails closed: whatever it cannot read with certainty is a problem that names the statement,
what is wrong, a fix and a ``code`` (each role words its own advice for a code), and no policy is
produced for it.
"""

from __future__ import annotations

import json

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, is_account_id, parse_arn, parse_role_arn
from ansible_collections.swp.aws.plugins.module_utils._trust_policy_edit import narrow, widen
from ansible_collections.swp.aws.plugins.module_utils._trust_policy_model import (
    EXTERNAL_ID_KEY,
    OLD_VERSION,
    POLICY_VERSION,
    ReadError,
    TrustPolicyError,
    load_policy,
    read_policy,
    type_name,
)

__all__ = [
    "SWP_ACCOUNT",
    "SWP_PRINCIPAL",
    "EXTERNAL_ID_KEY",
    "POLICY_VERSION",
    "MIGRATED",
    "USER_DEFINED",
    "HALF_DONE",
    "NO_EXTERNAL_ID",
    "OPEN",
    "NOT_EDITABLE",
    "DENIED",
    "INVALID",
    "CODES",
    "UNSURE",
    "TrustPolicyError",
    "load_policy",
    "analyze",
    "manager_applicability",
    "others_statements",
    "external_ids",
    "classify",
]

SWP_ACCOUNT = "147995105371"
SWP_PRINCIPAL = "arn:aws:iam::147995105371:root"
"""The AWS principal the Server & Workload Protection service assumes roles from."""

MIGRATED = "migrated"
USER_DEFINED = "user_defined"
HALF_DONE = "half_done"
NO_EXTERNAL_ID = "no_external_id"
OPEN = "open"
NOT_EDITABLE = "not_editable"
DENIED = "denied"
INVALID = "invalid"

# What a problem is, for the roles to word their own advice and for CI to read.
CODES = ("invalid", "partition", "denied", "deny_may_apply", "not_principal", "external_id_operator", "external_id_variable",
         "star_open", "star_shared", "open_trust", "no_external_id", "old_version_variables")
_EXTERNAL_ID_VARIABLE = "${" + EXTERNAL_ID_KEY.lower()
# An open statement whose other conditions are not sure to hold for the manager: it may let the manager in, and that
# is what the problem says (no more).
UNSURE = ", whenever its other conditions hold (they cannot be ruled out for the manager's requests)"


class _Problem(Exception):
    """Why the account cannot be edited safely: the state it puts the account in, where, what, the fix and its code."""

    def __init__(self, state, where, problem, fix, code):
        super().__init__(problem)
        self.state = state
        self.where = where
        self.problem = problem
        self.fix = fix
        self.code = code

    def to_dict(self):
        return {"state": self.state, "where": self.where, "problem": self.problem, "fix": self.fix, "code": self.code}


def _invalid(error):
    return _Problem(INVALID, error.where, error.problem, error.fix, "invalid")


def _check_external_conditions(statement):
    """Refuse what cannot be read with certainty in a statement's sts:ExternalId conditions."""
    for condition in statement.external:
        if condition.family not in ("string", "null"):
            raise _Problem(
                NOT_EDITABLE, statement.where,
                "it compares %s with the %s operator, whose meaning for an external ID cannot be kept" % (EXTERNAL_ID_KEY, condition.operator),
                "compare %s with StringEquals" % EXTERNAL_ID_KEY, "external_id_operator")
        if any("${" in value for value in condition.values):
            raise _Problem(
                NOT_EDITABLE, statement.where, "an %s value holds a policy variable (${...})" % EXTERNAL_ID_KEY,
                "write the external ID literally", "external_id_variable")
    if statement.version == POLICY_VERSION and any(_EXTERNAL_ID_VARIABLE in value.lower() for c in statement.conditions for value in c.values):
        raise _Problem(
            NOT_EDITABLE, statement.where,
            "a condition compares a value with the request's external ID (${%s}), which the new ID would change" % EXTERNAL_ID_KEY,
            "remove the ${%s} policy variable from the statement's conditions" % EXTERNAL_ID_KEY, "external_id_variable")


def _open_reason(statement):
    """Why an SWP statement lets the manager in without an external ID or with any, or None."""
    if any(condition.restricts() for condition in statement.external):
        return None
    if not statement.external:
        return "it has no %s condition, so the role can be assumed without an external ID" % EXTERNAL_ID_KEY
    if any(condition.family == "null" and condition.values == ["true"] for condition in statement.external):
        return "its Null condition lets the role be assumed without an external ID"
    if all(condition.negated for condition in statement.external if condition.family == "string"):
        return "its %s conditions only exclude values (or only require presence), so any other external ID is accepted" % EXTERNAL_ID_KEY
    return ("its %s conditions are all met by a request without an external ID or with any one "
            "(IfExists, ForAllValues: or a StringLike pattern of wildcards only)" % EXTERNAL_ID_KEY)


def _accepted(statement):
    """``(ids, exact)``: the external IDs an SWP statement accepts, as written, and whether that is all it accepts."""
    if any(condition.family == "null" and condition.values == ["true"] for condition in statement.external):
        return set(), True  # a present external ID is refused: the statement is dead for the manager
    finite = [condition for condition in statement.external if condition.finite()]
    if finite:
        return set(value for value in finite[0].values if statement.accepts(value)), True
    candidates = set(value for condition in statement.external if condition.restricts() for value in condition.values)
    return set(value for value in candidates if statement.accepts(value)), False


def _scope(principal, partition):
    if not isinstance(principal, str):
        raise TrustPolicyError("the principal must be an AWS account ID or an ARN, not %s" % type_name(principal))
    if is_account_id(principal):
        return partition, principal
    arn = parse_arn(principal)
    if arn is None or arn.service not in ("iam", "sts") or not is_account_id(arn.account):
        raise TrustPolicyError("the principal must be a 12-digit AWS account ID or an IAM/STS ARN, got %r" % (principal,))
    return arn.partition, arn.account


def _deny_problem(statement, manager_id):
    """The problem of a Deny that may refuse the manager with the manager-defined ID, or None."""
    applies = statement.holds(manager_id)
    if applies is False:
        return None
    if not statement.conditions:
        return _Problem(DENIED, statement.where, "it denies the manager's principal sts:AssumeRole outright",
                        "remove the Deny for the manager's principal or exclude it", "denied")
    how = "applies" if applies else "may apply (its conditions cannot be ruled out for the manager's requests)"
    return _Problem(NOT_EDITABLE, statement.where,
                    "its Deny %s to the manager's principal with the manager-defined external ID, so the manager would be "
                    "refused" % how,
                    "keep the manager's principal out of that Deny (for example with a condition on aws:PrincipalAccount), or let "
                    "it allow the manager-defined ID", "deny_may_apply")


def _problems(statements, manager_id, close_open_trust):
    """Every reason to write nothing, in order of the statements."""
    problems = []
    for statement in statements:
        if not statement.assume_role or statement.cover is None:
            continue
        try:
            _check_external_conditions(statement)
        except _Problem as problem:
            problems.append(problem)
            continue
        if statement.effect == "Deny":
            problem = _deny_problem(statement, manager_id)
            if problem:
                problems.append(problem)
            continue
        if statement.cover == "not_principal":
            problems.append(_Problem(NOT_EDITABLE, statement.where,
                                     "an Allow with NotPrincipal trusts the manager's principal (IAM keeps a principal out "
                                     "only when its account, role and session are all listed)",
                                     "replace NotPrincipal by a Principal that names who may assume the role", "not_principal"))
            continue
        reason = _open_reason(statement)
        if reason and statement.others_hold() is not True:
            reason += UNSURE
        if statement.cover == "star":
            why = "; " + reason if reason else ", so its external IDs cannot change without changing everyone's"
            problems.append(_Problem(
                OPEN if reason else NOT_EDITABLE, statement.where,
                "it trusts every principal (\"*\"), the manager's included" + why,
                "give the manager a statement of its own and keep it out of this one (for example with aws:PrincipalAccount)",
                "star_open" if reason else "star_shared"))
        elif reason and not close_open_trust:
            problems.append(_Problem(OPEN, statement.where, reason, "require %s with StringEquals" % EXTERNAL_ID_KEY, "open_trust"))
    return problems


def _result(state, action="fail", problems=(), message=None, accepted=()):
    return {
        "state": state,
        "action": action,
        "problems": [problem.to_dict() for problem in problems],
        "message": message,
        "accepted": sorted(accepted),
        "widened": None,
        "narrowed": None,
        "needs_widen": False,
        "needs_narrow": False,
    }


def _message(role_arn, problems):
    """The sentence for an account that cannot be migrated safely, from its problems (dicts)."""
    return "The trust policy of %s cannot be migrated safely, so nothing was written: %s" % (
        role_arn, " ".join("%s: %s; %s." % (problem["where"], problem["problem"], problem["fix"]) for problem in problems))


def _failure(role_arn, problems):
    result = _result(problems[0].state, problems=problems)
    result["message"] = _message(role_arn, result["problems"])
    return result


def _read(data, scope):
    try:
        return read_policy(data, scope)
    except ReadError as error:
        raise _invalid(error) from None


def analyze(policy, manager_id, role_arn, principal=SWP_PRINCIPAL, close_open_trust=False):
    """The migration decision for one trust policy; see the module's docstring.

    Returns a dict: ``state``, ``action`` (``none``, ``migrate`` or ``fail``), ``problems`` (each
    ``{state, where, problem, fix, code}``), ``message`` (a sentence naming the role, for a failure),
    ``accepted`` (the external IDs the manager's statements accept, as written), ``widened`` and
    ``narrowed`` (new policies, for ``migrate``), ``needs_widen`` and ``needs_narrow``.
    Raises TrustPolicyError for arguments that are not usable (no manager-defined ID, a role ARN
    or principal that cannot be read); a policy that cannot be read is the state ``invalid``.
    """
    if not isinstance(manager_id, str) or not manager_id.strip():
        raise TrustPolicyError("the manager-defined external ID must be a non-empty string")
    try:
        partition = parse_role_arn(role_arn)[0]
    except ArnError as exc:
        raise TrustPolicyError(str(exc)) from None
    scope = _scope(principal, partition)
    try:
        data = load_policy(policy)
    except TrustPolicyError as exc:
        return _failure(role_arn, [_Problem(INVALID, "the policy", str(exc), "correct the trust policy", "invalid")])
    if scope[0] != partition:
        return _failure(role_arn, [_Problem(
            NOT_EDITABLE, "the policy", "the role is in the %s partition but the manager's principal %s is in %s" % (partition, principal, scope[0]),
            "use the manager's principal in the %s partition" % partition, "partition")])
    try:
        statements = _read(data, scope)
    except _Problem as problem:
        return _failure(role_arn, [problem])
    problems = _problems(statements, manager_id, close_open_trust)
    if problems:
        order = (INVALID, DENIED, NOT_EDITABLE, OPEN)
        problems.sort(key=lambda problem: order.index(problem.state))
        return _failure(role_arn, problems)
    swp = [statement for statement in statements if statement.allows]
    accepted = set()
    exact = True
    for statement in swp:
        ids, complete = _accepted(statement)
        if ids or not complete:
            accepted |= ids
            exact = exact and complete and ids == {manager_id}
    if not swp or (not accepted and not any(_open_reason(statement) for statement in swp)):
        return _result(NO_EXTERNAL_ID, problems=[_Problem(
            NO_EXTERNAL_ID, "the policy", "no statement lets %s assume the role with an external ID" % principal,
            "check the manager's principal or the policy", "no_external_id")],
            message="The trust policy of %s does not let %s assume the role with an external ID: check the manager's principal "
                    "or the policy." % (role_arn, principal), accepted=accepted)
    opened = any(_open_reason(statement) for statement in swp)
    if exact and not opened:
        return _result(MIGRATED, action="none", accepted=accepted)
    state = OPEN if opened else HALF_DONE if any(statement.accepts(manager_id) for statement in swp if _accepted(statement)[0]) else USER_DEFINED
    if data.get("Version", OLD_VERSION) != POLICY_VERSION and "${" in json.dumps(data):
        return _failure(role_arn, [_Problem(
            NOT_EDITABLE, "Version", "the policy is a %s policy holding ${...} text, which a %s policy would read as policy variables"
            % (data.get("Version", "version-less (2008-10-17)"), POLICY_VERSION),
            "rewrite the policy as %s yourself" % POLICY_VERSION, "old_version_variables")])
    widened = widen(data, statements, manager_id)
    narrowed = narrow(data, _read(widened, scope) if widened else statements, manager_id)
    result = _result(state, action="migrate", accepted=accepted)
    result["widened"] = widened or data
    result["narrowed"] = narrowed
    result["needs_widen"] = widened is not None
    result["needs_narrow"] = narrowed != result["widened"]
    return result


def _statements_of(policy, role_arn, principal):
    """The statements read for the principals of the manager's account in the role's partition."""
    try:
        partition = parse_role_arn(role_arn)[0] if role_arn else (parse_arn(principal).partition if parse_arn(principal) else "aws")
    except ArnError as exc:
        raise TrustPolicyError(str(exc)) from None
    try:
        return read_policy(load_policy(policy), (partition, _scope(principal, partition)[1]))
    except ReadError as error:
        raise TrustPolicyError("%s: %s" % (error.where, error.problem)) from None


def manager_applicability(policy, role_arn, principal=SWP_PRINCIPAL):
    """One boolean per statement, in order: False when it cannot apply to any sts:AssumeRole request of a principal of
    the manager's account (whatever the external ID and the rest of the request), True when it may.
    Raises TrustPolicyError for a policy or an ARN that cannot be read."""
    return [statement.assume_role and statement.cover is not None for statement in _statements_of(policy, role_arn, principal)]


def others_statements(policy, role_arn, principal=SWP_PRINCIPAL):
    """Where (Sid or index) each statement of the trust policy that is not the manager's alone is: a statement for
    other principals, a Deny, or a manager's statement shared with others. Raises TrustPolicyError for a policy or
    an ARN that cannot be read."""
    return [statement.where for statement in _statements_of(policy, role_arn, principal) if not statement.allows or statement.shared]


def external_ids(policy, principal=SWP_PRINCIPAL, role_arn=None):
    """Sorted external IDs, as written, that the manager's statements of the trust policy accept.

    ``role_arn`` gives the role's partition (default: the principal's, else ``aws``). Raises
    TrustPolicyError for a policy that cannot be read.
    """
    found = set()
    for statement in _statements_of(policy, role_arn, principal):
        if statement.allows and statement.cover == "names":
            try:
                _check_external_conditions(statement)
            except _Problem:
                continue
            positive = [condition for condition in statement.external if condition.family == "string" and not condition.negated]
            found |= set(value for condition in positive for value in condition.values if statement.accepts(value))
    return sorted(found)


def classify(accepted_ids, manager_id):
    """Migration state from the external IDs a trust policy accepts (``migrated``, ``user_defined``, ``half_done``, ``no_external_id``)."""
    if not isinstance(manager_id, str) or not manager_id.strip():
        raise TrustPolicyError("the manager-defined external ID must be a non-empty string")
    if isinstance(accepted_ids, str):
        accepted_ids = [accepted_ids]
    elif not isinstance(accepted_ids, (list, tuple, set, frozenset)):
        raise TrustPolicyError("accepted external IDs must be a list of strings, not %s" % type_name(accepted_ids))
    accepted = set()
    for item in accepted_ids:
        if not isinstance(item, str):
            raise TrustPolicyError("accepted external IDs must be strings, not %s" % type_name(item))
        if item:
            accepted.add(item)
    if not accepted:
        return NO_EXTERNAL_ID
    if accepted == {manager_id}:
        return MIGRATED
    if manager_id in accepted:
        return HALF_DONE
    return USER_DEFINED
