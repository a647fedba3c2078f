# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A role trust policy read the way IAM reads it, for the requests of one AWS account's principals.

For internal use by the swp.aws collection: its API may change without notice. Pure (standard
library only, no Ansible import), and free of migration words: it says what a statement means,
the decision (``_trust_policy``) says what to do about it.

Conditions are read with three values. For a request of a principal of one account (the scope) whose other
attributes are not known (its source IP, its tags, whether it carries a key at all), a condition
is ``True`` (holds for every such request), ``False`` (holds for none) or ``None`` (unknown: it may
hold). IAM's documented rules decide each case:

* a positive operator is false on a missing key, every negated one (``StringNot...``,
  ``ArnNot...``, ``NotIpAddress``, ``NumericNotEquals``, ``DateNotEquals``) is true there,
  ``...IfExists`` is true, ``ForAllValues:`` is true and ``ForAnyValue:`` is false;
* ``Null`` is true when its key is missing (``true``) or present (``false``); several values
  under one operator are ORed, as for every operator (NOR for a negated one);
* ``...IgnoreCase`` compares without letter case, also on ARNs and account IDs;
* in a ``2012-10-17`` policy, ``${...}`` policy variables resolve to the request's own values (a
  variable whose value is not known makes the condition unknown); in older policies they are text;
* ``Arn...`` operators match each of an ARN's six colon-separated parts on its own.

Every wildcard match is a two-pointer glob, linear in practice and never a backtracking
regular expression, so no policy text can make reading it slow.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from urllib.parse import unquote

from ansible_collections.swp.aws.plugins.module_utils._arn import is_account_id, parse_arn

__all__ = [
    "EXTERNAL_ID_KEY",
    "POLICY_VERSION",
    "OLD_VERSION",
    "TrustPolicyError",
    "ReadError",
    "Facts",
    "load_policy",
    "policy_statements",
    "glob_match",
    "read_policy",
    "evaluate",
    "type_name",
]

EXTERNAL_ID_KEY = "sts:ExternalId"
POLICY_VERSION = "2012-10-17"
OLD_VERSION = "2008-10-17"

_MAX_DEPTH = 32
_ASSUME_ROLE = "sts:assumerole"
EXTERNAL_ID = EXTERNAL_ID_KEY.lower()
_STATEMENT_KEYS = frozenset(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"])
_PRINCIPAL_TYPES = frozenset(["AWS", "Service", "Federated", "CanonicalUser"])
# IAM's unique IDs (AROA..., AIDA...) stand in a trust policy for a principal that was deleted.
_UNIQUE_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

# Every IAM condition operator, by its lower-case base name: its family, and whether it is negated.
_OPERATORS = {
    "stringequals": ("string", False), "stringnotequals": ("string", True),
    "stringequalsignorecase": ("string", False), "stringnotequalsignorecase": ("string", True),
    "stringlike": ("string", False), "stringnotlike": ("string", True),
    "numericequals": ("numeric", False), "numericnotequals": ("numeric", True),
    "numericlessthan": ("numeric", False), "numericlessthanequals": ("numeric", False),
    "numericgreaterthan": ("numeric", False), "numericgreaterthanequals": ("numeric", False),
    "dateequals": ("date", False), "datenotequals": ("date", True),
    "datelessthan": ("date", False), "datelessthanequals": ("date", False),
    "dategreaterthan": ("date", False), "dategreaterthanequals": ("date", False),
    "bool": ("bool", False), "binaryequals": ("binary", False),
    "ipaddress": ("ip", False), "notipaddress": ("ip", True),
    "arnequals": ("arn", False), "arnlike": ("arn", False), "arnnotequals": ("arn", True), "arnnotlike": ("arn", True),
    "null": ("null", False),
}
_PREFIXES = ("forallvalues:", "foranyvalue:")
_IF_EXISTS = "ifexists"
# The keys IAM sets from the principal itself: a request cannot choose them.
PRINCIPAL_ACCOUNT = "aws:principalaccount"
PRINCIPAL_ARN = "aws:principalarn"
_PRINCIPAL_PARTITION = "aws:principalpartition"
_PRINCIPAL_TYPE = "aws:principaltype"
_IS_SERVICE = "aws:principalisawsservice"


class TrustPolicyError(ValueError):
    """A trust policy, principal or external ID that cannot be read or used."""


class ReadError(Exception):
    """A statement IAM would not read as written: where, what is wrong, and what to do."""

    def __init__(self, where, problem, fix="correct the trust policy"):
        super().__init__(problem)
        self.where = where
        self.problem = problem
        self.fix = fix


def type_name(value):
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


# ----------------------------------------------------------------------------------------------
# Three values


def all3(values):
    """AND of three-valued results: False wins, then unknown (None)."""
    result = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def any3(values):
    """OR of three-valued results: True wins, then unknown (None)."""
    result = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _not3(value):
    return None if value is None else not value


# ----------------------------------------------------------------------------------------------
# Loading


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
                raise TrustPolicyError("the trust policy holds a key that is not a string (%s)" % type_name(key))
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
    raise TrustPolicyError("the trust policy holds a value that is not JSON (%s)" % type_name(value))


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
        raise TrustPolicyError("a trust policy must be a dict or JSON text, not %s" % type_name(policy))
    _check_depth(data)
    data = _plain(data)
    if not isinstance(data, dict):
        raise TrustPolicyError("the trust policy must be a JSON object, not %s" % type_name(data))
    if "Statement" not in data:
        raise TrustPolicyError("the trust policy has no Statement")
    statements = data["Statement"]
    if isinstance(statements, list):
        for index, statement in enumerate(statements):
            if not isinstance(statement, dict):
                raise TrustPolicyError("Statement[%d] of the trust policy must be an object, not %s" % (index, type_name(statement)))
    elif not isinstance(statements, dict):
        raise TrustPolicyError("the Statement of the trust policy must be a list or an object, not %s" % type_name(statements))
    return data


def policy_statements(data):
    """The statements of a loaded policy, as a list (a lone object counts as one)."""
    statements = data["Statement"]
    return [statements] if isinstance(statements, dict) else statements


def where(index, statement):
    sid = statement.get("Sid")
    if isinstance(sid, str) and sid:
        return "Statement[%d] (Sid %s)" % (index, sid)
    return "Statement[%d]" % index


def as_list(value):
    return value if isinstance(value, list) else [value]


# ----------------------------------------------------------------------------------------------
# Wildcards: "*" any run of characters, "?" one character, everything else literal.


def glob_match(pattern, text, fold=False):
    """Whether ``text`` matches the IAM wildcard ``pattern``, in time linear in the text (no regular expression).

    The pattern is cut at its stars: the first part must start the text, the last must end it, and each
    part between is taken at its leftmost place after the one before (the leftmost place leaves the most
    room for the rest, so no choice is ever taken back). A part without ``?`` is found with ``str.find``; one
    with ``?`` by shift-and, one step over a bit set per character of the text.
    """
    if fold:
        pattern, text = pattern.lower(), text.lower()
    parts = pattern.split("*")
    if len(parts) == 1:
        return _fixed_match(pattern, text)
    head, tail = parts[0], parts[-1]
    if len(head) + len(tail) > len(text):
        return False
    if not _fixed_match(head, text[:len(head)]) or not _fixed_match(tail, text[len(text) - len(tail):]):
        return False
    position, end = len(head), len(text) - len(tail)
    for part in parts[1:-1]:
        if part:
            found = _find(part, text, position, end)
            if found < 0:
                return False
            position = found + len(part)
    return True


def _fixed_match(part, text):
    """A part without stars against a text of its length: each character the same, or ``?``."""
    if "?" not in part:
        return part == text
    return len(part) == len(text) and all(want in ("?", char) for want, char in zip(part, text))


def _find(part, text, start, end):
    """The leftmost place of ``part`` (no stars) in ``text[start:end]``, or -1."""
    if "?" not in part:
        return text.find(part, start, end)
    masks = {}
    wild = 0
    for index, char in enumerate(part):
        if char == "?":
            wild |= 1 << index
        else:
            masks[char] = masks.get(char, 0) | 1 << index
    goal = 1 << (len(part) - 1)
    state = 0
    for index in range(start, end):
        state = ((state << 1) | 1) & (masks.get(text[index], 0) | wild)
        if state & goal:
            return index - len(part) + 1
    return -1


def glob_may_start(pattern, prefix, fold=False):
    """Whether some text that starts with ``prefix`` matches ``pattern`` (a set of pattern positions, no backtracking)."""
    if fold:
        pattern, prefix = pattern.lower(), prefix.lower()
    reach = _after_stars(pattern, {0})
    for char in prefix:
        # A star takes the character and stays; "?" or the same character moves on.
        reach = _after_stars(pattern, set(p if pattern[p] == "*" else p + 1 for p in reach
                                          if p < len(pattern) and pattern[p] in ("*", "?", char)))
        if not reach:
            return False
    # Whatever is left of the pattern matches some text (a star takes nothing, "?" any one character).
    return True


def _after_stars(pattern, positions):
    """The positions, and every position a run of stars after one of them can skip to (a star may take nothing)."""
    result = set(positions)
    for p in positions:
        while p < len(pattern) and pattern[p] == "*":
            p += 1
            result.add(p)
    return result


# ----------------------------------------------------------------------------------------------
# Conditions


class Condition:
    """One condition key under one operator of a statement."""

    __slots__ = ("operator", "key", "lkey", "base", "family", "prefix", "if_exists", "negated", "values")

    def __init__(self, operator, key, base, prefix, if_exists, values):
        self.operator = operator
        self.key = key
        self.lkey = key.lower()
        self.base = base
        self.family, self.negated = _OPERATORS[base]
        self.prefix = prefix
        self.if_exists = if_exists
        self.values = values

    @property
    def fold(self):
        return self.base.endswith("ignorecase")

    @property
    def like(self):
        return self.base.endswith("like")

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

    def on_missing(self):
        """The condition on a request that lacks its key (IAM's documented rules)."""
        if self.family == "null":
            return "true" in self.values
        if self.prefix == "forallvalues":
            return True
        if self.prefix == "foranyvalue":
            return False
        return True if self.if_exists else self.negated

    def on_value(self, value, resolve=None):
        """Three-valued: the condition on a request carrying the one string ``value`` for its key.

        ``resolve`` turns a value holding ``${...}`` into its text for this request, or None when unknown.
        """
        if self.family == "null":
            return "false" in self.values
        matched = any3(self._match(item, value, resolve) for item in self.values)
        return _not3(matched) if self.negated else matched

    def _match(self, item, value, resolve):
        if "${" in item and resolve is not None:
            item = resolve(item, self.like or self.family == "arn")
            if item is None:
                return None
        if self.family == "string":
            if self.like:
                return glob_match(item, value, fold=self.fold)
            return item.lower() == value.lower() if self.fold else item == value
        if self.family == "arn":
            return arn_match(item, value)
        if self.family == "bool":
            return item.lower() == value.lower()
        return None  # numeric, date, binary and IP comparisons of the keys a principal's request is known to carry are not needed

    def accepts(self, value):
        """Whether a request carrying ``value`` (None: no value) meets the condition, read literally (string and Null)."""
        if value is None:
            return self.on_missing()
        return self.on_value(value) is True


def _only_wildcards(value):
    return not set(value) - set("*?")


def arn_match(pattern, value):
    """``ArnLike``/``ArnEquals``: each of the six colon-separated parts matched on its own, with wildcards."""
    parts = value.split(":", 5)
    wanted = pattern.split(":", 5)
    if len(parts) != 6 or len(wanted) != 6:
        return False
    return all(glob_match(want, part) for want, part in zip(wanted, parts))


def _read_values(where_, operator, key, value, family):
    values = []
    for item in as_list(value):
        if isinstance(item, bool):
            if family not in ("bool", "null"):
                raise ReadError(where_, "the %s value of %s is a boolean" % (operator, key))
            values.append("true" if item else "false")
        elif isinstance(item, str):
            values.append(item)
        elif isinstance(item, int) or (isinstance(item, float) and family == "numeric"):
            values.append(str(item))
        else:
            raise ReadError(where_, "the %s value of %s is %s, not a string" % (operator, key, type_name(item)))
    if not values:
        raise ReadError(where_, "the %s condition on %s has no value" % (operator, key))
    return values


def _split_operator(operator):
    """``(prefix, base, if_exists)`` of an operator name, or None when IAM does not know it."""
    lowered = operator.lower()
    prefix = ""
    for name in _PREFIXES:
        if lowered.startswith(name):
            prefix, lowered = name[:-1], lowered[len(name):]
            break
    if_exists = lowered.endswith(_IF_EXISTS) and lowered[:-len(_IF_EXISTS)] in _OPERATORS
    base = lowered[:-len(_IF_EXISTS)] if if_exists else lowered
    if base not in _OPERATORS or (base == "null" and (prefix or if_exists)):
        return None
    return prefix, base, if_exists


def read_conditions(where_, condition):
    if condition is None:
        return []
    if not isinstance(condition, dict):
        raise ReadError(where_, "the Condition must be an object, not %s" % type_name(condition))
    result = []
    seen_operators = set()
    for operator, block in condition.items():
        split = _split_operator(operator)
        if split is None:
            raise ReadError(where_, "the condition operator %r is not one IAM knows" % operator, "use an IAM condition operator")
        if operator.lower() in seen_operators:
            raise ReadError(where_, "the condition operator %s is written twice (in different letter case)" % operator)
        seen_operators.add(operator.lower())
        if not isinstance(block, dict):
            raise ReadError(where_, "the condition operator %s must hold an object, not %s" % (operator, type_name(block)))
        prefix, base, if_exists = split
        seen_keys = set()
        for key, value in block.items():
            if key.lower() in seen_keys:
                raise ReadError(where_, "the condition key %s is written twice under %s (in different letter case)" % (key, operator))
            seen_keys.add(key.lower())
            values = _read_values(where_, operator, key, value, _OPERATORS[base][0])
            if base == "null" and not set(values) <= {"true", "false"}:
                raise ReadError(where_, "the Null condition on %s must be true or false" % key)
            result.append(Condition(operator, key, base, prefix, if_exists, values))
    return result


# ----------------------------------------------------------------------------------------------
# What is known of a request of the scope's principals


class Facts:
    """What a request of one of the scope account's principals is known to carry.

    ``arns``: the principal ARNs it may have (``aws:PrincipalArn``), or None for any principal of the
    account; ``principal_type``: ``aws:PrincipalType`` when known; ``external_id``: the value of
    ``sts:ExternalId`` (``Facts.ANY`` when not known, None when the request carries none).
    """

    ANY = object()

    def __init__(self, partition, account, arns=None, principal_type=None, external_id=ANY, version=POLICY_VERSION):
        self.partition = partition
        self.account = account
        self.arns = arns
        self.principal_type = principal_type
        self.external_id = external_id
        self.version = version

    def with_external_id(self, value):
        return Facts(self.partition, self.account, self.arns, self.principal_type, value, self.version)

    def known(self, lkey):
        """The values the key may have (one of them, and present), or None when not known."""
        if lkey == PRINCIPAL_ACCOUNT:
            return (self.account,)
        if lkey == _PRINCIPAL_PARTITION:
            return (self.partition,)
        if lkey == _IS_SERVICE:
            return ("false",)
        if lkey == PRINCIPAL_ARN:
            return self.arns
        if lkey == _PRINCIPAL_TYPE:
            return (self.principal_type,) if self.principal_type else None
        if lkey == EXTERNAL_ID and self.external_id is not Facts.ANY and self.external_id is not None:
            return (self.external_id,)
        return None

    def resolve(self, text, pattern):
        """``text`` with its policy variables replaced by this request's values; None when one is not known.

        In a pattern (``...Like``, ``Arn...``), a substituted value holding ``*`` or ``?`` would be literal there,
        which a wildcard match cannot say: unknown too.
        """
        if self.version != POLICY_VERSION:
            return text
        out = []
        position = 0
        while True:
            start = text.find("${", position)
            if start < 0:
                out.append(text[position:])
                break
            end = text.find("}", start)
            if end < 0:
                out.append(text[position:])
                break
            out.append(text[position:start])
            inner = text[start + 2:end].strip()
            name = inner.split(",", 1)[0].strip().lower()
            if inner in ("*", "?", "$"):
                value = inner
            else:
                known = self.known(name)
                value = known[0] if known and len(known) == 1 else None
            if value is None or (pattern and ("*" in value or "?" in value)):
                return None
            out.append(value)
            position = end + 1
        return "".join(out)


def _may_be_in_account(condition, item, facts):
    """Whether a principal-ARN condition value may match some principal ARN of the account (three-valued: False or None)."""
    if "${" in item and facts.version == POLICY_VERSION:
        return None
    heads = ["arn:%s:%s::%s:" % (facts.partition, service, facts.account) for service in ("iam", "sts")]
    if condition.family == "arn":
        parts = item.split(":", 5)
        if len(parts) != 6:
            return False
        wanted = ("arn", facts.partition, None, "", facts.account)
        for index, want in enumerate(wanted):
            if want is None:
                if not (glob_match(parts[2], "iam") or glob_match(parts[2], "sts")):
                    return False
            elif not glob_match(parts[index], want):
                return False
        return None
    if condition.like:
        return None if any(glob_may_start(item, head, fold=condition.fold) for head in heads) else False
    text = item.lower() if condition.fold else item
    return None if any(text.startswith(head.lower() if condition.fold else head) and len(text) > len(head) for head in heads) else False


def _on_any_arn(condition, facts):
    """A condition on ``aws:PrincipalArn`` when the principal may be any of the account's."""
    if condition.family == "null":
        return "false" in condition.values
    if condition.negated or condition.family not in ("string", "arn"):
        return None
    return any3(_may_be_in_account(condition, item, facts) for item in condition.values)


def _networks(values):
    try:
        return [ipaddress.ip_network(value, strict=False) for value in values]
    except ValueError:
        return None


def _present_contradiction(conditions):
    """Whether no value (or list of values) of one key can meet these conditions together, for sure."""
    plain = [c for c in conditions if not c.if_exists and not c.prefix and not any("${" in v for v in c.values)]
    equals = [set(c.values) for c in plain if c.base == "stringequals"]
    refused = set(v for c in plain if c.base == "stringnotequals" for v in c.values)
    folded = set(v.lower() for c in plain if c.base == "stringnotequalsignorecase" for v in c.values)
    for values in equals:
        if values <= refused or set(v.lower() for v in values) <= folded:
            return True
    for c in plain:
        if c.base == "stringequalsignorecase" and set(v.lower() for v in c.values) <= folded:
            return True
    outside = [net for c in plain if c.base == "notipaddress" for net in (_networks(c.values) or [])]
    for c in plain:
        nets = _networks(c.values) if c.base == "ipaddress" else None
        if nets and outside and all(any(net.version == out.version and net.subnet_of(out) for out in outside) for net in nets):
            return True
    return False


def _key_value(lkey, conditions, facts):
    """Three-valued: the conditions on one key, for the request described by ``facts``."""
    if lkey == EXTERNAL_ID and facts.external_id is None:
        return all3(c.on_missing() for c in conditions)
    known = facts.known(lkey)
    if known is not None:
        results = [all3(c.on_value(value, facts.resolve) for c in conditions) for value in known]
        return True if all(r is True for r in results) else False if all(r is False for r in results) else None
    if lkey == PRINCIPAL_ARN:
        return all3(_on_any_arn(c, facts) for c in conditions)
    if lkey == _PRINCIPAL_TYPE:  # always present, its value not known here
        return all3("false" in c.values if c.family == "null" else None for c in conditions)
    # A key the request may carry or not, with any value: either case may be the request's.
    absent = all3(c.on_missing() for c in conditions)
    present = False if _present_contradiction(conditions) else all3(
        ("false" in c.values) if c.family == "null" else None for c in conditions)
    return any3([absent, present])


def evaluate(conditions, facts):
    """Three-valued: whether a statement's ``conditions`` hold for the request described by ``facts``."""
    by_key = {}
    for condition in conditions:
        by_key.setdefault(condition.lkey, []).append(condition)
    return all3(_key_value(lkey, found, facts) for lkey, found in by_key.items())


# ----------------------------------------------------------------------------------------------
# Statements


def covers_assume_role(where_, statement):
    if ("Action" in statement) == ("NotAction" in statement):
        raise ReadError(where_, "a statement needs exactly one of Action and NotAction")
    name = "Action" if "Action" in statement else "NotAction"
    patterns = as_list(statement[name])
    if not patterns or not all(isinstance(item, str) for item in patterns):
        raise ReadError(where_, "the %s must be a string or a list of strings" % name)
    matched = any(glob_match(item, _ASSUME_ROLE, fold=True) for item in patterns)
    return matched if name == "Action" else not matched


def principal_names(where_, principal, name):
    """``[(type, value)]`` of a Principal or NotPrincipal element."""
    if principal == "*":
        return [("AWS", "*")]
    if not isinstance(principal, dict) or not principal:
        raise ReadError(where_, "the %s must be \"*\" or an object such as {\"AWS\": ...}" % name)
    names = []
    for kind, values in principal.items():
        if kind not in _PRINCIPAL_TYPES:
            raise ReadError(where_, "the %s type %r is not one IAM knows (AWS, Service, Federated, CanonicalUser)" % (name, kind))
        items = as_list(values)
        if not items or not all(isinstance(item, str) for item in items):
            raise ReadError(where_, "the %s %s must be a string or a list of strings" % (name, kind))
        names.extend((kind, item) for item in items)
    return names


def _unique_id(value):
    return value.startswith("A") and 16 <= len(value) <= 128 and set(value) <= _UNIQUE_ID_CHARS


def in_scope(where_, kind, value, scope):
    """Whether one principal entry names the account ``scope`` = (partition, account): True, False or "*" (everyone)."""
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
    if _unique_id(value):
        return False
    raise ReadError(where_, "the principal %r is neither an account ID, an ARN nor \"*\"" % value)


def facts_for(name, scope, version):
    """What a request of the account's principal ``name`` (as a Principal names it) is known to carry."""
    partition, account = scope
    arn = parse_arn(name) if name != "*" and not is_account_id(name) else None
    if arn is not None and arn.service == "iam" and arn.resource.startswith("role/"):
        return Facts(partition, account, (name,), "AssumedRole", version=version)
    if arn is not None and arn.service == "iam" and arn.resource.startswith("user/"):
        return Facts(partition, account, (name,), "User", version=version)
    return Facts(partition, account, version=version)


class Statement:
    """One statement as IAM reads it, for the principals of one account (the scope).

    ``cover``: None (it cannot apply to any request of the account's principals), ``"names"`` (its
    Principal names some of them and its conditions may hold for them), ``"star"`` (everyone) or
    ``"not_principal"`` (a NotPrincipal that does not keep them all out). ``names`` are the account's
    principals it names that it may apply to, ``shared`` whether it names others too, ``facts`` what
    each request it may apply to is known to carry.
    """

    def __init__(self, index, data, version):
        self.index = index
        self.data = data
        self.version = version
        self.where = where(index, data)
        self.effect = None
        self.assume_role = False
        self.cover = None
        self.names = []
        self.shared = False
        self.facts = []
        self.conditions = []
        self.external = []

    @property
    def allows(self):
        """An Allow of sts:AssumeRole that may apply to the account's principals."""
        return self.effect == "Allow" and self.assume_role and self.cover is not None

    def accepts(self, value):
        """Whether the statement's external-ID conditions, read literally, let in ``value``."""
        return all(condition.accepts(value) for condition in self.external)

    def holds(self, external_id=Facts.ANY):
        """Three-valued: whether the statement's conditions may hold for a request it names, carrying ``external_id``."""
        return any3(evaluate(self.conditions, facts.with_external_id(external_id)) for facts in self.facts)

    def others_hold(self):
        """Three-valued: whether the conditions on keys other than the external ID hold for a request it names."""
        others = [condition for condition in self.conditions if condition.lkey != EXTERNAL_ID]
        return any3(evaluate(others, facts) for facts in self.facts)


def _read_statement(index, data, scope, version):
    statement = Statement(index, data, version)
    where_ = statement.where
    unknown = sorted(set(data) - _STATEMENT_KEYS)
    if unknown:
        raise ReadError(where_, "the statement has keys IAM does not know: %s" % ", ".join(unknown))
    effect = data.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise ReadError(where_, "the Effect must be \"Allow\" or \"Deny\"")
    statement.effect = effect
    statement.assume_role = covers_assume_role(where_, data)
    statement.conditions = read_conditions(where_, data.get("Condition"))
    statement.external = [condition for condition in statement.conditions if condition.lkey == EXTERNAL_ID]
    if ("Principal" in data) == ("NotPrincipal" in data):
        raise ReadError(where_, "a trust-policy statement needs exactly one of Principal and NotPrincipal")
    if "NotPrincipal" in data:
        names = principal_names(where_, data["NotPrincipal"], "NotPrincipal")
        for kind, value in names:
            in_scope(where_, kind, value, scope)
        # IAM keeps a request out only when every identity of its chain (account, role, session) is listed:
        # naming the account, or some of its principals, does not keep out the others. Only "*" keeps all out.
        if ("AWS", "*") not in names:
            statement.facts = [facts_for("*", scope, version)]
            statement.cover = "not_principal" if statement.holds() is not False else None
        return statement
    names = principal_names(where_, data["Principal"], "Principal")
    found = [(value, in_scope(where_, kind, value, scope)) for kind, value in names]
    if any(hit == "*" for _value, hit in found):
        statement.facts = [facts_for("*", scope, version)]
        if statement.holds() is not False:
            statement.cover = "star"
        return statement
    for value, hit in found:
        facts = facts_for(value, scope, version) if hit else None
        if facts is not None and evaluate(statement.conditions, facts) is not False:
            statement.names.append(value)
            statement.facts.append(facts)
    statement.shared = len(statement.names) < len(found)
    if statement.names:
        statement.cover = "names"
    return statement


def read_policy(data, scope):
    """The statements of a loaded policy, read for the principals of ``scope`` = (partition, account).

    Raises ReadError for a statement IAM would not read as written.
    """
    version = data.get("Version", OLD_VERSION)
    statements = [_read_statement(index, statement, scope, version) for index, statement in enumerate(policy_statements(data))]
    if version not in (POLICY_VERSION, OLD_VERSION):
        raise ReadError("Version", "the policy Version %r is not one IAM knows" % (version,), "use \"2012-10-17\"")
    return statements
