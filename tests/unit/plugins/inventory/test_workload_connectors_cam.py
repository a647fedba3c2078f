# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.workload_connectors with cam: true - one CAM listing per refresh, cached, a state per host, unknown when unread."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleParserError

from ansible_collections.swp.aws.tests.simulator.cam import FULL_KEY
from ansible_collections.swp.aws.tests.unit.plugins.inventory.test_workload_connectors import (  # pylint: disable=unused-import
    FLEET, ROLE_ARN, SEARCH, calls, env, hosts_of, loader_ready, parse, variables)

CAM_ACCOUNTS = [{"id": "100000000001", "kind": "legacy"}, {"id": "100000000002", "kind": "managed"},
                {"id": "100000000004", "kind": "failed"}, {"id": "100000000099", "kind": "managed"}]


@pytest.fixture
def cam(cam_server, env):
    cam_server.reset({"accounts": CAM_ACCOUNTS})
    env.setenv("VISION_ONE_API_URL", cam_server.url)
    env.setenv("VISION_ONE_API_KEY", FULL_KEY)
    yield cam_server
    cam_server.reset({})


def cam_calls(cam):
    return [e["path"] for e in cam.requests() if "/cam/" in e["path"]]


def test_off_by_default_no_cam_call_no_cam_variable(sim, cam, tmp_path, loader_ready):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, {})
    assert cam_calls(cam) == []
    assert "swp_cam_state" not in variables(inventory, "Payments-Prod")


def test_each_host_gets_its_cam_state_and_a_group_from_one_listing(sim, cam, tmp_path, loader_ready):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, {"cam": True})
    assert cam_calls(cam) == ["/v3.0/cam/awsAccounts"]
    states = dict((host, variables(inventory, host)["swp_cam_state"]) for host in hosts_of(inventory, "swp_connectors"))
    assert states == {"Payments-Prod": "legacy", "data-lake": "managed", "web-sandbox": "absent", "legacy-keys": "failed",
                      "dsm-home": "absent"}
    assert variables(inventory, "data-lake")["swp_cam_role_arn"] == "arn:aws:iam::100000000002:role/VisionOneRole"
    assert hosts_of(inventory, "swp_cam_legacy") == ["Payments-Prod"]
    assert hosts_of(inventory, "swp_cam_absent") == ["dsm-home", "web-sandbox"]


def test_an_unreadable_cam_leaves_every_state_unknown_with_a_warning(sim, cam, tmp_path, loader_ready, capsys):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, {"cam": True, "cam_api_key": "kL9-wrong-cam-key-0123", "retries": 0})
    assert set(variables(inventory, h)["swp_cam_state"] for h in hosts_of(inventory, "swp_connectors")) == {"unknown"}
    assert "swp_cam_absent" not in inventory.groups
    err = capsys.readouterr()
    assert "could not be read" in err.out + err.err and "kL9-wrong-cam-key" not in err.out + err.err


def test_a_wrong_prefix_is_unknown_and_auto_finds_it(sim, cam, tmp_path, loader_ready):
    sim.add_connectors(FLEET[:1])
    cam.configure(path_prefix="beta")
    inventory, _plugin = parse(tmp_path, {"cam": True, "retries": 0})
    assert variables(inventory, "Payments-Prod")["swp_cam_state"] == "unknown"
    inventory, _plugin = parse(tmp_path, {"cam": True, "cam_api_prefix": "auto"})
    assert variables(inventory, "Payments-Prod")["swp_cam_state"] == "legacy"


def test_a_missing_cam_url_fails_the_source(sim, cam, tmp_path, loader_ready):
    cam.configure()
    env_url = "VISION_ONE_API_URL"
    import os  # pylint: disable=import-outside-toplevel
    os.environ.pop(env_url, None)
    with pytest.raises(AnsibleParserError, match="cam: url is required"):
        parse(tmp_path, {"cam": True})


def test_the_cam_listing_is_cached_with_the_connectors_and_never_the_key(sim, cam, tmp_path, loader_ready):
    sim.add_connectors(FLEET)
    cache_dir = tmp_path / "cache"
    config = {"cam": True, "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir)}
    _first, plugin = parse(tmp_path, config)
    plugin.update_cache_if_changed()
    text = [p for p in cache_dir.iterdir() if p.is_file()][0].read_text()
    assert "VisionOneRole" in text and FULL_KEY not in text
    sim.clear_requests()
    cam.log.clear()
    second, _plugin = parse(tmp_path, config)
    assert calls(sim) == [] and cam_calls(cam) == []
    assert variables(second, "Payments-Prod")["swp_cam_state"] == "legacy"
    parse(tmp_path, config, cache=False)
    assert calls(sim) == [("POST", SEARCH)] and cam_calls(cam) == ["/v3.0/cam/awsAccounts"]
    assert ROLE_ARN
