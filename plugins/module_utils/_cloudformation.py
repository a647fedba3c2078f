# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CloudFormation stacks that own an IAM role: find the stack, read its template, and check the trust policy it gives.

For internal use. Pure (no I/O): it reads what amazon.aws.cloudformation_info returned. Its one import beyond
the standard library is amazon.aws's ``compare_policies``, a pure comparison of two policies, made only by the
stack check, so the filters that load this file load without amazon.aws (as the docs tools load them); the YAML
reader is imported only when a template is text. Both the external-ID rollout (``_migration``, the
``swp.aws.extid_migration_*`` filters) and the onboarding (``_onboarding``) use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


__all__ = ["ROLE_TYPE", "TemplateError", "find_stack", "read_template", "stack_trust_policy", "stack_check"]

ROLE_TYPE = "AWS::IAM::Role"


class TemplateError(ValueError):
    """A stack's template whose trust policy for the role cannot be evaluated here; the message says why."""


def find_stack(stacks_by_region, role_name, role_arn=None):
    """The stack that owns the role, from ``{region: {stack name: cloudformation_info facts}}``; None when none.

    Returns ``{"name", "region", "logical_id", "status", "parameters"}`` (``parameters``: the stack's parameter
    names, never their values).
    """
    for region in stacks_by_region or {}:
        for name, facts in sorted((stacks_by_region[region] or {}).items()):
            facts = facts or {}
            for resource in facts.get("stack_resource_list") or []:
                if resource.get("resource_type") != ROLE_TYPE:
                    continue
                if resource.get("physical_resource_id") not in (role_name, role_arn):
                    continue
                if str(resource.get("resource_status", "")).startswith("DELETE_COMPLETE"):
                    continue
                description = facts.get("stack_description") or {}
                return {"name": description.get("stack_name") or name, "region": region,
                        "logical_id": resource.get("logical_resource_id"),
                        "status": description.get("stack_status"),
                        "parameters": sorted((facts.get("stack_parameters") or {}).keys())}
    return None


def read_template(body):
    """A stack's template as a dict: a dict as it is, else JSON or YAML text read with CloudFormation's short forms
    (``!Ref``, ``!Sub``, ``!GetAtt``...); None when the text is not YAML."""
    if isinstance(body, Mapping):
        return dict(body)
    import yaml  # pylint: disable=import-outside-toplevel

    class _Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """YAML with CloudFormation's short forms (!Ref, !Sub, !GetAtt...)."""

    def _short(loader, suffix, node):
        name = suffix if suffix == "Ref" else "Fn::" + suffix
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    _Loader.add_multi_constructor("!", _short)
    try:
        return yaml.load(str(body), Loader=_Loader)  # nosec - SafeLoader with CloudFormation's tags only
    except yaml.YAMLError:
        return None


def _resolve(value, params):
    """A CloudFormation template value with Ref, Fn::Sub and Fn::Join resolved from ``params``."""
    if isinstance(value, list):
        return [_resolve(item, params) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref":
            if arg not in params:
                raise TemplateError("the template refers to %s, which cannot be evaluated here" % arg)
            return params[arg]
        if key == "Fn::Sub":
            text, local = (arg[0], dict(arg[1])) if isinstance(arg, list) else (arg, {})
            scope = dict(params, **dict((k, _resolve(v, params)) for k, v in local.items()))

            def _sub(match):
                name = match.group(1)
                if name.startswith("!"):
                    return "${" + name[1:] + "}"
                if name not in scope:
                    raise TemplateError("the template refers to ${%s}, which cannot be evaluated here" % name)
                return str(scope[name])
            return re.sub(r"\$\{([^}]+)\}", _sub, str(text))
        if key == "Fn::Join":
            return str(arg[0]).join(str(item) for item in _resolve(arg[1], params))
        if key.startswith("Fn::") or key == "Condition":
            raise TemplateError("the template's trust policy uses %s, which cannot be evaluated here" % key)
    return dict((key, _resolve(item, params)) for key, item in value.items())


def stack_trust_policy(template, logical_id, parameters, account_id, partition, region, stack_name):
    """The trust policy the stack's template gives the role for these parameter values (pseudo parameters filled in)."""
    if not isinstance(template, dict):
        raise TemplateError("the stack's template cannot be read")
    resource = (template.get("Resources") or {}).get(logical_id) or {}
    if resource.get("Type") != ROLE_TYPE:
        raise TemplateError("the stack's template has no role %s" % logical_id)
    document = (resource.get("Properties") or {}).get("AssumeRolePolicyDocument")
    if document is None:
        raise TemplateError("the stack's role %s has no AssumeRolePolicyDocument" % logical_id)
    params = dict(parameters or {})
    params.update({"AWS::AccountId": account_id, "AWS::Partition": partition, "AWS::Region": region, "AWS::StackName": stack_name})
    return _resolve(document, params)


def stack_check(owner, facts, plan, manager_id, account, parameter="ExternalID"):
    """Whether updating the stack with the manager-defined ID gives the role exactly the planned narrowed trust policy.

    ``facts`` is amazon.aws.cloudformation_info's entry for the stack (with ``stack_template``). Returns ``ok`` and
    ``message`` (why not, external IDs not included).
    """
    stack = (owner or {}).get("record", {}).get("stack") or {}
    facts = facts or {}
    values = dict(facts.get("stack_parameters") or {})
    values[parameter] = manager_id
    where = "CloudFormation stack %s" % stack.get("name")
    try:
        document = stack_trust_policy(read_template(facts.get("stack_template")), stack.get("logical_id"), values,
                                      account.get("account_id"), account.get("partition"), stack.get("region"), stack.get("name"))
    except TemplateError as exc:
        return {"ok": False, "message": "%s: %s; use extid_migration_cloudformation report or edit. Nothing was written." % (where, exc)}
    from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies  # pylint: disable=import-outside-toplevel

    if compare_policies(document, plan.get("narrowed")):
        return {"ok": False, "message": (
            "%s: its template with %s set to the manager-defined ID gives the role a trust policy other than the planned "
            "narrowed one, so updating it could lock the connector out or open the role; update the stack yourself, or use "
            "extid_migration_cloudformation report or edit. Nothing was written." % (where, parameter))}
    return {"ok": True, "message": None}
