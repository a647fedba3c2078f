# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The manager-defined external ID a role uses - given, kept in a secrets store, or the manager's - checked before
any write; for internal use (pure).

The rollout and onboarding roles read the ID with the ``amazon.aws`` lookups once retrieval is locked on the
manager, and pass what they read here with what the manager said, so that a missing or wrong value stops the
play with a sentence that names the store (or the variable) and never the ID.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.swp.aws.plugins.module_utils._external_id import ExternalIdError, check, confirm

__all__ = ["StoreError", "source_name", "resolve", "manager_external_id"]


class StoreError(ExternalIdError):
    """The stored ID cannot be used: missing, empty, not a string, refused by STS, or not the manager's."""


def source_name(secret=None, parameter=None, region=None):
    """How the store is named in messages: ``Secrets Manager secret NAME (us-east-1)``."""
    if secret and parameter:
        raise StoreError("give the Secrets Manager secret or the SSM parameter that holds the manager-defined external ID, not both")
    if not secret and not parameter:
        raise StoreError("no Secrets Manager secret or SSM parameter given for the manager-defined external ID")
    kind, name = ("Secrets Manager secret", secret) if secret else ("SSM parameter", parameter)
    return "%s %s%s" % (kind, name, " (%s)" % region if region else "")


def _stored_text(stored):
    if isinstance(stored, (list, tuple)):
        stored = stored[0] if len(stored) == 1 else (None if not stored else stored)
    if stored is None or isinstance(stored, str):
        return (stored or "").strip()
    raise StoreError("it holds a %s, not the external ID as plain text" % type(stored).__name__)


def resolve(stored, source, manager=None, reveal=False):
    """The manager-defined external ID from the store, checked; raises StoreError (an ExternalIdError) with what to do.

    ``stored`` is what the lookup returned (empty when the secret is missing), ``source`` the store's name
    (source_name()), ``manager`` the registered result of ``swp.aws.workload_extid_info`` run without failing
    the task: its ``external_id`` when retrieval is still enabled (then the stored value must equal it), or a
    failure whose ``api_error.kind`` is ``retrieval_disabled`` (then the store is the only source). Any other
    failure of the manager (a bad key, an unreachable manager) is raised with its own message. Surrounding
    whitespace of the stored value (a secret file's trailing newline) is ignored; what is left must be a value STS
    accepts as an external ID (ExternalIdError, naming the store, otherwise).
    """
    try:
        value = _stored_text(stored)
    except StoreError as exc:
        raise StoreError("The %s cannot be used as the manager-defined external ID: %s." % (source, exc)) from None
    if not value:
        raise StoreError(
            "The %s that should hold the manager-defined external ID is missing or empty, so nothing was written. "
            "Store the ID first (the connector_onboarding role's store_external_id entry point), or fix the name, the "
            "region or the credentials that read it." % source)
    try:
        check(value, source)
        return confirm(value, source, manager, reveal=reveal,
                       fix="store the manager's ID again (store_external_id) before retrieval is disabled")
    except ExternalIdError as exc:
        raise StoreError(str(exc)) from None


def manager_external_id(manager, given=None, variable=None, stored=None, secret=None, parameter=None, region=None,
                        reveal=False):
    """The manager-defined external ID a role is to use, checked once per play before any write.

    ``manager`` is the registered result of ``swp.aws.workload_extid_info`` run without failing the task. A ``given``
    ID (the role variable ``variable``) comes first, then the store named by ``secret`` or ``parameter`` (``stored``:
    what its lookup returned), then the manager's answer. A given or stored ID must be one STS accepts and, while
    retrieval is enabled, the manager's; raises ExternalIdError naming the source, never the value.
    """
    if given:
        source = "variable %s" % (variable or "given")
        check(given, source)
        return confirm(given, source, manager, reveal=reveal, fix="set it to the manager's ID")
    if secret or parameter:
        return resolve(stored, source_name(secret, parameter, region), manager, reveal=reveal)
    manager = manager if isinstance(manager, Mapping) else {}
    if not manager.get("external_id"):
        raise ExternalIdError("Reading the manager-defined external ID from the manager failed: %s" % (
            manager.get("msg") or "it returned no external ID"))
    return check(manager["external_id"], "manager's answer")
