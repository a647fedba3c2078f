# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chaos observer sees a lockout and a duplicate connector when there is one, and nothing in a safe rollout."""

from __future__ import annotations

import json

import pytest

try:
    from ansible_collections.swp.aws.tests import chaos
    from ansible_collections.swp.aws.tests.support.constants import ROLE_NAME, SWP_PRINCIPAL
    from ansible_collections.swp.aws.tests.support.moto_accounts import MotoAccounts
except ImportError:  # a plain checkout
    from tests import chaos
    from tests.support.constants import ROLE_NAME, SWP_PRINCIPAL
    from tests.support.moto_accounts import MotoAccounts

pytest.importorskip("boto3")


@pytest.fixture
def fleet(sim, moto_url):
    spec = {"accounts": [{"kind": "user_defined", "account_id": "310000000001"}, {"kind": "half_done", "account_id": "310000000002"},
                         {"kind": "access_key", "account_id": "310000000003"}]}
    return chaos.fleet_lib.build(spec, sim.base, moto_url, reset=False)


def set_trust(moto_url, account, external_ids):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": SWP_PRINCIPAL},
                                                      "Action": "sts:AssumeRole",
                                                      "Condition": {"StringEquals": {"sts:ExternalId": external_ids}}}]}
    MotoAccounts(moto_url).client(account["account_id"]).update_assume_role_policy(RoleName=ROLE_NAME, PolicyDocument=json.dumps(policy))


def test_a_safe_rollout_is_never_a_lockout(sim, moto_url, fleet):
    observer = chaos.Observer(fleet, moto_url, sim.base)
    assert observer.sample() == 0  # the baseline
    account = fleet["accounts"][0]
    set_trust(moto_url, account, [account["old_id"], fleet["manager_external_id"]])  # widen
    assert observer.sample() == 0
    sim.reset({"manager_external_id": fleet["manager_external_id"], "connectors": [
        {"crossAccountRoleArn": account["role_arn"], "displayName": "a", "externalId": fleet["manager_external_id"], "ID": 1}]})
    assert observer.sample() == 0  # switched
    set_trust(moto_url, account, [fleet["manager_external_id"]])  # narrowed
    assert observer.sample() == 0
    assert observer.lockouts == [] and observer.duplicates == [] and observer.samples >= 3


def test_a_narrow_before_the_switch_is_a_lockout_and_two_connectors_a_duplicate(sim, moto_url, fleet):
    observer = chaos.Observer(fleet, moto_url, sim.base)
    observer.sample()
    account = fleet["accounts"][0]
    set_trust(moto_url, account, [fleet["manager_external_id"]])  # narrowed while the connector still uses its old ID
    assert observer.sample() == 1
    assert observer.lockouts[0]["host"] == account["host"]
    sim.add_connector({"crossAccountRoleArn": fleet["accounts"][1]["role_arn"], "displayName": "again"})
    observer.sample()
    assert {item["key"] for item in observer.duplicates} >= {fleet["accounts"][1]["role_arn"]}


def test_an_account_refused_before_the_run_is_not_counted(sim, moto_url, fleet):
    account = fleet["accounts"][0]
    set_trust(moto_url, account, ["somebody-else"])
    observer = chaos.Observer(fleet, moto_url, sim.base)
    observer.sample()
    assert observer.sample() == 0 and observer.baseline[account["host"]] is True


@pytest.mark.parametrize("argv,message", [(["--kills", "sometime"], "unknown kill point"), ([], "--moto-url")])
def test_arguments(monkeypatch, argv, message, capsys):
    for name in ("MOTO_URL", "SWP_SIM_BASE", "SWP_SIM_URL"):
        monkeypatch.delenv(name, raising=False)
    base = ["--moto-url", "http://m", "--sim-base", "http://s", "--sim-url", "http://s/api"] if argv else []
    with pytest.raises(SystemExit):
        chaos.parse_args(base + argv)
    assert message in capsys.readouterr().err


def test_smoke_arguments():
    args = chaos.parse_args(["--smoke", "--moto-url", "http://m", "--sim-base", "http://s", "--sim-url", "http://s/api"])
    assert (args.rollouts, args.accounts, args.kills) == (1, 6, ["widen_switch", "report"])
    assert [rule["probability"] for rule in chaos.swp_faults(0.1)][:5] == pytest.approx([0.03, 0.02, 0.02, 0.015, 0.015])


def test_every_migratable_kind_is_watched(sim, moto_url):
    """The observer judges with the manager's TLS context: conditions such as aws:SecureTransport leave no blind spot."""
    kinds = [kind for kind in dict.fromkeys(chaos.MIX) if kind not in chaos.SKIPPED_KINDS]
    spec = {"accounts": [{"kind": kind, "account_id": "3200000000%02d" % index} for index, kind in enumerate(kinds)]}
    fleet = chaos.fleet_lib.build(spec, sim.base, moto_url, reset=False)
    observer = chaos.Observer(fleet, moto_url, sim.base)
    observer.sample()
    assert sorted(observer.baseline) == sorted(account["host"] for account in fleet["accounts"])
    assert [host for host, refused in observer.baseline.items() if refused] == []
