# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS connector calls of the swp.aws modules, their messages and the wait for a synchronization, for internal use.

The one home of connector I/O: find a connector by each key, list, search, create, modify,
delete and wait for a synchronization. Beside the calls are the sentences their failures say
(a refused write, several connectors that match, a synchronization that did not come), what
proves a synchronization after a write (``SyncProof``, pure) and the delays between polls.
Which criteria and what to send are decided in ``_connector_search`` and ``_connector_plan``;
this module talks to the API. Errors are raised anew with a sentence that says what to do
(``raise ... from``).
"""

from __future__ import annotations

import time

from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadApiError
from ansible_collections.swp.aws.plugins.module_utils._connector_model import ConnectorError, is_number, iso_utc
from ansible_collections.swp.aws.plugins.module_utils._connector_search import (
    SEARCH_PATH, describe_criteria, local_match, lookup_criteria, search_all, string_criterion)
from ansible_collections.swp.aws.plugins.module_utils._masking import censor_external_ids
from ansible_collections.swp.aws.plugins.module_utils._settings import get_manager_external_id

CONNECTORS_PATH = "/awsconnectors"
DEFAULT_PAGE_SIZE = 1000


# Statuses that say something other than "the manager would not do this with that role": a bad key,
# a missing connector, a conflict, throttling, and a gateway that never reached the manager.
_NOT_REFUSALS = (401, 404, 409, 429, 502, 503, 504)


def ambiguity_message(criteria, connectors, match=None):
    ids = ", ".join(str(c.get("ID")) for c in connectors)
    return ("%d AWS connectors match %s (IDs %s): give id to choose one, or delete the duplicates."
            % (len(connectors), describe_criteria(criteria, match), ids))


def is_refusal(status):
    """Whether an error status of a create or modify may be the manager refusing it (it cannot assume the role).

    The status is not documented: 400, 403 or an older manager's 500. A bad key (401), a missing
    connector (404), a conflict (409), throttling and gateway errors are something else.
    """
    return isinstance(status, int) and 400 <= status < 600 and status not in _NOT_REFUSALS


def refusal_message(action, connector, body, said, status=400, known_ids=()):
    """The error of a create or modify that the manager refused, naming the role when there is one.

    ``action`` is a verb phrase ("create", "switch to the manager-defined external ID"...), ``said`` the
    server's message (external IDs in it are masked: ``known_ids`` and any token quoted as an external ID).
    """
    body = body or {}
    connector = connector or {}
    arn = body.get("crossAccountRoleArn") or connector.get("crossAccountRoleArn")
    what = "AWS connector %s" % connector["ID"] if connector.get("ID") is not None else "a new AWS connector"
    said = censor_external_ids(said, known_ids) if said else "empty body"
    head = "The manager refused to %s %s (HTTP %s: %s)." % (action, what, status, said)
    key = (" An HTTP 403 may also mean that the API key may not create or modify AWS connectors: give its role that "
           "permission." if status == 403 else "")
    if not arn:
        return head + key + " The connector is unchanged."
    if body.get("crossAccountRoleArn"):
        # A create, an ARN change and the switch all make the manager assume the role with its own external ID.
        return ("%s It could not assume role %s with the manager-defined external ID: the role's trust policy must trust "
                "the manager's AWS principal and accept the manager-defined external ID first (read it with "
                "swp.aws.workload_extid_info; while switching, keep the current ID in the policy too), then run the task "
                "again.%s The connector is unchanged." % (head, arn, key))
    return ("%s It could not assume role %s with the external ID the connector uses: check the role's trust policy.%s "
            "The connector is unchanged." % (head, arn, key))


def sync_failure_message(connector, since, timeout, changed, seen=None):
    """The error of a synchronization that did not come within ``timeout`` seconds.

    ``seen`` is the lastSyncTime of a synchronization that was seen but not proven to come after the update
    (see SyncProof), None when none was seen.
    """
    cid = connector.get("ID")
    arn = connector.get("crossAccountRoleArn")
    role = " (role %s)" % arn if arn else ""
    last = iso_utc(since) or "never"
    done = "The update was applied; only" if changed else "Nothing was changed;"
    if seen is not None and is_number(seen) and seen > (since or 0):
        head = ("AWS connector %s%s did not synchronize within %s seconds of the request, as far as the manager's answers "
                "prove: its last successful synchronization (lastSyncTime) moved from %s to %s, but the manager may have "
                "made that one on its own schedule before the update, and none came after the manager's answer to the "
                "update." % (cid, role, timeout, last, iso_utc(seen)))
    else:
        head = ("AWS connector %s%s did not synchronize within %s seconds of the request: its last successful "
                "synchronization (lastSyncTime) stayed at %s." % (cid, role, timeout, last))
    return ("%s %s the synchronization is missing. This module does not edit trust policies, "
            "so the role's trust policy was left as it was: keep it accepting the external ID the connector used before "
            "until a synchronization succeeds, check that the manager can assume the role, then run the task again "
            "(or raise sync_timeout)." % (head, done))


class SyncProof:
    """Whether the lastSyncTime the manager shows proves a synchronization after a write (pure, no I/O).

    ``before`` is the connector's lastSyncTime known before the write (listed or read; 0 for a new connector).
    ``strict`` says the write changed the connector (an update, the switch): a synchronization then counts only
    when it is proven to come after the write, since one the manager made on its own schedule between the
    listing (or the read) and the write shows a lastSyncTime newer than ``before`` too. Without a change (a
    synchronization alone, a new connector) any lastSyncTime past ``before`` counts.

    A strict synchronization is proven by either of:

    - order: a lastSyncTime greater than the one in the first answer the manager gave after the write (the
      write's own answer, else the first read after it). That answer shows the connector as it was after the
      write, every earlier synchronization included; lastSyncTime never goes back, so a greater one was
      recorded later.
    - the manager's clock: a lastSyncTime more than one second past ``answer_date``, the HTTP Date (whole
      seconds) of the write's answer. The Date is at most one second before the answer was sent (whether the
      manager truncates or rounds it), and the answer is sent after the write was carried out.

    A synchronization that the write's own answer already shows (a manager that synchronizes before it answers)
    is newer than ``before`` but cannot be told from one the manager made on its own just before the write:
    :attr:`unproven` is then set, and the caller asks for one more synchronization, which the order proves.
    """

    def __init__(self, before, strict, answer_date=None):
        self.before = before if is_number(before) else 0
        self.strict = bool(strict)
        # One millisecond more absorbs a lastSyncTime rounded to the millisecond rather than truncated.
        self.clock = None if not is_number(answer_date) else (int(answer_date) + 1) * 1000 + 1
        self.mark = None
        self.latest = self.before

    def observe(self, connector):
        """Whether ``connector``, as an answer the manager gave after the write, proves a synchronization after it.

        Anything but a connector (a dict with its ID) is no answer about it, and changes nothing.
        """
        if not isinstance(connector, dict) or connector.get("ID") is None:
            return False
        value = connector.get("lastSyncTime")
        value = value if is_number(value) else 0
        self.latest = max(self.latest, value)
        if not self.strict:
            return value > self.before
        if self.clock is not None and value >= self.clock:
            return True
        if self.mark is None:
            # An answer older than what was known before the write is not the connector after it: not a mark.
            if value >= self.before:
                self.mark = value
            return False
        return value > self.mark

    @property
    def unproven(self):
        """The lastSyncTime of a synchronization seen since the write whose order to it is not proven, or None."""
        if self.strict and self.latest > self.before:
            return self.latest
        return None

    @property
    def ambiguous(self):
        """Whether the first answer after the write shows a synchronization newer than ``before``, perhaps one made
        before the write: only one more synchronization, asked for now, can prove one after it."""
        return self.strict and self.mark is not None and self.mark > self.before


def poll_delays(timeout, first=0.5, factor=2.0, cap=5.0):
    """Seconds to sleep between polls, backing off from ``first`` to ``cap``, summing to ``timeout`` at most."""
    delays = []
    left = float(timeout)
    delay = first
    while left > 1e-9:
        step = min(delay, cap, left)
        delays.append(step)
        left -= step
        delay *= factor
    return delays


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
