#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workload_connector
short_description: Create, update, switch to the manager-defined external ID, synchronize or delete an AWS connector
version_added: 0.1.0
description:
  - Manages one AWS connector of Trend Vision One Server & Workload Protection, Cloud One Workload Security or
    Deep Security Manager.
  - "The connector is found by O(id), else by O(cross_account_role_arn), else by O(account_id), else by O(access_key),
    else (with O(use_instance_role=true)) as the instance-role connector; the manager does the search. When more than
    one connector matches, the task fails and names their IDs: give O(id) to choose."
  - A connector reaches its AWS account through a cross-account role (O(cross_account_role_arn)), an access key
    (O(access_key) and O(secret_key)) or the manager's own instance role (O(use_instance_role)).
  - Only the properties that differ are sent. C(changed) says whether a setting of the connector changed, and
    C(--diff) shows the settings before and after (never a secret).
  - The options are checked before any call is made. A malformed role ARN, a role of another account than
    O(account_id), a key together with a role, a secret without a key and an instance role together with a role or
    a key are errors, and nothing is sent.
  - A create that gets no answer (a timeout) is never repeated blindly. The module first searches for the connector,
    and creates it again, once, only when it is not there. No duplicate connector is made.
author:
  - swp.aws contributors (@swp-aws)
extends_documentation_fragment:
  - swp.aws.workload
  - swp.aws.workload.attributes
attributes:
  check_mode:
    support: full
    description:
      - In check mode the module reads the connector and reports what it would change and what the connector would
        be, writing nothing. It does not ask for a synchronization.
  diff_mode:
    support: full
    description: Shows the connector's settings before and after, in snake_case; a secret key never appears.
options:
  state:
    description:
      - V(present) creates the connector, or updates it to match the options.
      - V(absent) deletes it. A connector that is not there (or that disappears meanwhile) is no change.
    type: str
    choices: [present, absent]
    default: present
  id:
    description:
      - The ID of the connector. When given, it alone finds the connector, and the task fails when there is no
        connector with this ID (a new connector's ID is chosen by the manager).
      - Give it to change the role ARN of a connector, since the role ARN otherwise finds the connector.
    type: int
  cross_account_role_arn:
    description:
      - The ARN of the cross-account IAM role the manager assumes, C(arn:aws:iam::<account>:role/<path/><name>)
        (partitions C(aws), C(aws-cn) and C(aws-us-gov)).
      - Finds the connector unless O(id) is given; creates a cross-account role connector.
      - The role's trust policy must trust the manager's AWS principal with the manager-defined external ID
        (see M(swp.aws.workload_extid_info)), or the manager refuses the create.
      - Mutually exclusive with O(access_key) and O(use_instance_role).
    type: str
  account_id:
    description:
      - The 12-digit AWS account ID.
      - Finds the connector unless O(id) or O(cross_account_role_arn) is given. With O(cross_account_role_arn), it must
        be the role's account.
      - Sent when creating an access-key or instance-role connector; a role connector's account comes from its ARN.
    type: str
  display_name:
    description:
      - The name shown in the console. The manager chooses one when it is not given on create.
    type: str
  seed_region:
    description:
      - The region the manager starts from, for special regions. The manager's default when not given.
    type: str
  workspaces_enabled:
    description:
      - Whether Amazon WorkSpaces are synchronized too.
    type: bool
  access_key:
    description:
      - The access key ID of an access-key connector. It is not secret, and the manager returns it.
      - Finds the connector when none of O(id), O(cross_account_role_arn) and O(account_id) is given.
      - Mutually exclusive with O(cross_account_role_arn) and O(use_instance_role).
    type: str
  secret_key:
    description:
      - The secret access key that belongs to O(access_key). It is sent when the connector is created, when the access
        key changes, and with O(update_secret=always); never returned, logged or shown in a diff.
      - Requires O(access_key).
    type: str
  update_secret:
    description:
      - V(on_create) sends O(secret_key) only when the connector is created or its access key changes. The manager
        never returns the secret, so it cannot be compared.
      - V(always) sends it on every run, which is then always a change. Use it to rotate the secret of the same key.
    type: str
    choices: [always, on_create]
    default: on_create
  use_instance_role:
    description:
      - Whether the connector uses the manager's own instance role (a Deep Security Manager running in AWS).
      - V(true) creates an instance-role connector and, when neither O(id), O(cross_account_role_arn), O(account_id)
        nor O(access_key) is given, finds the instance-role connector.
      - Cannot be combined with O(cross_account_role_arn) or O(access_key).
    type: bool
  use_manager_external_id:
    description:
      - Whether the connector must assume its role with the manager-defined external ID rather than a user-defined one.
      - V(true) performs the switch, an update that sends the connector's own role ARN and no external ID, after
        which the manager assumes the role with the manager-defined external ID. The role's trust policy must accept
        that ID first; otherwise the manager refuses, the task fails and the connector is unchanged.
      - When the manager says which external ID a connector uses (C(externalId), newer managers), and it is already
        the manager-defined one, nothing is written and RV(external_id_switch) is V(not_needed). Reading the
        manager-defined ID needs its retrieval to be enabled; when it is disabled, the switch is performed.
      - When the manager does not say, the switch is always performed and reported as a change
        (RV(external_id_switch=performed)); it changes nothing when the connector already used the manager-defined ID.
        Compare the role's trust policy to decide when to switch, as the P(swp.aws.extid_migration#role) role does.
      - A new connector always uses the manager-defined external ID.
      - Applies to cross-account role connectors only.
    type: bool
    default: false
  sync:
    description:
      - Whether to ask the manager to synchronize the connector at once, and wait until it has (its last
        synchronization time advances), for at most O(sync_timeout) seconds.
      - The request rides on the update when there is one; otherwise it is an update that sends no property.
      - A synchronization is not counted as a change; see RV(synced).
    type: bool
    default: false
  sync_timeout:
    description:
      - Seconds to wait for the synchronization asked for by O(sync). Polls back off from half a second to five seconds.
    type: float
    default: 120
  switch_retry_timeout:
    description:
      - Seconds during which an update that sends the role ARN (the switch to the manager-defined external ID, a new
        role) and that the manager refuses with HTTP 400 is tried again, backing off from one to ten seconds.
      - IAM is eventually consistent, so right after the role's trust policy was changed the manager may not be able
        to assume the role for a few seconds. V(0) tries once.
    type: float
    default: 0
notes:
  - Updating the role ARN of a connector also moves it to the manager-defined external ID, since the manager assumes
    the new role with its own ID.
  - To change a connector's authentication (for example from an access key to a role), find it with O(id) or
    O(account_id) and give the new role, key or instance role.
seealso:
  - module: swp.aws.workload_connector_info
  - module: swp.aws.workload_extid_info
  - module: amazon.aws.iam_role
"""

EXAMPLES = r"""
- name: Add an AWS account through its cross-account role
  swp.aws.workload_connector:
    url: https://workload.us-1.cloudone.trendmicro.com/api
    api_key: "{{ swp_api_key }}"
    cross_account_role_arn: arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole
    display_name: Production
    seed_region: us-east-1

- name: Move connectors to the manager-defined external ID once the trust policies accept it
  module_defaults:
    group/swp.aws.workload:
      url: "{{ swp_url }}"
      api_key: "{{ swp_api_key }}"
  block:
    - name: Switch the connector and wait for it to synchronize
      swp.aws.workload_connector:
        cross_account_role_arn: "{{ role_arn }}"
        use_manager_external_id: true
        sync: true
        sync_timeout: 180
      register: switched

    - name: Report an account that did not synchronize
      ansible.builtin.debug:
        msg: "{{ role_arn }}: {{ switched.external_id_switch_msg }} Synchronized: {{ switched.synced }}"

- name: An access-key connector, rotating its secret
  swp.aws.workload_connector:
    url: "{{ swp_url }}"
    api_key: "{{ swp_api_key }}"
    access_key: AKIAIOSFODNN7EXAMPLE
    secret_key: "{{ aws_secret_key }}"
    update_secret: always
    display_name: Legacy account

- name: Synchronize a connector now, without changing it
  swp.aws.workload_connector:
    url: "{{ swp_url }}"
    api_key: "{{ swp_api_key }}"
    id: 12
    sync: true

- name: Remove the connector of an account
  swp.aws.workload_connector:
    url: "{{ swp_url }}"
    api_key: "{{ swp_api_key }}"
    account_id: "123456789012"
    state: absent
"""

RETURN = r"""
connector:
  description:
    - The connector after the task, with the keys of M(swp.aws.workload_connector_info)'s C(connectors); in check
      mode, what it would be (a new connector's C(id) is then null).
    - An empty dict after O(state=absent).
  returned: success
  type: dict
  sample:
    id: 12
    display_name: Production
    account_id: "123456789012"
    account_alias: acme-production
    cross_account_role_arn: arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole
    access_key: null
    use_instance_role: false
    seed_region: us-east-1
    workspaces_enabled: false
    last_sync_time: 1714555800123
    last_sync: "2024-05-01T09:30:00.123Z"
    synced_regions:
      - region: us-east-1
        computers_synced: 14
        workspaces_synced: 0
    auth_type: cross_account_role
synced:
  description:
    - Whether the connector synchronized, asked for by O(sync), within O(sync_timeout).
    - False when no synchronization was asked for, and in check mode.
  returned: success
  type: bool
  sample: true
external_id_switch:
  description:
    - What O(use_manager_external_id) did.
    - V(not_requested) when it is false; V(not_needed) when the connector already used the manager-defined external ID
      (only known when the manager says which ID a connector uses) or is new; V(performed) when the switch was sent
      (in check mode, would be sent).
  returned: success
  type: str
  choices: [not_requested, not_needed, performed]
  sample: performed
external_id_switch_msg:
  description: A sentence that explains RV(external_id_switch).
  returned: when O(use_manager_external_id=true)
  type: str
  sample: >-
    The manager does not say which external ID AWS connector 12 uses, so the switch was performed; it changes
    nothing when the connector already used the manager-defined ID.
"""

import time

from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadApiError
from ansible_collections.swp.aws.plugins.module_utils._connectors import (
    MANAGER_DEFINED, SEARCH_PATH, SWITCH_NOT_NEEDED, SWITCH_NOT_REQUESTED, SWITCH_PERFORMED, ConnectorError,
    ambiguity_message, apply_body, check_found, create_body, diff_view, external_id_source, lookup_criteria,
    poll_delays, preview_created, refusal_message, search_all, switch_decision, to_snake, update_body, validate_params)
from ansible_collections.swp.aws.plugins.module_utils._module import WorkloadModule
from ansible_collections.swp.aws.plugins.module_utils._settings import get_manager_external_id

CREATE_PATH = "/awsconnectors"


def connector_path(cid):
    return "/awsconnectors/%d" % cid


def find(client, criteria):
    """The one connector matching the criteria, or None; ConnectorError when several match."""
    found = search_all(lambda search_filter: (client.post(SEARCH_PATH, search_filter) or {}).get("awsConnectors"), criteria)
    if len(found) > 1:
        raise ConnectorError(ambiguity_message(criteria, found))
    return found[0] if found else None


def refused(exc, action, connector, body):
    """Give a 400 of a create or modify the sentence that names the role and says what to do."""
    if exc.status == 400:
        exc.message = refusal_message(action, connector, body, exc.server_message)
    return exc


def create(client, body, criteria):
    """Create the connector; after a lost answer, search before creating again (once), so there is never a duplicate."""
    for attempt in (1, 2):
        try:
            return client.post(CREATE_PATH, body, idempotent=False)
        except WorkloadApiError as exc:
            if exc.kind != "timeout" and exc.status not in (502, 504):
                raise refused(exc, "create", None, body)
            created = find(client, criteria)
            if created is not None:
                return created
            if attempt == 2:
                raise


def modify(module, connector, body, action):
    params = {"sync": "true"} if module.params["sync"] else None
    # IAM is eventually consistent: right after a trust-policy edit the manager may not be able to assume the role yet.
    retry_for = module.params["switch_retry_timeout"] if body.get("crossAccountRoleArn") else 0
    deadline = time.monotonic() + retry_for
    delay = 1.0
    while True:
        try:
            return module.client.post(connector_path(connector["ID"]), body, params=params)
        except WorkloadApiError as exc:
            if exc.status != 400 or time.monotonic() + delay > deadline:
                raise refused(exc, action, connector, body)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def wait_for_sync(module, connector, since):
    """Poll until lastSyncTime passes ``since``; returns (synced, latest connector)."""
    for delay in [0] + poll_delays(module.params["sync_timeout"]):
        if delay:
            time.sleep(delay)
            connector = module.client.get(connector_path(connector["ID"]))
        if (connector.get("lastSyncTime") or 0) > (since or 0):
            return True, connector
    module.warn("AWS connector %s did not finish synchronizing within %s seconds." % (connector["ID"], module.params["sync_timeout"]))
    return False, connector


def manager_external_id(client):
    """The manager-defined external ID, or None when its retrieval is disabled."""
    try:
        return get_manager_external_id(client)
    except WorkloadApiError as exc:
        if exc.kind == "retrieval_disabled":
            return None
        raise


def absent(module, current):
    changed = current is not None
    if changed and not module.check_mode:
        try:
            module.client.delete(connector_path(current["ID"]))
        except WorkloadApiError as exc:
            if exc.status != 404:
                raise
            changed = False  # deleted meanwhile
    return dict(changed=changed, connector={}, synced=False, external_id_switch=SWITCH_NOT_REQUESTED,
                diff=dict(before=diff_view(current), after={}))


def present_new(module, criteria):
    p = module.params
    if p["id"] is not None:
        raise ConnectorError("There is no AWS connector with ID %d; to create a connector, leave out id (the manager "
                             "chooses the ID)." % p["id"])
    body = create_body(p)
    result = dict(changed=True, synced=False, external_id_switch=SWITCH_NOT_REQUESTED)
    if p["use_manager_external_id"]:
        result.update(external_id_switch=SWITCH_NOT_NEEDED,
                      external_id_switch_msg="A new AWS connector uses the manager-defined external ID.")
    connector = preview_created(body) if module.check_mode else create(module.client, body, criteria)
    result["diff"] = dict(before={}, after=diff_view(connector))
    if p["sync"] and not module.check_mode:
        try:
            if not connector.get("lastSyncTime"):
                connector = modify(module, connector, {}, "synchronize")
            result["synced"], connector = wait_for_sync(module, connector, 0)
        except WorkloadApiError as exc:
            exc.result = dict(result, connector=to_snake(connector))
            raise
    result["connector"] = to_snake(connector)
    return result


def present_existing(module, current):
    p = module.params
    check_found(current, p)
    body = update_body(current, p)
    after = apply_body(current, body)
    result = dict(synced=False, external_id_switch=SWITCH_NOT_REQUESTED)
    source = None
    if p["use_manager_external_id"]:
        # Only a manager that says which ID a connector uses lets the switch be skipped; ask for its own ID only then.
        manager_id = manager_external_id(module.client) if "externalId" in current else None
        hide_external_ids(module, manager_id)
        source = external_id_source(current, manager_id)
        result["external_id_switch"], result["external_id_switch_msg"] = switch_decision(current, manager_id)
        if result["external_id_switch"] == SWITCH_PERFORMED:
            body.setdefault("crossAccountRoleArn", current.get("crossAccountRoleArn"))
            if manager_id is not None:
                after["externalId"] = manager_id
    result["changed"] = bool(body)
    if not module.check_mode and (body or p["sync"]):
        if not body:
            action = "synchronize"
        elif body == {"crossAccountRoleArn": current.get("crossAccountRoleArn")}:
            action = "switch to the manager-defined external ID"
        else:
            action = "update"
        after = modify(module, current, body, action) or after
    result["diff"] = dict(before=diff_view(current, source), after=diff_view(after, source and MANAGER_DEFINED, "secretKey" in body))
    if p["sync"] and not module.check_mode:
        try:
            result["synced"], after = wait_for_sync(module, after, current.get("lastSyncTime"))
        except WorkloadApiError as exc:
            exc.result = dict(result, connector=to_snake(after))
            raise
    result["connector"] = to_snake(after)
    return result


def hide_external_ids(module, *values):
    """Have Ansible censor these external IDs wherever they would appear in the result, error messages included."""
    # Very short values are left out: Ansible would censor every occurrence of them in unrelated text too.
    module.no_log_values.update(value for value in values if isinstance(value, str) and len(value) >= 8)


def read(module, criteria):
    """The connector the task is about: described by its ID when given (no search), else searched for."""
    if module.params["id"] is None:
        return find(module.client, criteria)
    try:
        return module.client.get(connector_path(module.params["id"]))
    except WorkloadApiError as exc:
        if exc.status == 404:
            return None
        raise


def core(module):
    criteria = lookup_criteria(module.params)
    current = read(module, criteria)
    if current:
        hide_external_ids(module, current.get("externalId"))
    try:
        return act(module, criteria, current)
    except WorkloadApiError as exc:
        if exc.status == 400:
            # A refusal may quote the ID the manager tried; that is the manager-defined one when the role changed.
            try:
                hide_external_ids(module, manager_external_id(module.client))
            except WorkloadApiError:
                pass
        raise


def act(module, criteria, current):
    if module.params["state"] == "absent":
        result = absent(module, current)
    elif current is None:
        result = present_new(module, criteria)
    else:
        result = present_existing(module, current)
    if not module._diff:
        result.pop("diff")
    return result


def main():
    module = WorkloadModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            id=dict(type="int"),
            cross_account_role_arn=dict(type="str"),
            account_id=dict(type="str"),
            display_name=dict(type="str"),
            seed_region=dict(type="str"),
            workspaces_enabled=dict(type="bool"),
            access_key=dict(type="str", no_log=False),
            secret_key=dict(type="str", no_log=True),
            update_secret=dict(type="str", choices=["always", "on_create"], default="on_create", no_log=False),
            use_instance_role=dict(type="bool"),
            use_manager_external_id=dict(type="bool", default=False),
            sync=dict(type="bool", default=False),
            sync_timeout=dict(type="float", default=120),
            switch_retry_timeout=dict(type="float", default=0),
        ),
        supports_check_mode=True,
    )
    try:
        validate_params(module.params)
        module.run(core)
    except ConnectorError as exc:
        module.fail_json(msg=str(exc))


if __name__ == "__main__":
    main()
