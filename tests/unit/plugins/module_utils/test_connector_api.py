# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connector I/O of the collection, against the API simulator: paging, finding, refusals and syncs."""

from __future__ import annotations

import pytest

from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadApiError, WorkloadClient
from ansible_collections.swp.aws.plugins.module_utils._connector_api import ConnectorApi, SyncProof
from ansible_collections.swp.aws.plugins.module_utils._connector_model import ConnectorError
from ansible_collections.swp.aws.plugins.module_utils._connector_search import string_criterion
from ansible_collections.swp.aws.plugins.module_utils._errors import SwpError
from ansible_collections.swp.aws.tests.support.constants import FULL_KEY

ARN = "arn:aws:iam::123456789012:role/swp"


def role(n):
    return "arn:aws:iam::%012d:role/swp" % n


class HookedClient(WorkloadClient):
    """A client that runs ``hook(page_number)`` after each search page: the fleet changes between pages."""

    def __init__(self, *args, hook=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hook = hook
        self.pages = 0

    def post(self, path, body=None, params=None, idempotent=True, read=False):
        answer = super().post(path, body, params, idempotent, read)
        if path.endswith("/search"):
            self.pages += 1
            self.hook(self.pages)
        return answer


def api_for(sim, hook=None, page_size=3):
    client = HookedClient(sim.url, FULL_KEY, retries=0, hook=hook or (lambda page: None))
    return ConnectorApi(client, page_size)


def test_every_search_is_an_error_of_the_collection():
    assert issubclass(WorkloadApiError, SwpError) and issubclass(ConnectorError, SwpError)


def test_paging_never_skips_or_repeats_when_connectors_are_created_and_deleted_between_pages(sim):
    seeded = sim.add_connectors([{"crossAccountRoleArn": role(n)} for n in range(1, 11)])
    ids = [c["ID"] for c in seeded]
    deleted, created = set(), []

    def churn(page):
        if page == 1:
            # One already seen and one not yet seen disappear; two new ones appear (with higher IDs).
            for cid in (ids[0], ids[7]):
                sim_client.delete("/awsconnectors/%d" % cid)
                deleted.add(cid)
            for n in (101, 102):
                created.append(sim_client.post("/awsconnectors", {"accessKey": "AKIA%d" % n, "secretKey": "s"})["ID"])
        if page == 2:
            sim_client.delete("/awsconnectors/%d" % ids[3])  # seen on page 1 (or 2): it was listed once
            deleted.add(ids[3])

    sim_client = WorkloadClient(sim.url, FULL_KEY, retries=0)
    found = [c["ID"] for c in api_for(sim, churn).list()]
    assert len(found) == len(set(found)), "a connector was listed twice"
    assert found == sorted(found)
    # Every connector that existed throughout is listed; new ones (IDs above the last seen) are listed too.
    throughout = [cid for cid in ids if cid not in deleted]
    assert set(throughout) <= set(found)
    assert set(created) <= set(found)
    assert ids[7] not in found  # deleted before its page came


@pytest.mark.parametrize("page_size", [0, 5001, 10 ** 6])
def test_a_page_size_above_the_api_limit_is_a_clear_error_before_any_call(sim, page_size):
    with pytest.raises(ConnectorError, match="page_size must be between 1 and 5000"):
        api_for(sim, page_size=page_size).list()
    assert sim.requests() == []


def test_find_by_each_key(sim):
    sim.add_connectors([
        {"crossAccountRoleArn": ARN, "displayName": "role"},
        {"accessKey": "AKIAKEY", "secretKey": "s", "accountId": "210987654321", "displayName": "key"},
        {"useInstanceRole": True, "accountId": "333333333333", "displayName": "dsm"},
    ])
    api = api_for(sim)
    assert api.find_by_role_arn(ARN)["ID"] == 1
    assert api.find_by_account("210987654321")["ID"] == 2
    assert api.find_by_access_key("AKIAKEY")["ID"] == 2
    assert api.find_instance_role()["ID"] == 3
    assert api.find_by_display_name("key")["ID"] == 2
    assert api.find_by_display_name("nothing") is None
    assert api.describe(3)["displayName"] == "dsm" and api.describe(99) is None
    unsearchable = [crit.get("fieldName") for e in sim.requests() if e["path"].endswith("/search")
                    for crit in e["body"]["searchCriteria"]]
    assert "displayName" not in unsearchable and "useInstanceRole" not in unsearchable


@pytest.mark.parametrize("status", [400, 403, 500])
@pytest.mark.parametrize("known", [True, False])
def test_a_refusal_never_carries_the_manager_defined_id(sim, status, known):
    sim.add_connector({"crossAccountRoleArn": ARN})
    manager_id = sim.manager_external_id
    sim.add_faults([{"status": status, "method": "POST", "path": "^/api/awsconnectors/1$",
                     "body": {"message": "Unable to assume role %s with the external ID %s." % (ARN, manager_id)}}])
    api = api_for(sim)
    with pytest.raises(WorkloadApiError) as err:
        api.modify(api.describe(1), {"crossAccountRoleArn": ARN}, verb="switch to the manager-defined external ID",
                   known_ids=[manager_id] if known else [])
    assert err.value.kind == "refused" and err.value.status == status
    assert isinstance(err.value.__cause__, WorkloadApiError)
    for text in (err.value.message, err.value.server_message, str(err.value), repr(err.value.to_dict())):
        assert manager_id not in text


def test_a_refusal_of_a_key_connector_keeps_the_clients_403_sentence(sim):
    sim.add_connector({"accessKey": "AKIAKEY", "secretKey": "s"})
    sim.add_faults([{"status": 403, "method": "POST", "path": "^/api/awsconnectors/1$"}])
    api = api_for(sim)
    with pytest.raises(WorkloadApiError) as err:
        api.modify(api.describe(1), {"displayName": "x"})
    assert err.value.kind == "forbidden" and "not allowed" in err.value.message


@pytest.mark.parametrize("delay, timeout, synced", [(0, 2, True), (0.6, 5, True), (30, 1, False)])
def test_wait_for_sync_inline_async_and_never(sim, delay, timeout, synced):
    # A synchronization alone (nothing written): any lastSyncTime past the one known before counts.
    sim.configure(sync_delay=delay)
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1000})
    api = api_for(sim)
    answer = api.modify(api.describe(1), {}, sync=True, verb="synchronize")
    done, connector = api.wait_for_sync(answer, SyncProof(1000, strict=False), timeout)
    assert done is synced and (connector["lastSyncTime"] > 1000) is synced


def _switch(sim, api):
    """The switch with ?sync=true, as the module sends it; (answer, proof) with the listed lastSyncTime 1000."""
    answer = api.modify({"ID": 1, "crossAccountRoleArn": ARN}, {"crossAccountRoleArn": ARN}, sync=True)
    return answer, SyncProof(1000, strict=True, answer_date=api.client.last_date)


def _sync_writes(sim):
    return [e["body"] for e in sim.requests() if e["method"] == "POST"]


def test_an_update_answered_after_its_sync_is_proven_by_one_more_sync(sim):
    # Inline: the switch's answer shows a sync, which a background sync just before would show too.
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1000})
    api = api_for(sim)
    answer, proof = _switch(sim, api)
    done, connector = api.wait_for_sync(answer, proof, 2)
    assert done is True and connector["lastSyncTime"] > answer["lastSyncTime"] > 1000
    assert _sync_writes(sim) == [{"crossAccountRoleArn": ARN}, {}]
    assert [e["cause"] for e in sim.events() if e["event"] == "sync"] == ["inline", "inline"]


@pytest.mark.parametrize("mode", ["async", "never"])
def test_a_background_sync_between_the_listing_and_the_update_never_counts(sim, mode):
    sim.configure(sync_mode=mode, sync_delay=0.3 if mode == "async" else 0)
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1000})
    sim.background_sync()
    api = api_for(sim)
    answer, proof = _switch(sim, api)
    assert answer["lastSyncTime"] > 1000
    done, connector = api.wait_for_sync(answer, proof, 1.5)
    assert done is (mode == "async")
    # Asked once more at once: the answer could not tell.
    assert _sync_writes(sim) == [{"crossAccountRoleArn": ARN}, {}]
    if mode == "never":
        assert connector["lastSyncTime"] == answer["lastSyncTime"] and proof.unproven == answer["lastSyncTime"]
    else:
        assert connector["lastSyncTime"] > answer["lastSyncTime"]


def test_an_async_sync_after_the_update_costs_no_further_write(sim):
    sim.configure(sync_mode="async", sync_delay=0.3)
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1000})
    api = api_for(sim)
    answer, proof = _switch(sim, api)
    done, connector = api.wait_for_sync(answer, proof, 5)
    assert done is True and connector["lastSyncTime"] > 1000
    assert _sync_writes(sim) == [{"crossAccountRoleArn": ARN}]


def test_without_an_answer_the_first_read_after_the_update_is_the_mark(sim):
    # The update's answer is lost (or empty): what was known before is no mark, the first read after the update is.
    sim.configure(sync_mode="async", sync_delay=1.2)
    sim.add_connector({"crossAccountRoleArn": ARN, "lastSyncTime": 1000})
    sim.background_sync()
    api = api_for(sim)
    answer, proof = _switch(sim, api)
    done, connector = api.wait_for_sync({"ID": 1}, proof, 6, answered=False)
    assert done is True and proof.mark == answer["lastSyncTime"]
    assert connector["lastSyncTime"] > answer["lastSyncTime"]
    syncs = [e for e in sim.events() if e["event"] == "sync"]
    assert [e["cause"] for e in syncs][:2] == ["background", "async"]


def test_a_create_answered_500_after_the_manager_made_it_is_found_not_made_twice(sim):
    # An older manager's 500 is ambiguous: the connector may have been made. It is searched for before any retry.
    sim.add_faults([{"status": 500, "method": "POST", "path": "^/api/awsconnectors$", "when": "after"}])
    api = api_for(sim)
    created = api.create({"crossAccountRoleArn": ARN}, [string_criterion("crossAccountRoleArn", ARN)], retry_for=10)
    assert created["crossAccountRoleArn"] == ARN
    assert len(sim.state["connectors"]) == 1
    assert [(e["method"], e["path"], e["status"]) for e in sim.requests()] == [
        ("POST", "/api/awsconnectors", 500), ("POST", "/api/awsconnectors/search", 200)]


def test_manager_external_id_supplied_is_not_read(sim):
    api = api_for(sim)
    assert api.manager_external_id("given-id-0123") == "given-id-0123" and sim.requests() == []
    assert api.manager_external_id() == sim.manager_external_id
