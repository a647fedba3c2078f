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
reads a trust policy the way IAM does and decides, before anything is written:

* which statements are the manager's (*SWP statements*): Allow statements for ``sts:AssumeRole``
  whose Principal covers any principal of the manager's account in the role's own partition
  (its root ARN, its bare account ID, any ARN in it, or ``"*"``);
* the account's state: ``migrated``, ``user_defined``, ``half_done``, or a reason to write
  nothing: ``open`` (a statement lets the manager in without an external ID or with any),
  ``not_editable`` (no edit could keep everyone else's access exactly as it was), ``denied``,
  ``no_external_id`` or ``invalid``;
* the widened policy (every SWP statement also accepts the manager-defined ID, each on its own
  terms, or through a sibling statement) and the narrowed one (every SWP statement accepts the
  manager-defined ID alone, under ``StringEquals``, its other conditions kept).

It fails closed: whatever it cannot read with certainty is a problem that names the statement,
what is wrong and what to do, and no policy is produced for it.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Mapping
from urllib.parse import unquote

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, is_account_id, parse_arn, parse_role_arn

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
    "MASK",
    "TrustPolicyError",
    "load_policy",
    "analyze",
    "external_ids",
    "classify",
    "mask_external_id",
    "mask_policy",
    "policy_diff",
]

SWP_ACCOUNT = "147995105371"
SWP_PRINCIPAL = "arn:aws:iam::147995105371:root"
"""The AWS principal the Server & Workload Protection service assumes roles from."""

EXTERNAL_ID_KEY = "sts:ExternalId"
POLICY_VERSION = "2012-10-17"
_OLD_VERSION = "2008-10-17"

MIGRATED = "migrated"
USER_DEFINED = "user_defined"
HALF_DONE = "half_done"
NO_EXTERNAL_ID = "no_external_id"
OPEN = "open"
NOT_EDITABLE = "not_editable"
DENIED = "denied"
INVALID = "invalid"

MASK = "****"
_MASK_KEEP = 4
_MASK_MIN_LENGTH = 12
_MAX_DEPTH = 32

_ASSUME_ROLE = "sts:assumerole"
_EXTERNAL_ID = EXTERNAL_ID_KEY.lower()
_STATEMENT_KEYS = frozenset(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"])
_PRINCIPAL_TYPES = frozenset(["AWS", "Service", "Federated", "CanonicalUser"])
# IAM's unique IDs (AROA..., AIDA...) stand in a trust policy for a principal that was deleted.
_UNIQUE_ID = re.compile(r"\AA[A-Z0-9]{15,127}\Z")

# Every IAM condition operator, by its lower-case base name, and its family.
_OPERATORS = dict(
    [(name.lower(), "string") for name in (
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike")]
    + [(name.lower(), "numeric") for name in (
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
        "NumericGreaterThanEquals")]
    + [(name.lower(), "date") for name in (
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals")]
    + [("bool", "bool"), ("binaryequals", "binary"), ("ipaddress", "ip"), ("notipaddress", "ip")]
    + [(name.lower(), "arn") for name in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")]
    + [("null", "null")]
)
_OPERATOR = re.compile(r"\A(?:(?P<prefix>ForAnyValue|ForAllValues):)?(?P<base>[A-Za-z]+?)(?P<if_exists>IfExists)?\Z", re.IGNORECASE)
_NEGATED = frozenset(["stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike"])
# Operators whose values can be given a new external ID with an exact meaning.
_IN_PLACE = frozenset(["stringequals", "stringlike"])


class TrustPolicyError(ValueError):
    """A trust policy, principal or external ID that cannot be read or used."""


def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    return "a %s" % type(value).__name__


def _parse_text(text):
    stripped = text.strip()
    if not stripped:
        raise TrustPolicyError("the trust policy is empty text")
    error = None
    for candidate in (stripped, unquote(stripped) if "%" in stripped else None):
        if candidate is None:
            continue
        try:
            return json.loads(candidate)
        except RecursionError:
            raise TrustPolicyError("the trust policy is nested more than %d levels deep" % _MAX_DEPTH) from None
        except ValueError as exc:
            error = error or exc
    raise TrustPolicyError("the trust policy is neither JSON nor URL-encoded JSON (%s)" % error)


def _check_depth(value):
    """Refuse nesting deeper than any trust policy has, without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > _MAX_DEPTH:
            raise TrustPolicyError("the trust policy is nested more than %d levels deep" % _MAX_DEPTH)
        if isinstance(item, Mapping):
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend((child, depth + 1) for child in item)


def _plain(value):
    """Deep copy made of plain JSON types (dict, list, str, int, float, bool, None)."""
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TrustPolicyError("the trust policy holds a key that is not a string (%s)" % _type_name(key))
            result[str(key)] = _plain(item)
        return result
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    raise TrustPolicyError("the trust policy holds a value that is not JSON (%s)" % _type_name(value))


def load_policy(policy):
    """Return a trust policy as a new plain dict.

    ``policy`` is a dict, JSON text, or URL-encoded JSON text (as IAM's API returns
    ``AssumeRolePolicyDocument``). The result never shares data with ``policy``.
    Raises TrustPolicyError when the policy cannot be read: not JSON, nested too deep, not a
    JSON object, no ``Statement``, a ``Statement`` that is neither an object nor a list of objects.
    """
    if isinstance(policy, (bytes, bytearray)):
        try:
            policy = bytes(policy).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TrustPolicyError("the trust policy is not UTF-8 text (%s)" % exc) from None
    if isinstance(policy, str):
        data = _parse_text(policy)
    elif isinstance(policy, Mapping):
        data = policy
    else:
        raise TrustPolicyError("a trust policy must be a dict or JSON text, not %s" % _type_name(policy))
    _check_depth(data)
    data = _plain(data)
    if not isinstance(data, dict):
        raise TrustPolicyError("the trust policy must be a JSON object, not %s" % _type_name(data))
    if "Statement" not in data:
        raise TrustPolicyError("the trust policy has no Statement")
    statements = data["Statement"]
    if isinstance(statements, list):
        for index, statement in enumerate(statements):
            if not isinstance(statement, dict):
                raise TrustPolicyError("Statement[%d] of the trust policy must be an object, not %s" % (index, _type_name(statement)))
    elif not isinstance(statements, dict):
        raise TrustPolicyError("the Statement of the trust policy must be a list or an object, not %s" % _type_name(statements))
    return data


def _statements(data):
    statements = data["Statement"]
    return [statements] if isinstance(statements, dict) else statements


def _where(index, statement):
    sid = statement.get("Sid")
    if isinstance(sid, str) and sid:
        return "Statement[%d] (Sid %s)" % (index, sid)
    return "Statement[%d]" % index


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _wildcard(pattern, ignore_case=False):
    """An IAM ``*``/``?`` pattern as an anchored regex."""
    parts = [".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern]
    return re.compile(r"\A" + "".join(parts) + r"\Z", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _only_wildcards(value):
    return not set(value) - set("*?")


class _Problem(Exception):
    """Why the account cannot be edited safely: the state it puts the account in, where, what, and the fix."""

    def __init__(self, state, where, problem, fix):
        super().__init__(problem)
        self.state = state
        self.where = where
        self.problem = problem
        self.fix = fix

    def to_dict(self):
        return {"state": self.state, "where": self.where, "problem": self.problem, "fix": self.fix}


def _invalid(where, problem, fix="correct the trust policy"):
    return _Problem(INVALID, where, problem, fix)


class _Condition:
    """One condition key under one operator of a statement."""

    __slots__ = ("operator", "key", "base", "family", "prefix", "if_exists", "negated", "values")

    def __init__(self, operator, key, base, prefix, if_exists, values):
        self.operator = operator
        self.key = key
        self.base = base
        self.family = _OPERATORS[base]
        self.prefix = prefix
        self.if_exists = if_exists
        self.negated = base in _NEGATED
        self.values = values

    def restricts(self):
        """Whether a request must carry one of this condition's values (not met by a missing key, nor by any value)."""
        if self.family != "string" or self.negated or self.if_exists or self.prefix == "forallvalues":
            return False
        return not (self.base == "stringlike" and any(_only_wildcards(value) for value in self.values))

    def finite(self):
        """Whether the values this condition accepts are exactly its values, as written."""
        if not self.restricts():
            return False
        # IgnoreCase accepts every letter case of its values, a pattern with * or ? more than it names.
        return self.base == "stringequals" or (self.base == "stringlike" and not any("*" in v or "?" in v for v in self.values))

    def accepts(self, value):
        """Whether a request carrying ``value`` for this key meets the condition (string family and Null only)."""
        if self.family == "null":
            return self.values == ["false"]
        if self.base in ("stringequals", "stringnotequals"):
            matched = value in self.values
        elif self.base in ("stringequalsignorecase", "stringnotequalsignorecase"):
            matched = value.lower() in [item.lower() for item in self.values]
        else:
            matched = any(_wildcard(item).match(value) for item in self.values)
        return not matched if self.negated else matched


class _Statement:
    """One statement as IAM reads it, for the manager's principal."""

    def __init__(self, index, data):
        self.index = index
        self.data = data
        self.where = _where(index, data)
        self.effect = None
        self.assume_role = False
        self.cover = None  # None, "swp", "star" or "not_principal"
        self.swp_names = []
        self.shared = False
        self.conditions = []
        self.external = []

    @property
    def swp(self):
        return self.effect == "Allow" and self.assume_role and self.cover is not None

    def accepts(self, value):
        return all(condition.accepts(value) for condition in self.external)


def _read_values(where, operator, key, value, family):
    values = []
    for item in _as_list(value):
        if isinstance(item, bool):
            if family not in ("bool", "null"):
                raise _invalid(where, "the %s value of %s is a boolean" % (operator, key))
            values.append("true" if item else "false")
        elif isinstance(item, str):
            values.append(item)
        elif isinstance(item, int) or (isinstance(item, float) and family == "numeric"):
            values.append(str(item))
        else:
            raise _invalid(where, "the %s value of %s is %s, not a string" % (operator, key, _type_name(item)))
    if not values:
        raise _invalid(where, "the %s condition on %s has no value" % (operator, key))
    return values


def _read_conditions(where, condition):
    if condition is None:
        return []
    if not isinstance(condition, dict):
        raise _invalid(where, "the Condition must be an object, not %s" % _type_name(condition))
    result = []
    seen_operators = set()
    for operator, block in condition.items():
        match = _OPERATOR.match(operator)
        base = match.group("base").lower() if match else None
        if base not in _OPERATORS or (base == "null" and (match.group("prefix") or match.group("if_exists"))):
            raise _invalid(where, "the condition operator %r is not one IAM knows" % operator, "use an IAM condition operator")
        if operator.lower() in seen_operators:
            raise _invalid(where, "the condition operator %s is written twice (in different letter case)" % operator)
        seen_operators.add(operator.lower())
        if not isinstance(block, dict):
            raise _invalid(where, "the condition operator %s must hold an object, not %s" % (operator, _type_name(block)))
        seen_keys = set()
        for key, value in block.items():
            if key.lower() in seen_keys:
                raise _invalid(where, "the condition key %s is written twice under %s (in different letter case)" % (key, operator))
            seen_keys.add(key.lower())
            values = _read_values(where, operator, key, value, _OPERATORS[base])
            if base == "null" and not set(values) <= {"true", "false"}:
                raise _invalid(where, "the Null condition on %s must be true or false" % key)
            prefix = (match.group("prefix") or "").lower()
            result.append(_Condition(operator, key, base, prefix, bool(match.group("if_exists")), values))
    return result


def _action_covers_assume_role(where, statement):
    if ("Action" in statement) == ("NotAction" in statement):
        raise _invalid(where, "a statement needs exactly one of Action and NotAction")
    name = "Action" if "Action" in statement else "NotAction"
    patterns = _as_list(statement[name])
    if not patterns or not all(isinstance(item, str) for item in patterns):
        raise _invalid(where, "the %s must be a string or a list of strings" % name)
    matched = any(_wildcard(item, ignore_case=True).match(_ASSUME_ROLE) for item in patterns)
    return matched if name == "Action" else not matched


def _principal_names(where, principal, name):
    """``[(type, value)]`` of a Principal or NotPrincipal element."""
    if principal == "*":
        return [("AWS", "*")]
    if not isinstance(principal, dict) or not principal:
        raise _invalid(where, "the %s must be \"*\" or an object such as {\"AWS\": ...}" % name)
    names = []
    for kind, values in principal.items():
        if kind not in _PRINCIPAL_TYPES:
            raise _invalid(where, "the %s type %r is not one IAM knows (AWS, Service, Federated, CanonicalUser)" % (name, kind))
        items = _as_list(values)
        if not items or not all(isinstance(item, str) for item in items):
            raise _invalid(where, "the %s %s must be a string or a list of strings" % (name, kind))
        names.extend((kind, item) for item in items)
    return names


def _in_scope(where, kind, value, scope):
    """Whether one principal is the manager's: ``True``, ``False`` or ``"*"`` (everyone)."""
    if kind != "AWS":
        return False
    if value == "*":
        return "*"
    partition, account = scope
    if is_account_id(value):
        return value == account
    arn = parse_arn(value)
    if arn is not None and arn.service in ("iam", "sts") and is_account_id(arn.account):
        return arn.partition == partition and arn.account == account
    if _UNIQUE_ID.match(value):
        return False
    raise _invalid(where, "the principal %r is neither an account ID, an ARN nor \"*\"" % value)


def _arn_may_be_in(value, scope):
    """Whether an ARN (or an ARN pattern) may name a principal of the manager's account."""
    fields = value.split(":", 5)
    if len(fields) < 6:
        return True
    partition, account = scope
    if "*" not in fields[1] and "?" not in fields[1] and fields[1] != partition:
        return False
    return not ("*" not in fields[4] and "?" not in fields[4] and fields[4] != account)


def _binding(condition):
    """Whether a condition must hold for a request that carries its key (not IfExists, not ForAllValues:)."""
    return not condition.if_exists and condition.prefix != "forallvalues"


def _name_may_pass(name, conditions, scope):
    """Whether the manager's principal ``name`` (``"*"`` for any of its account) may meet the principal conditions."""
    partition, account = scope
    arn = parse_arn(name)
    exact = None if name == "*" or is_account_id(name) or (arn and arn.resource == "root") or (arn and arn.service == "sts") else name
    for condition in conditions:
        if not _binding(condition):
            continue
        key = condition.key.lower()
        if key == "aws:principalaccount" and condition.family == "string":
            fold = "ignorecase" in condition.base
            matched = any(_wildcard(value, ignore_case=fold).match(account) if condition.base.endswith("like")
                          else (value.lower() == account if fold else value == account) for value in condition.values)
            if matched == condition.negated:
                return False
        elif key == "aws:principalarn" and not condition.negated and condition.family in ("string", "arn"):
            if exact is None:
                if not any(_arn_may_be_in(value, scope) for value in condition.values):
                    return False
            elif not any(_wildcard(value, ignore_case="ignorecase" in condition.base).match(exact) for value in condition.values):
                return False
    return True


def _networks(values):
    try:
        return [ipaddress.ip_network(value, strict=False) for value in values]
    except ValueError:
        return None


def _contradicts(conditions):
    """Whether no request at all can meet the statement's conditions, for sure (dead statement)."""
    by_key = {}
    for condition in conditions:
        if _binding(condition):
            by_key.setdefault(condition.key.lower(), []).append(condition)
    for found in by_key.values():
        if any(c.family == "null" and c.values == ["true"] for c in found) and any(
                c.family != "null" and not c.negated for c in found):
            return True
        outside = [net for c in found if c.base == "notipaddress" for net in (_networks(c.values) or [])]
        for c in found:
            nets = _networks(c.values) if c.base == "ipaddress" else None
            if nets and outside and all(any(net.version == out.version and net.subnet_of(out) for out in outside) for net in nets):
                return True
        equals = [set(c.values) for c in found if c.base == "stringequals" and c.prefix != "foranyvalue"]
        refused = set(v for c in found if c.base == "stringnotequals" for v in c.values)
        if any(values <= refused for values in equals):
            return True
    return False


def _read_statement(index, data, scope):
    statement = _Statement(index, data)
    where = statement.where
    unknown = sorted(set(data) - _STATEMENT_KEYS)
    if unknown:
        raise _invalid(where, "the statement has keys IAM does not know: %s" % ", ".join(unknown))
    effect = data.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise _invalid(where, "the Effect must be \"Allow\" or \"Deny\"")
    statement.effect = effect
    statement.assume_role = _action_covers_assume_role(where, data)
    statement.conditions = _read_conditions(where, data.get("Condition"))
    statement.external = [condition for condition in statement.conditions if condition.key.lower() == _EXTERNAL_ID]
    if ("Principal" in data) == ("NotPrincipal" in data):
        raise _invalid(where, "a trust-policy statement needs exactly one of Principal and NotPrincipal")
    if "NotPrincipal" in data:
        names = _principal_names(where, data["NotPrincipal"], "NotPrincipal")
        excluded = any(_in_scope(where, kind, value, scope) is True and (is_account_id(value) or value.endswith(":root"))
                       for kind, value in names)
        statement.cover = None if excluded else "not_principal"
        return statement
    names = _principal_names(where, data["Principal"], "Principal")
    kinds = [(kind, value, _in_scope(where, kind, value, scope)) for kind, value in names]
    if _contradicts(statement.conditions):
        return statement  # nobody can meet its conditions: it is nobody's, and stays as it is
    # A principal of the manager's account that the statement's own principal conditions keep out is not the manager's.
    kinds = [(kind, value, found if not found or _name_may_pass(value if found is True else "*", statement.conditions, scope) else False)
             for kind, value, found in kinds]
    if any(found == "*" for _kind, _value, found in kinds):
        statement.cover = "star"
    elif any(found for _kind, _value, found in kinds):
        statement.cover = "swp"
        statement.swp_names = [value for _kind, value, found in kinds if found]
        statement.shared = any(not found for _kind, _value, found in kinds)
    return statement


def _check_external_conditions(statement):
    """Refuse what cannot be read with certainty in a statement's sts:ExternalId conditions."""
    for condition in statement.external:
        if condition.family not in ("string", "null"):
            raise _Problem(
                NOT_EDITABLE, statement.where,
                "it compares %s with the %s operator, whose meaning for an external ID cannot be kept" % (EXTERNAL_ID_KEY, condition.operator),
                "compare %s with StringEquals" % EXTERNAL_ID_KEY)
        if any("${" in value for value in condition.values):
            raise _Problem(
                NOT_EDITABLE, statement.where, "an %s value holds a policy variable (${...})" % EXTERNAL_ID_KEY,
                "write the external ID literally")


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
        raise TrustPolicyError("the principal must be an AWS account ID or an ARN, not %s" % _type_name(principal))
    if is_account_id(principal):
        return partition, principal
    arn = parse_arn(principal)
    if arn is None or arn.service not in ("iam", "sts") or not is_account_id(arn.account):
        raise TrustPolicyError("the principal must be a 12-digit AWS account ID or an IAM/STS ARN, got %r" % (principal,))
    return arn.partition, arn.account


def _read_policy(data, scope):
    statements = [_read_statement(index, statement, scope) for index, statement in enumerate(_statements(data))]
    version = data.get("Version", _OLD_VERSION)
    if version not in (POLICY_VERSION, _OLD_VERSION):
        raise _invalid("Version", "the policy Version %r is not one IAM knows" % (version,), "use \"2012-10-17\"")
    return statements


def _problems(statements, manager_id, close_open_trust):
    """Every reason to write nothing, in order of the statements."""
    problems = []
    for statement in statements:
        if not statement.assume_role or statement.cover is None:
            continue
        if statement.effect == "Deny":
            try:
                _check_external_conditions(statement)
            except _Problem as problem:
                problems.append(problem)
                continue
            if not statement.conditions:
                problems.append(_Problem(DENIED, statement.where, "it denies the manager's principal sts:AssumeRole outright",
                                         "remove the Deny for the manager's principal or exclude it"))
            elif statement.external and statement.accepts(manager_id):
                problems.append(_Problem(NOT_EDITABLE, statement.where,
                                         "its Deny applies to the manager-defined external ID, so the manager would be refused",
                                         "change that Deny's %s condition to allow the manager-defined ID" % EXTERNAL_ID_KEY))
            continue
        if statement.cover == "not_principal":
            problems.append(_Problem(NOT_EDITABLE, statement.where, "an Allow with NotPrincipal trusts the manager's principal",
                                     "replace NotPrincipal by a Principal that names who may assume the role"))
            continue
        try:
            _check_external_conditions(statement)
        except _Problem as problem:
            problems.append(problem)
            continue
        reason = _open_reason(statement)
        if statement.cover == "star":
            why = "; " + reason if reason else ", so its external IDs cannot change without changing everyone's"
            problems.append(_Problem(
                OPEN if reason else NOT_EDITABLE, statement.where,
                "it trusts every principal (\"*\"), the manager's included" + why,
                "give the manager a statement of its own and keep it out of this one (for example with aws:PrincipalAccount)"))
        elif reason and not close_open_trust:
            problems.append(_Problem(OPEN, statement.where, reason,
                                     "require %s with StringEquals, or set extid_migration_close_open_trust to let the rollout do it"
                                     % EXTERNAL_ID_KEY))
    return problems


def _has_variables(data):
    return "${" in json.dumps(data)


def _without_sid(statement):
    return dict((key, value) for key, value in statement.items() if key != "Sid")


def _same(left, right):
    """Statements equal but for their Sid."""
    return _without_sid(left) == _without_sid(right)


def _unused_sid(base, taken):
    if not base:
        return None
    candidate = base
    number = 2
    while candidate in taken:
        candidate = "%s%d" % (base, number)
        number += 1
    taken.add(candidate)
    return candidate


def _principal_of(names):
    return {"AWS": names[0] if len(names) == 1 else list(names)}


def _others(statement, taken):
    """The part of a shared statement that is not the manager's, with the statement's conditions as they were."""
    data = statement.data
    principal = data["Principal"]
    rest = {}
    for kind, values in principal.items():
        kept = [value for value in _as_list(values) if not (kind == "AWS" and value in statement.swp_names)]
        if kept:
            rest[kind] = kept[0] if len(kept) == 1 else kept
    others = copy.deepcopy(data)
    others["Principal"] = rest
    sid = _unused_sid(data.get("Sid") + "Others" if isinstance(data.get("Sid"), str) and data.get("Sid") else None, taken)
    if sid:
        others["Sid"] = sid
    else:
        others.pop("Sid", None)
    return others


def _manager_only(statement, manager_id):
    """The statement for the manager's principals alone, accepting ``manager_id`` alone under StringEquals."""
    result = copy.deepcopy(statement.data)
    result["Principal"] = _principal_of(statement.swp_names)
    condition = result.get("Condition") or {}
    for operator in list(condition):
        block = condition[operator]
        for key in [key for key in block if key.lower() == _EXTERNAL_ID]:
            del block[key]
        if not block:
            del condition[operator]
    equals = [operator for operator in condition if operator.lower() == "stringequals"]
    condition.setdefault(equals[0] if equals else "StringEquals", {})[EXTERNAL_ID_KEY] = manager_id
    result["Condition"] = condition
    return result


def _in_place(statement, manager_id):
    """The condition that can take ``manager_id`` beside its IDs with an exact meaning, or None."""
    if statement.shared:
        return None
    positive = [condition for condition in statement.external if condition.family == "string"]
    others = [condition for condition in statement.external if condition.family == "null"]
    if len(positive) != 1 or any(condition.values != ["false"] for condition in others):
        return None
    condition = positive[0]
    if (condition.base not in _IN_PLACE or condition.negated or condition.if_exists or condition.prefix == "forallvalues"
            or (condition.base == "stringlike" and ("*" in manager_id or "?" in manager_id))):
        return None
    return condition


def _written(data, statements):
    result = dict((key, value) for key, value in data.items() if key != "Statement")
    result["Version"] = POLICY_VERSION
    result["Statement"] = statements
    return result


def _widen(data, statements, manager_id):
    """Every SWP statement also accepts ``manager_id``, each on its own terms; None when nothing changes."""
    result = []
    taken = set(s.data["Sid"] for s in statements if isinstance(s.data.get("Sid"), str))
    changed = False
    for statement in statements:
        current = copy.deepcopy(statement.data)
        result.append(current)
        if not statement.swp or statement.accepts(manager_id):
            continue
        condition = _in_place(statement, manager_id)
        if condition is not None:
            current["Condition"][condition.operator][condition.key] = condition.values + [manager_id]
            changed = True
            continue
        sibling = _manager_only(statement, manager_id)
        if any(_same(sibling, other) for other in result + [other.data for other in statements]):
            continue  # an earlier, interrupted run added it already, or another statement's sibling is the same
        sid = _unused_sid(sibling.get("Sid") + "ManagerId" if isinstance(sibling.get("Sid"), str) and sibling.get("Sid") else None, taken)
        if sid:
            sibling["Sid"] = sid
        result.append(sibling)
        changed = True
    return _written(data, result) if changed else None


def _narrow(data, statements, manager_id):
    """Every SWP statement accepts ``manager_id`` alone; statements of others are kept as they are."""
    result = []
    taken = set(s.data["Sid"] for s in statements if isinstance(s.data.get("Sid"), str))
    for statement in statements:
        if not statement.swp:
            result.append(copy.deepcopy(statement.data))
            continue
        mine = _manager_only(statement, manager_id)
        if not any(_same(mine, kept) for kept in result):
            result.append(mine)
        if statement.shared:
            result.append(_others(statement, taken))
    return _written(data, result)


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


def _failure(role_arn, problems):
    first = problems[0]
    text = "The trust policy of %s cannot be migrated safely, so nothing was written: %s" % (
        role_arn, " ".join("%s: %s; %s." % (problem.where, problem.problem, problem.fix) for problem in problems))
    return _result(first.state, problems=problems, message=text)


def analyze(policy, manager_id, role_arn, principal=SWP_PRINCIPAL, close_open_trust=False):
    """The migration decision for one trust policy; see the module's docstring.

    Returns a dict: ``state``, ``action`` (``none``, ``migrate`` or ``fail``), ``problems`` (each
    ``{state, where, problem, fix}``), ``message`` (a sentence naming the role, for a failure),
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
        return _failure(role_arn, [_invalid("the policy", str(exc))])
    if scope[0] != partition:
        return _failure(role_arn, [_Problem(
            NOT_EDITABLE, "the policy", "the role is in the %s partition but the manager's principal %s is in %s" % (partition, principal, scope[0]),
            "set the manager's principal (extid_migration_principal) to the one in the %s partition" % partition)])
    try:
        statements = _read_policy(data, scope)
    except _Problem as problem:
        return _failure(role_arn, [problem])
    problems = _problems(statements, manager_id, close_open_trust)
    if problems:
        order = (INVALID, DENIED, NOT_EDITABLE, OPEN)
        problems.sort(key=lambda problem: order.index(problem.state))
        return _failure(role_arn, problems)
    swp = [statement for statement in statements if statement.swp]
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
            "check the manager's principal (extid_migration_principal) or the policy")],
            message="The trust policy of %s does not let %s assume the role with an external ID: fix the principal "
                    "(extid_migration_principal) or the policy." % (role_arn, principal), accepted=accepted)
    opened = any(_open_reason(statement) for statement in swp)
    if exact and not opened:
        return _result(MIGRATED, action="none", accepted=accepted)
    state = OPEN if opened else HALF_DONE if any(statement.accepts(manager_id) for statement in swp if _accepted(statement)[0]) else USER_DEFINED
    widened = _widen(data, statements, manager_id)
    narrowed = _narrow(data, _read_policy(widened, scope) if widened else statements, manager_id)
    if data.get("Version", _OLD_VERSION) != POLICY_VERSION and _has_variables(data):
        return _failure(role_arn, [_Problem(
            NOT_EDITABLE, "Version", "the policy is a %s policy holding ${...} text, which a %s policy would read as policy variables"
            % (data.get("Version", "version-less (2008-10-17)"), POLICY_VERSION),
            "rewrite the policy as %s yourself" % POLICY_VERSION)])
    result = _result(state, action="migrate", accepted=accepted)
    result["widened"] = widened or data
    result["narrowed"] = narrowed
    result["needs_widen"] = widened is not None
    result["needs_narrow"] = narrowed != result["widened"]
    return result


def others_statements(policy, role_arn, principal=SWP_PRINCIPAL):
    """Where (Sid or index) each statement of the trust policy that is not the manager's alone is: a statement for
    other principals, a Deny, or a manager's statement shared with others. Raises TrustPolicyError for a policy or
    an ARN that cannot be read."""
    try:
        partition = parse_role_arn(role_arn)[0]
    except ArnError as exc:
        raise TrustPolicyError(str(exc)) from None
    try:
        statements = _read_policy(load_policy(policy), _scope(principal, partition))
    except _Problem as problem:
        raise TrustPolicyError("%s: %s" % (problem.where, problem.problem)) from None
    return [statement.where for statement in statements if not statement.swp or statement.shared]


def external_ids(policy, principal=SWP_PRINCIPAL, role_arn=None):
    """Sorted external IDs, as written, that the manager's statements of the trust policy accept.

    ``role_arn`` gives the role's partition (default: the principal's, else ``aws``). Raises
    TrustPolicyError for a policy that cannot be read.
    """
    partition = parse_role_arn(role_arn)[0] if role_arn else (parse_arn(principal).partition if parse_arn(principal) else "aws")
    scope = _scope(principal, partition)
    data = load_policy(policy)
    try:
        statements = _read_policy(data, scope)
    except _Problem as problem:
        raise TrustPolicyError("%s: %s" % (problem.where, problem.problem)) from None
    found = set()
    for statement in statements:
        if statement.swp and statement.cover == "swp":
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
        raise TrustPolicyError("accepted external IDs must be a list of strings, not %s" % _type_name(accepted_ids))
    accepted = set()
    for item in accepted_ids:
        if not isinstance(item, str):
            raise TrustPolicyError("accepted external IDs must be strings, not %s" % _type_name(item))
        if item:
            accepted.add(item)
    if not accepted:
        return NO_EXTERNAL_ID
    if accepted == {manager_id}:
        return MIGRATED
    if manager_id in accepted:
        return HALF_DONE
    return USER_DEFINED


def mask_external_id(value, reveal=False):
    """Mask an external ID for logs and diffs.

    Values of 12 characters or more keep their first 4 characters followed by ``****``;
    shorter values become ``****``. A list is masked item by item; None stays None;
    other values are masked as their text. With ``reveal`` the value is returned as is.
    """
    if reveal or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [mask_external_id(item) for item in value]
    text = value if isinstance(value, str) else str(value)
    if len(text) < _MASK_MIN_LENGTH:
        return MASK
    return text[:_MASK_KEEP] + MASK


def mask_policy(policy, reveal=False):
    """Copy of a trust policy with every ``sts:ExternalId`` condition value masked.

    Masks the key under every condition operator but ``Null`` (whose value is a boolean),
    in every statement. With ``reveal`` the loaded copy is returned unmasked.
    """
    data = load_policy(policy)
    if reveal:
        return data
    for statement in _statements(data):
        condition = statement.get("Condition")
        if not isinstance(condition, dict):
            continue
        for operator, block in condition.items():
            if not isinstance(block, dict) or operator.lower() == "null":
                continue
            for key in block:
                if isinstance(key, str) and key.lower() == EXTERNAL_ID_KEY.lower():
                    block[key] = mask_external_id(block[key])
    return data


def _sorted(value):
    if isinstance(value, dict):
        return dict((key, _sorted(value[key])) for key in sorted(value))
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def policy_diff(before, after, reveal=False):
    """``{"before": dict, "after": dict}`` for Ansible's diff output.

    Both policies are masked with mask_policy() unless ``reveal`` is true, and their keys are
    sorted at every level so the output is deterministic. None stands for no policy (``{}``).
    """
    result = {}
    for name, policy in (("before", before), ("after", after)):
        result[name] = {} if policy is None else _sorted(mask_policy(policy, reveal=reveal))
    return result
