# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's one parser of ARNs and AWS account IDs, for internal use (pure: standard library only)."""

from __future__ import annotations

import re
from collections import namedtuple

__all__ = ["ACCOUNT_ID", "Arn", "ArnError", "is_account_id", "parse_arn", "parse_role_arn", "role_target"]

ACCOUNT_ID = re.compile(r"\A[0-9]{12}\Z")
"""An AWS account ID: exactly twelve digits."""

# The AWS partitions (commercial, China, GovCloud, the isolated regions, the European sovereign cloud).
_PARTITION = re.compile(r"\Aaws(?:-cn|-us-gov|-iso(?:-[bef])?|-eusc)?\Z")
_ROLE_NAME = re.compile(r"\A[\w+=,.@-]{1,64}\Z", re.ASCII)
_ROLE_PATH_PART = re.compile(r"\A[\w+=,.@-]+\Z", re.ASCII)

Arn = namedtuple("Arn", "partition service region account resource")


class ArnError(ValueError):
    """A text that is not the ARN or account ID it should be."""


def is_account_id(value):
    return isinstance(value, str) and bool(ACCOUNT_ID.match(value))


def parse_arn(value):
    """``Arn(partition, service, region, account, resource)`` of an ARN, or None when ``value`` is not one."""
    if not isinstance(value, str):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not _PARTITION.match(parts[1]) or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def parse_role_arn(value):
    """``(partition, account_id, role_name)`` of an IAM role ARN; raises ArnError naming what is wrong."""
    arn = parse_arn(value)
    if arn is None or arn.service != "iam" or arn.region or not ACCOUNT_ID.match(arn.account) or not arn.resource.startswith("role/"):
        raise ArnError("%r is not an IAM role ARN: expected arn:<partition>:iam::<12-digit account>:role/<path/><name>" % (value,))
    parts = arn.resource.split("/")[1:]
    if not _ROLE_NAME.match(parts[-1]) or not all(_ROLE_PATH_PART.match(part) for part in parts[:-1]):
        raise ArnError("%r is not an IAM role ARN: the role's path or name holds characters IAM does not allow" % (value,))
    return arn.partition, arn.account, parts[-1]


def role_target(role_arn_value="", account_id="", role_name="", partition="aws"):
    """The role from either its ARN or an account ID and a role name, checked.

    Returns ``{"role_arn", "partition", "account_id", "role_name", "role_path"}`` (the path as IAM writes it,
    ``/`` or ``/a/b/``); raises ArnError naming what is wrong.
    """
    account_id = "" if account_id is None else str(account_id).strip()
    if role_arn_value:
        value = role_arn_value
    elif not ACCOUNT_ID.match(account_id):
        raise ArnError("the account ID %r is not 12 digits (quote it in YAML so leading zeros stay)" % (account_id,))
    elif not role_name:
        raise ArnError("no role name given for account %s" % account_id)
    else:
        value = "arn:%s:iam::%s:role/%s" % (partition, account_id, role_name)
    found_partition, account, name = parse_role_arn(value)
    if role_arn_value and account_id and account_id != account:
        raise ArnError("the role ARN %s is in account %s, not in %s" % (role_arn_value, account, account_id))
    middle = parse_arn(value).resource.split("/")[1:-1]
    return {"role_arn": value, "partition": found_partition, "account_id": account, "role_name": name,
            "role_path": "/" + "".join(part + "/" for part in middle)}
