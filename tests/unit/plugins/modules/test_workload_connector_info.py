# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.workload_connector_info, run in-process against the API simulator."""

from __future__ import annotations

import json

import pytest

from ansible_collections.swp.aws.plugins.modules import workload_connector_info
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

SEARCH = "/api/awsconnectors/search"


def run(sim, capsys, check_mode=False, **args):
    args.setdefault("url", sim.url)
    args.setdefault("api_key", "sim-readonly-key")
    return run_module(workload_connector_info, args, capsys, check_mode=check_mode)


def role_arn(number, name="swp"):
    return "arn:aws:iam::%012d:role/%s" % (number, name)


def seed(sim, count):
    sim.add_connectors([{"crossAccountRoleArn": role_arn(n + 1), "displayName": "c%05d" % n} for n in range(count)])


def searches(sim):
    return [e for e in sim.requests() if e["path"] == SEARCH]


@pytest.mark.parametrize("count, page_size, calls", [
    (0, 1000, 1), (999, 1000, 1), (1000, 1000, 2), (2000, 1000, 3), (2501, 1000, 3), (2501, 5000, 1), (7, 3, 3), (6, 3, 3),
])
def test_paging_costs_one_call_per_page(sim, capsys, count, page_size, calls):
    seed(sim, count)
    rc, result = run(sim, capsys, page_size=page_size)
    assert rc == 0 and result["changed"] is False
    assert [c["id"] for c in result["connectors"]] == list(range(1, count + 1))
    made = searches(sim)
    assert len(made) == len(sim.requests()) == calls
    assert all(e["body"]["sortByObjectID"] is True and e["body"]["maxItems"] == page_size for e in made)
    # IDs 1..count: page k asks for the IDs above the last one of page k-1.
    expected = [[]] + [[{"idTest": "greater-than", "idValue": k * page_size}] for k in range(1, calls)]
    assert [e["body"]["searchCriteria"] for e in made] == expected


def test_paging_follows_ids_with_gaps(sim, capsys):
    sim.add_connectors([{"ID": n, "crossAccountRoleArn": role_arn(n)} for n in (3, 10, 11, 50, 51, 400, 9000)])
    rc, result = run(sim, capsys, page_size=2)
    assert [c["id"] for c in result["connectors"]] == [3, 10, 11, 50, 51, 400, 9000]
    assert [e["body"]["searchCriteria"] for e in searches(sim)] == [
        [], [{"idTest": "greater-than", "idValue": 10}], [{"idTest": "greater-than", "idValue": 50}],
        [{"idTest": "greater-than", "idValue": 400}]]


def test_filters_are_exact_server_side_criteria(sim, capsys):
    sim.add_connectors([
        {"crossAccountRoleArn": role_arn(1, "a_b"), "displayName": "web_prod"},
        {"crossAccountRoleArn": role_arn(1, "aXb"), "displayName": "webXprod"},
        {"crossAccountRoleArn": role_arn(2, "a_b"), "displayName": "web_prod"},
    ])
    rc, result = run(sim, capsys, display_name="web_prod")
    assert [c["id"] for c in result["connectors"]] == [1, 3]
    rc, result = run(sim, capsys, display_name="web_prod", account_id="000000000001")
    assert [c["id"] for c in result["connectors"]] == [1]
    rc, result = run(sim, capsys, cross_account_role_arn=role_arn(1, "a_b"))
    assert [c["id"] for c in result["connectors"]] == [1]
    rc, result = run(sim, capsys, id=2)
    assert [c["id"] for c in result["connectors"]] == [2]
    rc, result = run(sim, capsys, id=99)
    assert result["connectors"] == []
    bodies = [e["body"] for e in searches(sim)]
    assert len(bodies) == 5
    # displayName is not searchable: a listing (with the searchable filters) is matched locally.
    assert bodies[0]["searchCriteria"] == []
    assert bodies[1]["searchCriteria"] == [{"fieldName": "accountId", "stringTest": "equal", "stringValue": "000000000001", "stringWildcards": False}]
    assert "displayName" not in json.dumps(bodies)
    assert bodies[3]["searchCriteria"] == [{"idTest": "equal", "idValue": 2}]


def test_connectors_are_snake_case_and_never_carry_a_secret(sim, capsys):
    sim.add_connectors([
        {"crossAccountRoleArn": role_arn(1), "displayName": "role", "accountAlias": "acme", "seedRegion": "eu-west-1",
         "workspacesEnabled": True, "lastSyncTime": 1714555800123,
         "syncedRegions": [{"region": "eu-west-1", "computersSynced": 4, "workspacesSynced": 2}]},
        {"accessKey": "AKIAEXAMPLE", "secretKey": "TopSecretValue", "accountId": "000000000002"},
        {"useInstanceRole": True, "accountId": "000000000003"},
    ])
    rc, result = run(sim, capsys)
    assert rc == 0
    role, key, instance = result["connectors"]
    assert role == {
        "id": 1, "display_name": "role", "account_id": "000000000001", "account_alias": "acme", "cross_account_role_arn": role_arn(1),
        "access_key": None, "use_instance_role": False, "seed_region": "eu-west-1", "workspaces_enabled": True,
        "last_sync_time": 1714555800123, "last_sync": "2024-05-01T09:30:00.123Z",
        "synced_regions": [{"region": "eu-west-1", "computers_synced": 4, "workspaces_synced": 2}], "auth_type": "cross_account_role"}
    assert key["auth_type"] == "access_key" and key["access_key"] == "AKIAEXAMPLE"
    assert instance["auth_type"] == "instance_role" and instance["use_instance_role"] is True
    assert "TopSecretValue" not in json.dumps(result)


@pytest.mark.parametrize("expose", [True, False])
def test_external_id_is_returned_only_when_the_manager_exposes_it(sim, capsys, expose):
    sim.configure(expose_external_id=expose)
    sim.add_connectors([{"crossAccountRoleArn": role_arn(1), "externalId": "user-defined-1"}, {"crossAccountRoleArn": role_arn(2)}])
    rc, result = run(sim, capsys)
    if expose:
        # Masked: only workload_extid_info returns an external ID in full.
        assert [c["external_id"] for c in result["connectors"]] == ["user****", sim.manager_external_id[:4] + "****"]
    else:
        assert all("external_id" not in c for c in result["connectors"])


def test_runs_in_check_mode(sim, capsys):
    seed(sim, 3)
    rc, result = run(sim, capsys, check_mode=True)
    assert rc == 0 and len(result["connectors"]) == 3 and result["changed"] is False


@pytest.mark.parametrize("page_size", [0, 5001])
def test_page_size_outside_the_api_limits_fails_before_any_call(sim, capsys, page_size):
    rc, result = run(sim, capsys, page_size=page_size)
    assert rc == 1 and "page_size must be between 1 and 5000" in result["msg"]
    assert sim.requests() == []


def test_api_errors_fail_with_the_status(sim, capsys):
    rc, result = run(sim, capsys, api_key="wrong")
    assert rc == 1 and result["api_error"]["status"] == 401


def test_display_name_is_matched_locally_across_pages(sim, capsys):
    seed(sim, 7)
    rc, result = run(sim, capsys, display_name="c00005", page_size=2)
    assert rc == 0 and [c["id"] for c in result["connectors"]] == [6]
    assert len(searches(sim)) == 4
    rc, result = run(sim, capsys, display_name="C00005")
    assert result["connectors"] == []
