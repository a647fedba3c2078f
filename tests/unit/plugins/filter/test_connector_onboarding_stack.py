# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role's CloudFormation template, rendered as the role renders it, and the stack filters around it."""

from __future__ import annotations

import json
import os

import jinja2
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.swp.aws.plugins.filter.connector_onboarding import FilterModule
from ansible_collections.swp.aws.tests.support.iam_eval import is_allowed

FILTERS = FilterModule().filters()
SWP = "arn:aws:iam::147995105371:root"
M = "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b"
TEMPLATE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "connector_onboarding", "templates",
                        "cross_account_role.json.j2")


def render(plan, account, parameter="ExternalID", extra=(), description='Reads "this" account & more'):
    """The template as the role renders it (its filters: to_json and the permissions policy)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters["to_json"] = json.dumps
    env.filters["swp.aws.connector_onboarding_permissions"] = FILTERS["connector_onboarding_permissions"]
    with open(TEMPLATE, encoding="utf-8") as handle:
        return env.from_string(handle.read()).render(
            connector_onboarding_cloudformation_parameter=parameter, connector_onboarding__account=account,
            connector_onboarding__plan=plan, connector_onboarding_role_description=description,
            connector_onboarding_policy_name="ServerWorkloadProtectionRead", connector_onboarding_extra_permissions=list(extra))


def plan_for(account, principal=SWP, iam_roles=()):
    return FILTERS["connector_onboarding_plan"](list(iam_roles), "h", account, {}, M, principal=principal)


@pytest.mark.parametrize("arn, principal", [
    ("arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole", SWP),
    ("arn:aws:iam::123456789012:role/swp/readers/Reader+Role", "210987654321"),
    ("arn:aws-us-gov:iam::123456789012:role/Gov", "210987654321"),
])
def test_the_rendered_template_makes_the_planned_role(arn, principal):
    account = FILTERS["connector_onboarding_target"](arn)
    plan = plan_for(account, principal)
    text = render(plan, account, extra=["s3:ListAllMyBuckets"])
    name = FILTERS["connector_onboarding_stack_name"](account)
    result = FILTERS["connector_onboarding_stack"](plan, {}, text, M, account, name, "us-east-1")
    assert (result["mode"], result["stack"]) == ("stack", "create")
    assert M not in text
    role = json.loads(text)["Resources"]["CrossAccountRole"]["Properties"]
    assert (role["RoleName"], role["Path"]) == (account["role_name"], account["role_path"])
    assert role["Description"] == 'Reads "this" account & more'
    assert role["Policies"] == [{"PolicyName": "ServerWorkloadProtectionRead",
                                 "PolicyDocument": FILTERS["connector_onboarding_permissions"](["s3:ListAllMyBuckets"])}]
    # The trust policy through the stack is the one the role writes in place, and lets the manager in with the ID alone.
    assert result["trust_policy"] == plan["trust_policy"]
    request = {"principal": plan["principal"], "action": "sts:AssumeRole", "context": {"sts:ExternalId": M}}
    assert is_allowed(result["trust_policy"], request, account["role_arn"])
    assert not is_allowed(result["trust_policy"], dict(request, context={}), account["role_arn"])


def test_a_stack_the_role_made_is_kept_whether_its_template_comes_back_as_json_or_yaml():
    account = FILTERS["connector_onboarding_target"]("arn:aws:iam::123456789012:role/TrendMicroWorkloadSecurityRole")
    plan = plan_for(account)
    text = render(plan, account)
    trusted = [{"role_name": account["role_name"], "arn": account["role_arn"], "assume_role_policy_document": plan["trust_policy"]}]
    facts = {"stack_description": {"stack_name": "swp-TrendMicroWorkloadSecurityRole", "stack_status": "CREATE_COMPLETE"},
             "stack_parameters": {"ExternalID": "****"}, "stack_template": json.loads(text),
             "stack_resource_list": [{"logical_resource_id": "CrossAccountRole", "resource_type": "AWS::IAM::Role",
                                      "physical_resource_id": account["role_name"], "resource_status": "CREATE_COMPLETE"}]}
    kept_plan = plan_for(account, iam_roles=trusted)
    for template in (json.loads(text), text):
        result = FILTERS["connector_onboarding_stack"](kept_plan, dict(facts, stack_template=template), text, M, account,
                                                       "swp-TrendMicroWorkloadSecurityRole", "us-east-1")
        assert (result["mode"], result["stack"], result["message"]) == ("stack", "none", None)
        assert result["record"]["stack"]["parameter"] == "ExternalID"
    # A hand-written YAML stack with short forms is read too: it gives another principal, so it is refused.
    yaml_template = (
        "Parameters: {ExternalID: {Type: String, NoEcho: true}}\n"
        "Resources:\n  CrossAccountRole:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      RoleName: TrendMicroWorkloadSecurityRole\n"
        "      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
        "          - Effect: Allow\n            Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}\n"
        "            Action: sts:AssumeRole\n            Condition: {StringEquals: {sts:ExternalId: !Ref ExternalID}}\n")
    refused = FILTERS["connector_onboarding_stack"](kept_plan, dict(facts, stack_template=yaml_template), text, M, account,
                                                    "swp-TrendMicroWorkloadSecurityRole", "us-east-1")
    assert "another trust policy" in refused["message"]


def test_the_filters_refuse_what_is_not_theirs():
    with pytest.raises(AnsibleFilterError, match="connector_onboarding_target"):
        FILTERS["connector_onboarding_stack_name"]("nope")
    with pytest.raises(AnsibleFilterError, match="connector_onboarding_plan"):
        FILTERS["connector_onboarding_stack"]({}, {}, "{}", M, {}, "s", "us-east-1")
    account = FILTERS["connector_onboarding_target"]("arn:aws:iam::123456789012:role/R")
    with pytest.raises(AnsibleFilterError, match="cannot be read"):
        FILTERS["connector_onboarding_stack"](plan_for(account), {}, "{not: [yaml", M, account, "swp-R", "us-east-1")
    assert FILTERS["connector_onboarding_stack_name"](account, "Given") == "Given"
