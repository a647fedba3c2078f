# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters over the external-ID condition of cross-account IAM role trust policies.

The documentation of each filter is in the ``<filter name>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.module_utils._masking import mask_external_id, mask_policy
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import (
    SWP_PRINCIPAL,
    TrustPolicyError,
    classify,
    external_ids,
)
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import filter_flag


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except TrustPolicyError as exc:
        raise AnsibleFilterError(str(exc)) from None


def trust_external_ids(policy, principal=SWP_PRINCIPAL):
    """Sorted external IDs the trust policy accepts from the principal."""
    return _call(external_ids, policy, principal)


def trust_classify(policy_or_ids, manager_id, principal=SWP_PRINCIPAL):
    """Migration state of a trust policy, or of a list of accepted external IDs."""
    if isinstance(policy_or_ids, (str, bytes, Mapping)):
        accepted = _call(external_ids, policy_or_ids, principal)
    else:
        accepted = policy_or_ids
    return _call(classify, accepted, manager_id)


def mask_external_id_filter(value, reveal=False):
    """Masked external ID (or list of IDs) for logs and reports."""
    return _call(mask_external_id, value, reveal=filter_flag(reveal))


def mask_trust_policy(policy, reveal=False):
    """Copy of the trust policy with every external ID masked."""
    return _call(mask_policy, policy, reveal=filter_flag(reveal))


class FilterModule:
    """Trust-policy filters of the swp.aws collection."""

    def filters(self):
        return {
            "trust_external_ids": trust_external_ids,
            "trust_classify": trust_classify,
            "mask_external_id": mask_external_id_filter,
            "mask_trust_policy": mask_trust_policy,
        }
