# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a test fleet of AWS accounts: cross-account roles in a moto server, connectors in the SWP simulator.

    python tests/fleet.py --moto-url URL build --spec SPEC.json --sim-base URL --inventory-out FILE [--fleet-out FILE]
    python tests/fleet.py --moto-url URL policies --fleet FILE

Each account of the spec gets its own account ID and credentials (moto keeps accounts apart by
credentials: assuming a role in account N answers with N's credentials), a cross-account role whose
trust policy is shaped by the account's ``kind``, and, unless the kind says otherwise, a connector
seeded with the external ID the kind implies. The inventory written has one host per account, reached
hub-and-spoke through an admin role in the account, as real fleets are.

With --cam-base, an account's "cam" key (legacy, managed, outdated, failed) puts it into the CAM simulator too, and
a CAM account with a role gets VisionOneRole in moto, trusting the simulator's OIDC issuer ("cam_trust": "none": not).

Kinds: migrated, user_defined, half_done, string_like, several_statements, second_principal,
list_condition, no_connector, role_missing, access_key, unassumable, other_principal, and the
adversarial ones: shared_statement, open_statement, star, cross_conditions, v2008,
access_key_no_role. Roles another tool owns: cloudformation (the role made by a CloudFormation stack,
``swp-role``, from a template whose ``ExternalID`` parameter is the external ID, as the vendor's
onboarding templates do), cloudformation_half_done (the same, widened in place: the stack drifts), and
terraform (a plain role tagged ``ManagedBy=terraform``).

    python tests/fleet.py --moto-url URL check-report --report FILE

validates a rollout report against docs/extid_migration_report.schema.json.

    python tests/fleet.py --moto-url URL judge --fleet FILE --before FILE --after FILE --sim-base URL

judges the trust policies after a run against those before it with the independent IAM evaluator
(tests/support/iam_eval.py): nobody may get in who could not before, except the manager's account with the
manager-defined ID, and every role must still accept the ID its connector uses.

``build --policies-out FILE`` also writes every account's trust policy as built (what ``policies`` prints),
so that a test set-up (the integration targets' shared ``setup_fleet``) needs one process, not two.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

try:  # imported as part of the tests package (the unit tests, tests/chaos.py, tests/sandbox.py)
    from .support import constants, iam_eval, moto_accounts, sim_control
except ImportError:  # run as a script: its folder, tests/, is the first entry of sys.path
    from support import constants, iam_eval, moto_accounts, sim_control  # pylint: disable=import-error

SWP_PRINCIPAL = constants.SWP_PRINCIPAL
DSM_PRINCIPAL = constants.DSM_PRINCIPAL
ROLE_NAME = constants.ROLE_NAME
ADMIN_ROLE = constants.ADMIN_ROLE


def _statement(external_ids, operator="StringEquals", principal=SWP_PRINCIPAL, extra=None):
    value = external_ids[0] if len(external_ids) == 1 else list(external_ids)
    condition = {operator: {"sts:ExternalId": value}}
    for key, block in (extra or {}).items():
        condition.setdefault(key, {}).update(block)
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole", "Condition": condition}


def trust_policy(kind, old_id, manager_id, account_id):
    """The trust policy of an account of this kind, and the ID its connector uses (None: no connector)."""
    statements = []
    uses = old_id
    if kind == "migrated":
        statements, uses = [_statement([manager_id])], manager_id
    elif kind in ("user_defined", "no_connector", "access_key", "role_missing", "access_key_no_role", "cloudformation", "terraform"):
        statements = [_statement([old_id])]
    elif kind in ("half_done", "cloudformation_half_done"):
        statements = [_statement([old_id, manager_id])]
    elif kind == "string_like":
        statements = [_statement([old_id], operator="StringLike")]
    elif kind == "several_statements":
        statements = [
            _statement([old_id], extra={"Bool": {"aws:SecureTransport": "true"}}),
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        ]
    elif kind == "second_principal":
        statements = [
            _statement([old_id]),
            _statement(["partner-%s" % account_id], principal="arn:aws:iam::%s:root" % account_id,
                       extra={"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}}),
        ]
    elif kind == "list_condition":
        statements = [_statement([old_id, "retired-" + old_id])]
    elif kind == "unassumable":
        # The manager is denied outright: no external ID can make the switch succeed.
        statements = [_statement([old_id]),
                      {"Effect": "Deny", "Principal": {"AWS": SWP_PRINCIPAL}, "Action": "sts:AssumeRole"}]
    elif kind == "other_principal":
        statements = [_statement([old_id], principal=DSM_PRINCIPAL)]
    elif kind == "shared_statement":
        statement = _statement([old_id], principal=[SWP_PRINCIPAL, "arn:aws:iam::%s:root" % account_id])
        statement["Principal"]["Service"] = "ec2.amazonaws.com"
        statements = [dict(statement, Sid="Shared"), dict(_statement(["other-" + old_id]), Sid="SharedOthers")]
    elif kind == "open_statement":
        statements = [_statement([old_id]), dict(_statement([old_id], operator="StringEqualsIfExists"), Sid="Legacy")]
    elif kind == "star":
        statements = [_statement([old_id], principal="*", extra={"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}})]
    elif kind == "cross_conditions":
        statements = [
            dict(_statement([old_id], extra={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), Sid="FromTheVpn"),
            dict(_statement(["legacy-*"], operator="StringLike"), Sid="Pattern"),
            dict(_statement([old_id.upper()], operator="StringEqualsIgnoreCase"), Sid="AnyCase"),
        ]
    elif kind == "v2008":
        return {"Version": "2008-10-17", "Statement": [_statement([old_id])]}, uses
    else:
        raise ValueError("unknown account kind %r" % kind)
    return {"Version": "2012-10-17", "Statement": statements}, uses


STACK_NAME = "swp-role"


def role_template(principal=SWP_PRINCIPAL):
    """A cross-account role template: the external ID is the ExternalID parameter."""
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalID"}}}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"ExternalID": {"Type": "String", "NoEcho": True}, "Team": {"Type": "String", "Default": "security"}},
        "Resources": {"CrossAccountRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": ROLE_NAME,
            "Description": {"Fn::Sub": "Server & Workload Protection, owned by ${Team}"},
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}}},
    }


def stack_of(moto_url, account_id, region=constants.REGION, moto=None):
    """The account's role stack: its ExternalID parameter and status (None when there is none)."""
    cfn = (moto or moto_accounts.MotoAccounts(moto_url)).client(account_id, "cloudformation", region)
    try:
        stack = cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    except cfn.exceptions.ClientError:
        return None
    params = dict((item["ParameterKey"], item.get("ParameterValue")) for item in stack.get("Parameters") or [])
    return {"status": stack["StackStatus"], "external_id": params.get("ExternalID")}


CAM_ROLE = "VisionOneRole"
CAM_BUSINESS = "b0c7e2a4-5d1f-4e8a-9c3b-2f6d8e1a7b90"


def cam_trust_policy(account_id, issuer_host):
    """The trust policy CAM's template gives its role: the CAM OIDC provider, AssumeRoleWithWebIdentity, aud and sub."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/%s" % (account_id, issuer_host)},
        "Action": ["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"],
        "Condition": {"StringEquals": {
            "%s:aud" % issuer_host: "arn:aws:iam::%s:root" % account_id,
            "%s:sub" % issuer_host: "urn:visionone:identity:us:%s:account/%s" % (CAM_BUSINESS, CAM_BUSINESS)}}}]}


def build_cam(spec, accounts, cam_base, moto):
    """Put the accounts with a "cam" key (legacy, managed, outdated, failed) into the CAM simulator; give the ones with a
    CAM role that role in moto, trusting the simulator's OIDC issuer (or, with "cam_trust": "none", only the account)."""
    cam = sim_control.SimControl(cam_base)
    documents = []
    for account, wanted in zip(accounts, spec["accounts"]):
        if wanted.get("cam"):
            documents.append({"id": account["account_id"], "kind": wanted["cam"], "name": account["host"]})
        account["cam"] = wanted.get("cam")
    cam.reset({"accounts": documents, "config": spec.get("cam_simulator", {}).get("config") or {}})
    issuer = cam.state()["oidc_issuer_host"]
    for account in accounts:
        if account["cam"] not in ("managed", "outdated", "failed"):
            continue
        iam = moto.client(account["account_id"])
        try:
            iam.delete_role(RoleName=CAM_ROLE)
        except iam.exceptions.NoSuchEntityException:
            pass
        trust = cam_trust_policy(account["account_id"], issuer)
        wanted = next(w for a, w in zip(accounts, spec["accounts"]) if a is account)
        if wanted.get("cam_trust") == "none":
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                             "Principal": {"AWS": "arn:aws:iam::%s:root" % account["account_id"]}}]}
        try:
            iam.create_open_id_connect_provider(
                Url="https://" + issuer, ClientIDList=["arn:aws:iam::%s:root" % account["account_id"]], ThumbprintList=["0" * 40])
        except iam.exceptions.EntityAlreadyExistsException:
            pass
        iam.create_role(RoleName=CAM_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    return issuer


def build(spec, sim_base, moto_url, reset=True, moto=None):
    """Build the spec's accounts (roles in moto, connectors in the simulator); returns the fleet description."""
    sim = sim_control.SimControl(sim_base)
    moto = moto or moto_accounts.MotoAccounts(moto_url)
    if reset:
        sim.reset(spec.get("simulator", {}))
    manager_id = sim.manager_external_id()
    accounts = []
    connectors = []
    for index, account in enumerate(spec["accounts"]):
        account_id = account.get("account_id") or "%012d" % (100000000001 + index)
        kind = account["kind"]
        name = account.get("name") or "%s-%02d" % (kind.replace("_", "-"), index)
        role_arn = "arn:aws:iam::%s:role/%s" % (account_id, ROLE_NAME)
        old_id = account.get("old_id") or "legacy-%s-%s" % (account_id, "x7Qp")
        policy, uses = trust_policy(kind, old_id, manager_id, account_id)
        iam = moto.client(account_id)
        # Any kind: a stack an earlier fleet left in this account would claim the role built now.
        cfn = moto.client(account_id, "cloudformation", account.get("region", constants.REGION))
        try:
            cfn.delete_stack(StackName=STACK_NAME)
        except cfn.exceptions.ClientError:
            pass
        try:
            iam.delete_role(RoleName=ROLE_NAME)
        except iam.exceptions.NoSuchEntityException:
            pass
        if kind.startswith("cloudformation"):
            cfn.create_stack(StackName=STACK_NAME, TemplateBody=json.dumps(role_template()), Capabilities=["CAPABILITY_NAMED_IAM"],
                             Parameters=[{"ParameterKey": "ExternalID", "ParameterValue": old_id},
                                         {"ParameterKey": "Team", "ParameterValue": "security"}])
            if kind == "cloudformation_half_done":
                iam.update_assume_role_policy(RoleName=ROLE_NAME, PolicyDocument=json.dumps(policy))
        elif kind == "terraform":
            iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(policy),
                            Tags=[{"Key": "ManagedBy", "Value": "terraform"}])
        elif kind not in ("role_missing", "access_key_no_role"):
            iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(policy))
        if kind in ("access_key", "access_key_no_role"):
            connectors.append({"displayName": name, "accountId": account_id, "accessKey": "AKIA%012d" % index,
                               "secretKey": "fleet-secret-%d" % index, "seedRegion": constants.REGION})
        elif kind != "no_connector":
            connectors.append({"displayName": name, "accountId": account_id, "crossAccountRoleArn": role_arn,
                               "seedRegion": constants.REGION, "externalId": uses})
        accounts.append({"host": name, "account_id": account_id, "kind": kind, "role_arn": role_arn, "old_id": old_id,
                         "connector": kind not in ("no_connector",), "vars": account.get("vars") or {}})
    if connectors:
        sim.call("POST", "/connectors", {"connectors": connectors})
    return {"manager_external_id": manager_id, "accounts": accounts}


def inventory(fleet, moto_url, group="aws_accounts"):
    hosts = {}
    for account in fleet["accounts"]:
        hosts[account["host"]] = dict({
            "extid_migration_account_id": account["account_id"],
            "extid_migration_aws_assume_role_arn": "arn:aws:iam::%s:role/%s" % (account["account_id"], ADMIN_ROLE),
        }, **account.get("vars", {}))
    return {group: {"hosts": hosts, "vars": {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "extid_migration_role_name": ROLE_NAME,
        "extid_migration_aws_endpoint_url": moto_url,
        "extid_migration_aws_access_key": constants.AWS_ACCESS_KEY,
        "extid_migration_aws_secret_key": constants.AWS_SECRET_KEY,
    }}}


def policies(fleet, moto_url, moto=None):
    """Every account's trust policy as it is now (None where the role does not exist)."""
    moto = moto or moto_accounts.MotoAccounts(moto_url)
    result = {}
    for account in fleet["accounts"]:
        iam = moto.client(account["account_id"])
        try:
            result[account["host"]] = iam.get_role(RoleName=ROLE_NAME)["Role"]["AssumeRolePolicyDocument"]
        except iam.exceptions.NoSuchEntityException:
            result[account["host"]] = None
    return result


JUDGED_PRINCIPALS = [
    SWP_PRINCIPAL,
    "arn:aws:sts::147995105371:assumed-role/CloudOneWorkloadRole/session",
    "arn:aws:iam::444455556666:root",
    DSM_PRINCIPAL,
]
JUDGED_CONTEXTS = [{}, {"aws:SourceIp": "10.1.2.3"}, {"aws:SourceIp": "192.0.2.1"}, {"aws:PrincipalOrgID": "o-exampleorg"},
                   {"aws:SourceIp": "10.1.2.3", "aws:PrincipalOrgID": "o-exampleorg"}]


def judge(fleet, before, after, connector_ids):
    """Every way in that ``after`` opens and ``before`` did not, and every role that refuses its connector's ID."""
    manager_id = fleet["manager_external_id"]
    problems = []
    for account in fleet["accounts"]:
        old, new = before.get(account["host"]), after.get(account["host"])
        if new is None:
            continue
        principals = JUDGED_PRINCIPALS + ["arn:aws:iam::%s:root" % account["account_id"], {"Service": "ec2.amazonaws.com"}]
        ids = [None, manager_id, manager_id.upper(), "random-external-id", account["old_id"], "other-" + account["old_id"],
               account["old_id"].upper(), "legacy-anything"]
        for principal in principals:
            for external_id in ids:
                for context in JUDGED_CONTEXTS:
                    context = dict(context)
                    if external_id is not None:
                        context["sts:ExternalId"] = external_id
                    request = {"principal": principal, "action": "sts:AssumeRole", "context": context}
                    manager = isinstance(principal, str) and ":147995105371:" in principal and external_id == manager_id
                    if (iam_eval.is_allowed(new, request, account["role_arn"]) and not manager
                            and not (old is not None and iam_eval.is_allowed(old, request, account["role_arn"]))):
                        problems.append("%s: %s with %s in %s gets in only after the run" % (
                            account["host"], principal, "no external ID" if external_id is None else "an external ID", context))
        uses = connector_ids.get(account["role_arn"])
        if uses and not any(iam_eval.is_allowed(new, {"principal": SWP_PRINCIPAL, "action": "sts:AssumeRole",
                                                      "context": dict(context, **{"sts:ExternalId": uses})}, account["role_arn"])
                            for context in JUDGED_CONTEXTS):
            problems.append("%s: the trust policy refuses the ID its connector uses" % account["host"])
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto-url", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="build the fleet and write its inventory")
    build_cmd.add_argument("--spec", required=True, help="JSON: {\"accounts\": [{\"kind\": ...}, ...], \"simulator\": {seed}}")
    build_cmd.add_argument("--sim-base", required=True)
    build_cmd.add_argument("--inventory-out", required=True, help="inventory to write (JSON, which is YAML)")
    build_cmd.add_argument("--fleet-out", help="where to write the fleet description (account IDs, kinds)")
    build_cmd.add_argument("--cam-base", help="the CAM simulator: the accounts' \"cam\" keys go there")
    build_cmd.add_argument("--policies-out", help="where to write every account's trust policy as built (as the policies command)")
    policies_cmd = sub.add_parser("policies", help="print every account's trust policy as JSON")
    policies_cmd.add_argument("--fleet", required=True, help="the fleet description written by build --fleet-out")
    stacks_cmd = sub.add_parser("stacks", help="print every account's role stack (ExternalID parameter, status) as JSON")
    stacks_cmd.add_argument("--fleet", required=True)
    report_cmd = sub.add_parser("check-report", help="validate a rollout report against the collection's JSON Schema")
    report_cmd.add_argument("--report", required=True)
    judge_cmd = sub.add_parser("judge", help="judge the trust policies after a run against those before it")
    judge_cmd.add_argument("--fleet", required=True)
    judge_cmd.add_argument("--before", required=True, help="policies before the run, as printed by the policies command")
    judge_cmd.add_argument("--after", required=True, help="policies after the run")
    judge_cmd.add_argument("--sim-base", required=True, help="the simulator, for the ID each connector uses")
    args = parser.parse_args()
    if args.command == "check-report":
        import jsonschema  # pylint: disable=import-outside-toplevel
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        with open(os.path.join(root, "docs", "extid_migration_report.schema.json"), encoding="utf-8") as handle:
            schema = json.load(handle)
        with open(args.report, encoding="utf-8") as handle:
            jsonschema.validate(json.load(handle), schema, cls=jsonschema.Draft202012Validator)
        print("report follows the schema: %s" % args.report)
        return 0
    if args.command == "judge":
        loaded = []
        for name in (args.fleet, args.before, args.after):
            with open(name, encoding="utf-8") as handle:
                loaded.append(json.load(handle))
        state = sim_control.SimControl(args.sim_base).state()
        uses = dict((item.get("crossAccountRoleArn"), item.get("external_id")) for item in state["connectors"])
        problems = judge(loaded[0], loaded[1], loaded[2], uses)
        for problem in problems:
            print("UNSAFE " + problem)
        print("judged %d accounts: %d problems" % (len(loaded[0]["accounts"]), len(problems)))
        return 1 if problems else 0
    if args.command == "stacks":
        with open(args.fleet, encoding="utf-8") as handle:
            fleet = json.load(handle)
        moto = moto_accounts.MotoAccounts(args.moto_url)
        print(json.dumps(dict((account["host"], stack_of(args.moto_url, account["account_id"], moto=moto))
                              for account in fleet["accounts"] if account["kind"].startswith("cloudformation")), sort_keys=True))
        return 0
    if args.command == "policies":
        with open(args.fleet, encoding="utf-8") as handle:
            print(json.dumps(policies(json.load(handle), args.moto_url), sort_keys=True))
        return 0
    with open(args.spec, encoding="utf-8") as handle:
        spec = json.load(handle)
    moto = moto_accounts.MotoAccounts(args.moto_url)
    fleet = build(spec, args.sim_base.rstrip("/"), args.moto_url, moto=moto)
    if args.cam_base:
        fleet["cam_issuer"] = build_cam(spec, fleet["accounts"], args.cam_base.rstrip("/"), moto)
    with open(args.inventory_out, "w", encoding="utf-8") as handle:
        json.dump({"all": {"children": inventory(fleet, args.moto_url)}}, handle, indent=2)
    if args.fleet_out:
        with open(args.fleet_out, "w", encoding="utf-8") as handle:
            json.dump(fleet, handle, indent=2)
    if args.policies_out:
        with open(args.policies_out, "w", encoding="utf-8") as handle:
            json.dump(policies(fleet, args.moto_url, moto), handle, sort_keys=True)
    print("fleet: %d accounts" % len(fleet["accounts"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
