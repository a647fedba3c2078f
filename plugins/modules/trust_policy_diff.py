#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: trust_policy_diff
short_description: Show a trust-policy change with the external IDs masked
version_added: 0.1.0
description:
  - Compares two IAM role trust policies and reports the change as Ansible diff output, with every
    C(sts:ExternalId) value masked unless O(reveal=true).
  - M(amazon.aws.iam_role) shows no diff of the trust policy it writes; the P(swp.aws.extid_migration#role) role runs this
    action before each trust-policy edit so that C(--check --diff) shows what would change.
  - It runs on the controller and changes nothing. It reports RV(ignore:changed=true) when the policies differ
    (ignoring the order of lists), so that Ansible shows the diff.
author:
  - swp.aws contributors (@swp-aws)
attributes:
  check_mode:
    support: full
    description: Nothing is written in either mode.
  diff_mode:
    support: full
    description: The point of the action.
  action:
    support: full
    description: Runs on the controller as an action plugin.
  async:
    support: none
    description: Not applicable.
  bypass_host_loop:
    support: none
    description: Runs once per host.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
options:
  before:
    description:
      - The current trust policy, as a dict, JSON text or URL-encoded JSON text. Null for none.
    type: raw
  after:
    description:
      - The trust policy after the edit, in the same forms.
    type: raw
  label:
    description:
      - What the diff headers call the policy, for example the role ARN.
    type: str
    default: trust policy
  reveal:
    description:
      - Show the external IDs in full.
      - Read with Ansible's boolean rules, also when given as a string; V(null) is V(false).
        Any value that is not a boolean is an error.
    type: bool
    default: false
seealso:
  - module: amazon.aws.iam_role
"""

EXAMPLES = r"""
- name: Read the account's cross-account role
  amazon.aws.iam_role_info:
    name: TrendMicroWorkloadSecurityRole
  register: role_info

- name: Read the manager-defined external ID
  swp.aws.workload_extid_info:
  register: extid
  no_log: true

- name: Find the role's connector
  swp.aws.workload_connector_info:
    cross_account_role_arn: "{{ role_info.iam_roles[0].arn }}"
  register: listing

- name: Plan the account (the widened and narrowed trust policies come from the plan)
  ansible.builtin.set_fact:
    plan: "{{ role_info.iam_roles | swp.aws.extid_migration_plan(inventory_hostname, account, listing.connectors[0], extid.external_id) }}"
  vars:
    account: "{{ role_info.iam_roles[0].arn | swp.aws.extid_migration_target }}"
  no_log: true

- name: Show the widened trust policy, external IDs masked
  swp.aws.trust_policy_diff:
    before: "{{ role_info.iam_roles[0].assume_role_policy_document }}"
    after: "{{ plan.widened }}"
    label: "{{ role_info.iam_roles[0].arn }}"
"""

RETURN = r"""
diff:
  description: The two policies, external IDs masked, keys sorted.
  returned: always
  type: dict
  contains:
    before:
      description: The policy before.
      type: dict
      returned: always
    after:
      description: The policy after.
      type: dict
      returned: always
"""
