# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``reveal`` switch of the masking filters and actions, for internal use."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean


def _kind(value):
    """Plain type name (Ansible wraps templated values in subclasses of the builtin types)."""
    if isinstance(value, Mapping):
        return "dictionary"
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"), (bytes, "bytes"),
                       (list, "list")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def reveal_flag(value, name="reveal"):
    """``value`` read with Ansible's boolean rules, strictly; None (unset) is false.

    ``'false'``, ``'no'``, ``'off'``, ``'0'``, ``0`` and ``False`` are false; ``'true'``, ``'yes'``, ``'on'``, ``'1'``,
    ``1`` and ``True`` are true (strings in any case, surrounding whitespace ignored). Anything else raises
    ValueError, whose message names the type of the value but never quotes it: an external ID passed here by
    mistake must not end up in an error message.
    """
    if value is None:
        return False
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise ValueError(
            "%s must be a boolean (true/false, yes/no, on/off, 1/0); the value given, of type %s, is none of these"
            % (name, _kind(value))
        ) from None


def filter_flag(value, name="reveal"):
    """reveal_flag() for filters: the same rules, an AnsibleFilterError (that never quotes the value) instead of ValueError."""
    try:
        return reveal_flag(value, name=name)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None
