# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.workload_preflight, run in-process against the API simulator."""

from __future__ import annotations

import json

import pytest

from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadClient
from ansible_collections.swp.aws.plugins.modules import workload_preflight
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

NAMES = ["authentication", "list_connectors", "search_connectors", "search_fields", "read_connector_settings",
         "manager_external_id"]
SEARCH = "^/api/awsconnectors/search$"


def run(sim, capsys, **args):
    args.setdefault("url", sim.url)
    args.setdefault("api_key", "sim-full-key")
    args.setdefault("retries", 0)
    return run_module(workload_preflight, args, capsys)


def checks(result):
    return {c["name"]: c for c in result["checks"]}


def disable_retrieval(sim):
    WorkloadClient(sim.url, "sim-full-key").post("/systemsettings/platformSettingAwsExternalIdRetrievalEnabled", {"value": "false"})
    sim.clear_requests()


@pytest.mark.parametrize("key", ["sim-full-key", "sim-readonly-key"])
def test_a_ready_manager_passes_every_check_and_nothing_is_written(sim, capsys, key):
    sim.add_connectors([{"crossAccountRoleArn": "arn:aws:iam::%012d:role/r" % n} for n in range(1, 6)])
    rc, result = run(sim, capsys, api_key=key)
    assert rc == 0 and result["passed"] is True and result["changed"] is False
    assert [c["name"] for c in result["checks"]] == NAMES and all(c["ok"] for c in result["checks"])
    assert result["auth_header"] == "authorization"
    assert result["msg"].startswith("Preflight of %s: all 6 checks passed." % sim.url)
    assert "PASS  authentication" in result["msg"]
    writes = [e for e in sim.requests() if e["method"] != "GET" and not e["path"].endswith("/search")]
    assert writes == []
    # Each search asks for one connector at most: a preflight never reads a whole fleet.
    assert all(e["body"]["maxItems"] == 1 for e in sim.requests() if e["path"].endswith("/search"))
    assert sim.manager_external_id not in json.dumps(result)


def test_a_bad_key_fails_with_a_table_and_skips_the_rest(sim, capsys):
    rc, result = run(sim, capsys, api_key="wrong-key")
    assert rc == 1 and result["passed"] is False and result["auth_header"] is None
    assert "refused in both header styles" in checks(result)["authentication"]["detail"]
    assert "6 of 6 checks failed" in result["msg"] and "FAIL  search_fields" in result["msg"]
    assert "wrong-key" not in json.dumps(result)


def test_the_other_header_style_is_found_and_named(sim, capsys):
    sim.add_faults([{"status": 401, "method": "POST", "path": SEARCH, "body": {"message": "Invalid API key"}}])
    rc, result = run(sim, capsys, fail_on_error=False)
    assert rc == 0 and result["passed"] is False and result["auth_header"] == "api-secret-key"
    auth = checks(result)["authentication"]
    assert auth["ok"] is False and "set auth_header: api-secret-key" in auth["detail"]
    assert all(c["ok"] for c in result["checks"][1:])
    assert {e["auth_header"] for e in sim.requests()[1:]} == {"api-secret-key"}


def test_an_unsearchable_field_is_named(sim, capsys):
    # The fourth search is the crossAccountRoleArn one (probe, list, accountId, crossAccountRoleArn...).
    sim.add_faults([{"status": 200, "method": "POST", "path": SEARCH, "body": {"awsConnectors": []}}] * 3 + [
        {"status": 400, "method": "POST", "path": SEARCH, "body": {"message": "Invalid SearchFilter: unknown fieldName: crossAccountRoleArn"}}])
    rc, result = run(sim, capsys)
    assert rc == 1
    fields = checks(result)["search_fields"]
    assert fields["ok"] is False and "crossAccountRoleArn (HTTP 400: Invalid SearchFilter: unknown fieldName" in fields["detail"]
    assert checks(result)["search_connectors"]["ok"] is True
    assert "1 of 6 checks failed" in result["msg"]


@pytest.mark.parametrize("supplied, passed", [(False, False), (True, True)])
def test_disabled_retrieval_passes_only_with_manager_external_id(sim, capsys, supplied, passed):
    disable_retrieval(sim)
    args = dict(manager_external_id=sim.manager_external_id) if supplied else {}
    rc, result = run(sim, capsys, fail_on_error=False, **args)
    assert rc == 0 and result["passed"] is passed
    assert checks(result)["manager_external_id"]["ok"] is passed
    assert "retrieval of the AWS external ID is disabled" in checks(result)["read_connector_settings"]["detail"]
    assert sim.manager_external_id not in json.dumps(result)


def test_a_manager_external_id_that_differs_fails_without_showing_either(sim, capsys):
    rc, result = run(sim, capsys, manager_external_id="not-the-managers-id-0000")
    assert rc == 1 and checks(result)["manager_external_id"]["ok"] is False
    assert "differs" in checks(result)["manager_external_id"]["detail"]
    assert sim.manager_external_id not in json.dumps(result)


def test_a_key_that_may_not_read_the_settings_fails_that_check(sim, capsys):
    sim.add_faults([{"status": 403, "method": "GET", "path": "/awsconnectorsettings"},
                    {"status": 403, "method": "GET", "path": "/systemsettings/"}])
    rc, result = run(sim, capsys, fail_on_error=False)
    assert rc == 0 and result["passed"] is False
    assert checks(result)["read_connector_settings"]["ok"] is False
    assert "HTTP 403" in checks(result)["read_connector_settings"]["detail"]


def test_an_unreachable_manager_fails_every_check(capsys):
    rc, result = run_module(workload_preflight, dict(url="http://127.0.0.1:9/api", api_key="k", retries=0, timeout=2), capsys)
    assert rc == 1 and result["passed"] is False and "Cannot reach" in checks(result)["authentication"]["detail"]
