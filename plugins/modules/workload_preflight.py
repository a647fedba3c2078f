#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workload_preflight
short_description: Check, read-only, that a manager and an API key are ready for the swp.aws modules
version_added: 0.1.0
description:
  - Runs the checks a user wants to pass against their real Trend Vision One Server & Workload Protection, Cloud One
    Workload Security or Deep Security Manager before the first rollout, and returns a pass/fail table
    (RV(msg) and RV(lines)), on success as on failure.
  - Nothing is written. Every check is a read or a search.
  - "Each check is C(PASS), C(FAIL) or C(NOT VERIFIED): the manager gave no answer to it. A check that is not verified
    does not fail the task; it is never shown as passed."
  - "C(authentication): the API key works. The header style of O(auth_header) is tried first; on HTTP 401 the other
    style is tried, and the check says which one the manager accepts (set O(auth_header) to it). An HTTP 404 (or an
    answer that is not the API's) fails it with the advice that the URL path is wrong (O(url) ends in C(/api)); an
    C(https://) URL answered in plain HTTP is named as such, not as a certificate problem."
  - "C(list_connectors): the key may list AWS connectors (a paged search without criteria, as the modules list)."
  - "C(search_connectors): the key may search AWS connectors on a searchable field (C(accountId))."
  - "C(search_fields): the manager accepts a search on every field the collection searches on (C(accountId),
    C(crossAccountRoleArn), C(accessKey) and the connector C(ID)); a manager that answers
    C(Invalid SearchFilter: unknown fieldName) names the field."
  - "C(write_connectors): the key's role may create and modify AWS connectors, read from the manager, never tried:
    the key's C(roleID) (C(GET /apikeys/current)), then its role (C(GET /roles/{id})) and the role's
    C(rights.platformRights.awsConnectorRights) C(canCreateNewAWSConnectors) and C(canEditAWSConnectorProperties).
    The roles API and these fields are not in the API subset this collection relies on: where the manager does not
    answer (HTTP 403 or 404) or the fields are missing, the check is C(NOT VERIFIED)."
  - "C(read_connector_settings): the key may read C(GET /api/awsconnectorsettings)."
  - "C(manager_external_id): the manager-defined external ID is available: its retrieval is enabled, or
    O(manager_external_id) is given (and, when both, they agree). The ID is never shown."
  - When a check fails the task fails with the table in its message, unless O(fail_on_error=false).
author:
  - swp.aws contributors (@swp-aws)
extends_documentation_fragment:
  - swp.aws.workload
  - swp.aws.workload.attributes
  - swp.aws.workload.info_attributes
options:
  manager_external_id:
    description:
      - The manager-defined external ID, when you read it elsewhere (your secrets store) because its retrieval is
        disabled on the manager. The C(manager_external_id) check then passes without retrieval.
      - Give the same value to M(swp.aws.workload_connector)'s O(swp.aws.workload_connector#module:manager_external_id).
    type: str
  fail_on_error:
    description:
      - Whether a failed check fails the task. With V(false) the task succeeds and RV(passed) says the outcome.
    type: bool
    default: true
seealso:
  - module: swp.aws.workload_extid_info
  - module: swp.aws.workload_connector
  - module: swp.aws.workload_connector_info
"""

EXAMPLES = r"""
- name: Step one, before any rollout - check the manager and the key
  swp.aws.workload_preflight:
    url: "{{ swp_url }}"  # e.g. https://workload.us-1.cloudone.trendmicro.com/api
    api_key: "{{ swp_api_key }}"

- name: Check a Deep Security Manager whose external-ID retrieval is disabled, and only report
  swp.aws.workload_preflight:
    url: "{{ dsm_url }}"  # e.g. https://dsm.example.com:4119/api
    api_key: "{{ dsm_api_key }}"
    auth_header: api-secret-key
    ca_path: "{{ dsm_ca_path }}"  # e.g. /etc/pki/dsm-ca.pem
    manager_external_id: "{{ vault_dsm_external_id }}"
    fail_on_error: false
  register: preflight

- name: Show the table, one line a check
  ansible.builtin.debug:
    var: preflight.lines
"""

RETURN = r"""
passed:
  description: Whether no check failed (a check that is not verified does not count as failed).
  returned: always
  type: bool
  sample: true
checks:
  description: The checks in the order they ran.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The check.
      type: str
      choices: [authentication, list_connectors, search_connectors, search_fields, write_connectors,
                read_connector_settings, manager_external_id]
      sample: authentication
    ok:
      description: Whether it passed; null when it is not verified.
      type: bool
      sample: true
    status:
      description: V(pass), V(fail), or V(not_verified) when the manager gave no answer to the check.
      type: str
      choices: [pass, fail, not_verified]
      sample: pass
    detail:
      description: What was found, and what to do when it failed.
      type: str
      sample: "The API key works with auth_header: authorization (Authorization: ApiKey)."
  sample:
    - name: authentication
      ok: true
      status: pass
      detail: "The API key works with auth_header: authorization (Authorization: ApiKey)."
auth_header:
  description: The header style the manager accepted the key in; null when neither.
  returned: always
  type: str
  sample: authorization
msg:
  description: The table of RV(lines), one line a check, after a head line.
  returned: always
  type: str
  sample: "Preflight of https://workload.us-1.cloudone.trendmicro.com/api: all 7 checks passed.\nPASS  authentication  ..."
lines:
  description: The table as a list, for C(ansible.builtin.debug) (C(var) of it); the head line, then one line a check.
  returned: always
  type: list
  elements: str
  sample:
    - "Preflight of https://workload.us-1.cloudone.trendmicro.com/api: all 7 checks passed."
    - "PASS  authentication             The API key works with auth_header: authorization (Authorization: ApiKey)."
    - "PASS  write_connectors           The key's role 'Full Access' (ID 1) may create and modify AWS connectors."
"""

from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadApiError
from ansible_collections.swp.aws.plugins.module_utils._connector_api import ConnectorApi
from ansible_collections.swp.aws.plugins.module_utils._connector_search import SEARCH_PATH
from ansible_collections.swp.aws.plugins.module_utils._module import WorkloadModule

HEADERS = {"authorization": "Authorization: ApiKey", "api-secret-key": "api-secret-key"}
# The fields the collection searches on, with a criterion that matches nothing.
SEARCH_FIELDS = (
    ("accountId", {"fieldName": "accountId", "stringTest": "equal", "stringValue": "000000000000", "stringWildcards": False}),
    ("crossAccountRoleArn", {"fieldName": "crossAccountRoleArn", "stringTest": "equal",
                             "stringValue": "arn:aws:iam::000000000000:role/swp-preflight", "stringWildcards": False}),
    ("accessKey", {"fieldName": "accessKey", "stringTest": "equal", "stringValue": "AKIAPREFLIGHT0000000", "stringWildcards": False}),
    ("ID", {"idTest": "greater-than", "idValue": 0}),
)
CHECKS = ("authentication", "list_connectors", "search_connectors", "search_fields", "write_connectors",
          "read_connector_settings", "manager_external_id")
PASS = "pass"
FAIL = "fail"
NOT_VERIFIED = "not_verified"
CURRENT_KEY_PATH = "/apikeys/current"
# The rights a role must grant for the modules' writes (GET /roles/{id}, rights.platformRights.awsConnectorRights).
WRITE_RIGHTS = ("canCreateNewAWSConnectors", "canEditAWSConnectorProperties")
NOT_TOLD = ("whether the key may create and modify AWS connectors is not verified. Check that its role has the AWS "
            "connector rights (Administration > User Management > Roles), or the rollout's switches are refused.")
# Errors after which no further call can tell anything.
_FATAL = ("connection", "tls", "timeout", "config", "auth")


class Preflight:
    def __init__(self, module):
        self.module = module
        self.checks = []

    def add(self, name, ok, detail):
        self.checks.append(dict(name=name, ok=bool(ok), status=PASS if ok else FAIL, detail=detail))

    def unverified(self, name, detail):
        """A check the manager gives no answer to: neither passed nor failed."""
        self.checks.append(dict(name=name, ok=None, status=NOT_VERIFIED, detail=detail))

    def authenticate(self):
        """(client, auth_header) the manager accepts the key with, or None (the check says why)."""
        configured = self.module.params["auth_header"]
        other = "api-secret-key" if configured == "authorization" else "authorization"
        client = self.module.client
        try:
            _search_once(client, [])
        except WorkloadApiError as exc:
            if exc.kind in ("not_found", "bad_response"):
                self.add("authentication", False, _wrong_path(client.base_url, exc))
                return None
            if exc.kind not in ("auth", "forbidden"):
                # No answer about the key (unreachable, TLS, throttled, a failing manager): never a pass.
                self.add("authentication", False, "The API key could not be checked. %s" % exc.message)
                return None if exc.kind in _FATAL else (client, configured)
            alternative = self.module.client_for(other)
            try:
                _search_once(alternative, [])
            except WorkloadApiError as exc_other:
                if exc.status == 401:
                    self.add("authentication", False,
                             "The API key was refused in both header styles (%s: HTTP %s; %s: HTTP %s). Check api_key: it "
                             "may be wrong, expired, locked or for another manager."
                             % (HEADERS[configured], exc.status, HEADERS[other], exc_other.status))
                    return None
                # HTTP 403: a known key whose role may not search, or (some managers) an unknown key. The key's own
                # description tells them apart.
                key = _read(client, CURRENT_KEY_PATH)
                if isinstance(key, dict):
                    self.add("authentication", True,
                             "The API key works with auth_header: %s (%s), but the manager answered HTTP 403 to a search "
                             "of AWS connectors: its role may not search them (see below)." % (configured, HEADERS[configured]))
                else:
                    self.add("authentication", False,
                             "The manager answered HTTP 403 in both header styles and would not describe the key: the API "
                             "key is wrong, expired or locked (a manager that answers 403 to an unknown key), or its role "
                             "may not search AWS connectors. Check api_key and the key's role.")
                return client, configured
            self.add("authentication", False,
                     "The API key is refused with auth_header: %s (%s, HTTP %s) and works with auth_header: %s (%s): set "
                     "auth_header: %s." % (configured, HEADERS[configured], exc.status, other, HEADERS[other], other))
            return alternative, other
        self.add("authentication", True, "The API key works with auth_header: %s (%s)." % (configured, HEADERS[configured]))
        return client, configured

    def connectors(self, client):
        try:
            # One page of one connector: the listing the modules do, without reading the whole fleet.
            _search_once(client, [])
            self.add("list_connectors", True, "The API key may list AWS connectors.")
        except WorkloadApiError as exc:
            self.add("list_connectors", False, exc.message)
        refused = []
        for index, (field, criterion) in enumerate(SEARCH_FIELDS):
            try:
                _search_once(client, [criterion])
            except WorkloadApiError as exc:
                if index == 0:
                    self.add("search_connectors", False, exc.message)
                refused.append("%s (HTTP %s: %s)" % (field, exc.status, exc.server_message or "empty body"))
                continue
            if index == 0:
                self.add("search_connectors", True, "The API key may search AWS connectors (on accountId).")
        if refused:
            self.add("search_fields", False, "The manager refused a search on %s. The swp.aws modules search on these "
                     "fields; report the manager's version with this message." % "; ".join(refused))
        else:
            self.add("search_fields", True, "The manager accepts searches on %s."
                     % ", ".join(field for field, dummy in SEARCH_FIELDS))

    def write_rights(self, client):
        """May the key's role create and modify AWS connectors? Read from its role, never tried."""
        name = "write_connectors"
        try:
            key = client.get(CURRENT_KEY_PATH)
        except WorkloadApiError as exc:
            self.unverified(name, "The manager does not describe the API key (GET %s: HTTP %s): %s"
                            % (CURRENT_KEY_PATH, exc.status, NOT_TOLD))
            return
        role_id = key.get("roleID") if isinstance(key, dict) else None
        if not isinstance(role_id, int) or isinstance(role_id, bool):
            self.unverified(name, "The manager's description of the API key names no roleID: %s" % NOT_TOLD)
            return
        path = "/roles/%d" % role_id
        try:
            role = client.get(path)
        except WorkloadApiError as exc:
            self.unverified(name, "The manager does not let the key read its role (GET %s: HTTP %s%s): %s"
                            % (path, exc.status, "" if exc.status else ", " + exc.kind, NOT_TOLD))
            return
        rights = _dig(role, "rights", "platformRights", "awsConnectorRights")
        label = "role %s" % (("'%s' (ID %d)" % (role["name"], role_id)) if isinstance(role, dict)
                             and isinstance(role.get("name"), str) else "ID %d" % role_id)
        flags = {field: rights.get(field) for field in WRITE_RIGHTS} if isinstance(rights, dict) else {}
        if not flags or not all(isinstance(value, bool) for value in flags.values()):
            self.unverified(name, "The key's %s does not state its AWS connector rights: %s" % (label, NOT_TOLD))
            return
        missing = [field for field, value in flags.items() if not value]
        if missing:
            self.add(name, False, "The key's %s may not create or modify AWS connectors (%s: false): every switch and "
                     "create would be refused after the trust policies were widened. Use a key whose role has the AWS "
                     "connector rights (Administration > User Management > Roles)." % (label, ", ".join(missing)))
            return
        self.add(name, True, "The key's %s may create and modify AWS connectors." % label)

    def settings(self, client):
        supplied = self.module.params["manager_external_id"]
        try:
            manager_id = ConnectorApi(client).manager_external_id()
        except WorkloadApiError as exc:
            self.add("read_connector_settings", False, exc.message)
            self.add("manager_external_id", bool(supplied), "The manager-defined external ID cannot be read; %s"
                     % ("manager_external_id is given, so the modules use it." if supplied else
                        "give manager_external_id (from your secrets store), or let the key read /awsconnectorsettings."))
            return
        if manager_id is None:
            self.add("read_connector_settings", bool(supplied),
                     "GET /awsconnectorsettings is refused because retrieval of the AWS external ID is disabled on the "
                     "manager (Administration > System Settings > Security)%s."
                     % ("; manager_external_id is given instead" if supplied else
                        ": enable it, or give manager_external_id from your secrets store"))
            self.add("manager_external_id", bool(supplied), "Retrieval is disabled; %s" % (
                "manager_external_id is given, so the modules use it." if supplied else "manager_external_id is not given."))
            return
        self.add("read_connector_settings", True, "The API key may read /awsconnectorsettings.")
        if supplied and supplied != manager_id:
            self.add("manager_external_id", False, "manager_external_id differs from the manager-defined external ID the "
                     "manager returns (neither is shown): correct it, or leave it out.")
        else:
            self.add("manager_external_id", True, "Retrieval of the manager-defined external ID is enabled%s."
                     % (" and manager_external_id matches it" if supplied else ""))


def _read(client, path):
    """A GET whose failure only means "no answer": the body, or None."""
    try:
        return client.get(path)
    except WorkloadApiError:
        return None


def _dig(value, *keys):
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _wrong_path(base_url, exc):
    """The sentence for a url whose path is not the API root (an HTTP 404, or an answer that is not the API's)."""
    answer = "HTTP 404" if exc.status == 404 else "an answer that is not the API's (HTTP %s)" % exc.status
    return ("The URL path is wrong: %s %s answered %s, so %s is not the API root. url must be the API root, ending "
            "in /api, for example https://workload.us-1.cloudone.trendmicro.com/api or https://dsm.example.com:4119/api."
            % (exc.method or "POST", exc.path or SEARCH_PATH, answer, base_url))


def _search_once(client, criteria):
    """One search of at most one connector: what the modules do, without reading the whole fleet."""
    page = client.post(SEARCH_PATH, {"maxItems": 1, "searchCriteria": criteria, "sortByObjectID": True}, read=True) or {}
    if not isinstance(page.get("awsConnectors"), list):
        raise WorkloadApiError("POST %s answered without an awsConnectors list: check that url points at the API."
                               % SEARCH_PATH, "POST", SEARCH_PATH, 200, None, kind="bad_response")
    return page["awsConnectors"]


def table_lines(url, checks):
    """The head line and one line a check: status, name, detail."""
    failed = [c for c in checks if c["status"] == FAIL]
    unverified = [c for c in checks if c["status"] == NOT_VERIFIED]
    if failed:
        head = "Preflight of %s: %d of %d checks failed" % (url, len(failed), len(checks))
    elif unverified:
        head = "Preflight of %s: %d of %d checks passed" % (url, len(checks) - len(unverified), len(checks))
    else:
        head = "Preflight of %s: all %d checks passed" % (url, len(checks))
    head += (", %d not verified (%s)." % (len(unverified), ", ".join(c["name"] for c in unverified))
             if unverified else ".")
    labels = {PASS: "PASS", FAIL: "FAIL", NOT_VERIFIED: "NOT VERIFIED"}
    status_width = max(len(labels[c["status"]]) for c in checks) if checks else 0
    width = max(len(c["name"]) for c in checks) if checks else 0
    return [head] + ["%-*s  %-*s  %s" % (status_width, labels[c["status"]], width, c["name"], c["detail"]) for c in checks]


def table(url, checks):
    return "\n".join(table_lines(url, checks))


def core(module):
    preflight = Preflight(module)
    authenticated = preflight.authenticate()
    header = None
    if authenticated is None:
        for name in CHECKS[1:]:
            preflight.add(name, False, "Not run: the manager did not accept the API key or could not be reached.")
    else:
        client, header = authenticated
        preflight.connectors(client)
        preflight.write_rights(client)
        preflight.settings(client)
    passed = all(c["status"] != FAIL for c in preflight.checks)
    lines = table_lines(module.client.base_url, preflight.checks)
    result = dict(changed=False, passed=passed, checks=preflight.checks, auth_header=header, lines=lines,
                  msg="\n".join(lines))
    if not passed and module.params["fail_on_error"]:
        module.fail_json(**result)
    return result


def main():
    module = WorkloadModule(
        argument_spec=dict(
            manager_external_id=dict(type="str", no_log=True),
            fail_on_error=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    module.run(core)


if __name__ == "__main__":
    main()
