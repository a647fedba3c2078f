# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""External-ID edits of cross-account IAM role trust policies, for internal use.

This module is private to the swp.aws collection: its API may change without notice.
It is pure (standard library only, no Ansible import) so it can be shared by modules,
action plugins and filters, and unit-tested on its own.

Server & Workload Protection reads an AWS account by assuming a cross-account role whose
trust policy trusts the service's AWS principal on condition of an ``sts:ExternalId``.
The functions here read the external IDs a trust policy accepts for one principal and
rewrite them, touching nothing else:

* only ``Allow`` statements that allow ``sts:AssumeRole`` and name the principal count;
  a statement trusting everyone (``"*"``) never counts, so it is never edited;
* only the values of ``sts:ExternalId`` under the string operators ``StringEquals``,
  ``StringLike``, ``StringEqualsIgnoreCase`` (with or without ``ForAnyValue:``,
  ``ForAllValues:`` and ``IfExists``) are replaced; the operator, every other condition
  key and every other statement are kept as they were;
* the ``Principal``, ``Effect`` and ``Action`` of every statement are never changed, so an
  edit never widens who may assume the role.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import unquote

__all__ = [
    "SWP_PRINCIPAL",
    "EXTERNAL_ID_KEY",
    "MIGRATED",
    "USER_DEFINED",
    "HALF_DONE",
    "NO_EXTERNAL_ID",
    "MASK",
    "TrustPolicyError",
    "load_policy",
    "principal_matches",
    "external_ids",
    "trusts_without_external_id",
    "with_external_ids",
    "classify",
    "mask_external_id",
    "mask_policy",
    "policy_diff",
]

SWP_PRINCIPAL = "arn:aws:iam::147995105371:root"
"""The AWS principal the Server & Workload Protection service assumes roles from."""

EXTERNAL_ID_KEY = "sts:ExternalId"

MIGRATED = "migrated"
USER_DEFINED = "user_defined"
HALF_DONE = "half_done"
NO_EXTERNAL_ID = "no_external_id"

MASK = "****"
_MASK_KEEP = 4
_MASK_MIN_LENGTH = 12

_ACCOUNT_ID = re.compile(r"\A[0-9]{12}\Z")
_ROOT_ARN = re.compile(r"\Aarn:aws(?:-[a-z]+)*:iam::([0-9]{12}):root\Z")
_ASSUME_ROLE = "sts:assumerole"

# <prefix>:<base><IfExists>; the base decides how a value is compared.
_STRING_OPERATOR = re.compile(
    r"\A(?:(?P<prefix>ForAnyValue|ForAllValues):)?"
    r"(?P<base>StringEquals|StringNotEquals|StringEqualsIgnoreCase|StringNotEqualsIgnoreCase|StringLike|StringNotLike)"
    r"(?P<if_exists>IfExists)?\Z",
    re.IGNORECASE,
)
_NEGATED = {
    "stringnotequals": "stringequals",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "stringnotlike": "stringlike",
}


class TrustPolicyError(ValueError):
    """A trust policy, principal or external ID that cannot be read or used."""


class _Entry:
    """One ``sts:ExternalId`` key under one string condition operator of a statement."""

    __slots__ = ("operator", "key", "base", "negated", "optional", "values")

    def __init__(self, operator, key, base, negated, optional, values):
        self.operator = operator
        self.key = key
        self.base = base
        self.negated = negated
        self.optional = optional
        self.values = values

    def accepts(self, value):
        """Whether a request carrying this external ID satisfies this condition."""
        if self.base == "stringequals":
            matched = value in self.values
        elif self.base == "stringequalsignorecase":
            matched = value.lower() in set(v.lower() for v in self.values)
        else:
            matched = any(_wildcard(v).match(value) for v in self.values)
        return not matched if self.negated else matched


def _wildcard(pattern):
    """Compile an IAM ``StringLike`` pattern (``*`` and ``?``) to an anchored regex."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile(r"\A" + "".join(parts) + r"\Z", re.DOTALL)


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
    try:
        return json.loads(stripped)
    except ValueError as exc:
        error = exc
    if "%" in stripped:
        try:
            return json.loads(unquote(stripped))
        except ValueError:
            pass
    raise TrustPolicyError("the trust policy is neither JSON nor URL-encoded JSON (%s)" % error)


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
    Raises TrustPolicyError when the policy cannot be read: not JSON, not a JSON object,
    no ``Statement``, a ``Statement`` that is neither an object nor a list of objects.
    """
    if isinstance(policy, (bytes, bytearray)):
        try:
            policy = bytes(policy).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TrustPolicyError("the trust policy is not UTF-8 text (%s)" % exc) from None
    if isinstance(policy, str):
        data = _parse_text(policy)
    elif isinstance(policy, Mapping):
        data = _plain(policy)
    else:
        raise TrustPolicyError("a trust policy must be a dict or JSON text, not %s" % _type_name(policy))
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


def _principal_key(value):
    """Comparable form of a principal: an account's root ARN equals its account ID."""
    if _ACCOUNT_ID.match(value):
        return ("account", value)
    match = _ROOT_ARN.match(value)
    if match:
        return ("account", match.group(1))
    return ("arn", value)


def _check_principal(principal):
    if not isinstance(principal, str) or not (_ACCOUNT_ID.match(principal) or principal.startswith("arn:")):
        shown = principal if isinstance(principal, str) else _type_name(principal)
        raise TrustPolicyError("the principal must be a 12-digit AWS account ID or an ARN, got %r" % (shown,))
    return _principal_key(principal)


def _as_list(value):
    if isinstance(value, list):
        return value
    return [value]


def _aws_principals(statement):
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        principal = principal.get("AWS")
    return [name for name in _as_list(principal) if isinstance(name, str)]


def _action_matches(pattern):
    return isinstance(pattern, str) and bool(_wildcard(pattern.lower()).match(_ASSUME_ROLE))


def _allows_assume_role(statement):
    effect = statement.get("Effect")
    if not isinstance(effect, str) or effect.lower() != "allow":
        return False
    if "Action" in statement:
        return any(_action_matches(action) for action in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(_action_matches(action) for action in _as_list(statement["NotAction"]))
    return False


def _matches(statement, key):
    if not _allows_assume_role(statement):
        return False
    names = _aws_principals(statement)
    if not names or "*" in names:
        return False
    return any(_principal_key(name) == key for name in names)


def principal_matches(statement, principal):
    """Whether a statement lets ``principal`` assume the role.

    ``principal`` is a 12-digit account ID or an ARN; an account's root ARN
    (``arn:aws:iam::<id>:root``) and its account ID are the same principal, any other ARN
    matches only exactly. The statement must have ``Effect: Allow`` and allow
    ``sts:AssumeRole`` (``Action`` string or list, wildcards such as ``sts:*`` and ``*``
    count; a ``NotAction`` counts when it does not exclude ``sts:AssumeRole``). Its
    ``Principal`` may be a string, a list or ``{"AWS": string or list}``. A statement that
    trusts everyone (``"*"`` among its AWS principals) never matches.
    Conditions are not looked at.
    """
    key = _check_principal(principal)
    if not isinstance(statement, Mapping):
        raise TrustPolicyError("a policy statement must be an object, not %s" % _type_name(statement))
    return _matches(statement, key)


def _values(value, where):
    values = []
    for item in _as_list(value):
        if isinstance(item, str):
            values.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            values.append(str(item))
        else:
            raise TrustPolicyError("%s: an %s value must be a string or a list of strings, not %s" % (where, EXTERNAL_ID_KEY, _type_name(item)))
    return values


def _entries(statement, where):
    """Every ``sts:ExternalId`` key under a string operator of the statement's Condition."""
    condition = statement.get("Condition")
    if condition is None:
        return []
    if not isinstance(condition, Mapping):
        raise TrustPolicyError("%s: the Condition must be an object, not %s" % (where, _type_name(condition)))
    entries = []
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            raise TrustPolicyError("%s: the Condition operator %s must hold an object, not %s" % (where, operator, _type_name(block)))
        match = _STRING_OPERATOR.match(operator)
        if not match:
            continue
        base = match.group("base").lower()
        negated = base in _NEGATED
        prefix = (match.group("prefix") or "").lower()
        optional = bool(match.group("if_exists")) or prefix == "forallvalues"
        for key, value in block.items():
            if isinstance(key, str) and key.lower() == EXTERNAL_ID_KEY.lower():
                entries.append(_Entry(operator, key, _NEGATED.get(base, base), negated, optional, _values(value, where)))
    return entries


def _accepted(entries):
    """External IDs named by a statement that satisfy all its (ANDed) conditions, or None."""
    positive = [entry for entry in entries if not entry.negated]
    if not positive:
        return None
    candidates = set(value for entry in positive for value in entry.values)
    return set(value for value in candidates if all(entry.accepts(value) for entry in entries))


def external_ids(policy, principal=SWP_PRINCIPAL):
    """Sorted list of the external IDs the trust policy accepts from ``principal``.

    Looks at the statements for which principal_matches() holds and at their
    ``sts:ExternalId`` conditions (key in any letter case; operators ``StringEquals``,
    ``StringLike``, ``StringEqualsIgnoreCase``, optionally with ``ForAnyValue:`` /
    ``ForAllValues:`` and ``IfExists``; value a string or a list). Values are reported as
    written: a ``StringLike`` pattern is reported as the pattern. When one statement holds
    the key under several operators (IAM ANDs them) only values that satisfy all of them,
    including the negated ``StringNot...`` operators, are reported. Deny statements are not
    evaluated. An empty list means no statement trusts the principal with an external ID.
    """
    key = _check_principal(principal)
    data = load_policy(policy)
    found = set()
    for index, statement in enumerate(_statements(data)):
        if _matches(statement, key):
            accepted = _accepted(_entries(statement, _where(index, statement)))
            if accepted:
                found.update(accepted)
    return sorted(found)


def trusts_without_external_id(policy, principal=SWP_PRINCIPAL):
    """Whether some statement lets ``principal`` assume the role with no external ID at all.

    True when a statement that trusts the principal has no positive ``sts:ExternalId``
    condition, or only ``...IfExists`` / ``ForAllValues:`` ones (both are met by a request
    without an external ID) and no ``Null: {"sts:ExternalId": "false"}``.
    """
    key = _check_principal(principal)
    data = load_policy(policy)
    for index, statement in enumerate(_statements(data)):
        if not _matches(statement, key):
            continue
        entries = _entries(statement, _where(index, statement))
        if any(not entry.negated and not entry.optional for entry in entries):
            continue
        if _requires_presence(statement):
            continue
        return True
    return False


def _requires_presence(statement):
    for operator, block in (statement.get("Condition") or {}).items():
        if operator.lower() != "null":
            continue
        for key, value in block.items():
            if isinstance(key, str) and key.lower() == EXTERNAL_ID_KEY.lower() and value in ("false", False):
                return True
    return False


def _check_ids(ids):
    if isinstance(ids, str):
        items = [ids]
    elif isinstance(ids, (list, tuple, set, frozenset)):
        items = list(ids)
    else:
        raise TrustPolicyError("external IDs must be a string or a list of strings, not %s" % _type_name(ids))
    if not items:
        raise TrustPolicyError("no external ID given: refusing to remove the %s condition" % EXTERNAL_ID_KEY)
    wanted = set()
    for position, item in enumerate(items):
        if not isinstance(item, str):
            raise TrustPolicyError(
                "external ID #%d is %s, not a string (quote numeric IDs in YAML)" % (position + 1, _type_name(item)))
        if not item.strip():
            raise TrustPolicyError("external ID #%d is empty: refusing to write an empty %s" % (position + 1, EXTERNAL_ID_KEY))
        if not set(item) - set("*?"):
            raise TrustPolicyError(
                "external ID #%d is made only of wildcards ('*', '?'): it would accept any external ID" % (position + 1))
        wanted.add(str(item))
    return sorted(wanted)


def _split_shared_statements(data, key):
    """Give the principal statements of its own where it shares one with other principals.

    A statement that trusts the principal and others with an external-ID condition is split in
    two: the principal's own, which the edit may change, and one for every other principal with
    the statement's original condition, so their access keeps its meaning exactly.
    """
    statements = data.get("Statement")
    if not isinstance(statements, list):
        if not isinstance(statements, Mapping):
            return
        statements = [statements]
    result = []
    for index, statement in enumerate(statements):
        result.append(statement)
        if not isinstance(statement, Mapping) or not _matches(statement, key):
            continue
        if not _entries(statement, _where(index, statement)):
            continue
        principal = statement.get("Principal")
        names = _aws_principals(statement)
        mine = [name for name in names if _principal_key(name) == key]
        others = [name for name in names if _principal_key(name) != key]
        other_kinds = dict((kind, value) for kind, value in principal.items() if kind != "AWS") if isinstance(principal, Mapping) else {}
        if not others and not other_kinds:
            continue
        rest = json.loads(json.dumps(statement))
        rest_principal = dict(other_kinds)
        if others:
            rest_principal["AWS"] = others[0] if len(others) == 1 else others
        rest["Principal"] = rest_principal
        if isinstance(statement.get("Sid"), str) and statement["Sid"]:
            rest["Sid"] = statement["Sid"] + "Others"
        statement["Principal"] = {"AWS": mine[0] if len(mine) == 1 else mine}
        result.append(rest)
    if len(result) != len(statements):
        data["Statement"] = result


def with_external_ids(policy, ids, principal=SWP_PRINCIPAL, allow_missing=False):
    """Return a new trust policy whose statements for ``principal`` accept exactly ``ids``.

    ``ids`` is a string or a list of strings; it is de-duplicated and sorted, and written
    as a plain string when there is one ID, as a list otherwise. Every statement for which
    principal_matches() holds and that already has a positive ``sts:ExternalId`` condition
    gets ``ids`` as the value of that condition, under the operator it already used; when
    the key appears under several positive operators (ANDed by IAM) each of them gets
    ``ids``, so the statement accepts exactly ``ids`` and no operator is dropped. Negated
    operators (``StringNotEquals``...) are kept as they are; when one of them refuses a
    requested ID the edit is refused. Every other condition key, operator and statement is
    kept as it was, statements without an external-ID condition are not touched, and
    ``Principal``, ``Effect`` and ``Action`` are never changed. A statement that trusts the
    principal together with other principals is first split in two (see
    _split_shared_statements), so the others keep exactly the access they had: no principal
    gains or loses anything but the one whose external IDs are set. ``policy`` is not modified.

    Raises TrustPolicyError for an unreadable policy, for empty ``ids``, for an ID that is
    not a string, empty, or only wildcards (the external-ID condition is never dropped or
    made to accept anything), and, unless ``allow_missing`` is true, when no statement
    trusts the principal with an external-ID condition (nothing to edit; with
    ``allow_missing`` the policy is returned unchanged).
    """
    wanted = _check_ids(ids)
    key = _check_principal(principal)
    data = load_policy(policy)
    _split_shared_statements(data, key)
    edited = 0
    for index, statement in enumerate(_statements(data)):
        if not _matches(statement, key):
            continue
        where = _where(index, statement)
        entries = _entries(statement, where)
        positive = [entry for entry in entries if not entry.negated]
        if not positive:
            continue
        for entry in positive:
            statement["Condition"][entry.operator][entry.key] = wanted[0] if len(wanted) == 1 else list(wanted)
        accepted = _accepted(_entries(statement, where))
        if accepted != set(wanted):
            refused = sorted(set(wanted) - accepted)
            raise TrustPolicyError(
                "%s refuses the external ID(s) %s through a negated %s condition; fix that statement first"
                % (where, ", ".join(mask_external_id(value) for value in refused), EXTERNAL_ID_KEY))
        edited += 1
    if not edited and not allow_missing:
        raise TrustPolicyError(
            "no Allow statement lets %s assume the role with an %s condition: nothing to edit" % (principal, EXTERNAL_ID_KEY))
    return data


def classify(accepted_ids, manager_id):
    """Migration state of an account from the external IDs its trust policy accepts.

    Returns ``migrated`` (only the manager-defined ID is accepted), ``user_defined`` (the
    manager-defined ID is not accepted, others are), ``half_done`` (the manager-defined ID
    and others are accepted) or ``no_external_id`` (none is accepted). IDs are compared
    exactly, as written in the policy.
    """
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
