# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.trust_policy_info, run in-process against a moto server: the read, hub and spoke, the stack look-up."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from ansible_collections.swp.aws.plugins.modules import trust_policy_info
from ansible_collections.swp.aws.tests.support.constants import AWS_ACCESS_KEY, AWS_SECRET_KEY, REGION, SWP_PRINCIPAL
from ansible_collections.swp.aws.tests.support.moto_accounts import client
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

OLD = "old-user-defined-id"
NEW = "manager-defined-id-1234"
NEW_SHA256 = hashlib.sha256(NEW.encode()).hexdigest()


def trust(*ids):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": SWP_PRINCIPAL}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": list(ids) if len(ids) > 1 else ids[0]}}}]}


def stack_template(role_name):
    return json.dumps({
        "Parameters": {"ExternalID": {"Type": "String"}},
        "Resources": {"SwpRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": role_name,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": SWP_PRINCIPAL}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalID"}}}}]}}}}})


@pytest.fixture
def account():
    """A fresh account number for each test (moto keeps accounts apart)."""
    return "3%011d" % (uuid.uuid4().int % 10 ** 11)


def run(moto_url, capsys, **args):
    args.setdefault("endpoint_url", moto_url)
    args.setdefault("region", REGION)
    args.setdefault("access_key", AWS_ACCESS_KEY)
    args.setdefault("secret_key", AWS_SECRET_KEY)
    return run_module(trust_policy_info, args, capsys)


def reach(account):
    return "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account


def test_hub_and_spoke_reads_the_role_in_the_spoke_with_its_tags_and_returns_the_assumed_credentials(moto_url, capsys, account):
    iam = client(moto_url, account)
    iam.create_role(RoleName="swp", AssumeRolePolicyDocument=json.dumps(trust(OLD)), Tags=[{"Key": "owner", "Value": "sec"}])
    rc, result = run(moto_url, capsys, name="swp", assume_role_arn=reach(account))
    assert rc == 0, result
    assert result["changed"] is False
    (role,) = result["iam_roles"]
    assert role["arn"] == "arn:aws:iam::%s:role/swp" % account
    assert role["assume_role_policy_document"] == trust(OLD)
    assert role["tags"] == {"owner": "sec"}
    creds = result["sts_creds"]
    assert set(creds) == {"access_key", "secret_key", "session_token", "expiration"}
    # The credentials act in the spoke: the same role is there for them, and not in the hub's account.
    assert client(moto_url, account).get_role(RoleName="swp")["Role"]["Arn"] == role["arn"]
    assert result["stack"] is None and result["stacks_searched"] is False


def test_without_assume_role_it_reads_with_the_credentials_given_and_returns_no_credentials(moto_url, capsys):
    from ansible_collections.swp.aws.tests.support.moto_accounts import base_client
    name = "swp-%s" % uuid.uuid4().hex[:8]
    base_client(moto_url, "iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust(OLD)))
    rc, result = run(moto_url, capsys, name=name)
    assert rc == 0, result
    assert "sts_creds" not in result
    assert result["iam_roles"][0]["role_name"] == name


def test_a_missing_role_is_an_empty_list_and_no_stack_is_looked_for(moto_url, capsys, account):
    rc, result = run(moto_url, capsys, name="absent", assume_role_arn=reach(account), stack_regions=[REGION])
    assert rc == 0, result
    assert result["iam_roles"] == [] and result["stack"] is None and result["stacks_searched"] is False


def test_the_stack_that_owns_the_role_is_found_with_its_parameter_names_and_never_their_values(moto_url, capsys, account):
    cfn = client(moto_url, account, "cloudformation")
    cfn.create_stack(StackName="other", TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    cfn.create_stack(StackName="swp-role", TemplateBody=stack_template("swp-stack-role"),
                     Parameters=[{"ParameterKey": "ExternalID", "ParameterValue": OLD}], Capabilities=["CAPABILITY_NAMED_IAM"])
    rc, result = run(moto_url, capsys, name="swp-stack-role", assume_role_arn=reach(account), stack_regions=[REGION, REGION],
                     skip_stacks_if_external_id_sha256=NEW_SHA256)
    assert rc == 0, result
    assert result["stacks_searched"] is True
    assert result["stack"] == {"name": "swp-role", "region": REGION, "logical_id": "SwpRole", "status": "CREATE_COMPLETE",
                               "parameters": ["ExternalID"]}
    assert OLD not in json.dumps(result["stack"])


def test_a_role_no_stack_owns_is_searched_and_found_owned_by_none(moto_url, capsys, account):
    client(moto_url, account).create_role(RoleName="swp", AssumeRolePolicyDocument=json.dumps(trust(OLD)))
    client(moto_url, account, "cloudformation", region="eu-west-1").create_stack(
        StackName="elsewhere", TemplateBody=stack_template("another-role"), Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[{"ParameterKey": "ExternalID", "ParameterValue": OLD}])
    rc, result = run(moto_url, capsys, name="swp", assume_role_arn=reach(account), stack_regions=[REGION, "eu-west-1"])
    assert rc == 0, result
    assert result["stacks_searched"] is True and result["stack"] is None


def test_a_role_that_names_the_manager_id_is_not_searched_so_the_caller_must_look_before_a_write(moto_url, capsys, account):
    cfn = client(moto_url, account, "cloudformation")
    cfn.create_stack(StackName="swp-role", TemplateBody=stack_template("swp-stack-role"),
                     Parameters=[{"ParameterKey": "ExternalID", "ParameterValue": NEW}], Capabilities=["CAPABILITY_NAMED_IAM"])
    rc, result = run(moto_url, capsys, name="swp-stack-role", assume_role_arn=reach(account), stack_regions=[REGION],
                     skip_stacks_if_external_id_sha256=NEW_SHA256.upper())
    assert rc == 0, result
    assert result["stacks_searched"] is False and result["stack"] is None
    # The trust policy comes back as it is, the ID in it unmasked (the module never takes the ID itself).
    assert result["iam_roles"][0]["assume_role_policy_document"]["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": NEW}}
    # Another ID, or a part of this one: searched, and found.
    for other in (b"some-other-id", NEW[:8].encode()):
        rc, result = run(moto_url, capsys, name="swp-stack-role", assume_role_arn=reach(account), stack_regions=[REGION],
                         skip_stacks_if_external_id_sha256=hashlib.sha256(other).hexdigest())
        assert result["stacks_searched"] is True and result["stack"]["name"] == "swp-role"


def test_an_admin_role_that_cannot_be_assumed_fails_naming_it(moto_url, capsys):
    # Shorter than any role ARN: refused before it is sent (moto assumes any well-formed ARN).
    rc, result = run(moto_url, capsys, name="swp", assume_role_arn="arn:aws:iam::1:r")
    assert rc == 1
    assert result["msg"].startswith("Could not assume arn:aws:iam::1:r to reach the account")
    assert "sts_creds" not in result
