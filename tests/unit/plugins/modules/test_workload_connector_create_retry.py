# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.workload_connector: a create the manager refuses (IAM not propagated yet) is retried for switch_retry_timeout."""

from __future__ import annotations

import pytest

from ansible_collections.swp.aws.plugins.modules import workload_connector
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

ARN = "arn:aws:iam::123456789012:role/swp_connector"


def run(sim, capsys, **args):
    args.setdefault("url", sim.url)
    args.setdefault("api_key", "sim-full-key")
    return run_module(workload_connector, args, capsys)


def creates(sim):
    return [e["status"] for e in sim.requests() if e["method"] == "POST" and e["path"] == "/api/awsconnectors"]


def refuse(sim, status, times):
    sim.add_faults([{"status": status, "method": "POST", "path": "^/api/awsconnectors$",
                     "body": {"message": "Unable to assume role %s." % ARN}}] * times)


@pytest.mark.parametrize("status", [400, 403, 500])
def test_a_refused_create_is_retried_until_the_manager_accepts_it(sim, capsys, status):
    refuse(sim, status, 2)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, switch_retry_timeout=10)
    assert rc == 0 and result["changed"] is True
    assert creates(sim) == [status, status, 200]
    assert len(sim.state["connectors"]) == 1


def test_without_switch_retry_timeout_a_refused_create_is_tried_once(sim, capsys):
    refuse(sim, 400, 1)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN)
    assert rc == 1 and result["api_error"]["kind"] == "refused" and creates(sim) == [400]


@pytest.mark.parametrize("status", [401, 409])
def test_a_bad_key_or_a_conflict_is_never_retried(sim, capsys, status):
    refuse(sim, status, 1)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, switch_retry_timeout=10)
    assert rc == 1 and creates(sim) == [status]


def test_an_access_key_connector_is_not_retried(sim, capsys):
    sim.add_faults([{"status": 400, "method": "POST", "path": "^/api/awsconnectors$", "body": {"message": "no"}}])
    rc, result = run(sim, capsys, access_key="AKIAEXAMPLE", secret_key="s", switch_retry_timeout=10)
    assert rc == 1 and creates(sim) == [400]


def test_the_retry_is_bounded(sim, capsys):
    refuse(sim, 400, 20)
    rc, result = run(sim, capsys, cross_account_role_arn=ARN, switch_retry_timeout=2)
    assert rc == 1 and 2 <= len(creates(sim)) <= 3
