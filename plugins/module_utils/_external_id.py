# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The manager-defined external ID as given to a role, checked before any write; for internal use (pure).

A value STS would refuse as an external ID (a trailing newline from a YAML ``|`` block is the common case) would go
into the trust policy as it is and lock the connector out. Every message names where the value came from and what is
wrong with it, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id

__all__ = ["ExternalIdError", "STS_EXTERNAL_ID", "MIN_LENGTH", "MAX_LENGTH", "RETRIEVAL_DISABLED", "problem", "check",
           "confirm"]

# STS's pattern for an external ID, with \w as STS means it (ASCII letters, digits and _) and \Z, not $, so that a
# trailing newline does not pass.
MIN_LENGTH, MAX_LENGTH = 2, 1224
STS_EXTERNAL_ID = re.compile(r"\A[\w+=,.@:/-]{%d,%d}\Z" % (MIN_LENGTH, MAX_LENGTH), re.ASCII)
_ALLOWED = re.compile(r"[\w+=,.@:/-]", re.ASCII)
_NAMED = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab", " ": "a space"}
RETRIEVAL_DISABLED = "retrieval_disabled"


class ExternalIdError(ValueError):
    """A given manager-defined external ID that cannot be used: the message names its source, never the value."""


# What Ansible says when the Python it chose for a host could not run a module (not found, or no JSON on its output).
_NOT_RUN = ("Module result deserialization failed", "MODULE FAILURE")


def module_failure_text(result):
    """The message of a failed module result, with the likely fix when the host's Python could not run the module."""
    message = str(result.get("msg") or "unknown error")
    if any(marker in message for marker in _NOT_RUN):
        stderr = str(result.get("module_stderr") or "").strip().splitlines()
        message += ("%s. The Python Ansible chose for this host could not run the module: set ansible_python_interpreter to "
                    "\"{{ ansible_playbook_python }}\" for hosts run with connection: local (examples/ansible.cfg sets "
                    "interpreter_python so for every host)." % ((" (module_stderr: %s)" % stderr[-1][:200]) if stderr else ""))
    return message


def _character(char):
    if char in _NAMED:
        return _NAMED[char]
    if not char.isascii():
        return "a non-ASCII character"
    if not char.isprintable():
        return "a control character"
    return "the character %r" % char


def problem(value):
    """What STS would refuse in ``value`` as an external ID (a phrase without the value), or None when it is fine."""
    if not isinstance(value, str):
        return "is a %s, not text" % type(value).__name__
    if not value:
        return "is empty"
    if STS_EXTERNAL_ID.match(value):
        return None
    if value[-1] in "\r\n":
        return "ends with a newline"
    if value != value.strip():
        return "has whitespace around it"
    for position, char in enumerate(value, 1):
        if not _ALLOWED.match(char):
            return "has a character STS refuses (%s, character %d of %d)" % (_character(char), position, len(value))
    if len(value) < MIN_LENGTH:
        return "is %d character long, shorter than the %d STS requires" % (len(value), MIN_LENGTH)
    return "is %d characters long, longer than the %d STS allows" % (len(value), MAX_LENGTH)


def check(value, source):
    """``value`` when STS accepts it as an external ID; else raises ExternalIdError naming ``source`` and the fault."""
    fault = problem(value)
    if fault:
        raise ExternalIdError(
            "The manager-defined external ID in the %s %s, so nothing was written: STS accepts %d to %d letters, digits "
            "and _+=,.@:/- only. Give the ID exactly as the manager shows it (in YAML, a | block adds a newline: use a "
            "quoted string or |-)." % (source, fault, MIN_LENGTH, MAX_LENGTH))
    return value


def confirm(value, source, manager=None, reveal=False, fix="give the manager's ID"):
    """``value`` when the manager agrees, or cannot say because its retrieval of the ID is disabled.

    ``manager`` is the registered result of ``swp.aws.workload_extid_info`` run without failing the task: its
    ``external_id`` while retrieval is enabled (then ``value`` must equal it), or a failure whose ``api_error.kind`` is
    ``retrieval_disabled`` (then ``value`` is the only source). Any other failure of the manager (a bad key, an
    unreachable manager) is raised with its own message. The message of a mismatch shows both IDs masked, and ``fix``.
    """
    manager = manager if isinstance(manager, Mapping) else {}
    current = manager.get("external_id")
    if isinstance(current, str) and current:
        if current != value:
            raise ExternalIdError(
                "The %s holds %s, but the manager's external ID is %s, so nothing was written: %s." % (
                    source, mask_external_id(value, reveal=reveal), mask_external_id(current, reveal=reveal), fix))
        return value
    if manager.get("failed"):
        error = manager.get("api_error") if isinstance(manager.get("api_error"), Mapping) else {}
        if error.get("kind") != RETRIEVAL_DISABLED:
            raise ExternalIdError("Reading the manager-defined external ID from the manager failed: %s"
                                  % module_failure_text(manager))
    return value
