# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles' run-once check of the manager-defined ID, and the plans' quota option, through their filters."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.connector_onboarding import FilterModule as Onboarding
from ansible_collections.swp.aws.plugins.filter.extid_migration import FilterModule as Migration

ONBOARDING = Onboarding().filters()
MIGRATION = Migration().filters()
M = "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b"
DISABLED = {"failed": True, "msg": "disabled", "api_error": {"kind": "retrieval_disabled"}}


def test_the_play_gets_the_given_id_checked_and_an_error_without_it():
    check = ONBOARDING["manager_external_id"]
    assert check({"external_id": M}, given=M, variable="extid_migration_manager_external_id") == M
    assert check(DISABLED, given="", stored=[M + "\n"], secret="swp/id", parameter="") == M
    with pytest.raises(AnsibleFilterError) as caught:
        check(DISABLED, given=M + "\n", variable="connector_onboarding_manager_external_id", reveal="no")
    assert "variable connector_onboarding_manager_external_id ends with a newline" in str(caught.value)
    assert M not in str(caught.value)


def test_the_quota_option_reaches_both_plans():
    account = MIGRATION["extid_migration_target"]("arn:aws:iam::123456789012:role/R")
    for plan, kwargs in ((MIGRATION["extid_migration_plan"], {}), (ONBOARDING["connector_onboarding_plan"], {})):
        with pytest.raises(AnsibleFilterError, match="trust_policy_quota must be a whole number from 2048"):
            plan([], "h", account, {}, M, trust_policy_quota=1024, **kwargs)
        assert plan([], "h", account, {}, M, trust_policy_quota="4096")["record"]["host"] == "h"
