#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workload_extid_info
short_description: Read the manager-defined AWS external ID of Server & Workload Protection
version_added: 0.1.0
description:
  - Reads the AWS external ID that Trend Vision One Server & Workload Protection, Cloud One Workload Security
    or Deep Security Manager defines for your account (C(GET /api/awsconnectorsettings)).
  - Put this ID into the C(sts:ExternalId) condition of each cross-account role's trust policy before you switch
    a connector to it with M(swp.aws.workload_connector).
  - When retrieval of the ID is disabled on the manager (see M(swp.aws.workload_extid_retrieval)), the task fails
    with a message that says so and where to enable it again.
  - Returning the external ID is this module's job; other modules and the P(swp.aws.extid_migration#role) role mask it.
    Use C(no_log) on the task if your logs must not show it either.
author:
  - swp.aws contributors (@swp-aws)
extends_documentation_fragment:
  - swp.aws.workload
  - swp.aws.workload.attributes
  - swp.aws.workload.info_attributes
options: {}
seealso:
  - module: swp.aws.workload_extid_retrieval
  - module: swp.aws.workload_connector
"""

EXAMPLES = r"""
- name: Read the manager-defined external ID
  swp.aws.workload_extid_info:
    url: "{{ swp_url }}"  # e.g. https://workload.us-1.cloudone.trendmicro.com/api
    api_key: "{{ swp_api_key }}"
  register: swp_extid

- name: Connection options once for every swp.aws module, a Deep Security Manager with a private CA
  module_defaults:
    group/swp.aws.workload:
      url: "{{ dsm_url }}"  # e.g. https://dsm.example.com:4119
      api_key: "{{ dsm_api_key }}"
      auth_header: api-secret-key
      ca_path: "{{ dsm_ca_path }}"  # e.g. /etc/pki/dsm-ca.pem
  block:
    - name: Read the external ID without showing it in the log
      swp.aws.workload_extid_info:
      register: dsm_extid
      no_log: true
"""

RETURN = r"""
external_id:
  description: The manager-defined AWS external ID.
  returned: success
  type: str
  sample: 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
"""

from ansible_collections.swp.aws.plugins.module_utils._module import WorkloadModule
from ansible_collections.swp.aws.plugins.module_utils._settings import get_manager_external_id


def core(module):
    return dict(changed=False, external_id=get_manager_external_id(module.client))


def main():
    module = WorkloadModule(argument_spec={}, supports_check_mode=True)
    module.run(core)


if __name__ == "__main__":
    main()
