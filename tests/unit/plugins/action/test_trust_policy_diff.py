# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""swp.aws.trust_policy_diff: a masked diff, changed only when the policies differ in meaning."""

from __future__ import annotations

import json
from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.playbook.task import Task

from ansible_collections.swp.aws.plugins.action.trust_policy_diff import ActionModule

SWP = "arn:aws:iam::147995105371:root"
OLD = "legacy-100000000001-x7Qp"
NEW = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"


def policy(ids, principal=SWP):
    value = ids[0] if len(ids) == 1 else ids
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
                                                    "Action": "sts:AssumeRole",
                                                    "Condition": {"StringEquals": {"sts:ExternalId": value}}}]}


def run(args):
    task = Task()
    task.args = args
    task.check_mode = False
    context = MagicMock()
    context.check_mode = False
    action = ActionModule(task, MagicMock(), context, loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def test_a_widen_is_a_change_with_masked_ids():
    result = run({"before": policy([OLD]), "after": policy([OLD, NEW]), "label": "arn:aws:iam::100000000001:role/R"})
    assert result["changed"] is True
    text = json.dumps(result["diff"])
    assert OLD not in text and NEW not in text and "****" in text
    assert result["diff"]["before_header"].startswith("arn:aws:iam::100000000001:role/R")


def test_reveal_shows_the_ids():
    result = run({"before": policy([OLD]), "after": policy([NEW]), "reveal": True})
    assert NEW in json.dumps(result["diff"]["after"])


def test_reordering_is_not_a_change():
    result = run({"before": policy([OLD, NEW]), "after": json.dumps(policy([NEW, OLD]))})
    assert result["changed"] is False


def test_an_unreadable_policy_fails_clearly():
    with pytest.raises(AnsibleActionFail) as err:
        run({"before": "{not json", "after": policy([NEW])})
    assert "trust policy" in str(err.value)


@pytest.mark.parametrize("reveal", ["false", "False", "no", "off", "0", 0, False, None], ids=repr)
def test_false_like_reveal_masks(reveal):
    result = run({"before": policy([OLD]), "after": policy([NEW]), "reveal": reveal})
    text = json.dumps(result["diff"])
    assert OLD not in text and NEW not in text and "****" in text


@pytest.mark.parametrize("reveal", ["true", "True", "yes", "on", "1", 1, True], ids=repr)
def test_true_like_reveal_shows_the_ids(reveal):
    result = run({"before": policy([OLD]), "after": policy([NEW]), "reveal": reveal})
    assert OLD in json.dumps(result["diff"]["before"]) and NEW in json.dumps(result["diff"]["after"])


@pytest.mark.parametrize("reveal", ["maybe", "", 2, [], {}, NEW], ids=repr)
def test_a_non_boolean_reveal_fails_without_quoting_it(reveal):
    with pytest.raises(AnsibleActionFail) as err:
        run({"before": policy([OLD]), "after": policy([NEW]), "reveal": reveal})
    assert "reveal must be a boolean" in str(err.value)
    assert NEW not in str(err.value) and OLD not in str(err.value)
