# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's one parser of ARNs and account IDs: what it refuses."""

from __future__ import annotations

import pytest

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, is_account_id, parse_role_arn


@pytest.mark.parametrize("value, expected", [
    ("123456789012", True), ("012345678901", True),
    ("123456789012\n", False),  # re's $ would let the newline through; \Z does not
    ("12345678901", False), ("1234567890123", False), (" 123456789012", False), (123456789012, False),
])
def test_an_account_id_is_exactly_twelve_digits(value, expected):
    assert is_account_id(value) is expected


def test_a_role_arn_whose_account_ends_with_a_newline_is_refused():
    assert parse_role_arn("arn:aws:iam::123456789012:role/R") == ("aws", "123456789012", "R")
    with pytest.raises(ArnError, match="is not an IAM role ARN"):
        parse_role_arn("arn:aws:iam::123456789012\n:role/R")
