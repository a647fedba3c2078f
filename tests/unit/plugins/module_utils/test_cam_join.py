# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where an account stands between SWP and CAM: state labels, summary counts, trust of the CAM OIDC provider, the join."""

from __future__ import annotations

import json

import pytest

from ansible_collections.swp.aws.plugins.module_utils._cam_join import (
    STATES,
    account_standing,
    add_state,
    cam_state,
    cam_trust,
    count_states,
    external_id_kind,
    oidc_issuer,
    standing_summary,
    summary_line,
    table_lines,
)

ROLE = "arn:aws:iam::111122223333:role/VisionOneRole"


@pytest.mark.parametrize("record, listed, label", [
    (None, True, "absent"),
    (None, False, "unknown"),
    ({"id": "1", "sources": ["workload"], "roleArn": ""}, True, "legacy"),
    ({"id": "1", "sources": ["anything"]}, True, "legacy"),
    ({"id": "1", "sources": ["workload"], "roleArn": None, "state": "managed"}, True, "legacy"),
    ({"account_id": "1", "sources": ["x", "y"], "role_arn": None}, True, "legacy"),
    ({"id": "1", "sources": [], "roleArn": ""}, True, "unknown"),
    ({"id": "1", "roleArn": ""}, True, "unknown"),
    ({"id": "1", "sources": "workload", "roleArn": ""}, True, "unknown"),
    ({"id": "1", "roleArn": ROLE, "state": "managed"}, True, "managed"),
    ({"id": "1", "role_arn": ROLE, "state": "outdated"}, True, "outdated"),
    ({"id": "1", "roleArn": ROLE, "state": "failed", "sources": ["workload"]}, True, "failed"),
    ({"id": "1", "roleArn": ROLE}, True, "unknown"),
    ({"id": "1", "roleArn": ROLE, "state": "Managed"}, True, "unknown"),
    ({"id": "1", "roleArn": ROLE, "state": "deleting"}, True, "unknown"),
    ("not a record", True, "unknown"),
])
def test_cam_state_labels(record, listed, label):
    assert cam_state(record, listed) == label


def test_summary_counts_every_label_and_unknown_labels_as_unknown():
    summary = count_states(["legacy", "managed", "legacy", "bogus"])
    assert summary == {"absent": 0, "legacy": 2, "managed": 1, "outdated": 0, "failed": 0, "unknown": 1, "total": 4}
    assert add_state(summary, "absent")["absent"] == 1 and summary["total"] == 5
    assert list(count_states()) == list(STATES) + ["total"]


def statement(principal, action="sts:AssumeRoleWithWebIdentity", effect="Allow", **extra):
    return dict({"Effect": effect, "Principal": principal, "Action": action}, **extra)


PROVIDER = "arn:aws:iam::111122223333:oidc-provider/cloudaccounts-us-east-1.xdr.trendmicro.com"
OLD_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/cloudaccounts-eu-central-1.visionone.trendmicro.com"
SWP = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::147995105371:root"}, "Action": "sts:AssumeRole",
       "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}


@pytest.mark.parametrize("statements, account, answer", [
    ([statement({"Federated": PROVIDER}, ["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"])], None, "yes"),
    ([statement({"Federated": OLD_PROVIDER})], "111122223333", "yes"),
    ([statement({"Federated": [PROVIDER]}, "sts:*")], None, "yes"),
    ([SWP], None, "no"),
    ([], None, "no"),
    ([statement({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"})], None, "no"),
    ([statement({"Federated": PROVIDER}), statement({"AWS": "*"}, "sts:AssumeRole", "Deny")], None, "unknown"),
    ([statement({"Federated": PROVIDER}, "sts:AssumeRole")], None, "unknown"),
    ([statement({"Federated": PROVIDER})], "999999999999", "unknown"),
    ([dict(statement({"Federated": PROVIDER}), NotAction="sts:TagSession")], None, "unknown"),
])
def test_cam_trust(statements, account, answer):
    policy = {"Version": "2012-10-17", "Statement": statements}
    assert cam_trust(policy, account) == answer
    assert cam_trust(json.dumps(policy), account) == answer


@pytest.mark.parametrize("policy", [None, "not json", {"Version": "2012-10-17"}, 42])
def test_a_policy_not_read_is_unknown_not_no(policy):
    assert cam_trust(policy) == "unknown"


@pytest.mark.parametrize("value, host", [
    (PROVIDER, "cloudaccounts-us-east-1.xdr.trendmicro.com"),
    ("cloudaccounts-ap-southeast-1.visionone.trendmicro.com", "cloudaccounts-ap-southeast-1.visionone.trendmicro.com"),
    ("arn:aws:iam::1:oidc-provider/cloudaccounts-us-east-1.xdr.trendmicro.com.evil.example", None),
    ("arn:aws:iam::1:role/cloudaccounts-us-east-1.xdr.trendmicro.com", None),
    (None, None),
])
def test_oidc_issuer(value, host):
    assert oidc_issuer(value) == host


@pytest.mark.parametrize("connector, manager, kind", [
    ({"auth_type": "access_key"}, "abcd****", "none"),
    ({"auth_type": None}, None, "unknown"),
    ({"auth_type": "cross_account_role"}, "abcd****", "unknown"),
    ({"auth_type": "cross_account_role", "external_id": "abcd****"}, "abcd****", "unknown"),
    ({"auth_type": "cross_account_role", "external_id": "wxyz****"}, "abcd****", "user_defined"),
    ({"auth_type": "cross_account_role", "external_id": "****"}, "abcd****", "unknown"),
    ({"auth_type": "cross_account_role", "external_id": "wxyz****"}, None, "unknown"),
])
def test_external_id_is_user_defined_only_when_the_masks_prove_it(connector, manager, kind):
    assert external_id_kind(connector, manager) == kind


def connector(cid, account, auth="cross_account_role", **extra):
    return dict({"id": cid, "display_name": "c%d" % cid, "account_id": account, "auth_type": auth,
                 "cross_account_role_arn": "arn:aws:iam::%s:role/swp" % account if auth == "cross_account_role" else None}, **extra)


MIXED_CONNECTORS = [connector(1, "100000000001"), connector(2, "100000000002", external_id="wxyz****"),
                    connector(3, "100000000003", "access_key")]
MIXED_CAM = [
    {"account_id": "100000000002", "sources": ["workload"], "role_arn": None},
    {"id": "100000000003", "roleArn": "arn:aws:iam::100000000003:role/VisionOneRole", "state": "managed", "sources": []},
    {"id": "100000000004", "roleArn": "arn:aws:iam::100000000004:role/VisionOneRole", "state": "failed", "name": "cam-only"},
]


def test_the_join_of_a_mixed_fleet():
    policies = {"arn:aws:iam::100000000003:role/VisionOneRole": {"Statement": [statement({"Federated": PROVIDER.replace(
        "111122223333", "100000000003")})]}}
    rows = account_standing(MIXED_CONNECTORS, MIXED_CAM, manager_mask="abcd****", trust_policies=policies)
    assert [(r["account_id"], r["cam_state"], r["cam_trusts_oidc"], r["where"]) for r in rows] == [
        ("100000000001", "absent", "n/a", "SWP only"),
        ("100000000002", "legacy", "n/a", "SWP + CAM legacy"),
        ("100000000003", "managed", "yes", "SWP + CAM managed"),
        ("100000000004", "failed", "unknown", "CAM only"),
    ]
    assert rows[1]["swp_connectors"][0]["external_id"] == "user_defined"
    assert rows[3]["name"] == "cam-only" and rows[1]["cam_sources"] == ["workload"]
    summary = standing_summary(rows)
    assert summary["cam"]["absent"] == 1 and summary["cam"]["legacy"] == 1 and summary["cam"]["total"] == 4
    assert (summary["swp_accounts"], summary["cam_accounts"], summary["accounts"]) == (3, 3, 4)
    assert summary_line(summary) == ("CAM: absent 1, legacy 1, managed 1, outdated 0, failed 1, unknown 0. "
                                     "4 accounts: 3 with an SWP connector, 3 in CAM.")


def test_without_a_complete_cam_listing_nothing_is_absent():
    rows = account_standing(MIXED_CONNECTORS, [], cam_listed=False)
    assert {r["cam_state"] for r in rows} == {"unknown"}
    assert {r["where"] for r in rows} == {"SWP, CAM unknown"}


def test_a_connector_without_an_account_is_a_row_of_its_own():
    rows = account_standing([{"id": 9, "display_name": "dsm", "auth_type": "instance_role", "account_id": None}], [])
    assert rows[0]["account_id"] is None and rows[0]["cam_state"] == "unknown"


def test_table_lines_are_aligned():
    lines = table_lines(account_standing(MIXED_CONNECTORS, MIXED_CAM))
    assert lines[0].startswith("ACCOUNT") and len(lines) == 5
    assert "#2 cross_account_role (external ID unknown)" in lines[2]
    assert lines[4].split()[0] == "100000000004"
