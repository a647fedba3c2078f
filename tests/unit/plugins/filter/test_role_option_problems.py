# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A wrong option value is one sentence before the role runs, against the roles' real argument specs."""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.migration import FilterModule

FILTERS = FilterModule().filters()
CHECK = FILTERS["role_option_problems"]
ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles")
UNSET = "__swp_unset__"


def spec(role):
    with open(os.path.join(ROLES, role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Broken(dict):
    """A host whose variables raise when read, as one whose template fails may."""

    def __getitem__(self, key):
        raise ValueError("'nope' is undefined")


def test_valid_values_and_unset_options_give_nothing():
    current = {"extid_migration_cloudformation": "update_stack", "extid_migration_timeout": 30,
               "extid_migration_narrow": True, "extid_migration_url": UNSET}
    hostvars = {"a": {"extid_migration_tagged_roles": "files"}, "b": {}}
    assert CHECK(["a", "b"], hostvars, spec("extid_migration"), current=current, host="a") == []


def test_a_bad_choice_set_in_the_play_is_one_sentence_naming_the_choices():
    current = {"extid_migration_cloudformation": "update"}
    result = CHECK(["a", "b"], {"a": {}, "b": {}}, spec("extid_migration"), current=current, host="a")
    assert result == ["Value of extid_migration_cloudformation must be one of: report, update_stack, edit, got: update "
                      "(set in the play: a play variable, role parameter or extra variable)."]


def test_inventory_values_name_their_hosts_and_the_play_value_is_not_blamed_on_the_first_host():
    hostvars = {"h%d" % index: {"extid_migration_tagged_roles": "bogus"} for index in range(7)}
    hostvars["h0"]["extid_migration_retries"] = "many"
    hostvars["h7"] = {}
    # What the run-once host sees: its own inventory values, which are not the play's.
    current = {"extid_migration_tagged_roles": "bogus", "extid_migration_retries": "many"}
    result = CHECK(sorted(hostvars), hostvars, spec("extid_migration"), current=current, host="h0")
    assert result == [
        "extid_migration_retries must be of type int, got 'many' (host h0).",
        "Value of extid_migration_tagged_roles must be one of: files, edit, got: bogus "
        "(hosts h0, h1, h2, h3, h4 and 2 more).",
    ]


def test_a_value_every_host_carries_is_said_so():
    # An extra variable is in every host's variables, as a group variable of all is.
    hostvars = {"a": {"extid_migration_narrow": "perhaps"}, "b": {"extid_migration_narrow": "perhaps"}}
    result = CHECK(["a", "b"], hostvars, spec("extid_migration"), current={"extid_migration_narrow": "perhaps"}, host="a")
    assert result == ["extid_migration_narrow must be of type bool, got 'perhaps' "
                      "(set for every host of the play: an extra variable or a group variable)."]


def test_a_secret_value_is_never_shown():
    # The roles' secrets are strings, which take any value; a spec where they could be refused shows none.
    specs = {"argument_specs": {"main": {"options": {
        "r_api_key": {"type": "int", "no_log": True}, "r_secret_key": {"type": "str", "choices": ["x"]},
        "r_token": {"type": "dict", "no_log": True}}}}}
    current = {"r_api_key": "s3cr3t-1", "r_secret_key": "s3cr3t-2"}
    hostvars = {"a": {"r_token": "s3cr3t-3"}}
    result = CHECK(["a"], hostvars, specs, current=current, host="a")
    assert len(result) == 3
    assert not any("s3cr3t" in sentence for sentence in result), result


def test_a_value_that_does_not_resolve_is_left_to_the_roles_own_checks():
    hostvars = {"a": Broken(extid_migration_tagged_roles="x"), "b": {"extid_migration_tagged_roles": "edit"}}
    assert CHECK(["a", "b"], hostvars, spec("extid_migration"), current={}, host="a") == []


def test_options_of_every_entry_point_are_known():
    # store_external_id's options are checked too; an unknown name is not this filter's business (role_precheck's).
    hostvars = {"a": {"connector_onboarding_auth_header": "bearer", "connector_onboarding_nonsense": 1}}
    result = CHECK(["a"], hostvars, spec("connector_onboarding"))
    assert len(result) == 1 and "connector_onboarding_auth_header must be one of" in result[0]


def test_a_spec_that_is_not_a_mapping_is_an_error():
    with pytest.raises(AnsibleFilterError, match="meta/argument_specs.yml"):
        CHECK(["a"], {"a": {}}, ["not", "a", "spec"])
