# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.swp.aws.plugins.module_utils._masking import policy_diff
from ansible_collections.swp.aws.plugins.module_utils._trust_policy_model import TrustPolicyError, load_policy
from ansible_collections.swp.aws.plugins.plugin_utils._reveal import reveal_flag

ARGUMENT_SPEC = dict(
    before=dict(type="raw"),
    after=dict(type="raw"),
    label=dict(type="str", default="trust policy"),
    # Read by reveal_flag(): Ansible's boolean rules, null is false, and an error never quotes the value.
    reveal=dict(type="raw", default=False),
)


def _canonical(policy):
    """Order-insensitive form, so a mere reordering is not reported as a change."""
    def walk(value):
        if isinstance(value, dict):
            return dict((key, walk(item)) for key, item in value.items())
        if isinstance(value, list):
            items = [walk(item) for item in value]
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        return value
    return None if policy is None else json.dumps(walk(load_policy(policy)), sort_keys=True)


class ActionModule(ActionBase):
    """Show the before/after of a trust-policy edit with the external IDs masked (amazon.aws.iam_role shows none)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validation.error_messages:
            raise AnsibleActionFail("; ".join(validation.error_messages))
        args = validation.validated_parameters
        try:
            reveal = reveal_flag(args["reveal"])
        except ValueError as exc:
            raise AnsibleActionFail(str(exc)) from None
        try:
            changed = _canonical(args["before"]) != _canonical(args["after"])
            diff = policy_diff(args["before"], args["after"], reveal=reveal)
        except TrustPolicyError as exc:
            raise AnsibleActionFail("Cannot show the %s change: %s" % (args["label"], exc))
        diff["before_header"] = "%s (before)" % args["label"]
        diff["after_header"] = "%s (after)" % args["label"]
        result.update(changed=changed, diff=diff)
        return result
