#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cam_aws_account_info
short_description: List the AWS accounts of Trend Vision One Cloud Accounts (CAM), or read one
version_added: 0.1.0
description:
  - Reads the AWS accounts that Trend Vision One Cloud Accounts (CAM) knows, in one region of Vision One. Read-only.
  - Without O(account_id), lists every account (C(GET /<prefix>/cam/awsAccounts), paged by the answer's C(nextLink)),
    N accounts costing N // O(page_size) + 1 calls. A C(nextLink) to another host than O(url) stops the module with
    an error, so the key is never sent elsewhere.
  - With O(account_id), reads that account (C(GET /<prefix>/cam/awsAccounts/<account_id>)). When CAM answers 404,
    one listing call on the same path proves that the path answers, so a wrong O(api_prefix) fails the task instead
    of passing for an absent account.
  - Each account comes with C(standing), the collection's label of where it stands in CAM - C(legacy) (an account
    that Server & Workload Protection brought in, not yet updated to CAM's own role), C(managed), C(outdated),
    C(failed), or C(unknown) when the record does not prove one of them.
  - O(state) filters by that label, in the module; the API's own filter header (C(TMV1-Filter)) is not used, since
    which fields it takes for CAM is not documented.
author:
  - swp.aws contributors (@swp-aws)
extends_documentation_fragment:
  - swp.aws.vision_one
  - swp.aws.vision_one.attributes
options:
  api_prefix:
    description:
      - The path prefix of the Cloud Accounts API.
      - V(v3.0) is the public API's. V(beta) is the one the vendor's Terraform provider calls, V(beta/xdr) an older
        vendor sample's.
      - V(auto) tries V(v3.0), then V(beta), then V(beta/xdr), moving on only when a path answers HTTP 404; the prefix
        that answered is returned in RV(api_prefix).
    type: str
    choices: [v3.0, beta, beta/xdr, auto]
    default: v3.0
  account_id:
    description:
      - Only this 12-digit AWS account. RV(accounts) is empty when CAM does not have it.
    type: str
  state:
    description:
      - Only accounts whose C(standing) is one of these. Empty for every account.
    type: list
    elements: str
    choices: [legacy, managed, outdated, failed, unknown]
    default: []
  page_size:
    description:
      - How many accounts one listing call asks for (its C(top)), from V(1) to V(1000).
    type: int
    default: 100
seealso:
  - module: swp.aws.workload_connector_info
"""

EXAMPLES = r"""
- name: List the AWS accounts of Vision One Cloud Accounts
  swp.aws.cam_aws_account_info:
    url: "{{ vision_one_url }}"  # e.g. https://api.xdr.trendmicro.com
    api_key: "{{ vision_one_api_key }}"
  register: cam

- name: Name the accounts still on a legacy connection
  ansible.builtin.debug:
    msg: "{{ cam.accounts | selectattr('standing', 'equalto', 'legacy') | map(attribute='account_id') | list }}"

- name: Read one account, whichever path prefix the region serves
  module_defaults:
    group/swp.aws.vision_one:
      url: "{{ vision_one_url }}"
      api_key: "{{ vision_one_api_key }}"
  swp.aws.cam_aws_account_info:
    account_id: "123456789012"
    api_prefix: auto
  register: one_account

- name: Only the accounts CAM cannot reach or that lack permissions
  swp.aws.cam_aws_account_info:
    url: "{{ vision_one_url }}"
    api_key: "{{ vision_one_api_key }}"
    state: [failed, outdated]
  register: cam_trouble
"""

RETURN = r"""
api_prefix:
  description: The path prefix that answered.
  returned: success
  type: str
  sample: v3.0
accounts:
  description: The AWS accounts found, in the order CAM lists them.
  returned: success
  type: list
  elements: dict
  contains:
    account_id:
      description: The 12-digit AWS account ID (CAM's C(id)).
      type: str
      sample: "123456789012"
    name:
      description: The name given in CAM.
      type: str
      sample: payments-prod
    description:
      description: The description given in CAM.
      type: str
      sample: Payments, production
    role_arn:
      description: The role CAM assumes through its OIDC provider; null while the account is a legacy connection.
      type: str
      sample: arn:aws:iam::123456789012:role/VisionOneRole
    state:
      description: The state CAM gives the account, as it says it (C(managed), C(outdated), C(failed)); null when it gives none.
      type: str
      sample: managed
    sources:
      description: Where the account came from; non-empty for an account imported from Server & Workload Protection.
        Its values are not documented.
      type: list
      elements: str
      sample: [workload]
    features:
      description: The CAM features of the account.
      type: list
      elements: dict
      contains:
        id:
          description: The feature.
          type: str
          sample: cloud-sentry
        regions:
          description: The regions it covers.
          type: list
          elements: str
          sample: [us-east-1]
        missing_aws_permissions:
          description: What the role lacks for it, as CAM says it.
          type: raw
          sample: []
    connected_security_services:
      description: The Vision One services that use the account.
      type: list
      elements: dict
      contains:
        name:
          description: The service, for example C(workload).
          type: str
          sample: workload
        instance_ids:
          description: The service's instances.
          type: list
          elements: str
          sample: ["a1b2c3"]
    created_date_time:
      description: When the account was added, ISO 8601.
      type: str
      sample: "2024-05-01T09:30:00Z"
    last_modified_date_time:
      description: When the account last changed, ISO 8601.
      type: str
      sample: "2024-06-01T09:30:00Z"
    standing:
      description:
        - Where the account stands in CAM, the collection's label.
        - C(legacy) - a non-empty C(sources) and no role. C(managed), C(outdated), C(failed) - CAM's own state of an
          account with a role. C(unknown) - anything else (no role and no sources, a state CAM did not use before).
      type: str
      choices: [legacy, managed, outdated, failed, unknown]
      sample: legacy
"""

from ansible_collections.swp.aws.plugins.module_utils._cam_api import CamApi, to_snake
from ansible_collections.swp.aws.plugins.module_utils._vision_one_module import VisionOneModule


def core(module):
    p = module.params
    api = CamApi(module.client, p["api_prefix"], p["page_size"])
    if p["account_id"] is not None:
        record = api.get(p["account_id"])
        found = [] if record is None else [record]
    else:
        found = api.list()
    accounts = [to_snake(record) for record in found]
    if p["state"]:
        accounts = [account for account in accounts if account["standing"] in p["state"]]
    return dict(changed=False, api_prefix=api.prefix, accounts=accounts)


def main():
    module = VisionOneModule(
        argument_spec=dict(
            api_prefix=dict(type="str", choices=["v3.0", "beta", "beta/xdr", "auto"], default="v3.0"),
            account_id=dict(type="str"),
            state=dict(type="list", elements="str", choices=["legacy", "managed", "outdated", "failed", "unknown"], default=[]),
            page_size=dict(type="int", default=100),
        ),
        supports_check_mode=True,
    )
    module.run(core)


if __name__ == "__main__":
    main()
