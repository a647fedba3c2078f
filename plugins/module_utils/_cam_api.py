# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read the AWS accounts of Vision One Cloud Accounts (CAM); for internal use. Read-only: nothing here writes.

``CamApi(client, prefix, page_size).list()`` pages through ``GET /<prefix>/cam/awsAccounts`` by ``nextLink``;
``get(account_id)`` reads one account, and proves an absence (a 404) by a listing call on the same path, since a
404 of a path prefix the region does not serve looks the same. With ``prefix="auto"`` the prefixes v3.0, beta
and beta/xdr are tried in turn, on 404 only. ``to_snake`` gives a record the shape the modules return.
"""

from __future__ import annotations

from ansible_collections.swp.aws.plugins.module_utils._arn import is_account_id
from ansible_collections.swp.aws.plugins.module_utils._cam_join import cam_state
from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadApiError
from ansible_collections.swp.aws.plugins.module_utils._vision_one_client import PREFIXES

AUTO = "auto"
MAX_PAGES = 10000


def collection_path(prefix):
    return "/%s/cam/awsAccounts" % prefix


def _snake_features(features):
    result = []
    for feature in features if isinstance(features, list) else []:
        if isinstance(feature, dict):
            result.append({"id": feature.get("id"), "regions": feature.get("regions"),
                           "missing_aws_permissions": feature.get("missingAwsPermissions")})
    return result


def _snake_services(services):
    result = []
    for service in services if isinstance(services, list) else []:
        if isinstance(service, dict):
            result.append({"name": service.get("name"), "instance_ids": service.get("instanceIds")})
    return result


def to_snake(record):
    """A CAM account as the modules return it (snake_case), with ``standing``, the label cam_state gives it."""
    return {
        "account_id": record.get("id"),
        "name": record.get("name"),
        "description": record.get("description"),
        "role_arn": record.get("roleArn") or None,
        "state": record.get("state"),
        "sources": list(record["sources"]) if isinstance(record.get("sources"), list) else [],
        "features": _snake_features(record.get("features")),
        "connected_security_services": _snake_services(record.get("connectedSecurityServices")),
        "created_date_time": record.get("createdDateTime"),
        "last_modified_date_time": record.get("lastModifiedDateTime"),
        "standing": cam_state(record),
    }


class CamApi:
    """The CAM AWS accounts of one Vision One region, through a VisionOneClient."""

    def __init__(self, client, prefix="v3.0", page_size=100):
        if prefix != AUTO and prefix not in PREFIXES:
            raise WorkloadApiError("api_prefix %r is not one of %s." % (prefix, ", ".join(PREFIXES + (AUTO,))), kind="config")
        if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 1000:
            raise WorkloadApiError("page_size must be between 1 and 1000, got %r." % (page_size,), kind="config")
        self.client = client
        self.page_size = page_size
        self._candidates = PREFIXES if prefix == AUTO else (prefix,)
        self.prefix = None if prefix == AUTO else prefix

    def _first_page(self, prefix, top):
        return self.client.get(collection_path(prefix), params={"top": top})

    def _each_prefix(self, call):
        """``call(prefix)`` for each candidate prefix until one answers other than 404; the answer and the prefix."""
        last = None
        for prefix in self._candidates:
            try:
                answer = call(prefix)
            except WorkloadApiError as exc:
                if exc.kind != "not_found":
                    raise
                last = exc
                continue
            self.prefix = prefix
            return answer
        if len(self._candidates) > 1:
            raise last.rephrased("None of the Cloud Accounts paths answered (%s, each HTTP 404): check url (the region's "
                                 "API host) and that the region offers Cloud Accounts." % ", ".join(
                                     collection_path(p) for p in self._candidates), kind="not_found") from None
        raise last.rephrased("%s The Cloud Accounts path %s does not answer here: try api_prefix: auto (or beta), and "
                             "check url." % (last.message, collection_path(self._candidates[0])), kind="not_found") from None

    @staticmethod
    def _items(answer, path):
        if not isinstance(answer, dict) or not isinstance(answer.get("items"), list) \
                or not all(isinstance(item, dict) for item in answer["items"]):
            raise WorkloadApiError("GET %s: the answer is not a listing ({\"items\": [...]}), so nothing can be said about "
                                   "the accounts: check url and api_prefix." % path, "GET", path, kind="bad_response")
        link = answer.get("nextLink")
        if link is not None and not (isinstance(link, str) and link):
            raise WorkloadApiError("GET %s: the answer's nextLink is not a link, so the listing may be incomplete."
                                   % path, "GET", path, kind="bad_response")
        return answer["items"], link

    def list(self):
        """Every CAM AWS account, in the order the API lists them (the raw records)."""
        answer = self._each_prefix(lambda prefix: self._first_page(prefix, self.page_size))
        path = collection_path(self.prefix)
        items, link = self._items(answer, path)
        found = list(items)
        seen = set()
        while link:
            if link in seen or len(seen) >= MAX_PAGES:
                raise WorkloadApiError("GET %s: the API answered the same nextLink twice, so the listing never ends: "
                                       "it is incomplete, and nothing is returned." % path, "GET", path, kind="bad_response")
            seen.add(link)
            items, link = self._items(self.client.get_link(link), path)
            found.extend(items)
        return found

    def get(self, account_id):
        """The CAM record of one AWS account, or None when CAM proves it has none."""
        if not is_account_id(account_id):
            raise WorkloadApiError("account_id %r is not an AWS account ID (12 digits; quote it in YAML so leading zeros "
                                   "stay)." % (account_id,), kind="config")

        def read(prefix):
            path = "%s/%s" % (collection_path(prefix), account_id)
            try:
                return ("found", self.client.get(path))
            except WorkloadApiError as exc:
                if exc.kind != "not_found":
                    raise
            # The account's 404, or the path's? A listing on the same path tells them apart (it raises 404 too when
            # the path is wrong, and _each_prefix moves on).
            self._first_page(prefix, 1)
            return ("absent", None)

        what, record = self._each_prefix(read)
        if what == "absent":
            return None
        if not isinstance(record, dict) or record.get("id") != account_id:
            path = "%s/%s" % (collection_path(self.prefix), account_id)
            raise WorkloadApiError("GET %s: the answer is not the account %s, so nothing can be said about it."
                                   % (path, account_id), "GET", path, kind="bad_response")
        return record
