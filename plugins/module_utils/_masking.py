# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every mask of an external ID: a value, a trust policy, a diff, a text. For internal use (pure, no Ansible import).

An external ID is a secret everywhere but in ``workload_extid_info``'s result: what the collection
prints (role output, diffs, reports, error messages) goes through one of these.
"""

from __future__ import annotations

import re

from ansible_collections.swp.aws.plugins.module_utils._trust_policy_model import EXTERNAL_ID, load_policy, policy_statements

__all__ = ["MASK", "mask_external_id", "mask_policy", "policy_diff", "mask_in_text", "censor_external_ids"]

MASK = "****"
_MASK_KEEP = 4
_MASK_MIN_LENGTH = 12
# A token quoted after "external ID" in a server's message (it holds a digit, so it is no plain word).
_QUOTED_ID = re.compile(r"(?i)(external[ _-]?id\W{0,3}(?:is\W{1,3}|=\W{0,3})?)((?=[A-Za-z+=,.@:/_-]*[0-9])[A-Za-z0-9+=,.@:/_-]{4,})")


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
    for statement in policy_statements(data):
        condition = statement.get("Condition")
        if not isinstance(condition, dict):
            continue
        for operator, block in condition.items():
            if not isinstance(block, dict) or operator.lower() == "null":
                continue
            for key in block:
                if isinstance(key, str) and key.lower() == EXTERNAL_ID:
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


def mask_in_text(text, ids, reveal=False):
    """Replace every full external ID in ``text`` by its masked form (longest first, so no ID leaks in part)."""
    if text is None or reveal:
        return text
    text = str(text)
    for value in sorted(set(i for i in (ids or []) if isinstance(i, str) and i), key=len, reverse=True):
        text = text.replace(value, mask_external_id(value))
    return text


def censor_external_ids(text, known=()):
    """``text`` with every known external ID masked, and any token quoted after "external ID" masked too."""
    if not text:
        return text
    text = mask_in_text(text, [k for k in known if isinstance(k, str) and k])
    return _QUOTED_ID.sub(lambda m: m.group(1) + (m.group(2) if m.group(2).endswith(MASK) else mask_external_id(m.group(2))), text)
