# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.workload_connectors, loaded by Ansible's plugin loader and run in-process against the API simulator."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader

from ansible_collections.swp.aws.plugins.inventory.workload_connectors import (
    base_name, host_names, host_vars, safe_name, selected)

NAME = "swp.aws.workload_connectors"
SEARCH = "/api/awsconnectors/search"
ROLE_ARN = "arn:aws:iam::%012d:role/TrendMicroWorkloadSecurityRole"
FLEET = [
    {"displayName": "Payments Prod", "crossAccountRoleArn": ROLE_ARN % 100000000001, "accountAlias": "acme-payments",
     "seedRegion": "eu-west-1", "lastSyncTime": 1714555800123},
    {"displayName": "data-lake", "crossAccountRoleArn": ROLE_ARN % 100000000002, "seedRegion": "us-east-1"},
    {"displayName": "web-sandbox", "crossAccountRoleArn": ROLE_ARN % 100000000003, "seedRegion": "us-east-1"},
    {"displayName": "legacy-keys", "accountId": "100000000004", "accessKey": "AKIAIOSFODNN7EXAMPLE",
     "secretKey": "never-shown-secret-key"},
    {"displayName": "dsm-home", "accountId": "100000000005", "useInstanceRole": True},
]


@pytest.fixture(scope="module")
def loader_ready():
    if inventory_loader.get(NAME, class_only=True) is None:  # a plain pytest run, not ansible-test units
        init_plugin_loader()
    assert inventory_loader.get(NAME, class_only=True) is not None


@pytest.fixture
def env(monkeypatch, sim):
    for name in ("SWP_API_URL", "SWP_API_KEY", "SWP_AUTH_HEADER", "SWP_VALIDATE_CERTS", "SWP_CA_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SWP_API_URL", sim.url)
    monkeypatch.setenv("SWP_API_KEY", "sim-readonly-key")
    return monkeypatch


def parse(tmp_path, config, cache=True, file_name="swp.workload_connectors.yml"):
    """Run the plugin on an inventory file holding ``config``; returns (inventory, plugin)."""
    path = tmp_path / file_name
    path.write_text(yaml.safe_dump(dict({"plugin": NAME}, **config)))
    plugin = inventory_loader.get(NAME)
    assert plugin.verify_file(str(path))
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path), cache=cache)
    return inventory, plugin


def hosts_of(inventory, group):
    return sorted(h.name for h in inventory.groups[group].get_hosts())


def variables(inventory, host):
    return inventory.get_host(host).get_vars()


def calls(sim):
    return [(e["method"], e["path"]) for e in sim.requests()]


# ------------------------------------------------------------------ hosts, groups and variables

def test_one_host_per_connector_grouped_by_auth_type_from_one_listing(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, {})
    assert hosts_of(inventory, "swp_connectors") == ["Payments-Prod", "data-lake", "dsm-home", "legacy-keys", "web-sandbox"]
    assert hosts_of(inventory, "swp_cross_account_role") == ["Payments-Prod", "data-lake", "web-sandbox"]
    assert hosts_of(inventory, "swp_access_key") == ["legacy-keys"]
    assert hosts_of(inventory, "swp_instance_role") == ["dsm-home"]
    assert calls(sim) == [("POST", SEARCH)]


def test_host_variables_carry_the_connector_and_what_the_rollout_reads(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, {})
    prod = variables(inventory, "Payments-Prod")
    assert prod["swp_connector_id"] == 1
    assert prod["swp_account_id"] == "100000000001"
    assert prod["swp_account_alias"] == "acme-payments"
    assert prod["swp_auth_type"] == "cross_account_role"
    assert prod["swp_cross_account_role_arn"] == ROLE_ARN % 100000000001
    assert prod["swp_last_sync_time"] == 1714555800123 and prod["swp_last_sync"] == "2024-05-01T09:30:00.123Z"
    assert prod["extid_migration_role_arn"] == ROLE_ARN % 100000000001
    # The role derives the account from the ARN: an account ID beside it could only contradict it.
    assert "extid_migration_account_id" not in prod
    assert prod["ansible_connection"] == "local"
    keys = variables(inventory, "legacy-keys")
    assert keys["swp_auth_type"] == "access_key" and keys["swp_access_key"] == "AKIAIOSFODNN7EXAMPLE"
    assert keys["extid_migration_account_id"] == "100000000004" and "extid_migration_role_arn" not in keys
    assert "never-shown-secret-key" not in json.dumps(dict((h, variables(inventory, h)) for h in inventory.hosts))


def test_the_rollout_variables_and_local_connection_can_be_turned_off(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET[:1])
    inventory, _plugin = parse(tmp_path, {"extid_migration_vars": False, "local_connection": False, "group_by_auth_type": False})
    host = variables(inventory, "Payments-Prod")
    assert not [k for k in host if k.startswith(("extid_migration_", "ansible_"))]
    assert "swp_cross_account_role" not in inventory.groups


@pytest.mark.parametrize("count, page_size, searches", [(0, 1000, 1), (5, 2, 3), (4, 2, 3), (5, 5000, 1)])
def test_one_paged_listing_per_refresh_and_no_call_per_host(sim, env, tmp_path, loader_ready, count, page_size, searches):
    sim.add_connectors([{"displayName": "acct-%d" % n, "crossAccountRoleArn": ROLE_ARN % (n + 1)} for n in range(count)])
    inventory, _plugin = parse(tmp_path, {"page_size": page_size})
    assert len(inventory.groups["swp_connectors"].get_hosts()) == count
    assert calls(sim) == [("POST", SEARCH)] * searches


# ------------------------------------------------------------------ names

@pytest.mark.parametrize("value, expected", [
    ("Payments Prod", "Payments-Prod"), ("  a / b  ", "a-b"), ("prod.eu_1", "prod.eu_1"), ("{{ lookup('pipe', 'id') }}", "lookup-pipe-id"),
    ("---", ""), ("", ""), (None, ""), ("Zürich", "Z-rich"),
])
def test_names_are_made_safe_for_host_patterns(value, expected):
    assert safe_name(value) == expected


@pytest.mark.parametrize("connector, preferences, expected", [
    ({"id": 7, "display_name": "web", "account_id": "111111111111"}, ["display_name", "account_id"], "web"),
    ({"id": 7, "display_name": "  ", "account_id": "111111111111"}, ["display_name", "account_id"], "111111111111"),
    ({"id": 7, "display_name": "web", "account_id": "111111111111"}, ["account_id"], "111111111111"),
    ({"id": 7, "display_name": "web", "account_alias": "acme"}, ["account_alias", "display_name"], "acme"),
    ({"id": 7, "display_name": "web"}, ["connector_id"], "connector-7"),
    ({"id": 7}, ["display_name", "account_id"], "connector-7"),
    ({"id": 7, "display_name": "web"}, [], "connector-7"),
])
def test_the_host_name_follows_the_preferences(connector, preferences, expected):
    assert base_name(connector, preferences) == expected


def test_duplicate_names_all_get_their_connector_id_and_a_warning(sim, env, tmp_path, loader_ready, capsys):
    sim.add_connectors([
        {"displayName": "shared", "crossAccountRoleArn": ROLE_ARN % 100000000001},
        {"displayName": "shared", "crossAccountRoleArn": ROLE_ARN % 100000000002},
        {"displayName": "shared-1", "crossAccountRoleArn": ROLE_ARN % 100000000003},
        {"displayName": "other", "crossAccountRoleArn": ROLE_ARN % 100000000004},
    ])
    inventory, _plugin = parse(tmp_path, {})
    # "shared-1" was a connector's own name, so connector 1 of "shared" takes the next candidate.
    assert hosts_of(inventory, "swp_connectors") == ["other", "shared-1", "shared-2", "shared-connector-1"]
    assert variables(inventory, "shared-connector-1")["swp_connector_id"] == 1
    assert variables(inventory, "shared-1")["swp_connector_id"] == 3
    assert "several connectors are named shared; each of them got its connector ID appended" in capsys.readouterr().err


def test_names_by_account_id(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, {"hostnames": ["account_id"]})
    assert hosts_of(inventory, "swp_connectors") == ["1000000000%02d" % n for n in range(1, 6)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(st.lists(st.fixed_dictionaries({
    "display_name": st.sampled_from(["a", "a-1", "a-2", "a-connector-1", "connector-1", "connector-2", "", None, "b c", "b-c"]),
    "account_id": st.sampled_from(["111111111111", None]),
}), max_size=12))
def test_host_names_are_unique_and_every_connector_has_one(connectors):
    connectors = [dict(c, id=n + 1) for n, c in enumerate(connectors)]
    named, _shared = host_names(connectors, ["display_name", "account_id"])
    names = [name for name, _c in named]
    assert len(names) == len(set(names)) == len(connectors)
    assert all(names) and [c["id"] for _n, c in named] == [c["id"] for c in connectors]


# ------------------------------------------------------------------ filters

@pytest.mark.parametrize("config, expected", [
    ({"auth_types": ["cross_account_role"]}, ["Payments-Prod", "data-lake", "web-sandbox"]),
    ({"auth_types": ["access_key", "instance_role"]}, ["dsm-home", "legacy-keys"]),
    ({"account_ids": ["100000000002", "100000000004"]}, ["data-lake", "legacy-keys"]),
    ({"include_names": ["*-*"]}, ["data-lake", "dsm-home", "legacy-keys", "web-sandbox"]),
    ({"include_names": ["*-*"], "exclude_names": ["*sandbox", "legacy-?eys"]}, ["data-lake", "dsm-home"]),
    ({"include_names": ["payments*"]}, []),
    ({"auth_types": ["cross_account_role"], "exclude_names": ["Payments *"]}, ["data-lake", "web-sandbox"]),
])
def test_filters(sim, env, tmp_path, loader_ready, config, expected):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, config)
    assert hosts_of(inventory, "swp_connectors") == expected
    assert calls(sim) == [("POST", SEARCH)]


def test_the_filters_of_the_pure_core():
    connector = {"auth_type": "access_key", "account_id": "111111111111", "display_name": None}
    assert selected(connector)
    # A connector without a display name is matched as the empty name.
    assert selected(connector, include_names=["*"]) and not selected(connector, include_names=["?*"])
    assert not selected(connector, exclude_names=["*"])
    assert not selected(connector, auth_types=["instance_role"])


@pytest.mark.parametrize("config, message", [
    ({"account_ids": ["12345"]}, "account_ids: '12345' is not an AWS account ID"),
    ({"page_size": 5001}, "page_size must be between 1 and 5000"),
    ({"auth_types": ["sso"]}, "sso"),
])
def test_a_bad_filter_fails_before_any_call(sim, env, tmp_path, loader_ready, config, message):
    with pytest.raises(AnsibleError) as err:
        parse(tmp_path, config)
    assert message in str(err.value)
    assert calls(sim) == []


# ------------------------------------------------------------------ constructed

def test_compose_groups_and_keyed_groups(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET)
    inventory, _plugin = parse(tmp_path, {
        "compose": {"extid_migration_aws_assume_role_arn": "'arn:aws:iam::' ~ swp_account_id ~ ':role/Admin'",
                    "ansible_connection": "'ansible.builtin.local'"},
        "groups": {"synced": "swp_last_sync is not none"},
        "keyed_groups": [{"key": "swp_seed_region", "prefix": "region"}],
    })
    prod = variables(inventory, "Payments-Prod")
    assert prod["extid_migration_aws_assume_role_arn"] == "arn:aws:iam::100000000001:role/Admin"
    assert prod["ansible_connection"] == "ansible.builtin.local"
    assert hosts_of(inventory, "synced") == ["Payments-Prod"]
    assert hosts_of(inventory, "region_eu_west_1") == ["Payments-Prod"]
    assert hosts_of(inventory, "region_us_east_1") == ["data-lake", "web-sandbox"]


def test_strict_fails_on_a_compose_error_and_lenient_skips_it(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET[:1])
    compose = {"compose": {"broken": "swp_no_such_var.attribute"}}
    inventory, _plugin = parse(tmp_path, dict(compose, strict=False))
    assert "broken" not in variables(inventory, "Payments-Prod")
    with pytest.raises(AnsibleError, match="Could not set broken for host Payments-Prod"):
        parse(tmp_path, dict(compose, strict=True))


def test_values_from_the_manager_are_not_templates(sim, env, tmp_path, loader_ready):
    sim.add_connectors([{"displayName": "{{ lookup('ansible.builtin.pipe', 'id') }}", "crossAccountRoleArn": ROLE_ARN % 1}])
    inventory, _plugin = parse(tmp_path, {"compose": {"label": "swp_display_name"}})
    host = variables(inventory, "lookup-ansible.builtin.pipe-id")
    assert host["label"] == "{{ lookup('ansible.builtin.pipe', 'id') }}"


# ------------------------------------------------------------------ cache

def test_the_cache_saves_the_listing_and_never_holds_the_key_or_an_external_id(sim, env, tmp_path, loader_ready):
    sim.configure(expose_external_id=True)
    sim.add_connectors([dict(FLEET[0], externalId="legacy-100000000001-x7Qp")] + FLEET[1:])
    cache_dir = tmp_path / "cache"
    config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir),
              "api_key": "sim-full-key"}
    first, plugin = parse(tmp_path, config)
    plugin.update_cache_if_changed()  # what the inventory manager does after a parse
    assert calls(sim) == [("POST", SEARCH)]
    files = [p for p in cache_dir.iterdir() if p.is_file()]
    assert len(files) == 1
    text = files[0].read_text()
    assert "100000000001" in text
    for secret in ("sim-full-key", "legacy-100000000001-x7Qp", "lega****", "never-shown-secret-key"):
        assert secret not in text

    sim.clear_requests()
    second, plugin = parse(tmp_path, config)
    assert calls(sim) == []
    assert hosts_of(second, "swp_connectors") == hosts_of(first, "swp_connectors")
    assert variables(second, "Payments-Prod")["extid_migration_role_arn"] == ROLE_ARN % 100000000001

    # --flush-cache and meta: refresh_inventory parse with cache=False: the manager is read again.
    parse(tmp_path, config, cache=False)
    assert calls(sim) == [("POST", SEARCH)]


def test_a_cache_of_another_manager_is_not_used(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET[:2])
    cache_dir = tmp_path / "cache"
    config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir)}
    _inventory, plugin = parse(tmp_path, dict(config, url=sim.url + "/"))
    plugin.update_cache_if_changed()
    sim.clear_requests()
    parse(tmp_path, config)
    assert calls(sim) == [("POST", SEARCH)]


# ------------------------------------------------------------------ connection options

def test_options_in_the_file_win_over_the_environment_and_may_be_templates(sim, env, tmp_path, loader_ready):
    sim.add_connectors(FLEET[:1])
    env.setenv("SWP_API_URL", "http://127.0.0.1:9/api")
    env.setenv("SWP_API_KEY", "not-the-key")
    inventory, _plugin = parse(tmp_path, {"url": sim.url, "api_key": "{{ 'sim-readonly' ~ '-key' }}",
                                          "auth_header": "api-secret-key"})
    assert hosts_of(inventory, "swp_connectors") == ["Payments-Prod"]
    assert [e["auth_header"] for e in sim.requests()] == ["api-secret-key"]


def test_the_auth_header_comes_from_the_environment_like_the_modules(sim, env, tmp_path, loader_ready):
    env.setenv("SWP_AUTH_HEADER", "api-secret-key")
    parse(tmp_path, {})
    assert [e["auth_header"] for e in sim.requests()] == ["api-secret-key"]


def test_a_vault_encrypted_key_is_decrypted(sim, env, tmp_path, loader_ready):
    from ansible.parsing.vault import VaultLib, VaultSecret, VaultSecretsContext

    secret = VaultSecret(b"test-vault-password")
    # What the command-line tools set up from --vault-password-file.
    env.setattr(VaultSecretsContext, "_current", VaultSecretsContext([("default", secret)]))
    vaulted = VaultLib([("default", secret)]).encrypt("sim-readonly-key").decode()
    path = tmp_path / "swp.workload_connectors.yml"
    path.write_text("plugin: %s\napi_key: !vault |\n%s\n" % (NAME, "\n".join("  " + line for line in vaulted.splitlines())))
    loader = DataLoader()
    loader.set_vault_secrets([("default", secret)])
    env.delenv("SWP_API_KEY")
    plugin = inventory_loader.get(NAME)
    inventory = InventoryData()
    plugin.parse(inventory, loader, str(path))
    assert [e["key_role"] for e in sim.requests()] == ["readonly"]


def test_a_refused_key_fails_with_advice_and_never_shows_the_key(sim, env, tmp_path, loader_ready):
    env.setenv("SWP_API_KEY", "wrong-key-0123456789")
    with pytest.raises(AnsibleParserError) as err:
        parse(tmp_path, {})
    text = str(err.value)
    assert "HTTP 401" in text and "auth_header: api-secret-key" in text
    assert "wrong-key-0123456789" not in text and err.value.__cause__ is None


def test_a_missing_url_is_a_clear_error(sim, env, tmp_path, loader_ready):
    env.delenv("SWP_API_URL")
    with pytest.raises(AnsibleError, match="url"):
        parse(tmp_path, {})
    assert calls(sim) == []


def test_an_unreachable_manager_names_the_url(sim, env, tmp_path, loader_ready):
    with pytest.raises(AnsibleParserError, match=r"Cannot reach the Workload Security API at http://127.0.0.1:9/api"):
        parse(tmp_path, {"url": "http://127.0.0.1:9", "retries": 0, "timeout": 2})


@pytest.mark.parametrize("name, accepted", [
    ("swp.workload_connectors.yml", True), ("workload_connectors.yaml", True), ("prod-workload_connectors.yml", True),
    ("inventory.yml", False), ("workload_connectors.json", False), ("workload_connectors.yml.bak", False),
])
def test_the_file_name_says_which_plugin_reads_it(tmp_path, loader_ready, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: %s\n" % NAME)
    assert inventory_loader.get(NAME).verify_file(str(path)) is accepted
    assert inventory_loader.get(NAME).verify_file(str(tmp_path / "missing.workload_connectors.yml")) is False


def test_host_vars_never_carry_the_external_id():
    assert "swp_external_id" not in host_vars({"id": 1, "external_id": "0a1b****", "auth_type": None})
