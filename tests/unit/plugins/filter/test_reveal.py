# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``reveal`` argument of every masking filter follows Ansible's boolean rules, strictly."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.migration import FilterModule as MigrationFilters
from ansible_collections.swp.aws.plugins.filter.trust_policy import FilterModule as TrustPolicyFilters
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import reveal_flag

SWP = "arn:aws:iam::147995105371:root"
SECRET = "5f0c9a2e-7b1d-4e8a-9c3f-2a6b8d0e4f17"
MASKED = "5f0c****"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": SWP}, "Action": "sts:AssumeRole",
                                                  "Condition": {"StringEquals": {"sts:ExternalId": SECRET}}}]}

FILTERS = dict(TrustPolicyFilters().filters(), **MigrationFilters().filters())

MASK = ["false", "False", "FALSE", "no", "No", "off", "0", " false ", "n", "f", 0, 0.0, False, None, b"no"]
REVEAL = ["true", "True", "yes", "YES", "on", "1", " yes\n", "y", "t", 1, 1.0, True, b"true"]
INVALID = ["maybe", "", "2", "nope", 2, -1, 0.5, [], [True], {}, {"reveal": True}, SECRET]


def ident(value):
    return repr(value)


def masked_by(name, reveal):
    """Run one masking filter over the secret; True when the result hides it."""
    if name == "mask_external_id":
        result = FILTERS[name](SECRET, reveal)
    elif name == "mask_trust_policy":
        result = FILTERS[name](POLICY, reveal)
    else:
        result = FILTERS[name]("AccessDenied for %s" % SECRET, [SECRET], reveal)
    text = json.dumps(result)
    if SECRET in text:
        return False
    assert MASKED in text
    return True


FILTER_NAMES = ["mask_external_id", "mask_trust_policy", "mask_in_text"]


@pytest.mark.parametrize("name", FILTER_NAMES)
@pytest.mark.parametrize("reveal", MASK, ids=ident)
def test_false_like_values_mask(name, reveal):
    assert masked_by(name, reveal) is True


@pytest.mark.parametrize("name", FILTER_NAMES)
@pytest.mark.parametrize("reveal", REVEAL, ids=ident)
def test_true_like_values_reveal(name, reveal):
    assert masked_by(name, reveal) is False


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_the_default_masks(name):
    if name == "mask_in_text":
        assert FILTERS[name](SECRET, [SECRET]) == MASKED
    elif name == "mask_external_id":
        assert FILTERS[name](SECRET) == MASKED
    else:
        assert SECRET not in json.dumps(FILTERS[name](POLICY))


@pytest.mark.parametrize("name", FILTER_NAMES)
@pytest.mark.parametrize("reveal", INVALID, ids=ident)
def test_other_values_are_a_filter_error_that_does_not_quote_them(name, reveal):
    with pytest.raises(AnsibleFilterError) as err:
        masked_by(name, reveal)
    message = str(err.value)
    assert "reveal must be a boolean" in message
    assert SECRET not in message
    if isinstance(reveal, str) and reveal:
        assert reveal not in message.replace("reveal must be", "")


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_reveal_by_keyword(name):
    if name == "mask_in_text":
        assert FILTERS[name](SECRET, [SECRET], reveal="no") == MASKED
        assert FILTERS[name](SECRET, [SECRET], reveal="yes") == SECRET
    elif name == "mask_external_id":
        assert FILTERS[name](SECRET, reveal="no") == MASKED
        assert FILTERS[name](SECRET, reveal="yes") == SECRET
    else:
        assert SECRET not in json.dumps(FILTERS[name](POLICY, reveal="no"))
        assert FILTERS[name](POLICY, reveal="yes") == POLICY


def test_reveal_flag_names_the_type_not_the_value():
    with pytest.raises(ValueError) as err:
        reveal_flag(SECRET, name="extid_migration_reveal")
    assert str(err.value).startswith("extid_migration_reveal must be a boolean")
    assert "of type string" in str(err.value) and SECRET not in str(err.value)
    with pytest.raises(ValueError, match="of type list"):
        reveal_flag([])
    with pytest.raises(ValueError, match="of type dictionary"):
        reveal_flag({})


@pytest.mark.parametrize("value, expected", [(v, False) for v in MASK] + [(v, True) for v in REVEAL], ids=ident)
def test_reveal_flag(value, expected):
    assert reveal_flag(value) is expected
