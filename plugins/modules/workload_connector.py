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
  - "The connector is found by O(id) (described by its ID), else by O(cross_account_role_arn), else by O(account_id),
    else by O(access_key), each a search the manager does, else (with O(use_instance_role=true)) as the instance-role
    connector, found in a listing of the connectors, since C(useInstanceRole) is not a searchable field. When more
    than one connector matches, the task fails and names their IDs: give O(id) to choose."
  - With O(connector), the connector listed earlier in the play, the module does not read the connector before it
    writes, so an update or a switch is one call (and, with O(sync), the calls that prove its synchronization, as
    described there).
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
      - In check mode the module reads the connector (with O(connector), it makes no call, but for the case described
        there) and reports what it would change and what the connector would be, writing nothing. It does not ask for a synchronization.
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
  manager_external_id:
    description:
      - The manager-defined external ID, when you have it (from M(swp.aws.workload_extid_info) or your secrets store).
      - When given, the module uses it instead of reading C(GET /api/awsconnectorsettings), so the switch works with
        a key that may not read that setting, or while its retrieval is disabled.
      - It serves to tell whether a connector that says which external ID it uses needs the switch, and to keep the
        ID out of error messages. It is never sent to the manager and never returned.
    type: str
  sync:
    description:
      - Whether to ask the manager to synchronize the connector at once, and wait until it has, for at most
        O(sync_timeout) seconds.
      - The request (C(?sync=true)) rides on the update when there is one; otherwise it is an update that sends no
        property. A new connector is created first, then asked to synchronize with such an update.
      - The API does not say whether the call waits for the synchronization, so the module waits, polling
        C(GET /api/awsconnectors/{id}), for the connector's last successful synchronization time (C(lastSyncTime))
        to prove one.
      - "After an update (the switch included), only a synchronization that provably came after the update counts.
        The manager also synchronizes every connector on its own schedule, and one it made between the listing (or
        the module's read) and the update shows a C(lastSyncTime) newer than the one known before too, so that
        comparison proves nothing. The proof is either of two. (1) Order: a C(lastSyncTime) greater than the one in
        the manager's answer to the update (else in the first read after it); that answer shows the connector after
        the update, every earlier synchronization included, and C(lastSyncTime) never goes back. (2) The manager's
        clock: a C(lastSyncTime) more than one second past the HTTP C(Date) of the answer to the update; the header
        has whole seconds, truncated or rounded, so only a time past the following second is surely after the answer,
        which comes after the update."
      - A manager that synchronizes before it answers shows that synchronization in the answer to the update, where
        it cannot be told from one the manager made on its own just before the update. The module then asks once
        more, at once, with an update that sends nothing (C(?sync=true)), and the answer to that proves the
        synchronization by order. A manager that answers first costs no such call, only the polls.
      - With nothing to update (a synchronization alone) and for a new connector, nothing needs proving. Any
        C(lastSyncTime) past the one known before (none for a new connector) counts.
      - A synchronization that is not proven within O(sync_timeout) fails the task with a message naming the
        connector and, when a synchronization was seen that may have come before the update, saying so; the result
        still says what was changed, with RV(synced=false). The module never claims a synchronization it did not
        see come after the update.
      - A synchronization is not counted as a change; see RV(synced).
    type: bool
    default: false
  sync_timeout:
    description:
      - Seconds to wait for the synchronization asked for by O(sync). Polls back off from half a second to five seconds.
      - The manager also synchronizes every connector in the background, about every ten minutes. After an update,
        such a synchronization counts only when it came after the update (see O(sync)).
    type: float
    default: 120
  switch_retry_timeout:
    description:
      - Seconds during which a create or an update that sends the role ARN (a new role connector, the switch to the
        manager-defined external ID, a new role) and that the manager refuses is tried again, backing off from one to
        ten seconds.
      - "The status of such a refusal is not documented (HTTP 400, 403, or 500 from older managers): any of them is
        retried. HTTP 401 (bad key), 404 (no such connector) and 409 (conflict) never are."
      - IAM is eventually consistent, so right after the role's trust policy was changed the manager may not be able
        to assume the role for a few seconds. V(0) tries once.
    type: float
    default: 0
  connector:
    description:
      - The connector as M(swp.aws.workload_connector_info) returned it (one item of its C(connectors), snake_case keys),
        or as this module returned it (RV(connector)). When given, the module uses it instead of reading the connector,
        so no call comes before the write, and O(id) may be left out (the connector gives it).
      - Without it, the module finds and reads the connector as described above, and behaves exactly as it did before
        this option existed.
      - "It is trusted as it is: the settings an update is compared with, that the connector still exists, and its
        C(last_sync_time), the one known before the write. Take it from a listing made earlier in the same play; stale
        data is your risk. A setting changed since the listing may be left as it is, and an update of a connector
        deleted since fails (nothing is created). A synchronization the manager made on its own after the listing
        never counts for O(sync) after an update (see there); with nothing to update it does."
      - Its C(external_id) is masked, so it is never taken for the external ID the connector uses. The module treats
        the connector like one of a manager that does not say which ID a connector uses, and
        O(use_manager_external_id=true) performs the switch (RV(external_id_switch=performed)) without a read.
      - "One case reads the connector by its ID first, as without O(connector), so that a connector already switched
        gets no write (RV(external_id_switch=not_needed)): O(use_manager_external_id=true) with a C(external_id) in
        O(connector) that may be the manager-defined ID, because it equals the mask of O(manager_external_id) or
        O(manager_external_id) is not given. A mask that differs from that of O(manager_external_id) proves another ID:
        the switch is then performed without a read."
      - It is checked before any call. It must have the keys M(swp.aws.workload_connector_info) returns, with their
        types; its C(id) must equal O(id) when both are given; its C(cross_account_role_arn) must equal
        O(cross_account_role_arn) when that is given (to change a connector's role ARN, leave out O(connector)).
        Anything else is an error that names the problem, and nothing is sent.
      - With O(state=absent), the connector given is deleted by its ID; one deleted meanwhile is no change.
    type: dict
notes:
  - "A refused create or modify that sent a role ARN (any status but 401, 404 and 409) fails with the trust-policy
    advice: the role's trust policy must trust the manager's AWS principal and accept the manager-defined external ID.
    For an HTTP 403 the message also names the other reading, an API key whose role may not modify connectors. An
    external ID the manager quotes in its refusal is masked."
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
    url: "{{ swp_url }}"  # e.g. https://workload.us-1.cloudone.trendmicro.com/api
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

- name: Switch with the manager-defined ID read elsewhere (the key need not read /awsconnectorsettings)
  swp.aws.workload_connector:
    url: "{{ swp_url }}"
    api_key: "{{ swp_api_key }}"
    cross_account_role_arn: "{{ role_arn }}"
    use_manager_external_id: true
    manager_external_id: "{{ vault_swp_external_id }}"
    sync: true
  no_log: true

- name: List the connectors once, then switch each account's connector with one call (no read before it)
  module_defaults:
    group/swp.aws.workload:
      url: "{{ swp_url }}"
      api_key: "{{ swp_api_key }}"
  block:
    - name: List every connector, once for the play
      swp.aws.workload_connector_info:
      register: listing
      run_once: true

    - name: Switch the connector listed for this account
      swp.aws.workload_connector:
        connector: "{{ listing.connectors | selectattr('cross_account_role_arn', 'eq', role_arn) | first }}"
        cross_account_role_arn: "{{ role_arn }}"
        use_manager_external_id: true
        sync: true

- name: Synchronize a connector now, without changing it
  swp.aws.workload_connector:
    url: "{{ swp_url }}"
    api_key: "{{ swp_api_key }}"
    id: "{{ swp_connector_id }}"  # a host variable of the swp.aws.workload_connectors inventory
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
    - Whether the connector synchronized, asked for by O(sync), within O(sync_timeout). After an update (the switch
      included), true only when the synchronization provably came after the update, by the order of the manager's
      answers or by its clock (the HTTP C(Date) of the answer to the update), as O(sync) describes; a synchronization
      the manager made on its own before the update never makes it true. Without an update, true when
      C(lastSyncTime) passed the value known before.
    - False when no synchronization was asked for, in check mode, and in the result of a task that failed because the
      synchronization did not come.
  returned: always
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

from ansible_collections.swp.aws.plugins.module_utils._connector_api import ConnectorApi, SyncProof, sync_failure_message
from ansible_collections.swp.aws.plugins.module_utils._connector_model import ConnectorError, to_snake
from ansible_collections.swp.aws.plugins.module_utils._connector_plan import (
    MANAGER_DEFINED, diff_view, given_connector_decides, plan, validate_params)
from ansible_collections.swp.aws.plugins.module_utils._connector_search import local_match, lookup_criteria
from ansible_collections.swp.aws.plugins.module_utils._errors import SwpError
from ansible_collections.swp.aws.plugins.module_utils._module import WorkloadModule


def hide_external_ids(module, *values):
    """Have Ansible censor these external IDs wherever they would appear in the result, error messages included."""
    # Very short values are left out: Ansible would censor every occurrence of them in unrelated text too.
    module.no_log_values.update(value for value in values if isinstance(value, str) and len(value) >= 8)


def read(module, api, given=None):
    """The connector and, when the switch needs it, the manager-defined external ID (None when unknown).

    ``given`` is the connector of the ``connector`` option as validate_params checked it, in the API's shape.
    """
    p = module.params
    if given is None:
        current = api.find_for(p)
    else:
        # A connector given (listed earlier in the play) is trusted as it is: no read before the write.
        current = given
        if not given_connector_decides(p):
            # The listing says, masked, which external ID it uses, and it may be the manager-defined one: read it.
            cid = current["ID"]
            current = api.describe(cid)
            if current is None:
                raise ConnectorError("There is no AWS connector with ID %d any more: it was deleted after the connector "
                                     "given was listed. List the connectors again." % cid)
    hide_external_ids(module, current and current.get("externalId"), p["manager_external_id"])
    manager_id = p["manager_external_id"]
    if manager_id is None and current and p["state"] == "present" and p["use_manager_external_id"] and "externalId" in current:
        # Only a manager that says which ID a connector uses lets the switch be skipped; ask for its own ID only then.
        manager_id = api.manager_external_id()
        hide_external_ids(module, manager_id)
    return current, manager_id


def write(module, api, current, decided, manager_id):
    """Carry out the plan; returns the connector after it and whether the manager answered with it.

    Errors carry what was already done.
    """
    p = module.params
    known = [manager_id]
    try:
        if decided.action == "delete":
            decided.changed = api.delete(current["ID"])
            return {}, False
        if decided.action == "create":
            return api.create(decided.body, lookup_criteria(p), local_match(p), known, p["switch_retry_timeout"]), True
        if decided.action == "modify":
            answer = api.modify(current, decided.body, p["sync"], decided.verb, p["switch_retry_timeout"], known)
            # An empty answer is no view of the connector after the update: the plan's is, but not for SyncProof.
            return answer or decided.after, bool(answer)
    except SwpError as exc:
        if getattr(exc, "kind", None) == "refused" and manager_id is None:
            # A refusal may quote the ID the manager tried, the manager-defined one: censor it wherever it appears.
            try:
                hide_external_ids(module, api.manager_external_id())
            except SwpError:
                pass
        raise
    return current, False


def sync(module, api, connector, current, decided, answered, result):
    """Wait for a synchronization after the write; one that is not proven in time fails the task, naming the connector.

    ``current`` is the connector before the write (None for a new one). After an update (``decided.body``), only a
    synchronization proven to come after it counts (SyncProof): the manager's answer to the update, read as the
    connector after it, or the HTTP Date of that answer, the manager's clock.
    """
    p = module.params
    since = None if current is None else (current.get("lastSyncTime") or 0)
    strict = current is not None and bool(decided.body)
    # The write was the last call: its answer's Date, even of an empty answer, is the manager's clock after it.
    proof = SyncProof(since, strict, api.client.last_date if strict else None)
    try:
        if since is None and not connector.get("lastSyncTime"):
            # sync is documented on modify only: a new connector asks for it with an update that sends nothing.
            connector = api.modify(connector, {}, True, "synchronize") or connector
        synced, connector = api.wait_for_sync(connector, proof, p["sync_timeout"], answered)
    except SwpError as exc:
        raise exc.with_result(dict(result, connector=to_snake(connector))) from exc
    if not synced:
        raise SwpError(sync_failure_message(connector, since, p["sync_timeout"], result["changed"], proof.unproven),
                       kind="sync_timeout", result=dict(result, connector=to_snake(connector)))
    return connector


def core(module):
    p = module.params
    given = validate_params(p)
    api = ConnectorApi(module.client)
    current, manager_id = read(module, api, given)
    decided = plan(p, current, manager_id)
    connector, answered = decided.after, False
    if not module.check_mode:
        connector, answered = write(module, api, current, decided, manager_id)
    result = dict(changed=decided.changed, synced=False, external_id_switch=decided.switch)
    if decided.switch_msg:
        result["external_id_switch_msg"] = decided.switch_msg
    if module._diff:
        after = diff_view(connector, decided.source and MANAGER_DEFINED, "secretKey" in decided.body)
        result["diff"] = dict(before=diff_view(current, decided.source), after=after if p["state"] == "present" else {})
    if decided.sync and not module.check_mode:
        connector = sync(module, api, connector, current, decided, answered, result)
        result["synced"] = True
    result["connector"] = to_snake(connector) if connector else {}
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
            manager_external_id=dict(type="str", no_log=True),
            sync=dict(type="bool", default=False),
            sync_timeout=dict(type="float", default=120),
            switch_retry_timeout=dict(type="float", default=0),
            connector=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    module.run(core)


if __name__ == "__main__":
    main()
