# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where each AWS account stands between Server & Workload Protection and Vision One Cloud Accounts (CAM); for
internal use (pure: standard library only, no Ansible or HTTP import).

``cam_state(record)`` names the CAM state of one account (a CAM record in the API's camelCase or in
``cam_aws_account_info``'s snake_case, or None); ``count_states`` and ``add_state`` keep the summary a report
can carry; ``cam_trust(policy)`` says whether a role's trust policy lets the CAM OIDC provider in;
``account_standing`` joins connectors and CAM accounts per AWS account; ``table_lines`` prints the rows.

Unknown is not false: a state that cannot be proven from what was read is ``unknown``, never ``absent``.
"""

from __future__ import annotations

import re

from ansible_collections.swp.aws.plugins.module_utils._arn import ArnError, parse_arn, parse_role_arn
from ansible_collections.swp.aws.plugins.module_utils._masking import MASK
from ansible_collections.swp.aws.plugins.module_utils._trust_policy_model import TrustPolicyError, load_policy, policy_statements

__all__ = ["ABSENT", "LEGACY", "MANAGED", "OUTDATED", "FAILED", "UNKNOWN", "STATES", "CAM_API_STATES", "cam_state",
           "count_states", "add_state", "cam_trust", "oidc_issuer", "account_standing", "standing_summary", "summary_line", "table_lines"]

ABSENT, LEGACY, MANAGED, OUTDATED, FAILED, UNKNOWN = "absent", "legacy", "managed", "outdated", "failed", "unknown"
# Every label cam_state returns, in the order a summary shows them.
STATES = (ABSENT, LEGACY, MANAGED, OUTDATED, FAILED, UNKNOWN)
# The values of a CAM account's "state" seen in the vendor's code.
CAM_API_STATES = (MANAGED, OUTDATED, FAILED)
YES, NO, NOT_APPLICABLE = "yes", "no", "n/a"

# The CAM OIDC provider: cloudaccounts-<region>.xdr.trendmicro.com in the docs, .visionone.trendmicro.com on an
# older page; both are accepted (CAM-NOTES: which one a region uses is not settled).
_ISSUER = re.compile(r"\Acloudaccounts-[a-z0-9-]+\.(?:xdr|visionone)\.trendmicro\.com\Z")
_WEB_IDENTITY = "sts:assumerolewithwebidentity"


def _field(record, camel, snake):
    if camel in record:
        return record[camel]
    return record.get(snake)


def cam_state(record, listed=True):
    """The CAM state of one account: ``absent``, ``legacy``, ``managed``, ``outdated``, ``failed`` or ``unknown``.

    ``record`` is the account's CAM record (camelCase or snake_case) or None when CAM has none. ``listed`` says
    whether that None is proven (a complete listing, or a GET answered 404 on a path that answers): without it,
    no record is ``unknown``. A record with a non-empty ``sources`` and no ``roleArn`` is a legacy connection
    (the values of ``sources`` are undocumented, so any non-empty list counts); one with a role is in the state
    CAM gives it, ``unknown`` for a state outside ``managed``, ``outdated``, ``failed``.
    """
    if record is None:
        return ABSENT if listed else UNKNOWN
    if not isinstance(record, dict):
        return UNKNOWN
    role = _field(record, "roleArn", "role_arn")
    if not role:
        sources = record.get("sources")
        if isinstance(sources, list) and sources and role in (None, ""):
            return LEGACY
        return UNKNOWN
    state = record.get("state")
    return state if state in CAM_API_STATES else UNKNOWN


def count_states(labels=()):
    """``{label: count}`` for every label of STATES (zeros included) and ``total``; other labels count as unknown."""
    summary = dict((label, 0) for label in STATES)
    summary["total"] = 0
    for label in labels:
        add_state(summary, label)
    return summary


def add_state(summary, label):
    """Count one more account of ``label`` in a summary made by count_states; returns the summary."""
    label = label if label in STATES else UNKNOWN
    summary[label] = summary.get(label, 0) + 1
    summary["total"] = summary.get("total", 0) + 1
    return summary


def oidc_issuer(principal):
    """The CAM issuer host of a ``Principal.Federated`` value (an OIDC provider ARN or the bare host), or None."""
    if not isinstance(principal, str):
        return None
    arn = parse_arn(principal)
    if arn is not None:
        if arn.service != "iam" or not arn.resource.startswith("oidc-provider/"):
            return None
        host = arn.resource[len("oidc-provider/"):]
    else:
        host = principal
    host = host.split("/", 1)[0].lower()
    return host if _ISSUER.match(host) else None


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _names_web_identity(actions):
    return any(isinstance(a, str) and a.lower() in (_WEB_IDENTITY, "sts:*", "*") for a in actions)


def cam_trust(policy, account_id=None):
    """Whether a trust policy lets the CAM OIDC provider assume the role: ``yes``, ``no`` or ``unknown``.

    ``yes``: an Allow statement names a CAM provider (of ``account_id`` when given) as ``Principal.Federated`` for
    ``sts:AssumeRoleWithWebIdentity``, and no statement could take that away (no Deny, no NotPrincipal/NotAction).
    ``no``: no statement names a CAM provider at all (IAM denies what no statement allows). Anything between is
    ``unknown``; so is a policy that was not read (None) or cannot be parsed. Conditions (``aud``, ``sub``) are not
    judged: they decide which Vision One tenant gets in, which the collection cannot know.
    """
    if policy is None:
        return UNKNOWN
    try:
        statements = policy_statements(load_policy(policy))
    except (TrustPolicyError, ValueError, TypeError):
        return UNKNOWN
    allowed = False
    doubtful = False
    for statement in statements:
        if not isinstance(statement, dict):
            doubtful = True
            continue
        effect = statement.get("Effect")
        if effect == "Deny" or "NotPrincipal" in statement:
            doubtful = True
            continue
        principal = statement.get("Principal")
        federated = _as_list(principal.get("Federated")) if isinstance(principal, dict) else []
        providers = [p for p in federated if oidc_issuer(p)]
        if account_id:
            other = [p for p in providers if parse_arn(p) is not None and parse_arn(p).account != account_id]
            providers = [p for p in providers if p not in other]
            doubtful = doubtful or bool(other)
        if not providers:
            continue
        if effect != "Allow" or "NotAction" in statement:
            doubtful = True
        elif _names_web_identity(_as_list(statement.get("Action"))):
            allowed = True
        else:
            doubtful = True
    if allowed and not doubtful:
        return YES
    if not allowed and not doubtful:
        return NO
    return UNKNOWN


def _account_of(connector):
    account = connector.get("account_id")
    if account:
        return account
    try:
        return parse_role_arn(connector.get("cross_account_role_arn"))[1]
    except ArnError:
        return None


def external_id_kind(connector, manager_mask=None):
    """What is known of a connector's external ID: ``none`` (it uses none), ``user_defined`` or ``unknown``.

    Only masks are compared (the first four characters): masks that differ prove a user-defined ID; masks that agree
    prove nothing, so they leave it ``unknown``. Which ID a connector uses is never known for certain otherwise.
    """
    if connector.get("auth_type") != "cross_account_role":
        return "none" if connector.get("auth_type") else UNKNOWN
    mine = connector.get("external_id")
    if isinstance(mine, str) and isinstance(manager_mask, str) and mine.endswith(MASK) and manager_mask.endswith(MASK) \
            and len(mine) > len(MASK) and len(manager_mask) > len(MASK) and mine != manager_mask:
        return "user_defined"
    return UNKNOWN


def _where(swp, cam):
    if not swp:
        return "CAM only" if cam not in (ABSENT, UNKNOWN) else ("nowhere" if cam == ABSENT else "CAM unknown")
    if cam == ABSENT:
        return "SWP only"
    if cam == UNKNOWN:
        return "SWP, CAM unknown"
    return "SWP + CAM %s" % cam


def account_standing(connectors, cam_accounts, cam_listed=True, manager_mask=None, trust_policies=None):
    """One row per AWS account found on either side, sorted by account ID.

    ``connectors``: as ``workload_connector_info`` returns them. ``cam_accounts``: CAM records (either case).
    ``cam_listed``: whether ``cam_accounts`` is a complete listing (else an account without a record is ``unknown``).
    ``manager_mask``: the manager-defined external ID, masked. ``trust_policies``: ``{role ARN or account ID: policy}``
    of the CAM roles that were read. Connectors whose account cannot be told are rows of their own (account None).
    """
    trust_policies = trust_policies or {}
    rows = {}
    loose = []
    for connector in connectors or []:
        if not isinstance(connector, dict):
            continue
        account = _account_of(connector)
        entry = {"connector_id": connector.get("id"), "display_name": connector.get("display_name"),
                 "auth_type": connector.get("auth_type"), "external_id": external_id_kind(connector, manager_mask)}
        if account is None:
            loose.append({"account_id": None, "connectors": [entry], "cam": None})
        else:
            rows.setdefault(account, {"account_id": account, "connectors": [], "cam": None})["connectors"].append(entry)
    for record in cam_accounts or []:
        if not isinstance(record, dict):
            continue
        account = _field(record, "id", "account_id")
        if account is None:
            continue
        rows.setdefault(account, {"account_id": account, "connectors": [], "cam": None})["cam"] = record
    result = []
    for row in [rows[key] for key in sorted(rows)] + loose:
        record = row["cam"]
        state = cam_state(record, listed=cam_listed and row["account_id"] is not None)
        role_arn = _field(record, "roleArn", "role_arn") if isinstance(record, dict) else None
        if state in (MANAGED, OUTDATED, FAILED) and role_arn:
            policy = trust_policies.get(role_arn, trust_policies.get(row["account_id"]))
            trust = cam_trust(policy, row["account_id"])
        elif state == UNKNOWN and role_arn:
            trust = UNKNOWN
        else:
            trust = NOT_APPLICABLE
        names = [c["display_name"] for c in row["connectors"] if c["display_name"]]
        name = names[0] if names else (record.get("name") if isinstance(record, dict) else None)
        result.append({
            "account_id": row["account_id"],
            "name": name,
            "swp_connectors": row["connectors"],
            "cam_state": state,
            "cam_role_arn": role_arn or None,
            "cam_sources": list(record.get("sources") or []) if isinstance(record, dict) and isinstance(record.get("sources"), list) else [],
            "cam_trusts_oidc": trust,
            "where": _where(row["connectors"], state),
        })
    return result


def standing_summary(rows):
    """Counts of the rows: ``cam`` by CAM state (count_states), ``swp`` accounts with a connector and ``both``."""
    return {
        "cam": count_states(row["cam_state"] for row in rows),
        "swp_accounts": sum(1 for row in rows if row["swp_connectors"]),
        "cam_accounts": sum(1 for row in rows if row["cam_state"] not in (ABSENT, UNKNOWN)),
        "accounts": len(rows),
    }


def summary_line(summary):
    """One line of a standing_summary: the CAM states counted, then the accounts of each side."""
    cam = summary["cam"]
    return "CAM: %s. %d accounts: %d with an SWP connector, %d in CAM." % (
        ", ".join("%s %d" % (label, cam.get(label, 0)) for label in STATES), summary["accounts"], summary["swp_accounts"],
        summary["cam_accounts"])


def _swp_text(connectors):
    if not connectors:
        return "-"
    parts = []
    for connector in connectors:
        auth = connector.get("auth_type") or UNKNOWN
        text = "#%s %s" % (connector.get("connector_id"), auth)
        if auth == "cross_account_role":
            text += " (external ID %s)" % connector.get("external_id", UNKNOWN).replace("_", "-")
        parts.append(text)
    return "; ".join(parts)


def table_lines(rows):
    """The rows as a fixed-width table, one line per account, with a header line."""
    header = ("ACCOUNT", "NAME", "SWP CONNECTOR", "CAM", "CAM ROLE TRUSTS OIDC", "WHERE")
    cells = [header] + [(row["account_id"] or "?", row["name"] or "-", _swp_text(row["swp_connectors"]), row["cam_state"],
                         row["cam_trusts_oidc"], row["where"]) for row in rows]
    widths = [max(len(str(line[i])) for line in cells) for i in range(len(header))]
    return ["  ".join(str(value).ljust(width) for value, width in zip(line, widths)).rstrip() for line in cells]
