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

NAMES = ["authentication", "list_connectors", "search_connectors", "search_fields", "write_connectors",
         "read_connector_settings", "manager_external_id"]
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


def test_a_ready_manager_passes_every_check_prints_the_table_and_nothing_is_written(sim, capsys):
    sim.add_connectors([{"crossAccountRoleArn": "arn:aws:iam::%012d:role/r" % n} for n in range(1, 6)])
    rc, result = run(sim, capsys)
    assert rc == 0 and result["passed"] is True and result["changed"] is False
    assert [c["name"] for c in result["checks"]] == NAMES and all(c["ok"] for c in result["checks"])
    assert {c["status"] for c in result["checks"]} == {"pass"}
    assert result["auth_header"] == "authorization"
    # The table is returned on success too: a head line, then one line a check.
    assert result["lines"][0] == "Preflight of %s: all 7 checks passed." % sim.url
    assert [line.split()[1] for line in result["lines"][1:]] == NAMES
    assert all(line.startswith("PASS  ") for line in result["lines"][1:])
    assert result["msg"] == "\n".join(result["lines"])
    assert "PASS  authentication" in result["msg"]
    assert "PASS  write_connectors" in result["msg"] and "'Full Access' (ID 1) may create and modify" in result["msg"]
    writes = [e for e in sim.requests() if e["method"] != "GET" and not e["path"].endswith("/search")]
    assert writes == []
    # Each search asks for one connector at most: a preflight never reads a whole fleet.
    assert all(e["body"]["maxItems"] == 1 for e in sim.requests() if e["path"].endswith("/search"))
    assert sim.manager_external_id not in json.dumps(result)


def test_a_read_only_key_fails_the_write_check(sim, capsys):
    rc, result = run(sim, capsys, api_key="sim-readonly-key")
    assert rc == 1 and result["passed"] is False
    write = checks(result)["write_connectors"]
    assert write["ok"] is False and write["status"] == "fail"
    assert "may not create or modify AWS connectors" in write["detail"]
    assert "canCreateNewAWSConnectors" in write["detail"]
    assert "1 of 7 checks failed." in result["msg"] and "FAIL  write_connectors" in result["msg"]
    # Every other check passes: reading is all the key may do.
    assert all(c["ok"] for c in result["checks"] if c["name"] != "write_connectors")
    # Nothing was tried: the rights are read from the key's role.
    assert [e for e in sim.requests() if e["method"] != "GET" and not e["path"].endswith("/search")] == []


@pytest.mark.parametrize("roles_api", ["missing", "forbidden", "no_rights"])
@pytest.mark.parametrize("key", ["sim-full-key", "sim-readonly-key"])
def test_without_the_roles_api_the_write_check_is_not_verified(sim, capsys, roles_api, key):
    sim.configure(roles_api=roles_api)
    rc, result = run(sim, capsys, api_key=key)
    write = checks(result)["write_connectors"]
    assert write["status"] == "not_verified" and write["ok"] is None
    assert "is not verified" in write["detail"]
    # Neither a pass nor a failure: the task passes, the head line and the table say so.
    assert rc == 0 and result["passed"] is True
    assert result["lines"][0] == "Preflight of %s: 6 of 7 checks passed, 1 not verified (write_connectors)." % sim.url
    assert any(line.startswith("NOT VERIFIED  write_connectors") for line in result["lines"])
    assert not any(line.startswith(("PASS", "FAIL")) and "write_connectors" in line for line in result["lines"])


def test_a_key_the_manager_does_not_describe_is_not_verified(sim, capsys):
    sim.add_faults([{"status": 403, "method": "GET", "path": "/apikeys/current"}])
    rc, result = run(sim, capsys)
    write = checks(result)["write_connectors"]
    assert rc == 0 and write["status"] == "not_verified"
    assert "GET /apikeys/current: HTTP 403" in write["detail"]


@pytest.mark.parametrize("suffix", ["/v1", "/../wrong"])
def test_a_wrong_url_path_fails_authentication(sim, capsys, suffix):
    url = sim.url + suffix if suffix == "/v1" else sim.url[:-len("/api")] + "/wrong"
    rc, result = run(sim, capsys, url=url)
    assert rc == 1 and result["passed"] is False
    auth = checks(result)["authentication"]
    assert auth["ok"] is False and auth["status"] == "fail"
    assert "The URL path is wrong" in auth["detail"] and "url must be the API root, ending in /api" in auth["detail"]
    assert "HTTP 404" in auth["detail"]
    assert not any(line.startswith("PASS") for line in result["lines"])


def test_an_https_url_against_plain_http_is_named_as_such(sim, capsys):
    url = sim.url.replace("http://", "https://", 1)
    rc, result = run(sim, capsys, url=url, timeout=5)
    assert rc == 1 and result["passed"] is False
    detail = checks(result)["authentication"]["detail"]
    assert "answered plain HTTP to an https:// URL: use http:// or the right port" in detail
    assert "certificate" not in detail


def test_a_bad_key_fails_with_a_table_and_skips_the_rest(sim, capsys):
    rc, result = run(sim, capsys, api_key="wrong-key")
    assert rc == 1 and result["passed"] is False and result["auth_header"] is None
    assert "refused in both header styles" in checks(result)["authentication"]["detail"]
    assert "7 of 7 checks failed" in result["msg"] and "FAIL  search_fields" in result["msg"]
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
    assert "1 of 7 checks failed" in result["msg"]


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
