# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.workload_connector, run in-process against the API simulator (and moto for IAM)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from ansible_collections.swp.aws.plugins.modules import workload_connector, workload_connector_info
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

SWP_PRINCIPAL = "arn:aws:iam::147995105371:root"
ACCOUNT = "123456789012"
ARN = "arn:aws:iam::123456789012:role/swp_connector"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class Iam:
    """Roles that trust the SWP principal with the given external IDs (moto_iam does the IAM work)."""

    def __init__(self, moto_iam):
        self.moto = moto_iam

    @staticmethod
    def trust(*external_ids):
        return {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": SWP_PRINCIPAL}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": list(external_ids)}}}]}

    def role(self, *external_ids, account=ACCOUNT):
        return self.moto.create_role(account, self.trust(*external_ids), name="swp_%s" % uuid.uuid4().hex[:10])

    def set_trust(self, arn, *external_ids):
        self.moto.set_trust(arn, self.trust(*external_ids))


@pytest.fixture
def iam(sim, moto_url, moto_iam):
    """IAM in moto, with the simulator checking trust policies against it."""
    sim.configure(iam_endpoint_url=moto_url)
    return Iam(moto_iam)


def run(sim, capsys, check_mode=False, diff=False, **args):
    args.setdefault("url", sim.url)
    args.setdefault("api_key", "sim-full-key")
    return run_module(workload_connector, args, capsys, check_mode=check_mode, diff=diff)


def writes(sim):
    """Every request that could change something on the manager."""
    return [(e["method"], e["path"], e["query"], e["body"]) for e in sim.requests()
            if e["method"] != "GET" and not e["path"].endswith("/search")]


def connectors(sim):
    return sim.state["connectors"]


# ------------------------------------------------------------------ validation: nothing is sent

@pytest.mark.parametrize("args, fragment", [
    (dict(cross_account_role_arn="arn:aws:iam::1234:role/x"), "is not an IAM role ARN"),
    (dict(cross_account_role_arn="arn:aws:iam::123456789012:group/x"), "is not an IAM role ARN"),
    (dict(cross_account_role_arn=ARN, account_id="999999999999"), "belongs to AWS account 123456789012, but account_id is 999999999999"),
    (dict(cross_account_role_arn=ARN, access_key="AKIAEXAMPLE"), "mutually exclusive"),
    (dict(account_id=ACCOUNT, secret_key=SECRET), "secret_key was given without access_key"),
    (dict(cross_account_role_arn=ARN, use_instance_role=True), "use_instance_role cannot be combined"),
    (dict(access_key="AKIAEXAMPLE", secret_key=SECRET, use_instance_role=True), "use_instance_role cannot be combined"),
    (dict(access_key="AKIAEXAMPLE", secret_key=SECRET, use_manager_external_id=True), "cross-account role connectors only"),
    (dict(account_id="12-34"), "is not an AWS account ID"),
    (dict(display_name="no identity"), "Nothing identifies the connector"),
    (dict(state="absent"), "Nothing identifies the connector"),
])
def test_invalid_input_fails_before_any_call(sim, capsys, args, fragment):
    rc, result = run(sim, capsys, **args)
    assert rc == 1
    assert fragment in result["msg"]
    assert SECRET not in json.dumps(result)
    assert sim.requests() == []


def test_no_connector_and_nothing_to_create_it_from(sim, capsys):
    rc, result = run(sim, capsys, account_id=ACCOUNT, display_name="x")
    assert rc == 1 and "a new one needs cross_account_role_arn" in result["msg"]
    assert writes(sim) == []


def test_an_unknown_id_is_an_error_not_a_create(sim, capsys):
    rc, result = run(sim, capsys, id=42, cross_account_role_arn=ARN)
    assert rc == 1 and "There is no AWS connector with ID 42" in result["msg"]
    assert writes(sim) == []


# ------------------------------------------------------------------ create, rerun, update

def test_create_then_rerun_is_unchanged_then_update_sends_only_the_difference(sim, capsys):
    args = dict(cross_account_role_arn=ARN, display_name="Prod", seed_region="us-east-1")
    rc, created = run(sim, capsys, diff=True, **args)
    assert rc == 0 and created["changed"] is True
    assert created["connector"]["id"] == 1 and created["connector"]["display_name"] == "Prod"
    assert created["connector"]["auth_type"] == "cross_account_role" and created["connector"]["account_id"] == ACCOUNT
    assert created["diff"]["before"] == {} and created["diff"]["after"]["cross_account_role_arn"] == ARN
    assert writes(sim) == [("POST", "/api/awsconnectors", {}, {"crossAccountRoleArn": ARN, "displayName": "Prod", "seedRegion": "us-east-1"})]

    sim.clear_requests()
    rc, again = run(sim, capsys, diff=True, **args)
    assert rc == 0 and again["changed"] is False
    assert again["diff"]["before"] == again["diff"]["after"]
    assert writes(sim) == [] and len(sim.requests()) == 1

    rc, updated = run(sim, capsys, diff=True, cross_account_role_arn=ARN, display_name="Production", seed_region="us-east-1",
                      workspaces_enabled=True)
    assert rc == 0 and updated["changed"] is True
    assert updated["diff"]["before"]["display_name"] == "Prod" and updated["diff"]["after"]["display_name"] == "Production"
    assert updated["diff"]["after"]["workspaces_enabled"] is True
    # The role ARN is not sent: that would switch the connector's external ID.
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {}, {"displayName": "Production", "workspacesEnabled": True})]
    assert len(connectors(sim)) == 1


def test_search_is_exact_so_an_underscore_is_not_a_wildcard(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": "arn:aws:iam::123456789012:role/swpXconnector", "displayName": "look-alike"})
    rc, result = run(sim, capsys, cross_account_role_arn=ARN)
    assert rc == 0 and result["changed"] is True and result["connector"]["id"] == 2
    search = sim.requests()[0]["body"]["searchCriteria"][0]
    assert search["stringWildcards"] is False and search["stringValue"] == ARN


def test_find_by_id_then_by_account_id(sim, capsys):
    sim.add_connectors([{"crossAccountRoleArn": ARN, "displayName": "a"}, {"accessKey": "AKIAOTHER", "accountId": "210987654321"}])
    rc, result = run(sim, capsys, id=2, display_name="b")
    assert rc == 0 and result["changed"] is True and result["connector"]["display_name"] == "b"
    # By ID the connector is described, not searched for: a rollout reads each account's connector once.
    assert (sim.requests()[0]["method"], sim.requests()[0]["path"]) == ("GET", "/api/awsconnectors/2")
    rc, result = run(sim, capsys, account_id=ACCOUNT, display_name="a")
    assert rc == 0 and result["changed"] is False and result["connector"]["id"] == 1


def test_id_of_a_missing_connector_is_a_clear_error(sim, capsys):
    rc, result = run(sim, capsys, id=42, display_name="x")
    assert rc == 1 and "no AWS connector with ID 42" in result["msg"] and writes(sim) == []


def test_found_connector_of_another_account_is_an_error(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    rc, result = run(sim, capsys, id=1, account_id="210987654321", display_name="x")
    assert rc == 1 and "is for account 123456789012, not account_id 210987654321" in result["msg"]
    assert writes(sim) == []


@pytest.mark.parametrize("args", [dict(account_id=ACCOUNT, display_name="x"), dict(cross_account_role_arn=ARN, state="absent")])
def test_more_than_one_match_is_an_error_naming_the_ids(sim, capsys, args):
    sim.add_connectors([{"crossAccountRoleArn": ARN}, {"displayName": "other"},
                        {"crossAccountRoleArn": ARN}, {"crossAccountRoleArn": "arn:aws:iam::123456789012:role/x"}])
    rc, result = run(sim, capsys, **args)
    assert rc == 1
    assert "AWS connectors match" in result["msg"] and "give id" in result["msg"]
    assert "IDs 1, 3" in result["msg"]
    assert writes(sim) == []


def test_changing_the_role_arn_by_id(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    other = "arn:aws:iam::123456789012:role/path/other"
    rc, result = run(sim, capsys, id=1, cross_account_role_arn=other)
    assert rc == 0 and result["changed"] is True and result["connector"]["cross_account_role_arn"] == other
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {}, {"crossAccountRoleArn": other})]


# ------------------------------------------------------------------ check mode writes nothing

@pytest.mark.parametrize("seeded, args", [
    (None, dict(cross_account_role_arn=ARN, display_name="new")),
    ({"crossAccountRoleArn": ARN, "displayName": "old"}, dict(cross_account_role_arn=ARN, display_name="new")),
    ({"crossAccountRoleArn": ARN}, dict(cross_account_role_arn=ARN, use_manager_external_id=True, sync=True)),
    ({"crossAccountRoleArn": ARN}, dict(cross_account_role_arn=ARN, state="absent")),
    ({"accessKey": "AKIAEXAMPLE", "accountId": ACCOUNT}, dict(access_key="AKIAEXAMPLE", secret_key=SECRET, update_secret="always")),
])
def test_check_mode_reports_the_change_and_writes_nothing(sim, capsys, seeded, args):
    if seeded:
        sim.add_connector(seeded)
    before = connectors(sim)
    rc, result = run(sim, capsys, check_mode=True, diff=True, **args)
    assert rc == 0 and result["changed"] is True
    assert writes(sim) == []
    assert connectors(sim) == before
    assert result["synced"] is False
    assert SECRET not in json.dumps(result)


def test_check_mode_connector_is_what_it_would_be(sim, capsys):
    rc, result = run(sim, capsys, check_mode=True, cross_account_role_arn=ARN, display_name="new", workspaces_enabled=True)
    assert rc == 0
    assert result["connector"]["id"] is None and result["connector"]["display_name"] == "new"
    assert result["connector"]["account_id"] == ACCOUNT and result["connector"]["workspaces_enabled"] is True
    sim.add_connector({"crossAccountRoleArn": ARN, "displayName": "old"})
    rc, result = run(sim, capsys, check_mode=True, cross_account_role_arn=ARN, display_name="new")
    assert result["connector"]["id"] == 1 and result["connector"]["display_name"] == "new"
    assert connectors(sim)[0]["displayName"] == "old"


# ------------------------------------------------------------------ a lost create is never repeated blindly

def test_create_answered_too_late_is_found_not_duplicated(sim, capsys):
    sim.add_faults([{"latency": 3, "when": "after", "method": "POST", "path": "^/api/awsconnectors$"}])
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, display_name="slow", timeout=0.5, retries=0)
    assert rc == 0, result
    assert result["changed"] is True and result["connector"]["display_name"] == "slow"
    creates = [w for w in writes(sim) if w[1] == "/api/awsconnectors"]
    assert len(creates) == 1
    assert len(connectors(sim)) == 1
    # create, then the search that found it (after the first lookup)
    assert [e["path"] for e in sim.requests()] == ["/api/awsconnectors/search", "/api/awsconnectors", "/api/awsconnectors/search"]


@pytest.mark.parametrize("fault", [{"status": 502, "when": "after"}, {"status": 504, "when": "after"}, {"drop": True, "when": "after"}])
def test_create_whose_answer_was_lost_is_found_not_duplicated(sim, capsys, fault):
    sim.add_faults([dict(fault, method="POST", path="^/api/awsconnectors$")])
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, retries=2)
    assert rc == 0, result
    assert result["changed"] is True and result["connector"]["id"] == 1
    assert len(connectors(sim)) == 1
    assert len([w for w in writes(sim) if w[1] == "/api/awsconnectors"]) == 1


def test_create_that_was_not_carried_out_is_sent_again_once(sim, capsys):
    sim.add_faults([{"drop": True, "method": "POST", "path": "^/api/awsconnectors$"}])
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, retries=0)
    assert rc == 0, result
    assert result["changed"] is True and len(connectors(sim)) == 1
    assert [e["path"] for e in sim.requests()] == [
        "/api/awsconnectors/search", "/api/awsconnectors", "/api/awsconnectors/search", "/api/awsconnectors"]


def test_create_lost_twice_fails_without_a_third_attempt(sim, capsys):
    sim.add_faults([{"drop": True, "method": "POST", "path": "^/api/awsconnectors$"}] * 2)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, retries=0)
    assert rc == 1 and result["api_error"]["kind"] == "timeout"
    assert "may or may not have been carried out" in result["msg"]
    assert len([w for w in writes(sim) if w[1] == "/api/awsconnectors"]) == 2
    assert connectors(sim) == []


# ------------------------------------------------------------------ access keys and instance roles

def test_access_key_connector_secret_is_sent_on_create_only_unless_always(sim, capsys):
    args = dict(access_key="AKIAEXAMPLE", secret_key=SECRET, account_id=ACCOUNT, display_name="keys")
    rc, created = run(sim, capsys, diff=True, **args)
    assert rc == 0 and created["changed"] is True and created["connector"]["auth_type"] == "access_key"
    assert created["connector"]["access_key"] == "AKIAEXAMPLE"
    rc, again = run(sim, capsys, diff=True, **args)
    assert rc == 0 and again["changed"] is False
    sim.clear_requests()
    rc, rotated = run(sim, capsys, diff=True, update_secret="always", **args)
    assert rc == 0 and rotated["changed"] is True
    assert rotated["diff"]["after"]["secret_key"] == "(not shown, replaced)"
    assert [(w[1], sorted(w[3])) for w in writes(sim)] == [("/api/awsconnectors/1", ["accessKey", "secretKey"])]
    for result in (created, again, rotated):
        assert SECRET not in json.dumps(result)


def test_instance_role_connector_is_found_by_its_flag(sim, capsys):
    rc, created = run(sim, capsys, use_instance_role=True, display_name="dsm")
    assert rc == 0 and created["changed"] is True and created["connector"]["auth_type"] == "instance_role"
    rc, again = run(sim, capsys, use_instance_role=True, display_name="dsm")
    assert rc == 0 and again["changed"] is False and again["connector"]["id"] == created["connector"]["id"]


# ------------------------------------------------------------------ delete

def test_delete_then_delete_again_is_unchanged(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    rc, deleted = run(sim, capsys, diff=True, cross_account_role_arn=ARN, state="absent")
    assert rc == 0 and deleted["changed"] is True and deleted["connector"] == {}
    assert deleted["diff"]["before"]["cross_account_role_arn"] == ARN and deleted["diff"]["after"] == {}
    assert connectors(sim) == []
    rc, again = run(sim, capsys, cross_account_role_arn=ARN, state="absent")
    assert rc == 0 and again["changed"] is False


def test_delete_of_a_connector_gone_meanwhile_is_unchanged(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    sim.add_faults([{"status": 404, "method": "DELETE"}])
    rc, result = run(sim, capsys, id=1, state="absent")
    assert rc == 0 and result["changed"] is False


def test_delete_refused_fails(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    rc, result = run(sim, capsys, id=1, state="absent", api_key="sim-readonly-key")
    assert rc == 1 and result["api_error"]["status"] == 403


# ------------------------------------------------------------------ switch to the manager-defined external ID

@pytest.mark.parametrize("expose", [True, False])
def test_switch_refused_names_the_role_and_leaves_the_connector_unchanged(sim, capsys, iam, expose):
    sim.configure(expose_external_id=expose)
    arn = iam.role("user-defined-1")
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1"})
    before = connectors(sim)
    rc, result = run(sim, capsys, cross_account_role_arn=arn, use_manager_external_id=True)
    assert rc == 1
    assert arn in result["msg"]
    assert "accept the manager-defined external ID first" in result["msg"]
    assert "The connector is unchanged." in result["msg"]
    assert result["changed"] is False
    assert connectors(sim) == before and before[0]["external_id_source"] == "user"


def test_switch_exposed_performs_once_then_is_not_needed(sim, capsys, iam):
    sim.configure(expose_external_id=True)
    arn = iam.role("user-defined-1", sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1"})
    rc, result = run(sim, capsys, diff=True, cross_account_role_arn=arn, use_manager_external_id=True)
    assert rc == 0, result
    assert result["changed"] is True and result["external_id_switch"] == "performed"
    assert result["diff"]["before"]["external_id_source"] == "user_defined"
    assert result["diff"]["after"]["external_id_source"] == "manager_defined"
    assert result["connector"]["external_id"] == sim.manager_external_id[:4] + "****"
    assert sim.manager_external_id not in json.dumps(result)
    assert connectors(sim)[0]["external_id_source"] == "manager"
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {}, {"crossAccountRoleArn": arn})]

    sim.clear_requests()
    rc, again = run(sim, capsys, cross_account_role_arn=arn, use_manager_external_id=True)
    assert rc == 0 and again["changed"] is False and again["external_id_switch"] == "not_needed"
    assert "already uses the manager-defined external ID" in again["external_id_switch_msg"]
    assert writes(sim) == []
    assert [e["path"] for e in sim.requests()] == ["/api/awsconnectors/search", "/api/awsconnectorsettings"]


def test_switch_hidden_is_performed_and_says_so(sim, capsys, iam):
    arn = iam.role("user-defined-1", sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1"})
    for dummy in range(2):
        rc, result = run(sim, capsys, cross_account_role_arn=arn, use_manager_external_id=True)
        assert rc == 0 and result["changed"] is True and result["external_id_switch"] == "performed"
        assert "does not say which external ID" in result["external_id_switch_msg"]
        assert "external_id" not in result["connector"]
    assert connectors(sim)[0]["external_id_source"] == "manager"
    # No need to read the manager-defined ID when the connector does not show its own.
    assert "/api/awsconnectorsettings" not in [e["path"] for e in sim.requests()]


def test_switch_exposed_with_retrieval_refused_falls_back_to_performing_it(sim, capsys):
    sim.configure(expose_external_id=True)
    sim.add_connector({"crossAccountRoleArn": ARN})
    sim.add_faults([
        {"status": 403, "method": "GET", "path": "/awsconnectorsettings"},
        {"status": 200, "body": {"value": "false"}, "method": "GET", "path": "/systemsettings/"},
    ])
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, use_manager_external_id=True)
    assert rc == 0, result
    assert result["changed"] is True and result["external_id_switch"] == "performed"
    assert "could not be read" in result["external_id_switch_msg"]


def test_switch_exposed_with_another_403_fails(sim, capsys):
    sim.configure(expose_external_id=True)
    sim.add_connector({"crossAccountRoleArn": ARN})
    sim.add_faults([{"status": 403, "method": "GET", "path": "/awsconnectorsettings"}])
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, use_manager_external_id=True)
    assert rc == 1 and result["api_error"]["status"] == 403
    assert writes(sim) == []


def test_switch_of_a_new_connector_is_not_needed(sim, capsys):
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, use_manager_external_id=True)
    assert rc == 0 and result["changed"] is True and result["external_id_switch"] == "not_needed"


def test_switch_of_an_access_key_connector_is_an_error(sim, capsys):
    sim.add_connector({"accessKey": "AKIAEXAMPLE", "accountId": ACCOUNT})
    rc, result = run(sim, capsys, id=1, use_manager_external_id=True)
    assert rc == 1 and "cross-account role connectors only" in result["msg"]
    assert writes(sim) == []


def test_create_refused_names_the_role(sim, capsys, iam):
    arn = iam.role("some-user-id")
    rc, result = run(sim, capsys, cross_account_role_arn=arn)
    assert rc == 1 and arn in result["msg"] and "manager-defined external ID" in result["msg"]
    assert connectors(sim) == []


# ------------------------------------------------------------------ sync

def test_sync_alone_sends_an_empty_update_and_reports_synced(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1000})
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, sync=True)
    assert rc == 0, result
    assert result["changed"] is False and result["synced"] is True
    assert result["connector"]["last_sync_time"] > 1000
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {"sync": "true"}, {})]


def test_sync_rides_on_the_update(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, display_name="n", sync=True)
    assert rc == 0 and result["changed"] is True and result["synced"] is True
    # The update's answer shows its sync, which a sync of the manager's own just before would show too: one more
    # sync request, answered after the update's, proves one after it.
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {"sync": "true"}, {"displayName": "n"}),
                           ("POST", "/api/awsconnectors/1", {"sync": "true"}, {})]


def test_sync_of_a_new_connector(sim, capsys):
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, sync=True)
    assert rc == 0 and result["changed"] is True and result["synced"] is True
    assert [w[1:3] for w in writes(sim)] == [("/api/awsconnectors", {}), ("/api/awsconnectors/1", {"sync": "true"})]


def test_sync_that_takes_a_while_is_waited_for(sim, capsys):
    sim.configure(sync_delay=1.2)
    sim.add_connector({"crossAccountRoleArn": ARN})
    started = time.monotonic()
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, sync=True, sync_timeout=10)
    assert rc == 0 and result["synced"] is True
    assert time.monotonic() - started < 6
    polls = [e for e in sim.requests() if e["method"] == "GET"]
    assert 1 <= len(polls) <= 4


@pytest.mark.parametrize("changed", [False, True])
def test_sync_that_never_comes_fails_naming_the_connector(sim, capsys, changed):
    # The manager answers the sync request and never synchronizes (within the timeout).
    sim.configure(sync_delay=30)
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1714555800123})
    extra = dict(display_name="renamed") if changed else {}
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, sync=True, sync_timeout=1, **extra)
    assert rc == 1 and result["synced"] is False and result["changed"] is changed
    assert result["msg"].startswith("AWS connector 1 (role %s) did not synchronize within 1.0 seconds" % ARN)
    assert "stayed at 2024-05-01T09:30:00.123Z" in result["msg"]
    assert "trust policy was left as it was" in result["msg"]
    assert result["connector"]["id"] == 1 and result["connector"]["last_sync_time"] == 1714555800123
    assert "None" not in result["msg"]


def test_sync_that_comes_later_is_waited_for_by_polling_the_connector(sim, capsys):
    sim.configure(sync_delay=0.8)
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1000})
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, sync=True, sync_timeout=10)
    assert rc == 0 and result["synced"] is True and result["connector"]["last_sync_time"] > 1000
    polls = [e["path"] for e in sim.requests() if e["method"] == "GET"]
    assert polls and set(polls) == {"/api/awsconnectors/1"}


def test_sync_of_a_new_connector_is_asked_with_an_update_never_on_the_create(sim, capsys):
    sim.configure(sync_delay=0.5)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, sync=True, sync_timeout=10)
    assert rc == 0 and result["synced"] is True
    assert [w[1:3] for w in writes(sim)] == [("/api/awsconnectors", {}), ("/api/awsconnectors/1", {"sync": "true"})]


def test_sync_refused_names_the_role(sim, capsys, iam):
    arn = iam.role("not-the-one")
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1"})
    rc, result = run(sim, capsys, cross_account_role_arn=arn, sync=True)
    assert rc == 1 and arn in result["msg"] and "with the external ID the connector uses" in result["msg"]


def test_switch_and_sync_in_one_call_then_one_sync_request_that_proves_it(sim, capsys, iam):
    arn = iam.role("user-defined-1", sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1"})
    rc, result = run(sim, capsys, cross_account_role_arn=arn, use_manager_external_id=True, sync=True)
    assert rc == 0 and result["changed"] is True and result["synced"] is True
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {"sync": "true"}, {"crossAccountRoleArn": arn}),
                           ("POST", "/api/awsconnectors/1", {"sync": "true"}, {})]
    assert connectors(sim)[0]["external_id_source"] == "manager"


# ------------------------------------------------------------------ unsearchable fields are matched locally

def test_instance_role_connector_is_found_in_a_listing_not_a_search_on_an_unsearchable_field(sim, capsys):
    sim.add_connectors([{"crossAccountRoleArn": ARN}, {"useInstanceRole": True, "accountId": "210987654321"}])
    rc, result = run(sim, capsys, use_instance_role=True, display_name="dsm")
    assert rc == 0 and result["changed"] is True and result["connector"]["id"] == 2
    fields = [c.get("fieldName") for e in sim.requests() if e["path"].endswith("/search") for c in e["body"]["searchCriteria"]]
    assert "useInstanceRole" not in fields and "displayName" not in fields


def test_two_instance_role_connectors_are_ambiguous(sim, capsys):
    sim.add_connectors([{"useInstanceRole": True}, {"useInstanceRole": True}])
    rc, result = run(sim, capsys, use_instance_role=True)
    assert rc == 1 and "use_instance_role=true (IDs 1, 2)" in result["msg"] and writes(sim) == []


# ------------------------------------------------------------------ refusals, whatever their status

def _refusal(sim, status, with_arn=True, times=1, path="^/api/awsconnectors/1$"):
    text = "Unable to assume role%s with the external ID %s." % (" " + ARN if with_arn else "", sim.manager_external_id)
    sim.add_faults([{"status": status, "method": "POST", "path": path, "body": {"message": text}}] * times)


@pytest.mark.parametrize("status", [400, 403, 500])
@pytest.mark.parametrize("with_arn", [True, False])
def test_a_refused_switch_gives_the_trust_policy_advice_whatever_its_status(sim, capsys, status, with_arn):
    sim.add_connector({"crossAccountRoleArn": ARN})
    _refusal(sim, status, with_arn)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, use_manager_external_id=True)
    assert rc == 1 and result["changed"] is False and result["api_error"]["kind"] == "refused"
    assert "(HTTP %d:" % status in result["msg"] and ARN in result["msg"]
    assert "accept the manager-defined external ID first" in result["msg"] and "The connector is unchanged." in result["msg"]
    assert ("may not create or modify AWS connectors" in result["msg"]) is (status == 403)
    assert sim.manager_external_id not in json.dumps(result)


@pytest.mark.parametrize("status", [400, 403, 500])
def test_switch_retry_timeout_retries_a_refusal_whatever_its_status(sim, capsys, status):
    sim.add_connector({"crossAccountRoleArn": ARN})
    _refusal(sim, status, times=2)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, use_manager_external_id=True, switch_retry_timeout=10)
    assert rc == 0 and result["changed"] is True
    assert [w[1] for w in writes(sim)] == ["/api/awsconnectors/1"] * 3


@pytest.mark.parametrize("status", [401, 404, 409])
def test_switch_retry_timeout_never_retries_a_bad_key_a_missing_connector_or_a_conflict(sim, capsys, status):
    sim.add_connector({"crossAccountRoleArn": ARN})
    sim.add_faults([{"status": status, "method": "POST", "path": "^/api/awsconnectors/1$", "body": {"message": "no"}}])
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, use_manager_external_id=True, switch_retry_timeout=10)
    assert rc == 1 and result["api_error"]["status"] == status and result["api_error"]["kind"] != "refused"
    assert len(writes(sim)) == 1


def test_a_refused_create_gives_the_advice_for_a_403_too(sim, capsys):
    _refusal(sim, 403, path="^/api/awsconnectors$")
    rc, result = run(sim, capsys, cross_account_role_arn=ARN)
    assert rc == 1 and "a new AWS connector (HTTP 403:" in result["msg"] and "trust policy" in result["msg"]
    assert sim.manager_external_id not in json.dumps(result)


# ------------------------------------------------------------------ manager_external_id

def test_manager_external_id_given_is_used_instead_of_reading_the_settings(sim, capsys, iam):
    sim.configure(expose_external_id=True)
    arn = iam.role(sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn})
    # The ID given stands in for GET /awsconnectorsettings (a key that may not read it, retrieval turned off later).
    rc, result = run(sim, capsys, cross_account_role_arn=arn, use_manager_external_id=True,
                     manager_external_id=sim.manager_external_id)
    assert rc == 0 and result["changed"] is False and result["external_id_switch"] == "not_needed"
    assert "/api/awsconnectorsettings" not in [e["path"] for e in sim.requests()]
    assert sim.manager_external_id not in json.dumps(result)


# ------------------------------------------------------------------ connector: the listed connector, no read before the write

def listed(sim, capsys):
    """The connectors as swp.aws.workload_connector_info lists them; the request log is cleared after the listing."""
    rc, result = run_module(workload_connector_info, dict(url=sim.url, api_key="sim-full-key"), capsys)
    assert rc == 0, result
    sim.clear_requests()
    return result["connectors"]


def calls(sim):
    return [(e["method"], e["path"]) for e in sim.requests()]


@pytest.mark.parametrize("expose", [False, True])
def test_with_the_listed_connector_a_switch_is_one_post_and_nothing_before_it(sim, capsys, iam, expose):
    # (The simulator synchronizes before it answers: the sync the switch's answer shows cannot be told from one the
    # manager made on its own just before, so one sync request follows, never a read.)
    sim.configure(expose_external_id=expose)
    arn = iam.role("user-defined-1", sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1", "lastSyncTime": 1000})
    connector = listed(sim, capsys)[0]
    assert ("external_id" in connector) is expose
    rc, result = run(sim, capsys, connector=connector, cross_account_role_arn=arn, use_manager_external_id=True, sync=True,
                     manager_external_id=sim.manager_external_id)
    assert rc == 0, result
    assert result["changed"] is True and result["synced"] is True and result["connector"]["last_sync_time"] > 1000
    # A masked external_id is not the connector's: the switch is performed, and the settings are never read.
    assert result["external_id_switch"] == "performed"
    assert "does not say which external ID" in result["external_id_switch_msg"]
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {"sync": "true"}, {"crossAccountRoleArn": arn}),
                           ("POST", "/api/awsconnectors/1", {"sync": "true"}, {})]
    assert calls(sim) == [("POST", "/api/awsconnectors/1")] * 2
    assert connectors(sim)[0]["external_id_source"] == "manager"
    assert sim.manager_external_id not in json.dumps(result)


def test_with_the_listed_connector_the_id_is_its_own(sim, capsys, iam):
    arn = iam.role(sim.manager_external_id)
    sim.add_connectors([{"crossAccountRoleArn": ARN}, {"crossAccountRoleArn": arn}])
    connector = listed(sim, capsys)[1]
    rc, result = run(sim, capsys, id=2, connector=connector, use_manager_external_id=True)
    assert rc == 0 and result["changed"] is True and result["connector"]["id"] == 2
    assert calls(sim) == [("POST", "/api/awsconnectors/2")]


def test_with_the_listed_connector_a_later_sync_is_polled_for_after_the_write(sim, capsys, iam):
    sim.configure(sync_mode="async", sync_delay=0.8)
    arn = iam.role("user-defined-1", sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1", "lastSyncTime": 1000})
    connector = listed(sim, capsys)[0]
    rc, result = run(sim, capsys, connector=connector, cross_account_role_arn=arn, use_manager_external_id=True, sync=True,
                     sync_timeout=10)
    assert rc == 0, result
    assert result["synced"] is True and result["connector"]["last_sync_time"] > 1000
    made = calls(sim)
    assert made[0] == ("POST", "/api/awsconnectors/1")
    assert len(made) >= 2 and set(made[1:]) == {("GET", "/api/awsconnectors/1")}


def test_with_the_listed_connector_sync_waits_past_its_listed_sync_time(sim, capsys):
    # The listing's last_sync_time is the mark: a connector whose sync never comes fails, naming that time.
    sim.configure(sync_delay=30)
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1714555800123})
    connector = listed(sim, capsys)[0]
    rc, result = run(sim, capsys, connector=connector, sync=True, sync_timeout=1)
    assert rc == 1 and result["synced"] is False
    assert "stayed at 2024-05-01T09:30:00.123Z" in result["msg"]
    assert calls(sim)[0] == ("POST", "/api/awsconnectors/1")


@pytest.mark.parametrize("args, fragment", [
    (dict(id=2), "connector is AWS connector 1, but id is 2"),
    (dict(cross_account_role_arn="arn:aws:iam::123456789012:role/other"), "uses role %s, but cross_account_role_arn is" % ARN),
    (dict(connector_changes=dict(id="1")), "connector's id must be a positive connector ID, got '1'"),
    (dict(connector_changes=dict(crossAccountRoleArn=ARN)), "never returns (crossAccountRoleArn)"),
    (dict(connector_changes=dict(auth_type="instance_role")), "auth_type is instance_role"),
    (dict(connector_drop="use_instance_role"), "connector lacks use_instance_role"),
])
def test_a_listed_connector_that_does_not_match_fails_before_any_call(sim, capsys, args, fragment):
    sim.add_connector({"crossAccountRoleArn": ARN, "externalId": "user-defined-1"})
    connector = listed(sim, capsys)[0]
    connector.update(args.pop("connector_changes", {}))
    connector.pop(args.pop("connector_drop", None), None)
    rc, result = run(sim, capsys, connector=connector, use_manager_external_id=True, sync=True, **args)
    assert rc == 1 and fragment in result["msg"], result
    assert sim.requests() == []
    assert connectors(sim)[0]["external_id_source"] == "user"


def test_with_the_listed_connector_check_mode_makes_no_call_and_shows_the_diff(sim, capsys):
    sim.configure(expose_external_id=True)
    sim.add_connector({"crossAccountRoleArn": ARN, "displayName": "old", "externalId": "user-defined-1"})
    connector = listed(sim, capsys)[0]
    rc, result = run(sim, capsys, check_mode=True, diff=True, connector=connector, cross_account_role_arn=ARN, display_name="new",
                     use_manager_external_id=True, sync=True, manager_external_id=sim.manager_external_id)
    assert rc == 0 and result["changed"] is True and result["synced"] is False
    assert result["external_id_switch"] == "performed"
    assert sim.requests() == []
    assert result["diff"]["before"]["display_name"] == "old" and result["diff"]["after"]["display_name"] == "new"
    assert result["diff"]["before"]["external_id_source"] == "unknown"
    assert result["diff"]["after"]["external_id_source"] == "manager_defined"
    assert result["connector"]["id"] == 1 and result["connector"]["display_name"] == "new"
    assert connectors(sim)[0]["displayName"] == "old"


def test_with_the_listed_connector_an_update_sends_only_what_differs_from_it(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN, "displayName": "old"})
    connector = listed(sim, capsys)[0]
    rc, result = run(sim, capsys, diff=True, connector=connector, display_name="new")
    assert rc == 0 and result["changed"] is True and result["connector"]["display_name"] == "new"
    assert result["diff"]["before"]["display_name"] == "old"
    assert writes(sim) == [("POST", "/api/awsconnectors/1", {}, {"displayName": "new"})]
    assert calls(sim) == [("POST", "/api/awsconnectors/1")]
    rc, again = run(sim, capsys, connector=connector, display_name="old")
    assert rc == 0 and again["changed"] is False and calls(sim) == [("POST", "/api/awsconnectors/1")]


def test_with_the_listed_connector_delete_is_one_call(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    connector = listed(sim, capsys)[0]
    rc, result = run(sim, capsys, connector=connector, state="absent")
    assert rc == 0 and result["changed"] is True and connectors(sim) == []
    assert calls(sim) == [("DELETE", "/api/awsconnectors/1")]
    rc, again = run(sim, capsys, connector=connector, state="absent")
    assert rc == 0 and again["changed"] is False


def test_a_listed_connector_deleted_since_fails_and_nothing_is_created(sim, capsys):
    sim.add_connector({"crossAccountRoleArn": ARN})
    connector = listed(sim, capsys)[0]
    rc, dummy = run(sim, capsys, id=1, state="absent")
    assert rc == 0
    sim.clear_requests()
    rc, result = run(sim, capsys, connector=connector, use_manager_external_id=True)
    assert rc == 1 and result["api_error"]["status"] == 404
    assert calls(sim) == [("POST", "/api/awsconnectors/1")]
    assert connectors(sim) == []


def test_a_listed_connector_that_may_use_the_manager_defined_id_is_read_and_not_switched_again(sim, capsys, iam):
    sim.configure(expose_external_id=True)
    arn = iam.role(sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": sim.manager_external_id})
    connector = listed(sim, capsys)[0]
    rc, result = run(sim, capsys, connector=connector, cross_account_role_arn=arn, use_manager_external_id=True,
                     manager_external_id=sim.manager_external_id)
    assert rc == 0 and result["changed"] is False and result["external_id_switch"] == "not_needed"
    assert calls(sim) == [("GET", "/api/awsconnectors/1")]
    assert sim.manager_external_id not in json.dumps(result)


def test_a_listed_connector_that_says_its_id_without_the_manager_defined_id_given_is_read_as_before(sim, capsys, iam):
    sim.configure(expose_external_id=True)
    arn = iam.role("user-defined-1", sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1"})
    connector = listed(sim, capsys)[0]
    rc, result = run(sim, capsys, connector=connector, use_manager_external_id=True)
    assert rc == 0 and result["changed"] is True and result["external_id_switch"] == "performed"
    assert "used a user-defined external ID" in result["external_id_switch_msg"]
    assert calls(sim) == [("GET", "/api/awsconnectors/1"), ("GET", "/api/awsconnectorsettings"), ("POST", "/api/awsconnectors/1")]


def test_a_listed_connector_read_again_and_gone_is_an_error_not_a_create(sim, capsys):
    sim.configure(expose_external_id=True)
    sim.add_connector({"crossAccountRoleArn": ARN, "externalId": sim.manager_external_id})
    connector = listed(sim, capsys)[0]
    sim.add_faults([{"status": 404, "method": "GET", "path": "^/api/awsconnectors/1$"}])
    rc, result = run(sim, capsys, connector=connector, use_manager_external_id=True, manager_external_id=sim.manager_external_id)
    assert rc == 1 and "no AWS connector with ID 1 any more" in result["msg"]
    assert writes(sim) == [] and len(connectors(sim)) == 1


def test_without_the_listed_connector_the_switch_still_reads_then_writes(sim, capsys, iam):
    arn = iam.role("user-defined-1", sim.manager_external_id)
    sim.add_connector({"crossAccountRoleArn": arn, "externalId": "user-defined-1"})
    rc, result = run(sim, capsys, id=1, cross_account_role_arn=arn, use_manager_external_id=True, sync=True)
    assert rc == 0 and result["synced"] is True
    assert calls(sim) == [("GET", "/api/awsconnectors/1"), ("POST", "/api/awsconnectors/1"), ("POST", "/api/awsconnectors/1")]
