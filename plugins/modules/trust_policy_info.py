#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: trust_policy_info
short_description: Read an IAM role's trust policy and the CloudFormation stack that owns it, in one run
version_added: 0.1.0
description:
  - Reads one IAM role (its trust policy and tags) as M(amazon.aws.iam_role_info) does, reaching the account through
    an admin role first when O(assume_role_arn) is given (hub and spoke), and looks for the CloudFormation stack that
    owns the role in the regions O(stack_regions) names.
  - The P(swp.aws.extid_migration#role) and P(swp.aws.connector_onboarding#role) roles read each account with it, in
    one module run instead of three (M(amazon.aws.sts_assume_role), M(amazon.aws.iam_role_info),
    M(amazon.aws.cloudformation_info)); module runs are most of a rollout's work per account.
  - It leaves out what M(amazon.aws.iam_role_info) adds with extra calls (attached and inline policies, instance
    profiles), and a stack's parameter values, which may hold an external ID.
  - When O(skip_stacks_if_external_id_sha256) is given and the trust policy already names it, the stack look-up is left out
    and RV(stacks_searched) is V(false). A caller that still plans a write to such a role must look for the stack
    itself before writing; the P(swp.aws.extid_migration#role) role does.
  - Reading changes nothing, also outside check mode.
author:
  - swp.aws contributors (@swp-aws)
attributes:
  check_mode:
    support: full
    description: Nothing is written in either mode; the read runs in check mode too.
  diff_mode:
    support: none
    description: Nothing is written.
  platform:
    support: full
    platforms: all
    description: Runs wherever C(boto3) is installed, usually the controller.
options:
  name:
    description:
      - The name of the IAM role to read (not its ARN).
    type: str
    required: true
  assume_role_arn:
    description:
      - An admin role in the role's account to assume first with the credentials given (hub and spoke). The role
        and stacks are then read with the assumed role's credentials, which the module returns as RV(sts_creds).
      - Throttling and server errors of the assume and of the reads are retried with backoff, as amazon.aws retries
        its reads.
    type: str
  role_session_name:
    description:
      - The session name of the assumed role.
    type: str
    default: swp-aws
  stack_regions:
    description:
      - The regions in which to look for a CloudFormation stack that has the role among its resources (type
        C(AWS::IAM::Role), physical ID the role's name or ARN, not deleted). An empty list leaves the look-up out.
      - Every stack of each region is listed with its resources (one call per stack), as
        M(amazon.aws.cloudformation_info) does with O(amazon.aws.cloudformation_info#module:stack_resources=true).
    type: list
    elements: str
    default: []
  skip_stacks_if_external_id_sha256:
    description:
      - The SHA-256 (hexadecimal) of an external ID. When a value in the role's trust policy is that ID, the stack
        look-up is left out (a role migrated or widened already needs no write, so most reruns need no look-up).
      - A hash, so that the ID is never an argument of the module (a C(no_log) option would also mask it in the trust
        policy returned).
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - RV(sts_creds) holds live credentials; register the result with C(no_log=true).
seealso:
  - module: amazon.aws.iam_role_info
  - module: amazon.aws.sts_assume_role
  - module: amazon.aws.cloudformation_info
  - module: swp.aws.trust_policy_diff
"""

EXAMPLES = r"""
- name: Reach the account through its admin role, read the SWP role and find the stack that owns it
  swp.aws.trust_policy_info:
    name: TrendMicroWorkloadSecurityRole
    assume_role_arn: arn:aws:iam::111111111111:role/OrganizationAccountAccessRole
    region: us-east-1
    stack_regions: [us-east-1, eu-west-1]
  register: role_read
  # The result holds the assumed role's credentials.
  no_log: true

- name: Say who owns the role
  ansible.builtin.debug:
    msg: "{{ ('CloudFormation stack ' ~ role_read.stack.name) if role_read.stack else 'no CloudFormation stack' }}"

- name: Tag the role with the assumed role's credentials, unless a stack owns it (the stack would drift)
  amazon.aws.iam_role:
    name: TrendMicroWorkloadSecurityRole
    # The trust policy as read, unchanged.
    assume_role_policy_document: "{{ role_read.iam_roles[0].assume_role_policy_document | to_json }}"
    tags:
      swp-external-id: manager-defined
    purge_tags: false
    create_instance_profile: false
    access_key: "{{ role_read.sts_creds.access_key }}"
    secret_key: "{{ role_read.sts_creds.secret_key }}"
    session_token: "{{ role_read.sts_creds.session_token }}"
  when: role_read.iam_roles and not role_read.stack
  no_log: true
"""

RETURN = r"""
iam_roles:
  description:
    - The role, as M(amazon.aws.iam_role_info) returns it, without its policies and instance profiles; an empty list
      when the role does not exist.
  returned: always
  type: list
  elements: dict
  contains:
    arn:
      description: The role's ARN.
      type: str
      returned: always
      sample: arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole
    role_name:
      description: The role's name.
      type: str
      returned: always
      sample: TrendMicroWorkloadSecurityRole
    path:
      description: The role's path.
      type: str
      returned: always
      sample: /
    assume_role_policy_document:
      description: The trust policy, as a dict.
      type: dict
      returned: always
    tags:
      description: The role's tags, as a dict.
      type: dict
      returned: always
      sample: {"managed-by": "terraform"}
stack:
  description:
    - The CloudFormation stack that owns the role, or V(null) when none was found or none was looked for.
  returned: always
  type: dict
  contains:
    name:
      description: The stack's name.
      type: str
      returned: always
    region:
      description: The region of the stack.
      type: str
      returned: always
    logical_id:
      description: The role's logical ID in the stack's template.
      type: str
      returned: always
    status:
      description: The stack's status.
      type: str
      returned: always
      sample: CREATE_COMPLETE
    parameters:
      description: The names of the stack's parameters (never their values).
      type: list
      elements: str
      returned: always
stacks_searched:
  description:
    - Whether the stacks of every region in O(stack_regions) were searched. V(false) when the list is empty, when the
      role does not exist, or when O(skip_stacks_if_external_id_sha256) left the look-up out.
  returned: always
  type: bool
sts_creds:
  description: The assumed role's credentials, when O(assume_role_arn) is given.
  returned: when O(assume_role_arn) is given
  type: dict
  contains:
    access_key:
      description: The access key ID.
      type: str
      returned: always
    secret_key:
      description: The secret access key.
      type: str
      returned: always
    session_token:
      description: The session token.
      type: str
      returned: always
    expiration:
      description: When the credentials expire.
      type: str
      returned: always
      sample: "2026-12-04T11:11:11+00:00"
"""

import hashlib

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule says so

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.iam import normalize_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.swp.aws.plugins.module_utils._cloudformation import find_stack

# Throttling and server errors (InternalFailure, ServiceUnavailable...), with backoff, as amazon.aws retries its reads.
RETRY = AWSRetry.jittered_backoff()

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    assume_role_arn=dict(type="str"),
    role_session_name=dict(type="str", default="swp-aws"),
    stack_regions=dict(type="list", elements="str", default=[]),
    skip_stacks_if_external_id_sha256=dict(type="str"),
)


def _assume(module):
    """The assumed role's credentials, as amazon.aws.sts_assume_role returns them."""
    sts = module.client("sts", retry_decorator=RETRY)
    try:
        answer = sts.assume_role(RoleArn=module.params["assume_role_arn"], RoleSessionName=module.params["role_session_name"],
                                 aws_retry=True)
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg="Could not assume %s to reach the account" % module.params["assume_role_arn"])
    creds = answer["Credentials"]
    expiration = creds.get("Expiration")
    return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"], "session_token": creds["SessionToken"],
            "expiration": expiration.isoformat() if hasattr(expiration, "isoformat") else expiration}


def _client(module, service, creds, region=None):
    """A client of the account: the assumed role's credentials when there are some, else those given."""
    extra = {}
    if creds:
        extra = {"aws_access_key_id": creds["access_key"], "aws_secret_access_key": creds["secret_key"],
                 "aws_session_token": creds["session_token"], "profile_name": None}
    if region:
        extra["region"] = region
    return module.client(service, retry_decorator=RETRY, **extra)


def _read_role(module, creds):
    """The role as amazon.aws.iam_role_info gives it (without policies and instance profiles), or None."""
    iam = _client(module, "iam", creds)
    try:
        role = iam.get_role(RoleName=module.params["name"], aws_retry=True)["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        return None
    except (BotoCoreError, ClientError) as exc:  # pylint: disable=duplicate-except
        module.fail_json_aws(exc, msg="Could not read IAM role %s" % module.params["name"])
    return normalize_iam_role(role)


def _stacks(module, creds, region):
    """``{stack name: facts}`` of the region, each with its description, parameters and resources, as
    amazon.aws.cloudformation_info gives them with stack_resources (parameter values left out)."""
    cfn = _client(module, "cloudformation", creds, region)
    found = {}
    try:
        pages = cfn.get_paginator("describe_stacks").paginate().build_full_result()
        for stack in pages.get("Stacks", []):
            name = stack["StackName"]
            resources = cfn.get_paginator("list_stack_resources").paginate(StackName=name).build_full_result()
            found[name] = {
                "stack_description": {"stack_name": name, "stack_status": stack.get("StackStatus")},
                "stack_parameters": dict((param["ParameterKey"], None) for param in stack.get("Parameters") or []),
                "stack_resource_list": [camel_dict_to_snake_dict(item) for item in resources.get("StackResourceSummaries", [])],
            }
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg="Could not list the CloudFormation stacks of %s to find who owns the role" % region)
    return found


def _strings(value):
    """Every string in a policy document, its keys and values."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    result = {"changed": False, "iam_roles": [], "stack": None, "stacks_searched": False}
    creds = None
    if module.params["assume_role_arn"]:
        creds = _assume(module)
        result["sts_creds"] = creds
    role = _read_role(module, creds)
    if role is None:
        module.exit_json(**result)
    result["iam_roles"] = [role]
    regions = [region for region in dict.fromkeys(module.params["stack_regions"] or []) if region]
    known = (module.params["skip_stacks_if_external_id_sha256"] or "").strip().lower()
    document = role.get("assume_role_policy_document")
    if known and any(hashlib.sha256(text.encode("utf-8")).hexdigest() == known for text in _strings(document)):
        regions = []
    if regions:
        by_region = dict((region, _stacks(module, creds, region)) for region in regions)
        result["stack"] = find_stack(by_region, role.get("role_name"), role.get("arn"))
        result["stacks_searched"] = True
    module.exit_json(**result)


if __name__ == "__main__":
    main()
