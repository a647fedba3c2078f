#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workload_extid_retrieval
short_description: Enable or disable retrieval of the AWS external ID on Server & Workload Protection
version_added: 0.1.0
description:
  - Manages the system setting C(platformSettingAwsExternalIdRetrievalEnabled), shown in the console as
    Administration > System Settings > Security > "Enable retrieval and viewing of AWS external ID".
  - After every connector uses the manager-defined external ID, an administrator may keep the ID in a secrets
    store and disable its retrieval, so that nobody can read it from the API or the console any more.
  - While retrieval is disabled, M(swp.aws.workload_extid_info) fails with a message that says so.
author:
  - swp.aws contributors (@swp-aws)
extends_documentation_fragment:
  - swp.aws.workload
  - swp.aws.workload.attributes
attributes:
  check_mode:
    support: full
    description: In check mode the module reads the setting and reports what it would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the setting before and after.
options:
  enabled:
    description:
      - Whether the manager-defined AWS external ID can be retrieved through the API and viewed in the console.
    type: bool
    required: true
seealso:
  - module: swp.aws.workload_extid_info
"""

EXAMPLES = r"""
- name: Keep the external ID in the secrets store, then stop the manager from showing it
  swp.aws.workload_extid_retrieval:
    url: "{{ swp_url }}"  # e.g. https://workload.us-1.cloudone.trendmicro.com/api
    api_key: "{{ swp_api_key }}"
    enabled: false

- name: Allow retrieval again for a migration run
  module_defaults:
    group/swp.aws.workload:
      url: "{{ swp_url }}"
      api_key: "{{ swp_api_key }}"
  swp.aws.workload_extid_retrieval:
    enabled: true
  register: retrieval

- name: Say whether it had to be enabled
  ansible.builtin.debug:
    msg: "Retrieval was {{ 'enabled' if retrieval.previous_enabled else 'disabled' }} before this run."
"""

RETURN = r"""
enabled:
  description: Whether retrieval is enabled after the task (in check mode, what it would be).
  returned: success
  type: bool
  sample: false
previous_enabled:
  description: Whether retrieval was enabled before the task.
  returned: success
  type: bool
  sample: true
"""

from ansible_collections.swp.aws.plugins.module_utils._module import WorkloadModule
from ansible_collections.swp.aws.plugins.module_utils._settings import RETRIEVAL_SETTING_PATH, get_retrieval_enabled


def core(module):
    wanted = module.params["enabled"]
    before = get_retrieval_enabled(module.client)
    changed = before != wanted
    if changed and not module.check_mode:
        module.client.post(RETRIEVAL_SETTING_PATH, {"value": "true" if wanted else "false"})
    result = dict(changed=changed, enabled=wanted, previous_enabled=before)
    if module._diff:
        result["diff"] = dict(before={"enabled": before}, after={"enabled": wanted})
    return result


def main():
    module = WorkloadModule(argument_spec=dict(enabled=dict(type="bool", required=True)), supports_check_mode=True)
    module.run(core)


if __name__ == "__main__":
    main()
