# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Accounts to onboard, in moto and the simulator, and their inventory.

    PYTHONPATH=COLLECTION_ROOT python accounts.py MOTO_URL SIM_BASE OUT_DIR

(COLLECTION_ROOT: the tree holding tests/support, the test tooling's shared layer.)

Kinds: new (nothing yet), correct_role (a role that trusts only the manager-defined ID, no connector),
correct (role, permissions and connector), wrong_role (a role that trusts a user-defined ID, no connector),
open_role (a role that lets the manager in without an external ID). Writes inventory.json and accounts.json.

Accounts onboarded through a CloudFormation stack, apart (stack-inventory.json, stack-accounts.json): stack_new
(nothing yet) and stack_clash (no role, but a stack of the name the role derives that holds another role).
"""

from __future__ import annotations

import json
import os
import sys

from tests.support import constants, moto_accounts, sim_control  # pylint: disable=import-error

KINDS = ["new", "new", "new", "correct_role", "correct", "wrong_role", "open_role", "late"]
STACK_KINDS = ["stack_new", "stack_clash"]
STACK = "swp-TrendMicroWorkloadSecurityRole"
SWP = constants.SWP_PRINCIPAL
ROLE = constants.ROLE_NAME
# The vendor's documented read-only list, written out here apart from the collection's copy.
PERMISSIONS = {"Version": "2012-10-17", "Statement": [{"Sid": "ServerWorkloadProtectionRead", "Effect": "Allow", "Resource": "*", "Action": [
    "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeRegions", "ec2:DescribeSubnets", "ec2:DescribeTags",
    "ec2:DescribeVpcs", "ec2:DescribeAvailabilityZones", "ec2:DescribeSecurityGroups", "workspaces:DescribeWorkspaces",
    "workspaces:DescribeWorkspaceDirectories", "workspaces:DescribeWorkspaceBundles", "workspaces:DescribeTags",
    "iam:ListAccountAliases", "iam:GetRole", "iam:GetRolePolicy"]}]}


def trust(condition):
    statement = {"Effect": "Allow", "Principal": {"AWS": SWP}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": condition}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def other_team_template():
    """A stack of the name the onboarding derives, holding someone else's role."""
    return {"Resources": {"OtherTeamRole": {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "OtherTeamRole", "AssumeRolePolicyDocument": trust(None)}}}}


def main():
    moto_url, sim_base, out = sys.argv[1:4]
    sim = sim_control.SimControl(sim_base)
    moto = moto_accounts.MotoAccounts(moto_url)
    manager_id = sim.manager_external_id()
    accounts, hosts, connectors, stack_accounts, stack_hosts = [], {}, [], [], {}
    for index, kind in enumerate(KINDS + STACK_KINDS):
        account_id = "%012d" % (300000000001 + index)
        host = "%s-%02d" % (kind.replace("_", "-"), index)
        arn = "arn:aws:iam::%s:role/%s" % (account_id, ROLE)
        iam = moto.client(account_id)
        if kind in STACK_KINDS:
            # An earlier run's stack would own the role built now.
            cfn = moto.client(account_id, "cloudformation")
            try:
                cfn.delete_stack(StackName=STACK)
            except cfn.exceptions.ClientError:
                pass
        try:
            for policy in iam.list_role_policies(RoleName=ROLE)["PolicyNames"]:
                iam.delete_role_policy(RoleName=ROLE, PolicyName=policy)
            iam.delete_role(RoleName=ROLE)
        except iam.exceptions.NoSuchEntityException:
            pass
        old_id = "legacy-%s-x7Qp" % account_id
        if kind in ("correct_role", "correct"):
            iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust(manager_id)))
        elif kind == "wrong_role":
            iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust(old_id)))
        elif kind == "open_role":
            iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust(None)))
        if kind == "correct":
            iam.put_role_policy(RoleName=ROLE, PolicyName="ServerWorkloadProtectionRead", PolicyDocument=json.dumps(PERMISSIONS))
            connectors.append({"displayName": host, "accountId": account_id, "crossAccountRoleArn": arn,
                               "seedRegion": constants.REGION, "externalId": manager_id})
        if kind == "stack_clash":
            cfn.create_stack(StackName=STACK, TemplateBody=json.dumps(other_team_template()), Capabilities=["CAPABILITY_NAMED_IAM"])
        account = {"host": host, "kind": kind, "account_id": account_id, "role_arn": arn, "old_id": old_id}
        host_vars = {"connector_onboarding_account_id": account_id,
                     "connector_onboarding_aws_assume_role_arn": "arn:aws:iam::%s:role/%s" % (account_id, constants.ADMIN_ROLE)}
        (stack_accounts if kind in STACK_KINDS else accounts).append(account)
        (stack_hosts if kind in STACK_KINDS else hosts)[host] = host_vars
    if connectors:
        sim.add_connectors(connectors)
    # New roles were never seen by the manager: observing them now makes their creation subject to the propagation delay.
    sim.observe_roles(a["role_arn"] for a in accounts + stack_accounts)
    for name, group in (("inventory.json", hosts), ("stack-inventory.json", stack_hosts)):
        inventory = {"new_accounts": {"hosts": group, "vars": {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "connector_onboarding_aws_endpoint_url": moto_url,
            "connector_onboarding_aws_access_key": constants.AWS_ACCESS_KEY,
            "connector_onboarding_aws_secret_key": constants.AWS_SECRET_KEY,
        }}}
        with open(os.path.join(out, name), "w", encoding="utf-8") as handle:
            json.dump(inventory, handle, indent=1)
    for name, group in (("accounts.json", accounts), ("stack-accounts.json", stack_accounts)):
        with open(os.path.join(out, name), "w", encoding="utf-8") as handle:
            json.dump({"manager_external_id": manager_id, "accounts": group}, handle, indent=1)


if __name__ == "__main__":
    main()
