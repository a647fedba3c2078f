#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workload_connector_info
short_description: List and search the AWS connectors of Server & Workload Protection
version_added: 0.1.0
description:
  - Lists the AWS connectors of Trend Vision One Server & Workload Protection, Cloud One Workload Security or
    Deep Security Manager, all of them or those that match the filters.
  - The filters are ANDed and compare exactly (no wildcards, so C(_) and C(%) in names and ARNs are plain characters).
    O(id), O(account_id) and O(cross_account_role_arn) are search criteria that the manager applies
    (C(POST /api/awsconnectors/search)). O(display_name) is not a searchable field of the API, so the module matches it
    itself (case-sensitive) while it pages through the connectors.
  - Results come page by page, sorted by connector ID. Listing N connectors costs N // O(page_size) + 1 calls, which
    matters because the API is rate-limited (by default 500 calls a minute per API key).
  - A connector's secret key is never returned; the manager does not return it either.
author:
  - swp.aws contributors (@swp-aws)
extends_documentation_fragment:
  - swp.aws.workload
  - swp.aws.workload.attributes
  - swp.aws.workload.info_attributes
options:
  id:
    description:
      - Only the connector with this ID.
    type: int
  display_name:
    description:
      - Only connectors with exactly this display name (case-sensitive).
      - Matched by the module over a listing, since the API cannot search display names; with no other filter, this
        reads every connector.
    type: str
  account_id:
    description:
      - Only connectors of this 12-digit AWS account.
    type: str
  cross_account_role_arn:
    description:
      - Only connectors that use exactly this cross-account role ARN.
    type: str
  page_size:
    description:
      - How many connectors one search call asks for (its C(maxItems)).
      - At most V(5000), the API's limit; a larger value is an error before any call.
    type: int
    default: 1000
seealso:
  - module: swp.aws.workload_connector
  - module: swp.aws.workload_extid_info
"""

EXAMPLES = r"""
- name: List every connector once, then index them by role ARN
  swp.aws.workload_connector_info:
    url: "{{ swp_url }}"  # e.g. https://workload.us-1.cloudone.trendmicro.com/api
    api_key: "{{ swp_api_key }}"
  register: swp_connectors

- name: Index the connectors by role ARN, for a rollout over many accounts
  ansible.builtin.set_fact:
    connector_by_role: "{{ swp_connectors.connectors | selectattr('cross_account_role_arn') | items2dict(key_name='cross_account_role_arn', value_name='id') }}"

- name: Find the connectors of one account
  module_defaults:
    group/swp.aws.workload:
      url: "{{ swp_url }}"
      api_key: "{{ swp_api_key }}"
  swp.aws.workload_connector_info:
    account_id: "123456789012"
  register: account_connectors

- name: Name the connectors that never synchronized
  ansible.builtin.debug:
    msg: "{{ swp_connectors.connectors | rejectattr('last_sync') | map(attribute='display_name') | list }}"
"""

RETURN = r"""
connectors:
  description: The connectors found, sorted by ID.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The connector's ID.
      type: int
      sample: 12
    display_name:
      description: The name shown in the console.
      type: str
      sample: Production account
    account_id:
      description: The AWS account ID.
      type: str
      sample: "123456789012"
    account_alias:
      description: The AWS account alias, when the manager read one.
      type: str
      sample: acme-production
    cross_account_role_arn:
      description: The cross-account role the manager assumes; null for other connectors.
      type: str
      sample: arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole
    access_key:
      description: The access key ID of an access-key connector (never its secret); null for other connectors.
      type: str
      sample: AKIAIOSFODNN7EXAMPLE
    use_instance_role:
      description: Whether the connector uses the manager's instance role.
      type: bool
      sample: false
    seed_region:
      description: The region the manager starts from.
      type: str
      sample: us-east-1
    workspaces_enabled:
      description: Whether Amazon WorkSpaces are synchronized too.
      type: bool
      sample: false
    last_sync_time:
      description: Time of the last successful synchronization, in milliseconds since the epoch; null when never.
      type: int
      sample: 1714555800123
    last_sync:
      description: The same time in ISO 8601, UTC; null when never.
      type: str
      sample: "2024-05-01T09:30:00.123Z"
    synced_regions:
      description: The regions of the last synchronization.
      type: list
      elements: dict
      contains:
        region:
          description: The AWS region.
          type: str
          sample: us-east-1
        computers_synced:
          description: Instances found in the region.
          type: int
          sample: 14
        workspaces_synced:
          description: WorkSpaces found in the region.
          type: int
          sample: 0
    auth_type:
      description: How the manager reaches the account.
      type: str
      choices: [cross_account_role, access_key, instance_role]
      sample: cross_account_role
    external_id:
      description:
        - The external ID the connector uses to assume its role, masked (its first four characters, then C(****)), so
          that listings can be logged. Only M(swp.aws.workload_extid_info) returns an external ID in full.
        - Only newer managers say it, and only while retrieval of the external ID is enabled.
      type: str
      returned: when the manager exposes it
      sample: 0a1b****
"""

from ansible_collections.swp.aws.plugins.module_utils._connector_api import ConnectorApi
from ansible_collections.swp.aws.plugins.module_utils._connector_model import to_snake
from ansible_collections.swp.aws.plugins.module_utils._connector_search import check_page_size, info_criteria, info_local_match
from ansible_collections.swp.aws.plugins.module_utils._module import WorkloadModule


def core(module):
    p = module.params
    check_page_size(p["page_size"])
    found = ConnectorApi(module.client, p["page_size"]).search(info_criteria(p), info_local_match(p))
    return dict(changed=False, connectors=[to_snake(connector) for connector in found])


def main():
    module = WorkloadModule(
        argument_spec=dict(
            id=dict(type="int"),
            display_name=dict(type="str"),
            account_id=dict(type="str"),
            cross_account_role_arn=dict(type="str"),
            page_size=dict(type="int", default=1000),
        ),
        supports_check_mode=True,
    )
    module.run(core)


if __name__ == "__main__":
    main()
