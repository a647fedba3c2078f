# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS connector calls of the swp.aws modules, for internal use.

The one home of connector I/O: find a connector by each key, list, search, create, modify,
delete and wait for a synchronization. Every decision (which criteria, what to send, what a
refusal means) is a pure function of ``_connectors``; this module only talks to the API.
Errors are raised anew with a sentence that says what to do (``raise ... from``).
"""

from __future__ import annotations

import time

from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadApiError
from ansible_collections.swp.aws.plugins.module_utils._connectors import (
    SEARCH_PATH, ConnectorError, ambiguity_message, is_refusal, local_match, lookup_criteria, poll_delays,
    refusal_message, search_all, string_criterion)
from ansible_collections.swp.aws.plugins.module_utils._masking import censor_external_ids
from ansible_collections.swp.aws.plugins.module_utils._settings import get_manager_external_id

CONNECTORS_PATH = "/awsconnectors"
DEFAULT_PAGE_SIZE = 1000


def connector_path(cid):
    return "%s/%d" % (CONNECTORS_PATH, cid)


class _RefusalRetry:
    """Backoff for a refused call that sent a role ARN: 1, 2, 4... (at most 10) seconds, within ``seconds`` in all."""

    def __init__(self, body, seconds):
        self.deadline = time.monotonic() + (seconds if body.get("crossAccountRoleArn") else 0)
        self.delay = 1.0

    def allows(self, exc):
        """Whether ``exc`` is a refusal that may be tried again before the deadline."""
        return is_refusal(exc.status) and time.monotonic() + self.delay <= self.deadline

    def wait(self):
        time.sleep(self.delay)
        self.delay = min(self.delay * 2, 10.0)


class ConnectorApi:
    """Connector calls over one :class:`WorkloadClient`."""

    def __init__(self, client, page_size=DEFAULT_PAGE_SIZE):
        self.client = client
        self.page_size = page_size

    # ------------------------------------------------------------ read

    def search(self, criteria=(), match=None, page_size=None):
        """Every connector matching the server-side ``criteria`` and, locally, ``match``, paged by ID."""
        def one_page(search_filter):
            return (self.client.post(SEARCH_PATH, search_filter, read=True) or {}).get("awsConnectors")
        return search_all(one_page, list(criteria), page_size or self.page_size, match)

    def list(self, page_size=None):
        """Every connector, sorted by ID."""
        return self.search([], None, page_size)

    def describe(self, cid):
        """The connector with this ID, or None when there is none."""
        try:
            return self.client.get(connector_path(cid))
        except WorkloadApiError as exc:
            if exc.status == 404:
                return None
            raise

    def find(self, criteria, match=None):
        """The one connector matching, or None; ConnectorError naming their IDs when several match."""
        found = self.search(criteria, match)
        if len(found) > 1:
            raise ConnectorError(ambiguity_message(criteria, found, match))
        return found[0] if found else None

    def find_by_role_arn(self, arn):
        return self.find([string_criterion("crossAccountRoleArn", arn)])

    def find_by_account(self, account_id):
        return self.find([string_criterion("accountId", account_id)])

    def find_by_access_key(self, access_key):
        return self.find([string_criterion("accessKey", access_key)])

    def find_instance_role(self):
        # useInstanceRole is not searchable: a listing, matched locally.
        return self.find([], {"useInstanceRole": True})

    def find_by_display_name(self, name):
        # displayName is not searchable either.
        return self.find([], {"displayName": name})

    def find_for(self, params):
        """The connector swp.aws.workload_connector's options point at: by ID (described), else searched for."""
        if params.get("id") is not None:
            return self.describe(params["id"])
        return self.find(lookup_criteria(params), local_match(params))

    # ------------------------------------------------------------ write

    def create(self, body, criteria, match=None, known_ids=(), retry_for=0.0):
        """Create a connector; after a lost answer, search before creating again (once), so there is never a duplicate.

        A refusal of a role connector is tried again for ``retry_for`` seconds, as in :meth:`modify` (a role
        created or edited a moment ago may not be assumable yet); after an ambiguous 5xx the search comes first.
        """
        retry = _RefusalRetry(body, retry_for)
        lost = 0
        while True:
            try:
                return self.client.post(CONNECTORS_PATH, body, idempotent=False)
            except WorkloadApiError as exc:
                if exc.kind == "timeout" or exc.status in (502, 504):
                    created = self.find(criteria, match)
                    if created is not None:
                        return created
                    lost += 1
                    if lost == 2:
                        raise
                    continue
                if not retry.allows(exc):
                    raise self._refused(exc, "create", None, body, known_ids) from exc
                if exc.status >= 500:
                    created = self.find(criteria, match)
                    if created is not None:
                        return created
                retry.wait()

    def modify(self, connector, body, sync=False, verb="update", retry_for=0.0, known_ids=()):
        """POST the changed properties (``?sync=true`` to synchronize); returns the connector the manager answered.

        A refusal of a call that sends a role ARN is tried again for ``retry_for`` seconds, whatever its
        status (IAM is eventually consistent: right after a trust-policy edit the manager may not be able to
        assume the role yet). A bad key, a missing connector and a conflict are never retried.
        """
        params = {"sync": "true"} if sync else None
        retry = _RefusalRetry(body, retry_for)
        while True:
            try:
                return self.client.post(connector_path(connector["ID"]), body, params=params)
            except WorkloadApiError as exc:
                if not retry.allows(exc):
                    raise self._refused(exc, verb, connector, body, known_ids) from exc
                retry.wait()

    def delete(self, cid):
        """Delete a connector; False when it was not there (deleted meanwhile)."""
        try:
            self.client.delete(connector_path(cid))
        except WorkloadApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    @staticmethod
    def _refused(exc, verb, connector, body, known_ids):
        """A refused create or modify with the sentence that names the role and says what to do."""
        arn = (body or {}).get("crossAccountRoleArn") or (connector or {}).get("crossAccountRoleArn")
        if exc.status == 400 or (arn and is_refusal(exc.status)):
            refused = exc.rephrased(refusal_message(verb, connector, body, exc.server_message, exc.status, known_ids), "refused")
            # The manager may quote the external ID it tried: never pass it on.
            refused.server_message = censor_external_ids(exc.server_message, known_ids)
            return refused
        return exc

    # ------------------------------------------------------------ sync

    def wait_for_sync(self, connector, proof, timeout, answered=True):
        """Poll GET /awsconnectors/{id} until ``proof`` (a SyncProof) is satisfied; returns (synced, latest connector).

        ``connector`` is the write's answer (``answered``), checked first: a manager that synchronizes before it
        answers costs no poll. When that answer shows a synchronization that may have come before the write
        (``proof.ambiguous``), one more is asked for at once, with an update that sends nothing, and its answer
        checked; this happens once.
        """
        asked_again = False
        for delay in [0] + poll_delays(timeout):
            if delay:
                time.sleep(delay)
                read = self.client.get(connector_path(connector["ID"]))
                if read:
                    connector, answered = read, True
            if answered and proof.observe(connector):
                return True, connector
            answered = False
            if proof.ambiguous and not asked_again:
                asked_again = True
                again = self.modify(connector, {}, True, "synchronize")
                if again:
                    connector = again
                    if proof.observe(connector):
                        return True, connector
        return False, connector

    # ------------------------------------------------------------ settings

    def manager_external_id(self, supplied=None):
        """The manager-defined external ID: ``supplied`` when given, else read; None when its retrieval is disabled."""
        if supplied:
            return supplied
        try:
            return get_manager_external_id(self.client)
        except WorkloadApiError as exc:
            if exc.kind == "retrieval_disabled":
                return None
            raise
