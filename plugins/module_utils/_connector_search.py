# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWS connector search of the swp.aws modules: the criteria the options give, and paging, for internal use.

This module is private to the swp.aws collection: its API may change without notice.
It is pure (standard library only, no Ansible or HTTP import): which searchFilter finds the
connector an option names, what is matched locally because the API cannot search it, the
criteria in words, and paging by ID over a ``search`` callable that makes the one call.
"""

from __future__ import annotations

from ansible_collections.swp.aws.plugins.module_utils._connector_model import FIELDS, ConnectorError

__all__ = ["SEARCH_PATH", "MAX_PAGE_SIZE", "SEARCHABLE_FIELDS", "option_given", "string_criterion", "lookup_criteria",
           "local_match", "info_criteria", "info_local_match", "matches", "describe_criteria", "search_filter",
           "check_page_size", "search_all"]


SEARCH_PATH = "/awsconnectors/search"
MAX_PAGE_SIZE = 5000
"""The API's maxItems ceiling for one search call."""
SEARCHABLE_FIELDS = ("accountId", "accountAlias", "accessKey", "seedRegion", "crossAccountRoleArn", "lastSyncTime",
                     "workspacesEnabled", "ID")
"""The properties the spec marks "Searchable as"; displayName and useInstanceRole are not, so they are matched locally."""


def option_given(params, name):
    """Whether an option was set (a false boolean counts as not set)."""
    value = params.get(name)
    return value is not None and value is not False and value != ""


def string_criterion(field, value):
    """A search criterion: the string field equals ``value`` exactly."""
    # Wildcards off: role ARNs and names may contain "_", which the API would otherwise match as any character.
    return {"fieldName": field, "stringTest": "equal", "stringValue": value, "stringWildcards": False}


def lookup_criteria(params):
    """Search criteria that find the connector of swp.aws.workload_connector: by id, else role ARN, else account, else key."""
    if params.get("id") is not None:
        return [{"idTest": "equal", "idValue": params["id"]}]
    if params.get("cross_account_role_arn"):
        return [string_criterion("crossAccountRoleArn", params["cross_account_role_arn"])]
    if params.get("account_id"):
        return [string_criterion("accountId", params["account_id"])]
    if params.get("access_key"):
        return [string_criterion("accessKey", params["access_key"])]
    return []


def local_match(params):
    """What swp.aws.workload_connector matches locally, beyond ``lookup_criteria``: {API property: value}.

    useInstanceRole is not searchable, so the instance-role connector is found in a listing.
    """
    if params.get("id") is None and not params.get("cross_account_role_arn") and not params.get("account_id") \
            and not option_given(params, "access_key") and params.get("use_instance_role"):
        return {"useInstanceRole": True}
    return {}


def info_criteria(params):
    """Server-side criteria of swp.aws.workload_connector_info's filters (ANDed); an empty list lists every connector."""
    criteria = []
    if params.get("id") is not None:
        criteria.append({"idTest": "equal", "idValue": params["id"]})
    for option, field in (("account_id", "accountId"), ("cross_account_role_arn", "crossAccountRoleArn")):
        if params.get(option) is not None:
            criteria.append(string_criterion(field, params[option]))
    return criteria


def info_local_match(params):
    """The filters of swp.aws.workload_connector_info that are not searchable, matched locally (exactly)."""
    return {"displayName": params["display_name"]} if params.get("display_name") is not None else {}


def matches(connector, match):
    """Whether a connector has every property of ``match`` (exact, case-sensitive; booleans as booleans)."""
    for prop, value in match.items():
        have = connector.get(prop)
        if isinstance(value, bool):
            have = bool(have)
        if have != value:
            return False
    return True


def describe_criteria(criteria, match=None):
    """Criteria (and local matches) in words, for messages: ``cross_account_role_arn=arn:...``."""
    names = dict((api, option) for api, option in FIELDS)
    parts = []
    for prop, value in (match or {}).items():
        parts.append("%s=%s" % (names.get(prop, prop), str(value).lower() if isinstance(value, bool) else value))
    for criterion in criteria:
        if "idTest" in criterion:
            parts.append("id=%s" % criterion.get("idValue"))
        elif "booleanTest" in criterion:
            parts.append("%s=%s" % (names.get(criterion["fieldName"], criterion["fieldName"]), str(criterion["booleanTest"]).lower()))
        else:
            parts.append("%s=%s" % (names.get(criterion["fieldName"], criterion["fieldName"]), criterion.get("stringValue")))
    return ", ".join(parts) or "no filter"


def search_filter(criteria, page_size, after_id=None):
    """The searchFilter of one page: sorted by ID, the IDs above ``after_id``."""
    page_criteria = list(criteria)
    if after_id is not None:
        page_criteria.append({"idTest": "greater-than", "idValue": after_id})
    return {"maxItems": page_size, "searchCriteria": page_criteria, "sortByObjectID": True}


def check_page_size(page_size):
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ConnectorError("page_size must be between 1 and %d (the API's maxItems limit), got %s."
                             % (MAX_PAGE_SIZE, page_size))


def search_all(search, criteria, page_size=1000, match=None):
    """Every connector matching ``criteria`` (and, locally, ``match``), one ``search(search_filter)`` call per page.

    ``search`` sends one searchFilter and returns the list of connectors it found. Pages are sorted by ID
    and each asks for the IDs above the last one seen, so a connector created or deleted between pages
    never makes another one skipped or repeated. Paging stops at the first page shorter than
    ``page_size``, so N connectors cost N // page_size + 1 calls.
    """
    check_page_size(page_size)
    found = []
    after_id = None
    while True:
        page = search(search_filter(criteria, page_size, after_id))
        if not isinstance(page, list):
            raise ConnectorError("The connector search answered without an awsConnectors list.")
        found.extend(c for c in page if not match or (isinstance(c, dict) and matches(c, match)))
        if len(page) < page_size:
            return found
        ids = [c.get("ID") for c in page if isinstance(c, dict)]
        if len(ids) != len(page) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ConnectorError("The connector search answered connectors without an integer ID; paging is impossible.")
        top = max(ids)
        if after_id is not None and top <= after_id:
            # A server that ignores the ID criterion would page forever.
            raise ConnectorError("The connector search did not honour idTest greater-than %s; stopped paging." % after_id)
        after_id = top
