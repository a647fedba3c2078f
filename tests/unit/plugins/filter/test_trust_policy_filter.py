# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the trust-policy filters."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.trust_policy import FilterModule

SWP = "arn:aws:iam::147995105371:root"
OTHER = "arn:aws:iam::111122223333:root"
OLD = "user-defined-external-id-0001"
NEW = "5f0c9a2e-7b1d-4e8a-9c3f-2a6b8d0e4f17"

FILTERS = FilterModule().filters()


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trusting(principal, *ids):
    value = ids[0] if len(ids) == 1 else list(ids)
    return {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": value}},
    }


USER_DEFINED = policy(trusting(SWP, OLD), trusting(OTHER, "dsm-external-id-000001"))


def test_filter_names():
    assert sorted(FILTERS) == sorted(
        ["trust_external_ids", "trust_classify", "mask_external_id", "mask_trust_policy"])


@pytest.mark.parametrize(
    "given_policy, args, expected",
    [
        pytest.param(USER_DEFINED, (), [OLD], id="default-principal-is-the-service"),
        pytest.param(json.dumps(USER_DEFINED), (), [OLD], id="json-text"),
        pytest.param(quote(json.dumps(USER_DEFINED)), (), [OLD], id="url-encoded"),
        pytest.param(USER_DEFINED, (OTHER,), ["dsm-external-id-000001"], id="other-principal"),
        pytest.param(USER_DEFINED, ("111122223333",), ["dsm-external-id-000001"], id="account-id"),
        pytest.param(policy(), (), [], id="no-statement"),
    ],
)
def test_trust_external_ids(given_policy, args, expected):
    assert FILTERS["trust_external_ids"](given_policy, *args) == expected


@pytest.mark.parametrize(
    "value, args, expected",
    [
        pytest.param(USER_DEFINED, (NEW,), "user_defined", id="policy-user-defined"),
        pytest.param(json.dumps(policy(trusting(SWP, NEW))), (NEW,), "migrated", id="json-policy-migrated"),
        pytest.param(policy(trusting(SWP, NEW, OLD)), (NEW,), "half_done", id="policy-half-done"),
        pytest.param(policy(trusting(OTHER, NEW)), (NEW,), "no_external_id", id="policy-other-principal-only"),
        pytest.param(policy(trusting(OTHER, NEW)), (NEW, OTHER), "migrated", id="policy-with-principal"),
        pytest.param([NEW], (NEW,), "migrated", id="ids-migrated"),
        pytest.param([OLD, NEW], (NEW,), "half_done", id="ids-half-done"),
        pytest.param([OLD], (NEW,), "user_defined", id="ids-user-defined"),
        pytest.param([], (NEW,), "no_external_id", id="ids-empty"),
    ],
)
def test_trust_classify(value, args, expected):
    assert FILTERS["trust_classify"](value, *args) == expected


@pytest.mark.parametrize(
    "value, reveal, expected",
    [
        pytest.param(NEW, False, "5f0c****", id="masked"),
        pytest.param("short", False, "****", id="short"),
        pytest.param([NEW, OLD], False, ["5f0c****", "user****"], id="list"),
        pytest.param(NEW, True, NEW, id="reveal"),
    ],
)
def test_mask_external_id(value, reveal, expected):
    assert FILTERS["mask_external_id"](value, reveal) == expected


def test_mask_trust_policy():
    masked = FILTERS["mask_trust_policy"](json.dumps(USER_DEFINED))
    text = json.dumps(masked)
    assert OLD not in text and "dsm-external-id-000001" not in text
    assert masked["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "user****"}}
    assert FILTERS["mask_trust_policy"](USER_DEFINED, reveal=True) == USER_DEFINED


@pytest.mark.parametrize(
    "name, args, message",
    [
        pytest.param("trust_external_ids", ("not json",), "the trust policy is neither JSON", id="external-ids-unreadable"),
        pytest.param("trust_external_ids", (USER_DEFINED, "*"), "12-digit AWS account ID or an IAM/STS ARN", id="external-ids-bad-principal"),
        pytest.param("trust_classify", (USER_DEFINED, ""), "the manager-defined external ID", id="classify-empty-manager-id"),
        pytest.param("trust_classify", ("{", NEW), "the trust policy is neither JSON", id="classify-unreadable"),
        pytest.param("trust_classify", (42, NEW), "must be a list of strings, not a number", id="classify-number"),
        pytest.param("mask_trust_policy", ({},), "the trust policy has no Statement", id="mask-policy-unreadable"),
    ],
)
def test_errors_become_filter_errors(name, args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        FILTERS[name](*args)
