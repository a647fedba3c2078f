# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""workload_extid_info and workload_extid_retrieval against the simulator."""

from __future__ import annotations

import pytest

from ansible_collections.swp.aws.plugins.modules import workload_extid_info, workload_extid_retrieval
from ansible_collections.swp.aws.tests.support.constants import FULL_KEY, READONLY_KEY
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

SETTING = "/api/systemsettings/platformSettingAwsExternalIdRetrievalEnabled"


def conn(sim, **kwargs):
    args = {"url": sim.url, "api_key": FULL_KEY, "retries": 1}
    args.update(kwargs)
    return args


def writes(sim):
    return [e for e in sim.requests() if e["method"] != "GET"]


@pytest.mark.parametrize("auth_header", ["authorization", "api-secret-key"])
def test_info_returns_the_manager_defined_id_with_either_header(sim, capsys, auth_header):
    rc, result = run_module(workload_extid_info, conn(sim, auth_header=auth_header), capsys)
    assert rc == 0 and result["changed"] is False
    assert result["external_id"] == sim.manager_external_id


def test_info_reads_connection_options_from_the_environment(sim, capsys, monkeypatch):
    monkeypatch.setenv("SWP_API_URL", sim.base)
    monkeypatch.setenv("SWP_API_KEY", FULL_KEY)
    monkeypatch.setenv("SWP_AUTH_HEADER", "api-secret-key")
    rc, result = run_module(workload_extid_info, {}, capsys)
    assert rc == 0 and result["external_id"] == sim.manager_external_id
    assert sim.requests()[-1]["auth_header"] == "api-secret-key"


def test_info_never_echoes_the_api_key(sim, capsys):
    rc, result = run_module(workload_extid_info, conn(sim, api_key="wrong-key-123"), capsys)
    assert rc == 1 and "wrong-key-123" not in str(result)
    assert result["api_error"]["status"] == 401


def test_info_when_retrieval_is_disabled_says_where_to_enable_it(sim, capsys):
    sim.reset({"settings": {"platformSettingAwsExternalIdRetrievalEnabled": "false"}})
    rc, result = run_module(workload_extid_info, conn(sim), capsys)
    assert rc == 1
    assert "disabled" in result["msg"] and "Administration > System Settings > Security" in result["msg"]
    assert result["api_error"]["kind"] == "retrieval_disabled"
    assert sim.manager_external_id not in str(result)


def test_info_runs_in_check_mode(sim, capsys):
    rc, result = run_module(workload_extid_info, conn(sim), capsys, check_mode=True)
    assert rc == 0 and result["external_id"] == sim.manager_external_id


@pytest.mark.parametrize("wanted", [False, True])
def test_retrieval_is_idempotent(sim, capsys, wanted):
    rc, first = run_module(workload_extid_retrieval, conn(sim, enabled=wanted), capsys)
    assert rc == 0 and first["changed"] is (not wanted) and first["previous_enabled"] is True and first["enabled"] is wanted
    rc, second = run_module(workload_extid_retrieval, conn(sim, enabled=wanted), capsys)
    assert rc == 0 and second["changed"] is False and second["previous_enabled"] is wanted
    assert len(writes(sim)) == (0 if wanted else 1)


def test_disabling_retrieval_makes_info_fail_and_enabling_it_again_restores_it(sim, capsys):
    run_module(workload_extid_retrieval, conn(sim, enabled=False), capsys)
    assert run_module(workload_extid_info, conn(sim), capsys)[0] == 1
    run_module(workload_extid_retrieval, conn(sim, enabled=True), capsys)
    assert run_module(workload_extid_info, conn(sim), capsys)[1]["external_id"] == sim.manager_external_id


def test_retrieval_check_mode_writes_nothing_and_shows_the_diff(sim, capsys):
    rc, result = run_module(workload_extid_retrieval, conn(sim, enabled=False), capsys, check_mode=True, diff=True)
    assert rc == 0 and result["changed"] is True
    assert result["diff"] == {"before": {"enabled": True}, "after": {"enabled": False}}
    assert writes(sim) == []
    assert sim.state["settings"]["platformSettingAwsExternalIdRetrievalEnabled"] == "true"


def test_retrieval_with_a_read_only_key_fails_clearly(sim, capsys):
    rc, result = run_module(workload_extid_retrieval, conn(sim, api_key=READONLY_KEY, enabled=False), capsys)
    assert rc == 1 and result["api_error"]["status"] == 403 and "permission" in result["msg"]


def test_retrieval_posts_the_documented_body(sim, capsys):
    run_module(workload_extid_retrieval, conn(sim, enabled=False), capsys)
    (write,) = writes(sim)
    assert write["method"] == "POST" and write["path"] == SETTING and write["body"] == {"value": "false"}
