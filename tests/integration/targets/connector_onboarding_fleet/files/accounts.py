# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Accounts to onboard, in moto and the simulator, and their inventory.

    python accounts.py FLEET_SCRIPT MOTO_URL SIM_BASE OUT_DIR

Kinds: new (nothing yet), correct_role (a role that trusts only the manager-defined ID, no connector),
correct (role, permissions and connector), wrong_role (a role that trusts a user-defined ID, no connector),
open_role (a role that lets the manager in without an external ID). Writes inventory.json and accounts.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

KINDS = ["new", "new", "new", "correct_role", "correct", "wrong_role", "open_role", "late"]
SWP = "arn:aws:iam::147995105371:root"
ROLE = "TrendMicroWorkloadSecurityRole"
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


def main():
    fleet_script, moto_url, sim_base, out = sys.argv[1:5]
    spec = importlib.util.spec_from_file_location("fleet", fleet_script)
    fleet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fleet)
    manager_id = fleet._control(sim_base, "GET", "/state")["manager_external_id"]  # pylint: disable=protected-access
    accounts, hosts, connectors = [], {}, []
    for index, kind in enumerate(KINDS):
        account_id = "%012d" % (300000000001 + index)
        host = "%s-%02d" % (kind.replace("_", "-"), index)
        arn = "arn:aws:iam::%s:role/%s" % (account_id, ROLE)
        iam = fleet.account_session(moto_url, account_id)
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
                               "seedRegion": "us-east-1", "externalId": manager_id})
        accounts.append({"host": host, "kind": kind, "account_id": account_id, "role_arn": arn, "old_id": old_id})
        hosts[host] = {"connector_onboarding_account_id": account_id,
                       "connector_onboarding_aws_assume_role_arn": "arn:aws:iam::%s:role/%s" % (account_id, fleet.ADMIN_ROLE)}
    if connectors:
        fleet._control(sim_base, "POST", "/connectors", {"connectors": connectors})  # pylint: disable=protected-access
    # New roles were never seen by the manager: observing them now makes their creation subject to the propagation delay.
    fleet._control(sim_base, "POST", "/iam/observe", {"role_arns": [a["role_arn"] for a in accounts]})  # pylint: disable=protected-access
    inventory = {"new_accounts": {"hosts": hosts, "vars": {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "connector_onboarding_aws_endpoint_url": moto_url,
        "connector_onboarding_aws_access_key": "testing",
        "connector_onboarding_aws_secret_key": "testing",
    }}}
    with open(os.path.join(out, "inventory.json"), "w", encoding="utf-8") as handle:
        json.dump(inventory, handle, indent=1)
    with open(os.path.join(out, "accounts.json"), "w", encoding="utf-8") as handle:
        json.dump({"manager_external_id": manager_id, "accounts": accounts}, handle, indent=1)


if __name__ == "__main__":
    main()
