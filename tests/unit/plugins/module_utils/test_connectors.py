# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Table and property tests of the pure AWS connector logic."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.swp.aws.plugins.module_utils import _connector_api as api
from ansible_collections.swp.aws.plugins.module_utils import _connector_model as model
from ansible_collections.swp.aws.plugins.module_utils import _connector_plan as planning
from ansible_collections.swp.aws.plugins.module_utils import _connector_search as searching
from ansible_collections.swp.aws.plugins.module_utils._connector_model import ConnectorError
from ansible_collections.swp.aws.plugins.module_utils._masking import censor_external_ids

ARN = "arn:aws:iam::123456789012:role/Trend_Role"
OTHER_ARN = "arn:aws:iam::123456789012:role/other"
ACCOUNT = "123456789012"
MANAGER_ID = "manager-0a1b2c3d"
USER_ID = "user-defined-1"


def params(**kwargs):
    """The parameters of swp.aws.workload_connector as AnsibleModule hands them over."""
    base = dict(state="present", id=None, cross_account_role_arn=None, account_id=None, display_name=None, seed_region=None,
                workspaces_enabled=None, access_key=None, secret_key=None, update_secret="on_create", use_instance_role=None,
                use_manager_external_id=False, sync=False, sync_timeout=120.0)
    base.update(kwargs)
    return base


def role_connector(**kwargs):
    connector = {"ID": 7, "displayName": "prod", "accountId": ACCOUNT, "crossAccountRoleArn": ARN, "useInstanceRole": False,
                 "seedRegion": "us-east-1", "workspacesEnabled": False, "lastSyncTime": 1714555800123,
                 "syncedRegions": [{"region": "us-east-1", "computersSynced": 3, "workspacesSynced": 0}]}
    connector.update(kwargs)
    return connector


def key_connector(**kwargs):
    connector = {"ID": 8, "displayName": "legacy", "accountId": "210987654321", "accessKey": "AKIAOLD",
                 "useInstanceRole": False, "workspacesEnabled": False}
    connector.update(kwargs)
    return connector


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("arn, account", [
    ("arn:aws:iam::123456789012:role/name", ACCOUNT),
    ("arn:aws:iam::123456789012:role/with_underscore+=,.@-", ACCOUNT),
    ("arn:aws:iam::123456789012:role/path/to/name", ACCOUNT),
    ("arn:aws-cn:iam::000000000001:role/n", "000000000001"),
    ("arn:aws-us-gov:iam::999999999999:role/n", "999999999999"),
    ("arn:aws:iam::12345678901:role/n", None),          # 11 digits
    ("arn:aws:iam::1234567890123:role/n", None),        # 13 digits
    ("arn:aws:iam::123456789012:user/n", None),         # not a role
    ("arn:aws:iam::123456789012:role/", None),          # no name
    ("arn:aws:iam::123456789012:role/a b", None),       # space
    ("arn:aws-xx:iam::123456789012:role/n", None),      # unknown partition
    ("arn:aws:sts::123456789012:role/n", None),         # not IAM
    (" arn:aws:iam::123456789012:role/n", None),        # leading blank
    ("arn:aws:iam::123456789012:role/n\n", None),       # trailing newline
    ("arn:aws:iam::123456789012:role/" + "n" * 65, None),  # name over 64 characters
    (None, None),
    (42, None),
])
def test_role_arn_account_accepts_only_iam_role_arns(arn, account):
    assert model.role_arn_account(arn) == account


@pytest.mark.parametrize("options, fragment", [
    (dict(cross_account_role_arn="arn:aws:iam::1234:role/x"), "is not an IAM role ARN"),
    (dict(cross_account_role_arn="arn:aws:iam::123456789012:user/x"), "is not an IAM role ARN"),
    (dict(cross_account_role_arn=ARN, account_id="210987654321"), "belongs to AWS account 123456789012, but account_id is 210987654321"),
    (dict(account_id="12345"), "is not an AWS account ID"),
    (dict(cross_account_role_arn=ARN, access_key="AKIA1"), "mutually exclusive"),
    (dict(cross_account_role_arn=ARN, secret_key="s3cret"), "secret_key was given without access_key"),
    (dict(account_id=ACCOUNT, secret_key="s3cret"), "secret_key was given without access_key"),
    (dict(cross_account_role_arn=ARN, use_instance_role=True), "use_instance_role cannot be combined"),
    (dict(access_key="AKIA1", use_instance_role=True), "use_instance_role cannot be combined"),
    (dict(access_key="AKIA1", secret_key="s", use_manager_external_id=True), "cross-account role connectors only"),
    (dict(use_instance_role=True, use_manager_external_id=True), "cross-account role connectors only"),
    (dict(access_key="AKIA1", update_secret="always"), "update_secret=always needs secret_key"),
    (dict(id=0), "positive connector ID"),
    (dict(id=3, sync_timeout=-1), "sync_timeout"),
    (dict(), "Nothing identifies the connector"),
    (dict(display_name="x", state="absent"), "Nothing identifies the connector"),
    (dict(use_instance_role=False, display_name="x"), "Nothing identifies the connector"),
])
def test_validate_params_refuses_bad_input_with_a_clear_message(options, fragment):
    with pytest.raises(ConnectorError) as error:
        planning.validate_params(params(**options))
    assert fragment in str(error.value)


@pytest.mark.parametrize("options", [
    dict(cross_account_role_arn=ARN),
    dict(cross_account_role_arn=ARN, account_id=ACCOUNT, display_name="d", use_manager_external_id=True, sync=True),
    dict(id=4),
    dict(id=4, state="absent"),
    dict(account_id=ACCOUNT, state="absent"),
    dict(access_key="AKIA1", secret_key="s", update_secret="always"),
    dict(access_key="AKIA1"),
    dict(use_instance_role=True),
    dict(use_instance_role=True, account_id=ACCOUNT),
    dict(id=4, use_manager_external_id=True),
])
def test_validate_params_accepts_good_input(options):
    planning.validate_params(params(**options))


def test_a_secret_never_appears_in_a_validation_message():
    with pytest.raises(ConnectorError) as error:
        planning.validate_params(params(cross_account_role_arn=ARN, secret_key="TopSecretValue"))
    assert "TopSecretValue" not in str(error.value)


# ------------------------------------------------------------------ search

WILDCARDS_OFF = {"stringTest": "equal", "stringWildcards": False}


@pytest.mark.parametrize("options, expected", [
    (dict(id=5, cross_account_role_arn=ARN, account_id=ACCOUNT), [{"idTest": "equal", "idValue": 5}]),
    (dict(cross_account_role_arn=ARN, account_id=ACCOUNT),
     [dict(WILDCARDS_OFF, fieldName="crossAccountRoleArn", stringValue=ARN)]),
    (dict(account_id=ACCOUNT, access_key="AKIA1"), [dict(WILDCARDS_OFF, fieldName="accountId", stringValue=ACCOUNT)]),
    (dict(access_key="AKIA1"), [dict(WILDCARDS_OFF, fieldName="accessKey", stringValue="AKIA1")]),
    (dict(use_instance_role=True), []),
    (dict(display_name="only a name"), []),
])
def test_lookup_criteria_prefer_id_then_role_then_account_then_key(options, expected):
    assert searching.lookup_criteria(params(**options)) == expected


@pytest.mark.parametrize("options, expected", [
    (dict(use_instance_role=True), {"useInstanceRole": True}),
    (dict(use_instance_role=True, display_name="x"), {"useInstanceRole": True}),
    (dict(account_id=ACCOUNT, use_instance_role=True), {}),
    (dict(id=3, use_instance_role=True), {}),
    (dict(cross_account_role_arn=ARN), {}),
])
def test_local_match_finds_the_instance_role_connector_in_a_listing(options, expected):
    assert searching.local_match(params(**options)) == expected


def test_only_searchable_fields_are_ever_sent_to_the_search():
    options = [params(id=1), params(cross_account_role_arn=ARN), params(account_id=ACCOUNT), params(access_key="AKIA1"),
               params(use_instance_role=True)]
    sent = [crit.get("fieldName", "ID") for o in options for crit in searching.lookup_criteria(o)]
    sent += [crit.get("fieldName", "ID") for crit in searching.info_criteria(
        dict(id=3, display_name="n", account_id=ACCOUNT, cross_account_role_arn=ARN))]
    assert sent and set(sent) <= set(searching.SEARCHABLE_FIELDS)


@pytest.mark.parametrize("connector, match, expected", [
    ({"displayName": "a_b"}, {"displayName": "a_b"}, True),
    ({"displayName": "aXb"}, {"displayName": "a_b"}, False),
    ({"displayName": "A_B"}, {"displayName": "a_b"}, False),
    ({}, {"useInstanceRole": True}, False),
    ({"useInstanceRole": True}, {"useInstanceRole": True}, True),
    ({"useInstanceRole": False}, {}, True),
])
def test_matches_is_exact(connector, match, expected):
    assert searching.matches(connector, match) is expected


def test_search_all_matches_locally_page_by_page():
    search = FakeSearch(range(1, 11))
    found = searching.search_all(search, [], 3, {"ID": 7})
    assert [x["ID"] for x in found] == [7] and len(search.filters) == 4


def test_info_criteria_and_every_filter_exactly():
    criteria = searching.info_criteria(dict(id=3, display_name="a_b%", account_id=ACCOUNT, cross_account_role_arn=ARN))
    assert searching.info_local_match(dict(display_name="a_b%")) == {"displayName": "a_b%"}
    assert criteria == [
        {"idTest": "equal", "idValue": 3},
        dict(WILDCARDS_OFF, fieldName="accountId", stringValue=ACCOUNT),
        dict(WILDCARDS_OFF, fieldName="crossAccountRoleArn", stringValue=ARN),
    ]
    assert searching.info_criteria(dict(id=None, display_name=None, account_id=None, cross_account_role_arn=None)) == []


def test_ambiguity_message_names_the_criteria_and_every_id():
    criteria = searching.lookup_criteria(params(account_id=ACCOUNT))
    message = api.ambiguity_message(criteria, [{"ID": 3}, {"ID": 9}])
    assert "2 AWS connectors match account_id=123456789012 (IDs 3, 9)" in message
    assert "give id" in message


def test_search_filter_sorts_by_id_and_pages_after_the_last_id():
    assert searching.search_filter([], 10) == {"maxItems": 10, "searchCriteria": [], "sortByObjectID": True}
    crit = [{"idTest": "equal", "idValue": 1}]
    assert searching.search_filter(crit, 10, 42)["searchCriteria"] == crit + [{"idTest": "greater-than", "idValue": 42}]
    assert crit == [{"idTest": "equal", "idValue": 1}]  # the caller's list is not changed


class FakeSearch:
    """A server side of the paged search over the given IDs, counting calls."""

    def __init__(self, ids):
        self.ids = sorted(ids)
        self.filters = []

    def __call__(self, search_filter):
        self.filters.append(search_filter)
        after = 0
        for criterion in search_filter["searchCriteria"]:
            if criterion.get("idTest") == "greater-than":
                after = criterion["idValue"]
        return [{"ID": i} for i in self.ids if i > after][:search_filter["maxItems"]]


@pytest.mark.parametrize("count, page_size, calls", [
    (0, 1000, 1), (1, 1000, 1), (999, 1000, 1), (1000, 1000, 2), (1001, 1000, 2),
    (2000, 1000, 3), (2500, 1000, 3), (2501, 1000, 3), (3000, 1000, 4), (5, 1, 6), (5000, 5000, 2),
])
def test_search_all_costs_one_call_per_page_and_one_more_for_an_exactly_full_last_page(count, page_size, calls):
    search = FakeSearch(range(1, count + 1))
    found = searching.search_all(search, [], page_size)
    assert [x["ID"] for x in found] == list(range(1, count + 1))
    assert len(search.filters) == calls


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(ids=st.sets(st.integers(min_value=1, max_value=10 ** 6), max_size=400), page_size=st.integers(min_value=1, max_value=120))
def test_search_all_returns_every_connector_once_in_id_order(ids, page_size):
    search = FakeSearch(ids)
    found = [x["ID"] for x in searching.search_all(search, [], page_size)]
    assert found == sorted(ids)
    assert len(search.filters) == len(ids) // page_size + 1 == math.floor(len(ids) / page_size) + 1


def test_search_all_stops_when_the_server_ignores_the_id_criterion():
    def stubborn(search_filter):
        return [{"ID": 1}, {"ID": 2}]
    with pytest.raises(ConnectorError, match="did not honour idTest"):
        searching.search_all(stubborn, [], 2)


@pytest.mark.parametrize("answer", [None, {"ID": 1}, [{"displayName": "no id"}], [{"ID": "1"}]])
def test_search_all_refuses_answers_it_cannot_page_through(answer):
    with pytest.raises(ConnectorError):
        searching.search_all(lambda search_filter: answer, [], 1)


@pytest.mark.parametrize("page_size", [0, -1, 5001])
def test_search_all_refuses_a_page_size_outside_the_api_limits(page_size):
    with pytest.raises(ConnectorError, match="page_size must be between 1 and 5000"):
        searching.search_all(FakeSearch([]), [], page_size)


# ------------------------------------------------------------------ conversion

def test_to_snake_maps_every_property_and_times():
    snake = model.to_snake(role_connector(accountAlias="acme", externalId=USER_ID))
    assert snake == {
        "id": 7, "display_name": "prod", "account_id": ACCOUNT, "account_alias": "acme", "cross_account_role_arn": ARN,
        "access_key": None, "use_instance_role": False, "seed_region": "us-east-1", "workspaces_enabled": False,
        "last_sync_time": 1714555800123, "last_sync": "2024-05-01T09:30:00.123Z",
        "synced_regions": [{"region": "us-east-1", "computers_synced": 3, "workspaces_synced": 0}],
        "auth_type": "cross_account_role", "external_id": "user****",
    }


def test_to_snake_masks_an_exposed_external_id():
    snake = model.to_snake(role_connector(externalId="0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"))
    assert snake["external_id"] == "0a1b****"


def test_to_snake_leaves_out_external_id_when_the_manager_does_not_expose_it():
    assert "external_id" not in model.to_snake(role_connector())


@pytest.mark.parametrize("connector, expected", [
    (role_connector(), "cross_account_role"),
    (key_connector(), "access_key"),
    ({"ID": 1, "useInstanceRole": True}, "instance_role"),
    ({"ID": 1}, None),
])
def test_auth_type_tells_how_the_manager_reaches_the_account(connector, expected):
    assert model.auth_type(connector) == expected
    assert model.to_snake(connector)["auth_type"] == expected


@pytest.mark.parametrize("ms, iso", [
    (0, None), (None, None), (-5, None), (True, None), ("1", None),
    (1, "1970-01-01T00:00:00.001Z"), (1714555800123, "2024-05-01T09:30:00.123Z"), (1714555800000, "2024-05-01T09:30:00.000Z"),
])
def test_iso_utc(ms, iso):
    assert model.iso_utc(ms) == iso


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(st.dictionaries(st.sampled_from(["ID", "displayName", "accessKey", "secretKey", "crossAccountRoleArn", "useInstanceRole",
                                        "lastSyncTime", "externalId", "syncedRegions", "unknownProperty"]),
                       st.one_of(st.none(), st.booleans(), st.integers(min_value=0, max_value=2 ** 42), st.text(max_size=8))))
def test_to_snake_never_returns_a_secret_key_whatever_the_api_answers(connector):
    connector["secretKey"] = "TopSecretValue"
    snake = model.to_snake(connector)
    assert "secret_key" not in snake and "secretKey" not in snake
    assert "TopSecretValue" not in repr(snake)
    assert set(snake) - {"external_id"} == {"id", "display_name", "account_id", "account_alias", "cross_account_role_arn", "access_key",
                                            "use_instance_role", "seed_region", "workspaces_enabled", "last_sync_time", "last_sync",
                                            "synced_regions", "auth_type"}


# ------------------------------------------------------------------ create

@pytest.mark.parametrize("options, body", [
    (dict(cross_account_role_arn=ARN, account_id=ACCOUNT, display_name="d", seed_region="eu-west-1", workspaces_enabled=True),
     {"crossAccountRoleArn": ARN, "displayName": "d", "seedRegion": "eu-west-1", "workspacesEnabled": True}),
    (dict(cross_account_role_arn=ARN, workspaces_enabled=False), {"crossAccountRoleArn": ARN, "workspacesEnabled": False}),
    (dict(access_key="AKIA1", secret_key="s", account_id=ACCOUNT), {"accessKey": "AKIA1", "secretKey": "s", "accountId": ACCOUNT}),
    (dict(use_instance_role=True, account_id=ACCOUNT), {"useInstanceRole": True, "accountId": ACCOUNT}),
])
def test_create_body_sends_what_was_asked_for(options, body):
    assert planning.create_body(params(**options)) == body


@pytest.mark.parametrize("options, fragment", [
    (dict(access_key="AKIA1"), "needs secret_key"),
    (dict(account_id=ACCOUNT), "No AWS connector matches account_id=123456789012, and a new one needs cross_account_role_arn"),
])
def test_create_body_refuses_a_connector_without_credentials(options, fragment):
    with pytest.raises(ConnectorError) as error:
        planning.create_body(params(**options))
    assert fragment in str(error.value)


def test_preview_created_is_the_connector_without_id_or_secret():
    preview = planning.preview_created({"accessKey": "AKIA1", "secretKey": "s", "accountId": ACCOUNT})
    assert preview == {"accessKey": "AKIA1", "accountId": ACCOUNT, "useInstanceRole": False, "workspacesEnabled": False}
    role = model.to_snake(planning.preview_created({"crossAccountRoleArn": ARN}))
    assert role["id"] is None and role["account_id"] == ACCOUNT and role["auth_type"] == "cross_account_role"


# ------------------------------------------------------------------ update

@pytest.mark.parametrize("connector, options, body", [
    (role_connector(), dict(cross_account_role_arn=ARN), {}),
    (role_connector(), dict(cross_account_role_arn=ARN, display_name="prod", seed_region="us-east-1", workspaces_enabled=False), {}),
    (role_connector(), dict(cross_account_role_arn=ARN, display_name="new"), {"displayName": "new"}),
    (role_connector(), dict(cross_account_role_arn=ARN, workspaces_enabled=True, seed_region="eu-west-1"),
     {"workspacesEnabled": True, "seedRegion": "eu-west-1"}),
    (role_connector(), dict(id=7, cross_account_role_arn=OTHER_ARN), {"crossAccountRoleArn": OTHER_ARN}),
    (role_connector(), dict(id=7, use_instance_role=True), {"useInstanceRole": True}),
    (role_connector(), dict(id=7, access_key="AKIA2", secret_key="s"), {"accessKey": "AKIA2", "secretKey": "s"}),
    (key_connector(), dict(access_key="AKIAOLD", secret_key="s"), {}),
    (key_connector(), dict(access_key="AKIAOLD", secret_key="s", update_secret="always"), {"accessKey": "AKIAOLD", "secretKey": "s"}),
    (key_connector(), dict(account_id="210987654321", access_key="AKIANEW", secret_key="s"), {"accessKey": "AKIANEW", "secretKey": "s"}),
    (key_connector(), dict(id=8, cross_account_role_arn=ARN), {"crossAccountRoleArn": ARN}),
    ({"ID": 9, "useInstanceRole": True}, dict(use_instance_role=True), {}),
    (role_connector(), dict(id=7, use_instance_role=False), {}),
])
def test_update_body_sends_only_what_differs(connector, options, body):
    assert planning.update_body(connector, params(**options)) == body


def test_update_body_needs_the_secret_to_change_the_access_key():
    with pytest.raises(ConnectorError, match="needs secret_key"):
        planning.update_body(key_connector(), params(access_key="AKIANEW"))


def test_an_update_never_sends_the_role_arn_unless_it_changes():
    # Sending crossAccountRoleArn moves the connector to the manager-defined external ID: only the switch may do that.
    body = planning.update_body(role_connector(), params(cross_account_role_arn=ARN, display_name="x", workspaces_enabled=True))
    assert "crossAccountRoleArn" not in body


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(
    connector=st.fixed_dictionaries({
        "ID": st.integers(min_value=1, max_value=99), "displayName": st.text(max_size=5), "seedRegion": st.sampled_from(["us-east-1", "eu-west-1"]),
        "workspacesEnabled": st.booleans(),
        "auth": st.sampled_from([("crossAccountRoleArn", ARN), ("crossAccountRoleArn", OTHER_ARN), ("accessKey", "AKIA1"),
                                 ("useInstanceRole", True)])}),
    options=st.fixed_dictionaries({
        "display_name": st.one_of(st.none(), st.text(max_size=5)), "seed_region": st.sampled_from([None, "us-east-1", "eu-west-1"]),
        "workspaces_enabled": st.sampled_from([None, True, False]),
        "auth": st.sampled_from([{}, {"cross_account_role_arn": ARN}, {"cross_account_role_arn": OTHER_ARN},
                                 {"access_key": "AKIA1", "secret_key": "s"}, {"access_key": "AKIA2", "secret_key": "s"},
                                 {"use_instance_role": True}])}),
)
def test_after_applying_an_update_there_is_nothing_left_to_send(connector, options):
    auth = connector.pop("auth")
    connector[auth[0]] = auth[1]
    connector["useInstanceRole"] = connector.get("useInstanceRole", False)
    opts = params(id=connector["ID"], **options.pop("auth"))
    opts.update(options)
    body = planning.update_body(connector, opts)
    after = planning.apply_body(connector, body)
    assert planning.update_body(after, opts) == {}
    assert "secretKey" not in after
    assert model.auth_type(after) is not None


@pytest.mark.parametrize("connector, options, fragment", [
    (role_connector(), dict(id=7, account_id="210987654321"), "is for account 123456789012, not account_id 210987654321"),
    (key_connector(), dict(id=8, use_manager_external_id=True), "uses access key"),
    ({"ID": 9, "useInstanceRole": True}, dict(id=9, use_manager_external_id=True), "uses instance role"),
])
def test_check_found_refuses_a_connector_that_cannot_be_the_one_described(connector, options, fragment):
    with pytest.raises(ConnectorError) as error:
        planning.check_found(connector, params(**options))
    assert fragment in str(error.value)


def test_check_found_accepts_a_matching_connector():
    planning.check_found(role_connector(), params(id=7, account_id=ACCOUNT, use_manager_external_id=True))
    planning.check_found(key_connector(), params(id=8, cross_account_role_arn=ARN, use_manager_external_id=True))


@pytest.mark.parametrize("connector, manager_id, decision, source", [
    (role_connector(externalId=MANAGER_ID), MANAGER_ID, planning.SWITCH_NOT_NEEDED, planning.MANAGER_DEFINED),
    (role_connector(externalId=USER_ID), MANAGER_ID, planning.SWITCH_PERFORMED, planning.USER_DEFINED),
    (role_connector(externalId=USER_ID), None, planning.SWITCH_PERFORMED, planning.UNKNOWN),   # retrieval disabled: switch anyway
    (role_connector(), MANAGER_ID, planning.SWITCH_PERFORMED, planning.UNKNOWN),               # the manager does not expose it
    (role_connector(), None, planning.SWITCH_PERFORMED, planning.UNKNOWN),
])
def test_switch_decision_skips_the_write_only_when_the_manager_says_it_is_done(connector, manager_id, decision, source):
    got, sentence = planning.switch_decision(connector, manager_id)
    assert got == decision
    assert "AWS connector 7" in sentence
    assert planning.external_id_source(connector, manager_id) == source


def test_diff_view_shows_settings_and_hides_secrets():
    view = planning.diff_view(key_connector(), secret_sent=True)
    assert view["secret_key"] == "(not shown, replaced)"
    assert view["access_key"] == "AKIAOLD"
    assert "last_sync_time" not in view and "synced_regions" not in view
    assert planning.diff_view(None) == {} and planning.diff_view({}) == {}
    assert planning.diff_view(role_connector(externalId=USER_ID), planning.USER_DEFINED)["external_id_source"] == "user_defined"
    assert "external_id" not in planning.diff_view(role_connector(externalId=USER_ID))


def test_refusal_message_of_a_switch_names_the_role_and_the_manager_defined_id():
    message = api.refusal_message("switch to the manager-defined external ID", role_connector(), {"crossAccountRoleArn": ARN},
                                  "Unable to assume role")
    assert ARN in message
    assert "AWS connector 7" in message and "Unable to assume role" in message
    assert "accept the manager-defined external ID first" in message
    assert "The connector is unchanged." in message


def test_refusal_message_of_a_sync_points_at_the_current_external_id():
    message = api.refusal_message("synchronize", role_connector(), {}, None)
    assert ARN in message and "with the external ID the connector uses" in message and "(HTTP 400: empty body)" in message
    assert "None" not in message


def test_refusal_message_of_a_create_and_of_a_key_connector():
    assert "a new AWS connector" in api.refusal_message("create", None, {"crossAccountRoleArn": ARN}, "x")
    message = api.refusal_message("update", key_connector(), {"displayName": "n"}, "bad region")
    assert message == "The manager refused to update AWS connector 8 (HTTP 400: bad region). The connector is unchanged."


@pytest.mark.parametrize("timeout", [0, 0.2, 1, 7.5, 120])
def test_poll_delays_back_off_and_stay_within_the_timeout(timeout):
    delays = api.poll_delays(timeout)
    assert sum(delays) == pytest.approx(timeout)
    assert all(0 < d <= 5 for d in delays)
    assert delays == sorted(delays) or delays[-1] < delays[-2]  # only the last one may be cut short
    if timeout == 120:
        assert delays[:4] == [0.5, 1.0, 2.0, 4.0] and len(delays) < 30


MANAGER_ID = "5f0c1e2d-3b4a-4c5d-8e9f-0a1b2c3d4e5f"


@pytest.mark.parametrize("status", [400, 403, 500])
@pytest.mark.parametrize("said", [
    "Unable to assume role %s with the external ID %s (AccessDenied)." % (ARN, MANAGER_ID),
    "Unable to assume role with external id: %s" % MANAGER_ID,
    "AssumeRole failed for ExternalId=%s" % MANAGER_ID,
])
@pytest.mark.parametrize("known", [(), (MANAGER_ID,)])
def test_a_refusal_message_never_carries_the_manager_defined_id(status, said, known):
    message = api.refusal_message("switch to the manager-defined external ID", role_connector(), {"crossAccountRoleArn": ARN},
                                  said, status, known)
    assert MANAGER_ID not in message and MANAGER_ID[:8] not in message
    assert "(HTTP %d: " % status in message and "accept the manager-defined external ID first" in message
    assert ("may not create or modify AWS connectors" in message) is (status == 403)


def test_censor_external_ids_keeps_plain_words():
    assert censor_external_ids("The external ID must be set.") == "The external ID must be set."
    assert censor_external_ids(None) is None


@pytest.mark.parametrize("status, refusal", [(400, True), (403, True), (500, True), (413, True), (401, False), (404, False),
                                             (409, False), (429, False), (502, False), (503, False), (504, False), (None, False)])
def test_is_refusal(status, refusal):
    assert api.is_refusal(status) is refusal


def test_sync_failure_message_names_the_connector_and_never_says_none():
    message = api.sync_failure_message(role_connector(), None, 5.0, False)
    assert message.startswith("AWS connector 7 (role %s) did not synchronize within 5.0 seconds" % ARN)
    assert "stayed at never" in message and "None" not in message and "trust policy was left as it was" in message


def test_sync_failure_message_of_a_sync_seen_but_not_proven_says_why():
    message = api.sync_failure_message(role_connector(), 1714555800123, 5.0, True, seen=1714555900123)
    assert message.startswith("AWS connector 7 (role %s) did not synchronize within 5.0 seconds" % ARN)
    assert "moved from 2024-05-01T09:30:00.123Z to 2024-05-01T09:31:40.123Z" in message
    assert "on its own schedule before the update" in message and "The update was applied" in message
    # A value no later than the one known before is no synchronization seen.
    assert "stayed at" in api.sync_failure_message(role_connector(), 1000, 5.0, True, seen=1000)


# ------------------------------------------------------------------ SyncProof: a sync after the write, or none

DATE = 1796307946  # the write's answer: HTTP Date, whole seconds
AFTER = (DATE + 1) * 1000  # the first millisecond that is surely after that answer was sent, give or take a rounding


def proof(before=1000, strict=True, date=None):
    return api.SyncProof(before, strict, date)


def seen(value):
    return {"ID": 7, "lastSyncTime": value} if value is not None else {"ID": 7}


@pytest.mark.parametrize("answer, later, proven", [
    # the answer (the connector after the write) is the mark; only a greater lastSyncTime was recorded after it
    (1000, 1000, False), (1000, 1001, True),
    (5000, 5000, False), (5000, 5001, True),
    # an answer older than what was known before is not the connector after the write: no mark
    (900, 1001, False),
])
def test_sync_proof_by_order_after_the_answer(answer, later, proven):
    p = proof()
    assert p.observe(seen(answer)) is False
    assert p.observe(seen(later)) is proven


@pytest.mark.parametrize("value, proven", [
    (DATE * 1000, False),          # the same second as the answer's Date: may be before it
    (DATE * 1000 + 999, False),    # a truncated Date: the answer may have left at .999
    (AFTER, False),                # a lastSyncTime rounded up to the millisecond may still be before it
    (AFTER + 1, True),
])
def test_sync_proof_by_the_managers_clock_is_more_than_one_second_past_the_answers_date(value, proven):
    assert proof(date=DATE).observe(seen(value)) is proven
    # Without a Date, the first answer is only a mark.
    assert proof().observe(seen(value)) is False


def test_a_sync_shown_in_the_writes_own_answer_is_ambiguous_and_asks_for_one_more():
    p = proof(date=DATE)
    assert p.observe(seen(DATE * 1000 + 400)) is False
    assert p.ambiguous is True and p.unproven == DATE * 1000 + 400
    assert p.observe(seen(DATE * 1000 + 400)) is False
    assert p.observe(seen(DATE * 1000 + 401)) is True


def test_an_answer_that_shows_no_sync_is_a_plain_mark():
    p = proof()
    assert p.observe(seen(1000)) is False and p.ambiguous is False and p.unproven is None
    # A connector never synchronized: no lastSyncTime is 0.
    q = proof(before=0)
    assert q.observe(seen(None)) is False and q.mark == 0 and q.ambiguous is False
    assert q.observe(seen(1)) is True


def test_without_a_change_any_sync_past_the_one_known_before_counts():
    p = proof(strict=False)
    assert p.observe(seen(1000)) is False and p.observe(seen(1001)) is True and p.ambiguous is False
    assert proof(before=None, strict=False).observe(seen(1)) is True


@given(before=st.integers(0, 2 * 10 ** 12), answer_offset=st.integers(0, 10 ** 6), date_offset=st.integers(-10 ** 6, 10 ** 6),
       syncs=st.lists(st.integers(0, 10 ** 6), max_size=5))
@settings(deadline=None)
def test_sync_proof_never_counts_a_sync_no_later_than_the_answer(before, answer_offset, date_offset, syncs):
    # Whatever the manager shows afterwards: a lastSyncTime that the answer to the write already covered (no greater
    # than the answer's) and that is not past the answer's second is never counted.
    answer = before + answer_offset
    date = (answer + date_offset) // 1000
    p = proof(before=before, date=max(date, answer // 1000))
    assert p.observe(seen(answer)) is False
    for value in syncs:
        value = min(answer, before + value)
        if value < (max(date, answer // 1000) + 1) * 1000 + 1:
            assert p.observe(seen(value)) is False


def test_plan_decides_every_write_without_io():
    current = role_connector(lastSyncTime=5)
    assert planning.plan(params(cross_account_role_arn=ARN), current).action == "none"
    assert planning.plan(params(cross_account_role_arn=ARN, sync=True), current).verb == "synchronize"
    switch = planning.plan(params(cross_account_role_arn=ARN, use_manager_external_id=True), current)
    assert switch.action == "modify" and switch.body == {"crossAccountRoleArn": ARN} and switch.changed
    assert switch.verb == "switch to the manager-defined external ID"
    assert planning.plan(params(cross_account_role_arn=ARN, state="absent"), current).action == "delete"
    assert planning.plan(params(cross_account_role_arn=ARN, state="absent"), None).action == "none"
    assert planning.plan(params(cross_account_role_arn=ARN), None).action == "create"
    with pytest.raises(ConnectorError, match="no AWS connector with ID 4"):
        planning.plan(params(id=4), None)


# ------------------------------------------------------------------ a connector given, as the listing returned it

@pytest.mark.parametrize("connector", [
    role_connector(accountAlias="acme"),
    role_connector(lastSyncTime=None, syncedRegions=[]),
    key_connector(),
    {"ID": 3, "useInstanceRole": True, "workspacesEnabled": True},
    {"ID": 4},
])
def test_from_snake_gives_back_the_api_connector_to_snake_was_made_of(connector):
    back = model.from_snake(model.to_snake(connector))
    expected = {k: v for k, v in connector.items() if v is not None}
    expected.setdefault("useInstanceRole", False)
    expected.setdefault("workspacesEnabled", False)
    expected.setdefault("syncedRegions", [])
    assert back == expected
    assert model.to_snake(back) == model.to_snake(connector)


def test_from_snake_never_takes_the_masked_external_id_for_the_connectors():
    snake = model.to_snake(role_connector(externalId=MANAGER_ID))
    assert snake["external_id"].endswith("****")
    back = model.from_snake(snake)
    assert "externalId" not in back
    # So the switch is performed, as for a manager that does not say which ID a connector uses.
    decision, sentence = planning.switch_decision(back, MANAGER_ID)
    assert decision == planning.SWITCH_PERFORMED and "does not say which external ID" in sentence
    assert planning.external_id_source(back, MANAGER_ID) == planning.UNKNOWN


def _snake(**changes):
    snake = model.to_snake(role_connector())
    snake.update(changes)
    return snake


@pytest.mark.parametrize("connector, fragment", [
    ("7", "connector must be a dict"),
    ([_snake()], "connector must be a dict"),
    ({"ID": 7, "crossAccountRoleArn": ARN}, "keys swp.aws.workload_connector_info never returns (ID, crossAccountRoleArn)"),
    (_snake(externalId="x"), "never returns (externalId)"),
    ({"id": 7, "cross_account_role_arn": ARN}, "connector lacks display_name, account_id"),
    (_snake(id=None), "connector's id must be a positive connector ID, got None"),
    (_snake(id="7"), "connector's id must be a positive connector ID, got '7'"),
    (_snake(id=True), "positive connector ID, got True"),
    (_snake(id=0), "positive connector ID, got 0"),
    (_snake(use_instance_role="no"), "use_instance_role must be true or false"),
    (_snake(workspaces_enabled=None), "workspaces_enabled must be true or false"),
    (_snake(last_sync_time="1714555800123"), "last_sync_time must be milliseconds"),
    (_snake(last_sync_time=-1), "last_sync_time must be milliseconds"),
    (_snake(cross_account_role_arn=42), "cross_account_role_arn must be a string or null"),
    (_snake(synced_regions={"region": "us-east-1"}), "synced_regions must be a list of dicts"),
    (_snake(auth_type="access_key"), "auth_type is access_key, but its settings say cross_account_role"),
    (_snake(last_sync_time=1714555800999), "does not match its last_sync_time 1714555800999"),
])
def test_from_snake_refuses_what_the_listing_cannot_have_returned(connector, fragment):
    with pytest.raises(ConnectorError) as raised:
        model.from_snake(connector)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("options, fragment", [
    (dict(id=8, connector=_snake()), "connector is AWS connector 7, but id is 8"),
    (dict(cross_account_role_arn=OTHER_ARN, connector=_snake()), "uses role %s, but cross_account_role_arn is %s" % (ARN, OTHER_ARN)),
    (dict(cross_account_role_arn=ARN, connector=model.to_snake(key_connector())), "uses no role, but cross_account_role_arn"),
    (dict(id=7, connector=_snake(id="7")), "positive connector ID"),
])
def test_validate_params_refuses_a_given_connector_that_is_not_the_one_the_options_name(options, fragment):
    with pytest.raises(ConnectorError) as raised:
        planning.validate_params(params(**options))
    assert fragment in str(raised.value)


@pytest.mark.parametrize("options", [
    dict(connector=_snake()),
    dict(connector=_snake(), state="absent"),
    dict(id=7, cross_account_role_arn=ARN, connector=_snake(), use_manager_external_id=True, sync=True),
])
def test_validate_params_accepts_a_given_connector_that_matches(options):
    planning.validate_params(params(**options))
    assert planning.check_given_connector(params(**options))["ID"] == 7


def test_check_given_connector_is_none_without_the_option():
    assert planning.check_given_connector(params(id=7)) is None


def test_plan_with_a_given_connector_switches_with_its_role_arn_and_waits_past_its_sync_time():
    given = planning.check_given_connector(params(id=7, connector=model.to_snake(role_connector(externalId=MANAGER_ID))))
    switch = planning.plan(params(id=7, use_manager_external_id=True, sync=True), given, MANAGER_ID)
    assert switch.action == "modify" and switch.body == {"crossAccountRoleArn": ARN} and switch.sync
    assert switch.switch == planning.SWITCH_PERFORMED and switch.source == planning.UNKNOWN
    assert given["lastSyncTime"] == 1714555800123


@pytest.mark.parametrize("options, decides", [
    (dict(), True),
    (dict(use_manager_external_id=True), True),                                  # the manager does not say
    (dict(use_manager_external_id=True, hint="user****", manager_external_id=MANAGER_ID), True),   # another ID, proved
    (dict(use_manager_external_id=True, hint="same", manager_external_id=MANAGER_ID), False),  # may be the manager's
    (dict(use_manager_external_id=True, hint="user****"), False),                 # nothing to compare the mask with
    (dict(use_manager_external_id=True, hint="****", manager_external_id="short-id"), False),
    (dict(hint="same", manager_external_id=MANAGER_ID), True),                 # no switch asked for
    (dict(use_manager_external_id=True, hint="same", manager_external_id=MANAGER_ID, state="absent"), True),
])
def test_given_connector_decides_unless_its_masked_id_may_be_the_manager_defined_one(options, decides):
    connector = model.to_snake(role_connector())
    hint = options.pop("hint", None)
    if hint is not None:
        connector["external_id"] = options["manager_external_id"][:4] + "****" if hint == "same" else hint
    assert planning.given_connector_decides(params(connector=connector, **options)) is decides
