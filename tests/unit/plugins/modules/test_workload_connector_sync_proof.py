# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.workload_connector: synced is true only when the manager synchronized after the switch.

Against the in-process simulator, under every sync mode (inline, async, never) with and without the manager's own
synchronizations: one between the play's listing and the switch (or between the module's read and the switch), and
a schedule of them. The simulator records every write and sync in order (GET /_sim/events): synced must be true
exactly when a sync of the connector came after the switch.
"""

from __future__ import annotations

import pytest

from ansible_collections.swp.aws.plugins.modules import workload_connector, workload_connector_info
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

ARN = "arn:aws:iam::123456789012:role/swp_connector"
LISTED_SYNC = 1714555800123
MODES = ["inline", "async", "never"]


def run(sim, capsys, module=workload_connector, **args):
    args.setdefault("url", sim.url)
    args.setdefault("api_key", "sim-full-key")
    return run_module(module, args, capsys)


def setup(sim, mode):
    sim.configure(sync_mode=mode, sync_delay=0.3 if mode == "async" else 0)
    sim.add_connector({"crossAccountRoleArn": ARN, "externalId": "user-defined-1", "lastSyncTime": LISTED_SYNC})


def listed(sim, capsys):
    rc, result = run(sim, capsys, module=workload_connector_info)
    assert rc == 0, result
    return result["connectors"][0]


def switch(sim, capsys, given, timeout=2):
    args = dict(cross_account_role_arn=ARN, use_manager_external_id=True, manager_external_id=sim.manager_external_id,
                sync=True, sync_timeout=timeout)
    if given is not None:
        args["connector"] = given
    return run(sim, capsys, **args)


def synced_after_the_switch(sim):
    """(whether a sync of connector 1 came after the switch, the sync times after it), from the simulator's record."""
    events = sim.events(1)
    switched = next(e["seq"] for e in events if e["event"] == "write")
    after = [e["time"] for e in events if e["event"] == "sync" and e["seq"] > switched]
    return bool(after), after


def sync_requests(sim):
    return [e["body"] for e in sim.requests() if e["method"] == "POST" and e["path"] == "/api/awsconnectors/1"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("background", ["none", "between"])
@pytest.mark.parametrize("path", ["listed", "read"])
def test_synced_only_when_a_sync_came_after_the_switch(sim, capsys, mode, background, path):
    setup(sim, mode)
    given = listed(sim, capsys) if path == "listed" else None
    if background == "between":
        if path == "listed":
            # The manager's own schedule runs between the play's listing and this account's switch.
            sim.background_sync()
        else:
            # ... or between the module's read and its write, just before the manager carries the switch out.
            sim.add_faults([{"method": "POST", "path": "^/api/awsconnectors/1$", "background_sync": True}])
    sim.clear_requests()
    rc, result = switch(sim, capsys, given)
    happened, after = synced_after_the_switch(sim)
    assert result["synced"] is happened, (result, sim.events())
    assert happened is (mode != "never")
    assert result["changed"] is True and result["external_id_switch"] == "performed"
    assert sim.state["connectors"][0]["external_id_source"] == "manager"
    if happened:
        assert rc == 0 and result["connector"]["last_sync_time"] in after
    else:
        assert rc == 1 and "did not synchronize within 2.0 seconds" in result["msg"]
        # What was seen is named, and why it did not count.
        if background == "between":
            assert "may have made that one on its own schedule before the update" in result["msg"]
        else:
            assert "stayed at 2024-05-01T09:30:00.123Z" in result["msg"]
        assert result["connector"]["last_sync_time"] == sim.state["connectors"][0]["lastSyncTime"]
    # At most one more sync request, and only when the switch's answer showed a sync it could not date.
    bodies = sync_requests(sim)
    assert bodies[0] == {"crossAccountRoleArn": ARN} and bodies[1:] in ([], [{}])
    assert (bodies[1:] == [{}]) is (mode == "inline" or background == "between")


@pytest.mark.parametrize("mode", MODES)
def test_under_the_managers_schedule_synced_is_true_exactly_when_a_sync_followed_the_switch(sim, capsys, mode):
    # The background profile: the manager synchronizes every connector every few seconds (here 0.4), whatever the
    # mode; a scheduled sync after the switch is a sync after the switch, one before it never counts.
    setup(sim, mode)
    sim.configure(profile="background", background_sync_interval=0.4)
    given = listed(sim, capsys)
    rc, result = switch(sim, capsys, given, timeout=1.5)
    happened, after = synced_after_the_switch(sim)
    assert result["synced"] is happened and (rc == 0) is happened, (result, sim.events())
    if happened:
        assert result["connector"]["last_sync_time"] in after


def test_a_sync_alone_counts_any_sync_since_the_listing(sim, capsys):
    # Nothing is written, so nothing needs proving: a sync of the manager's own since the listing is a sync.
    setup(sim, "never")
    given = listed(sim, capsys)
    sim.background_sync()
    rc, result = run(sim, capsys, connector=given, sync=True, sync_timeout=1)
    assert rc == 0 and result["changed"] is False and result["synced"] is True
    assert sync_requests(sim) == [{}]


def test_a_new_connector_counts_any_sync(sim, capsys):
    sim.configure(sync_on_create=True)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, sync=True, sync_timeout=1)
    assert rc == 0 and result["synced"] is True
    assert [e["path"] for e in sim.requests() if e["method"] == "POST" and not e["path"].endswith("/search")] == ["/api/awsconnectors"]


def test_check_mode_claims_no_sync(sim, capsys):
    setup(sim, "inline")
    given = listed(sim, capsys)
    sim.clear_requests()
    rc, result = run_module(workload_connector, dict(url=sim.url, api_key="sim-full-key", connector=given, cross_account_role_arn=ARN,
                                                     use_manager_external_id=True, sync=True), capsys, check_mode=True)
    assert rc == 0 and result["synced"] is False and sim.requests() == []


def test_an_empty_answer_to_the_switch_is_no_mark(sim, capsys):
    # The switch is answered with {}: the listed connector is not the connector after the switch, so a sync of the
    # manager's own between the listing and the switch, seen in the first read, is a mark, never a proof.
    setup(sim, "never")
    given = listed(sim, capsys)
    sim.background_sync()
    sim.add_faults([{"status": 200, "body": {}, "method": "POST", "path": "^/api/awsconnectors/1$", "when": "after"}])
    rc, result = switch(sim, capsys, given)
    assert rc == 1 and result["synced"] is False and synced_after_the_switch(sim)[0] is False
    assert "on its own schedule before the update" in result["msg"]


def test_the_managers_clock_proves_a_sync_more_than_a_second_after_the_answer(sim, capsys):
    # No view of the connector after the switch (an empty answer), and the first read comes late: its lastSyncTime,
    # more than a second past the answer's Date, is proven by the clock alone, with no second read to order it.
    sim.configure(sync_mode="async", sync_delay=1.1)
    sim.add_connector({"crossAccountRoleArn": ARN, "externalId": "user-defined-1", "lastSyncTime": LISTED_SYNC})
    given = listed(sim, capsys)
    sim.add_faults([{"status": 200, "body": {}, "method": "POST", "path": "^/api/awsconnectors/1$", "when": "after"},
                    {"latency": 1.5, "method": "GET", "path": "^/api/awsconnectors/1$"}])
    sim.clear_requests()
    rc, result = switch(sim, capsys, given, timeout=10)
    assert rc == 0 and result["synced"] is True and synced_after_the_switch(sim)[0] is True
    assert [e["method"] for e in sim.requests()] == ["POST", "GET"]
