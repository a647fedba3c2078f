# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An independent model of IAM role-trust-policy evaluation, used as the judge in the tests.

It is written apart from the collection's trust-policy core on purpose: it shares no matcher,
no ARN parser and no wildcard code with it, so a mistake in one is not repeated in the other.

``is_allowed(policy, request, role_arn)`` answers whether the trust policy of the role lets the
request in, for the AssumeRole family of actions. A request is a dict::

    {"principal": "arn:aws:sts::111122223333:assumed-role/Name/session"   # or an IAM ARN,
                                                                          # or {"Service": "ec2.amazonaws.com"},
                                                                          # {"Federated": ...}, {"CanonicalUser": ...}
     "action": "sts:AssumeRole",
     "context": {"sts:ExternalId": "abc", "aws:SourceIp": "10.1.2.3", ...}}

Modelled behaviour (IAM's documented policy language):

* explicit Deny wins, an Allow is needed, otherwise the default is deny;
* ``Principal`` forms: ``"*"`` and ``{"AWS": "*"}`` (everyone, equivalent), a bare 12-digit account
  ID (the root of that account in the role's partition), an account root ARN (every principal of
  that account in that partition), a user ARN (that user), a role ARN (that role and its
  assumed-role sessions), an assumed-role session ARN (that session), ``Service``, ``Federated``,
  ``CanonicalUser``; ``NotPrincipal`` excludes a request only when every identity of its chain
  (account, role or user, session) is listed, as IAM documents;
* ``Action``/``NotAction`` with ``*`` and ``?`` wildcards, case-insensitive;
* every condition operator family: String (incl. IgnoreCase, Like with ``*``/``?``), Numeric, Date
  (ISO 8601 or epoch seconds), Bool, BinaryEquals, IpAddress/NotIpAddress (CIDR), Arn (each of the
  six components matched on its own), Null; the ``IfExists`` suffix; the ``ForAllValues:`` and
  ``ForAnyValue:`` set qualifiers; operators and keys are case-insensitive;
* on a key absent from the request: a positive operator is false, a negated one is true,
  ``...IfExists`` is true, ``ForAllValues:`` is true and ``ForAnyValue:`` is false (an empty list
  counts as absent);
* several values for one key are ORed (NOR for a negated operator); several keys and several
  operators are ANDed;
* ``Version`` 2012-10-17: policy variables ``${key}``, ``${key, 'default'}``, ``${*}``, ``${?}``,
  ``${$}`` in String, Arn and Bool values are substituted (a value whose variable cannot be resolved
  matches nothing, so its negated operator holds); otherwise (2008-10-17 or no Version) ``${...}``
  is literal text;
* for AWS principals, ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalPartition``,
  ``aws:PrincipalType``, ``aws:username`` (IAM users) and ``aws:userid`` (the root) are derived from
  the principal unless the request context gives them;
  for a service, ``aws:PrincipalIsAWSService`` and ``aws:PrincipalServiceName`` are.

Anything the model does not know (an unknown operator, an unknown principal type, a value of the
wrong type) raises ``PolicyError``: the judge never guesses.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import json
import operator
import re

__all__ = ["PolicyError", "is_allowed", "parse_principal", "statement_applies", "glob_match"]

ASSUME_ACTIONS = ("sts:assumerole", "sts:tagsession", "sts:setsourceidentity", "sts:assumerolewithwebidentity",
                  "sts:assumerolewithsaml", "sts:setcontext")
V2012 = "2012-10-17"
V2008 = "2008-10-17"

_ACCOUNT = re.compile(r"\A\d{12}\Z")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class PolicyError(ValueError):
    """The policy or the request is outside what the model knows: the judge refuses to guess."""


# ----------------------------------------------------------------------------------------------
# Wildcards: a pattern is a list of tokens, each a literal string or the marker "*" / "?".

_STAR = object()
_QMARK = object()


def _tokens_plain(text, wildcards):
    """Tokens of a pattern without policy variables."""
    if not wildcards:
        return [text]
    out = []
    literal = []
    for char in text:
        if char in "*?":
            if literal:
                out.append("".join(literal))
                literal = []
            out.append(_STAR if char == "*" else _QMARK)
        else:
            literal.append(char)
    if literal:
        out.append("".join(literal))
    return out


def _tokens_match(tokens, text, fold=False):
    """Whether text matches the tokens (dynamic programming, no regular expressions)."""
    if fold:
        text = text.lower()
        tokens = [t.lower() if isinstance(t, str) else t for t in tokens]
    # Expand literal strings into characters so that each token consumes a known amount.
    items = []
    for token in tokens:
        if isinstance(token, str):
            items.extend(token)
        else:
            items.append(token)
    reach = {0}
    for item in items:
        nxt = set()
        if item is _STAR:
            if reach:
                nxt = set(range(min(reach), len(text) + 1))
        elif item is _QMARK:
            nxt = {i + 1 for i in reach if i < len(text)}
        else:
            nxt = {i + 1 for i in reach if i < len(text) and text[i] == item}
        reach = nxt
        if not reach:
            return False
    return len(text) in reach


def glob_match(pattern, text, fold=False):
    """``*`` any run of characters, ``?`` one character; everything else literal."""
    return _tokens_match(_tokens_plain(pattern, True), text, fold)


# ----------------------------------------------------------------------------------------------
# Principals


def _lookup(context, key):
    """Case-insensitive context lookup; None for absent (an empty list counts as absent)."""
    wanted = key.lower()
    for name, value in context.items():
        if name.lower() == wanted:
            if value is None or value == []:
                return None
            return value
    return None


def _split_arn(text):
    """(partition, service, region, account, resource) of an ARN, or None."""
    if not isinstance(text, str):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[1], parts[2], parts[3], parts[4], parts[5]


def parse_principal(principal, partition):
    """A request principal as a dict: kind, partition, account, and the identity chain."""
    if isinstance(principal, dict):
        if len(principal) != 1:
            raise PolicyError("a request principal has exactly one type")
        ((kind, value),) = principal.items()
        if kind == "AWS":
            return parse_principal(value, partition)
        if kind in ("Service", "Federated", "CanonicalUser"):
            if not isinstance(value, str) or not value:
                raise PolicyError("bad %s principal" % kind)
            return {"kind": kind, "name": value}
        raise PolicyError("unknown request principal type %r" % kind)
    if not isinstance(principal, str):
        raise PolicyError("bad request principal %r" % (principal,))
    if _ACCOUNT.match(principal):
        principal = "arn:%s:iam::%s:root" % (partition, principal)
    parts = _split_arn(principal)
    if parts is None:
        raise PolicyError("request principal is not an ARN: %r" % principal)
    part, service, _region, account, resource = parts
    if not _ACCOUNT.match(account):
        raise PolicyError("request principal without an account: %r" % principal)
    root = "arn:%s:iam::%s:root" % (part, account)
    out = {"kind": "AWS", "partition": part, "account": account, "arn": principal, "root": root}
    if service == "iam" and resource == "root":
        out.update(type="Account", chain=[root], principal_arn=root)
    elif service == "iam" and resource.startswith("user/"):
        out.update(type="User", chain=[root, principal], principal_arn=principal)
    elif service == "iam" and resource.startswith("role/"):
        name = resource.rsplit("/", 1)[1]
        out.update(type="AssumedRole", chain=[root, principal], principal_arn=principal, role_name=name)
    elif service == "sts" and resource.startswith("assumed-role/"):
        pieces = resource.split("/")
        if len(pieces) != 3 or not pieces[1] or not pieces[2]:
            raise PolicyError("bad session ARN %r" % principal)
        role_arn = "arn:%s:iam::%s:role/%s" % (part, account, pieces[1])
        out.update(type="AssumedRole", chain=[root, role_arn, principal], principal_arn=role_arn,
                   role_name=pieces[1])
    elif service == "sts" and resource.startswith("federated-user/"):
        out.update(type="FederatedUser", chain=[root, principal], principal_arn=principal)
    else:
        raise PolicyError("unknown request principal %r" % principal)
    return out


def _policy_aws_entry(entry, partition):
    """A policy AWS principal entry as ('*',) or (kind, partition, account, resource)."""
    if not isinstance(entry, str):
        raise PolicyError("a principal entry must be a string, not %r" % (entry,))
    if entry == "*":
        return ("*",)
    if _ACCOUNT.match(entry):
        return ("root", partition, entry, "root")
    parts = _split_arn(entry)
    if parts is None:
        raise PolicyError("unknown AWS principal %r" % entry)
    part, service, _region, account, resource = parts
    if not _ACCOUNT.match(account) or "*" in entry or "?" in entry:
        raise PolicyError("unknown AWS principal %r" % entry)
    if service == "iam" and resource == "root":
        return ("root", part, account, "root")
    if service == "iam" and resource.startswith("user/"):
        return ("user", part, account, resource)
    if service == "iam" and resource.startswith("role/"):
        return ("role", part, account, resource)
    if service == "sts" and (resource.startswith("assumed-role/") or resource.startswith("federated-user/")):
        return ("session", part, account, resource)
    raise PolicyError("unknown AWS principal %r" % entry)


def _as_list(value, what):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return value
    raise PolicyError("%s must be a string or a non-empty list" % what)


def _principal_entries(block, partition):
    """[(type, parsed entry)] of a Principal / NotPrincipal element."""
    if block == "*":
        return [("AWS", ("*",))]
    if not isinstance(block, dict) or not block:
        raise PolicyError("bad Principal %r" % (block,))
    out = []
    for kind, values in block.items():
        if kind == "AWS":
            out.extend(("AWS", _policy_aws_entry(v, partition)) for v in _as_list(values, "Principal.AWS"))
        elif kind in ("Service", "Federated", "CanonicalUser"):
            for value in _as_list(values, "Principal." + kind):
                if not isinstance(value, str) or not value:
                    raise PolicyError("bad %s principal %r" % (kind, value))
                out.append((kind, value))
        else:
            raise PolicyError("unknown principal type %r" % kind)
    return out


def _entry_covers(entry, who):
    """Whether one Principal entry covers the request principal (Principal semantics)."""
    kind, value = entry
    if kind == "AWS" and value == ("*",):
        return True  # "*" and {"AWS": "*"} are the same: everyone, services included
    if who["kind"] != kind:
        return False
    if kind != "AWS":
        if kind == "Service":
            return value.lower() == who["name"].lower()
        return value == who["name"]
    etype, part, account, resource = value
    if part != who["partition"] or account != who["account"]:
        return False
    if etype == "root":
        return True
    if etype == "user":
        return who["type"] == "User" and who["arn"].split(":", 5)[5] == resource
    if etype == "role":
        if who["type"] != "AssumedRole":
            return False
        return resource.rsplit("/", 1)[1] == who["role_name"]
    # session
    return who["arn"].split(":", 5)[5] == resource and who["arn"].split(":", 5)[2] == "sts"


def _identity_listed(identity_arn, entries, partition):
    """NotPrincipal: whether one identity of the chain is named exactly."""
    ident = _policy_aws_entry(identity_arn, partition)
    for kind, value in entries:
        if kind != "AWS":
            continue
        if value == ("*",):
            return True
        if value[0] == "role" and ident[0] == "role":
            if value[1:3] == ident[1:3] and value[3].rsplit("/", 1)[1] == ident[3].rsplit("/", 1)[1]:
                return True
        elif value == ident:
            return True
    return False


def principal_applies(statement, who, partition):
    """Whether the statement's Principal / NotPrincipal makes it apply to the request principal."""
    has_p = "Principal" in statement
    has_np = "NotPrincipal" in statement
    if has_p == has_np:
        raise PolicyError("a trust statement has exactly one of Principal and NotPrincipal")
    if has_p:
        entries = _principal_entries(statement["Principal"], partition)
        return any(_entry_covers(e, who) for e in entries)
    entries = _principal_entries(statement["NotPrincipal"], partition)
    if who["kind"] != "AWS":
        listed = any(_entry_covers(e, who) for e in entries if e[0] == who["kind"] or e == ("AWS", ("*",)))
        return not listed
    # Excluded only when every identity of the chain is listed (account, role or user, session).
    return not all(_identity_listed(arn, entries, partition) for arn in who["chain"])


# ----------------------------------------------------------------------------------------------
# Actions


def action_applies(statement, action):
    has_a = "Action" in statement
    has_na = "NotAction" in statement
    if has_a == has_na:
        raise PolicyError("a statement has exactly one of Action and NotAction")
    patterns = _as_list(statement["Action"] if has_a else statement["NotAction"], "Action")
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise PolicyError("an action must be a string, not %r" % (pattern,))
    hit = any(glob_match(p, action, fold=True) for p in patterns)
    return hit if has_a else not hit


# ----------------------------------------------------------------------------------------------
# Conditions

_BASES = {
    # base name (lower case) -> (family, negated)
    "stringequals": ("string", False),
    "stringnotequals": ("string", True),
    "stringequalsignorecase": ("string_ci", False),
    "stringnotequalsignorecase": ("string_ci", True),
    "stringlike": ("like", False),
    "stringnotlike": ("like", True),
    "numericequals": ("num_eq", False),
    "numericnotequals": ("num_eq", True),
    "numericlessthan": ("num_lt", False),
    "numericlessthanequals": ("num_le", False),
    "numericgreaterthan": ("num_gt", False),
    "numericgreaterthanequals": ("num_ge", False),
    "dateequals": ("date_eq", False),
    "datenotequals": ("date_eq", True),
    "datelessthan": ("date_lt", False),
    "datelessthanequals": ("date_le", False),
    "dategreaterthan": ("date_gt", False),
    "dategreaterthanequals": ("date_ge", False),
    "bool": ("bool", False),
    "binaryequals": ("binary", False),
    "ipaddress": ("ip", False),
    "notipaddress": ("ip", True),
    "arnequals": ("arn", False),
    "arnlike": ("arn", False),
    "arnnotequals": ("arn", True),
    "arnnotlike": ("arn", True),
    "null": ("null", False),
}


def parse_operator(name):
    """(qualifier or None, family, negated, if_exists) of an operator name; PolicyError if unknown."""
    if not isinstance(name, str):
        raise PolicyError("bad operator %r" % (name,))
    lowered = name.lower()
    qualifier = None
    for prefix in ("forallvalues:", "foranyvalue:"):
        if lowered.startswith(prefix):
            qualifier = prefix[:-1]
            lowered = lowered[len(prefix):]
    if_exists = False
    if lowered.endswith("ifexists"):
        if_exists = True
        lowered = lowered[: -len("ifexists")]
    if lowered not in _BASES:
        raise PolicyError("unknown condition operator %r" % name)
    family, negated = _BASES[lowered]
    if family == "null" and (if_exists or qualifier):
        raise PolicyError("Null takes neither IfExists nor a set qualifier")
    return qualifier, family, negated, if_exists


def _scalar_text(value):
    """A policy or context scalar as IAM reads it: strings as is, numbers and booleans as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    raise PolicyError("a condition value must be a scalar, not %r" % (value,))


def _resolve(text, context, version, wildcards):
    """Tokens of a policy value after policy-variable substitution; None if a variable is unresolved."""
    if version != V2012 or "${" not in text:
        return _tokens_plain(text, wildcards)
    out = []
    pos = 0
    for match in _VARIABLE.finditer(text):
        out.extend(_tokens_plain(text[pos:match.start()], wildcards))
        inner = match.group(1).strip()
        if inner in ("*", "?", "$"):
            out.append(inner)  # a literal character, never a wildcard
        else:
            name, _comma, default = inner.partition(",")
            name = name.strip()
            value = _lookup(context, name)
            if isinstance(value, list):
                value = None  # a multi-valued key is not a policy variable
            if value is None:
                default = default.strip()
                if len(default) >= 2 and default[0] == default[-1] == "'":
                    value = default[1:-1]
                else:
                    return None
            out.append(_scalar_text(value))
        pos = match.end()
    out.extend(_tokens_plain(text[pos:], wildcards))
    return out


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _date(text):
    number = _number(text)
    if number is not None:
        return datetime.datetime.fromtimestamp(number, tz=datetime.timezone.utc)
    try:
        moment = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def _ip_network(text):
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _ip_address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _arn_match(pattern_tokens, text):
    """ArnEquals/ArnLike: each of the six colon-separated components matched on its own."""
    value = _split_arn(text)
    if value is None:
        return False
    # Split the pattern tokens at literal ':' into at most six components.
    comps = [[]]
    for token in pattern_tokens:
        if isinstance(token, str) and len(comps) < 6 and ":" in token:
            pieces = token.split(":")
            for i, piece in enumerate(pieces):
                if i:
                    if len(comps) < 6:
                        comps.append([])
                    else:
                        comps[-1].append(":")
                if piece:
                    comps[-1].append(piece)
        else:
            comps[-1].append(token)
    if len(comps) != 6:
        return False
    text_parts = ["arn", value[0], value[1], value[2], value[3], value[4]]
    return all(_tokens_match(c, t) for c, t in zip(comps, text_parts))


_COMPARISONS = {"eq": operator.eq, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def _single_match(family, policy_value, request_value, context, version):
    """Whether one request value matches one policy value under the positive form of the family."""
    request_text = _scalar_text(request_value)
    policy_text = _scalar_text(policy_value)
    if family in ("string", "string_ci", "like", "arn"):
        tokens = _resolve(policy_text, context, version, wildcards=family in ("like", "arn"))
        if tokens is None:
            return False
        if family == "string":
            return "".join(tokens) == request_text
        if family == "string_ci":
            return "".join(tokens).lower() == request_text.lower()
        if family == "like":
            return _tokens_match(tokens, request_text)
        return _arn_match(tokens, request_text)
    if family.startswith(("num_", "date_")):
        kind, comparison = family.split("_")
        parse = _number if kind == "num" else _date
        left, right = parse(request_text), parse(policy_text)
        if left is None or right is None:
            return False
        return _COMPARISONS[comparison](left, right)
    if family == "bool":
        # "Boolean condition operators": policy variables are supported.
        tokens = _resolve(policy_text, context, version, wildcards=False)
        if tokens is None:
            return False
        policy_text = "".join(tokens)
        return request_text.lower() == policy_text.lower() and policy_text.lower() in ("true", "false")
    if family == "binary":
        left, right = _b64(request_text), _b64(policy_text)
        return left is not None and right is not None and left == right
    if family == "ip":
        network, address = _ip_network(policy_text), _ip_address(request_text)
        if network is None:
            raise PolicyError("bad IP range %r" % policy_text)
        return address is not None and address.version == network.version and address in network
    raise PolicyError("unknown family %r" % family)  # pragma: no cover


def condition_holds(operator, key, policy_values, context, version):
    """One (operator, key) pair of a Condition block."""
    qualifier, family, negated, if_exists = parse_operator(operator)
    if not isinstance(key, str):
        raise PolicyError("a condition key must be a string")
    values = policy_values if isinstance(policy_values, list) else [policy_values]
    if not values:
        raise PolicyError("a condition needs at least one value")
    values = [_scalar_text(v) for v in values]
    present = _lookup(context, key)
    if family == "null":
        for value in values:
            if value.lower() not in ("true", "false"):
                raise PolicyError("Null takes true or false")
        # "true": the key is absent; "false": it is present. Several values are ORed.
        return any((value.lower() == "true") == (present is None) for value in values)
    if present is None:
        if qualifier == "forallvalues":
            return True
        if qualifier == "foranyvalue":
            return False
        if if_exists:
            return True
        return negated
    request_values = present if isinstance(present, list) else [present]

    def positive(request_value):
        return any(_single_match(family, v, request_value, context, version) for v in values)

    if qualifier == "forallvalues":
        if negated:
            return all(not positive(rv) for rv in request_values)
        return all(positive(rv) for rv in request_values)
    if qualifier == "foranyvalue":
        if negated:
            return any(not positive(rv) for rv in request_values)
        return any(positive(rv) for rv in request_values)
    # No qualifier: a positive operator needs a match, a negated one needs none (NOR).
    hit = any(positive(rv) for rv in request_values)
    return not hit if negated else hit


def conditions_hold(block, context, version):
    if block is None:
        return True
    if not isinstance(block, dict):
        raise PolicyError("Condition must be an object")
    for operator, pairs in block.items():
        if not isinstance(pairs, dict) or not pairs:
            raise PolicyError("a condition operator maps keys to values")
        for key, values in pairs.items():
            if not condition_holds(operator, key, values, context, version):
                return False
    return True


# ----------------------------------------------------------------------------------------------
# Requests and policies


def _role_partition(role_arn):
    parts = _split_arn(role_arn)
    if parts is None or parts[1] != "iam" or not parts[4].startswith("role/"):
        raise PolicyError("bad role ARN %r" % (role_arn,))
    return parts[0]


def request_context(request, who):
    """The request context with the keys IAM derives from the principal (explicit keys win)."""
    context = dict(request.get("context") or {})
    derived = {}
    if who["kind"] == "AWS":
        derived = {"aws:PrincipalArn": who["principal_arn"], "aws:PrincipalAccount": who["account"],
                   "aws:PrincipalPartition": who["partition"], "aws:PrincipalType": who["type"],
                   "aws:PrincipalIsAWSService": "false"}
        # IAM User Guide, "IAM policy elements: Variables and tags", "Principal key values": aws:username is the
        # friendly name of an IAM user and is absent for the root and for role sessions; aws:userid of the root is
        # the account ID (that of a user or a session is a unique ID the request would have to give).
        if who["type"] == "User":
            derived["aws:username"] = who["arn"].rsplit("/", 1)[1]
        elif who["type"] == "Account":
            derived["aws:userid"] = who["account"]
    elif who["kind"] == "Service":
        derived = {"aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": who["name"]}
    present = {k.lower() for k in context}
    for key, value in derived.items():
        if key.lower() not in present:
            context[key] = value
    return context


def load(policy):
    if isinstance(policy, str):
        policy = json.loads(policy)
    if not isinstance(policy, dict):
        raise PolicyError("a policy is an object")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyError("Statement must be a list or an object")
    for statement in statements:
        if not isinstance(statement, dict):
            raise PolicyError("a statement is an object")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError("Effect is Allow or Deny")
    version = policy.get("Version", V2008)
    if version not in (V2008, V2012):
        raise PolicyError("unknown Version %r" % (version,))
    return version, statements


def _validate(statement, partition):
    """Raise PolicyError for anything the model does not know in a statement."""
    if ("Principal" in statement) == ("NotPrincipal" in statement):
        raise PolicyError("a trust statement has exactly one of Principal and NotPrincipal")
    _principal_entries(statement.get("Principal", statement.get("NotPrincipal")), partition)
    action_applies(statement, "sts:AssumeRole")
    block = statement.get("Condition")
    if block is None:
        return
    if not isinstance(block, dict):
        raise PolicyError("Condition must be an object")
    for operator, pairs in block.items():
        parse_operator(operator)
        if not isinstance(pairs, dict) or not pairs:
            raise PolicyError("a condition operator maps keys to values")
        for key, values in pairs.items():
            if not isinstance(key, str):
                raise PolicyError("a condition key must be a string")
            for value in values if isinstance(values, list) else [values]:
                _scalar_text(value)


def statement_applies(statement, request, role_arn, version=V2012):
    """Whether one statement matches the request (principal, action and conditions)."""
    partition = _role_partition(role_arn)
    who = parse_principal(request["principal"], partition)
    context = request_context(request, who)
    action = request.get("action", "sts:AssumeRole")
    return (principal_applies(statement, who, partition) and action_applies(statement, action)
            and conditions_hold(statement.get("Condition"), context, version))


def is_allowed(policy, request, role_arn):
    """IAM's decision for one request against a role's trust policy: explicit deny, allow, default deny."""
    version, statements = load(policy)
    partition = _role_partition(role_arn)
    who = parse_principal(request["principal"], partition)
    context = request_context(request, who)
    action = request.get("action", "sts:AssumeRole")
    if not isinstance(action, str) or action.lower() not in ASSUME_ACTIONS:
        raise PolicyError("not an AssumeRole-family action: %r" % (action,))
    # Every statement is checked first, so a malformed one raises wherever it stands.
    for statement in statements:
        _validate(statement, partition)
    allowed = denied = False
    for statement in statements:
        hit = (principal_applies(statement, who, partition) and action_applies(statement, action)
               and conditions_hold(statement.get("Condition"), context, version))
        if hit and statement["Effect"] == "Deny":
            denied = True
        elif hit:
            allowed = True
    return allowed and not denied
