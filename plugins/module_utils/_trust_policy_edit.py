# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two edits of a trust policy, for internal use by the swp.aws collection (pure, no Ansible import).

* widen: every statement that lets the manager's principal in also accepts the manager-defined ID,
  on its own terms (in place where that has an exact meaning, else through a sibling statement for
  the manager's principals alone, with the statement's other conditions);
* narrow: every such statement accepts the manager-defined ID alone, under ``StringEquals``, its other
  conditions kept; what a shared statement gives other principals moves to a statement of their own.

Both take the statements as ``_trust_policy_model.read_policy`` read them; the decision of whether an
edit is safe at all is ``_trust_policy``'s.
"""

from __future__ import annotations

import copy

from ansible_collections.swp.aws.plugins.module_utils._trust_policy_model import EXTERNAL_ID, EXTERNAL_ID_KEY, POLICY_VERSION, as_list

__all__ = ["widen", "narrow"]

# Operators whose values can be given a new external ID with an exact meaning.
_IN_PLACE = frozenset(["stringequals", "stringlike"])


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


def _sid_with(data, suffix, taken):
    sid = data.get("Sid")
    return _unused_sid(sid + suffix if isinstance(sid, str) and sid else None, taken)


def _others(statement, taken):
    """The part of a shared statement that is not the manager's, with the statement's conditions as they were."""
    data = statement.data
    rest = {}
    for kind, values in data["Principal"].items():
        kept = [value for value in as_list(values) if not (kind == "AWS" and value in statement.names)]
        if kept:
            rest[kind] = kept[0] if len(kept) == 1 else kept
    others = copy.deepcopy(data)
    others["Principal"] = rest
    sid = _sid_with(data, "Others", taken)
    if sid:
        others["Sid"] = sid
    else:
        others.pop("Sid", None)
    return others


def _manager_only(statement, manager_id):
    """The statement for the manager's principals alone, accepting ``manager_id`` alone under StringEquals."""
    result = copy.deepcopy(statement.data)
    names = statement.names
    result["Principal"] = {"AWS": names[0] if len(names) == 1 else list(names)}
    condition = result.get("Condition") or {}
    for operator in list(condition):
        block = condition[operator]
        for key in [key for key in block if key.lower() == EXTERNAL_ID]:
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


def widen(data, statements, manager_id):
    """Every statement that lets the manager in also accepts ``manager_id``, each on its own terms; None when nothing changes."""
    result = []
    taken = set(s.data["Sid"] for s in statements if isinstance(s.data.get("Sid"), str))
    changed = False
    for statement in statements:
        current = copy.deepcopy(statement.data)
        result.append(current)
        if not statement.allows or statement.accepts(manager_id):
            continue
        condition = _in_place(statement, manager_id)
        if condition is not None:
            current["Condition"][condition.operator][condition.key] = condition.values + [manager_id]
            changed = True
            continue
        sibling = _manager_only(statement, manager_id)
        if any(_same(sibling, other) for other in result + [other.data for other in statements]):
            continue  # an earlier, interrupted run added it already, or another statement's sibling is the same
        sid = _sid_with(sibling, "ManagerId", taken)
        if sid:
            sibling["Sid"] = sid
        result.append(sibling)
        changed = True
    return _written(data, result) if changed else None


def narrow(data, statements, manager_id):
    """Every statement that lets the manager in accepts ``manager_id`` alone; statements of others are kept as they are."""
    result = []
    taken = set(s.data["Sid"] for s in statements if isinstance(s.data.get("Sid"), str))
    for statement in statements:
        if not statement.allows:
            result.append(copy.deepcopy(statement.data))
            continue
        mine = _manager_only(statement, manager_id)
        if not any(_same(mine, kept) for kept in result):
            result.append(mine)
        if statement.shared:
            result.append(_others(statement, taken))
    return _written(data, result)
