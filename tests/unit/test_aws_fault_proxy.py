# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM/STS fault proxy of the chaos tests, driven with boto3 against a real moto server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

try:
    from ansible_collections.swp.aws.tests import aws_fault_proxy
    from ansible_collections.swp.aws.tests.simulator.server import Simulator
    from ansible_collections.swp.aws.tests.support.constants import AWS_ACCESS_KEY, AWS_SECRET_KEY, FULL_KEY, REGION, SWP_PRINCIPAL
except ImportError:  # a plain checkout
    from tests import aws_fault_proxy
    from tests.simulator.server import Simulator
    from tests.support.constants import AWS_ACCESS_KEY, AWS_SECRET_KEY, FULL_KEY, REGION, SWP_PRINCIPAL

boto3 = pytest.importorskip("boto3")
botocore_config = pytest.importorskip("botocore.config")
from botocore.exceptions import ClientError, ConnectionClosedError  # noqa: E402  pylint: disable=wrong-import-position

SWP = SWP_PRINCIPAL
NO_RETRIES = botocore_config.Config(retries={"mode": "standard", "total_max_attempts": 1})
CREDENTIALS = {"region_name": REGION, "aws_access_key_id": AWS_ACCESS_KEY, "aws_secret_access_key": AWS_SECRET_KEY}


def trust(*external_ids):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": SWP}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": list(external_ids)}}}]}


@pytest.fixture
def proxy(moto_url):
    with aws_fault_proxy.FaultProxy(moto_url, seed=3) as running:
        yield running


def iam_client(url, config=NO_RETRIES):
    return boto3.session.Session().client("iam", endpoint_url=url, config=config, **CREDENTIALS)


@pytest.fixture
def role(proxy):
    """A fresh role created through the proxy: (name, ARN)."""
    name = "chaos-%d" % (time.monotonic_ns() % 10 ** 12)
    arn = iam_client(proxy.url).create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust("old")))["Role"]["Arn"]
    return name, arn


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["ResponseMetadata"]["HTTPStatusCode"], caught.value.response["Error"]["Code"]


def external_ids(document):
    return document["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"]


def test_forwards_untouched_and_counts_per_operation(proxy, role):
    client = iam_client(proxy.url)
    assert external_ids(client.get_role(RoleName=role[0])["Role"]["AssumeRolePolicyDocument"]) == ["old"]
    client.get_role(RoleName=role[0])
    stats = proxy.stats()
    assert stats["calls"] == {"CreateRole": 1, "GetRole": 2}
    assert stats["faults"] == {} and stats["failed_calls"] == 0
    assert [event["operation"] for event in stats["events"]] == ["CreateRole", "GetRole", "GetRole"]
    assert [event["status"] for event in stats["events"]] == [200, 200, 200]


@pytest.mark.parametrize("kind,status,code", [
    ("internal_failure", 500, "InternalFailure"),
    ("service_unavailable", 503, "ServiceUnavailable"),
    ("throttling", 400, "Throttling"),
])
def test_error_faults_in_aws_xml_format(proxy, role, kind, status, code):
    proxy.configure([{"fault": kind, "action": "GetRole"}])
    assert error_of(lambda: iam_client(proxy.url).get_role(RoleName=role[0])) == (status, code)
    sts = boto3.session.Session().client("sts", endpoint_url=proxy.url, config=NO_RETRIES, **CREDENTIALS)
    proxy.configure([{"fault": kind, "service": "sts"}])
    assert error_of(sts.get_caller_identity) == (status, code)
    assert proxy.stats()["faults"] == {"GetRole": {kind: 1}, "GetCallerIdentity": {kind: 1}}


def test_botocore_retries_the_faults_amazon_aws_relies_on(proxy, role):
    """botocore's default retries (under amazon.aws's own) overcome a fault on the first attempts."""
    client = iam_client(proxy.url, botocore_config.Config(retries={"mode": "legacy", "max_attempts": 10}))
    proxy.storm(0.3, action="GetRole")
    assert client.get_role(RoleName=role[0])["Role"]["Arn"] == role[1]
    assert proxy.stats()["faults"]["GetRole"]["throttling"] >= 1


def test_a_rule_only_touches_its_operations(proxy, role):
    proxy.configure([{"fault": "internal_failure", "action": "UpdateAssumeRolePolicy|AttachRolePolicy"}])
    client = iam_client(proxy.url)
    client.get_role(RoleName=role[0])
    assert error_of(lambda: client.update_assume_role_policy(RoleName=role[0], PolicyDocument=json.dumps(trust("new")))) == (
        500, "InternalFailure")
    assert external_ids(client.get_role(RoleName=role[0])["Role"]["AssumeRolePolicyDocument"]) == ["old"]


def test_a_drop_after_forwarding_loses_the_answer_not_the_write(proxy, moto_url, role):
    proxy.configure([{"fault": "drop_after", "action": "UpdateAssumeRolePolicy"}])
    with pytest.raises(ConnectionClosedError):
        iam_client(proxy.url).update_assume_role_policy(RoleName=role[0], PolicyDocument=json.dumps(trust("old", "new")))
    assert external_ids(iam_client(moto_url).get_role(RoleName=role[0])["Role"]["AssumeRolePolicyDocument"]) == ["old", "new"]
    stats = proxy.stats()
    assert stats["faults"] == {"UpdateAssumeRolePolicy": {"drop_after": 1}} and stats["failed_calls"] == 1
    assert stats["events"][-1]["status"] is None


def test_latency(proxy, role):
    proxy.configure([{"fault": "latency", "latency": [0.4, 0.5], "action": "GetRole"}])
    started = time.monotonic()
    iam_client(proxy.url).get_role(RoleName=role[0])
    assert 0.4 <= time.monotonic() - started < 3
    assert proxy.stats()["failed_calls"] == 0


def test_a_storm_throttles_everything_it_covers_then_passes(proxy, role):
    client = iam_client(proxy.url)
    proxy.storm(0.6)
    for _attempt in range(3):
        assert error_of(lambda: client.get_role(RoleName=role[0])) == (400, "Throttling")
    time.sleep(0.7)
    assert client.get_role(RoleName=role[0])["Role"]["Arn"] == role[1]


def test_the_seed_decides_which_calls_fail(moto_url):
    rules = [{"fault": "internal_failure", "probability": 0.1}, {"fault": "throttling", "probability": 0.1},
             {"fault": "latency", "probability": 0.2, "latency": [1, 2]}]

    def draws(seed):
        with aws_fault_proxy.FaultProxy(moto_url, rules=rules, seed=seed) as proxy:
            return [(d["error"], round(d["latency"], 6)) for d in (proxy.decide("iam", "GetRole") for _i in range(500))]

    first = draws(11)
    assert first == draws(11)
    assert first != draws(12)
    errors = sum(1 for error, _latency in first if error)
    assert 60 <= errors <= 135  # about 19% of 500
    slow = [latency for _error, latency in first if latency]
    assert slow and all(1 <= latency <= 2 for latency in slow)


def test_propagation_delay_is_seen_through_the_view_only(proxy, moto_url, role):
    proxy.configure([{"fault": "propagation", "delay": 1.0, "action": "UpdateAssumeRolePolicy"}])
    iam_client(proxy.url).update_assume_role_policy(RoleName=role[0], PolicyDocument=json.dumps(trust("old", "new")))
    view = iam_client(proxy.view_url)
    assert external_ids(view.get_role(RoleName=role[0])["Role"]["AssumeRolePolicyDocument"]) == ["old"]
    assert external_ids(iam_client(moto_url).get_role(RoleName=role[0])["Role"]["AssumeRolePolicyDocument"]) == ["old", "new"]
    assert external_ids(iam_client(proxy.url).get_role(RoleName=role[0])["Role"]["AssumeRolePolicyDocument"]) == ["old", "new"]
    time.sleep(1.1)
    assert external_ids(view.get_role(RoleName=role[0])["Role"]["AssumeRolePolicyDocument"]) == ["old", "new"]
    stats = proxy.stats()
    assert stats["view_stale"] == 1 and stats["view_calls"] == 2
    assert stats["faults"] == {"UpdateAssumeRolePolicy": {"propagation": 1}} and stats["failed_calls"] == 0


def test_the_simulator_checks_roles_through_the_view(proxy, role):
    """A switch right after a delayed widen is refused by the manager, and succeeds once the widen is visible."""
    with Simulator(rate_limit=0, iam_endpoint_url=proxy.view_url) as sim:
        sim.add_connector({"crossAccountRoleArn": role[1], "displayName": "x", "externalId": "old"})
        manager_id = sim.manager_external_id
        sim.observe_roles()  # the manager has read the role once (and set up its IAM clients)
        proxy.configure([{"fault": "propagation", "delay": 3.0}])
        iam_client(proxy.url).update_assume_role_policy(RoleName=role[0], PolicyDocument=json.dumps(trust("old", manager_id)))

        def switch():
            request = urllib.request.Request(sim.url + "/awsconnectors/1?sync=true", method="POST",
                                             data=json.dumps({"crossAccountRoleArn": role[1]}).encode(),
                                             headers={"api-secret-key": FULL_KEY, "api-version": "v1",
                                                      "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # nosec - the local simulator
                    return response.status
            except urllib.error.HTTPError as exc:
                return exc.code

        assert switch() == 400
        assert sim.state["connectors"][0]["external_id"] == "old"
        time.sleep(3.1)
        assert switch() == 200
        assert sim.state["connectors"][0]["external_id"] == manager_id


def control(proxy, method, name, body=None):
    request = urllib.request.Request(proxy.url + "/_proxy/" + name, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec - the local proxy
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_control_api(proxy, role):
    assert control(proxy, "POST", "config", {"rules": [{"fault": "throttling", "action": "GetRole"}], "seed": 5})[0] == 200
    client = iam_client(proxy.url)
    assert error_of(lambda: client.get_role(RoleName=role[0]))[1] == "Throttling"
    status, stats = control(proxy, "GET", "stats?since=1")
    assert status == 200 and [event["seq"] for event in stats["events"]] == [2]
    assert stats["faults"] == {"GetRole": {"throttling": 1}}
    assert control(proxy, "DELETE", "faults")[0] == 200
    client.get_role(RoleName=role[0])
    assert control(proxy, "POST", "storm", {"seconds": 5, "action": "ListRoles"})[0] == 200
    assert error_of(client.list_roles)[1] == "Throttling"
    assert control(proxy, "POST", "reset")[0] == 200
    client.list_roles()
    assert control(proxy, "GET", "stats")[1]["calls"] == {"ListRoles": 1}
    assert control(proxy, "POST", "config", {"rules": [{"fault": "melt"}]})[0] == 400
    assert control(proxy, "GET", "nothing")[0] == 404


@pytest.mark.parametrize("rules,message", [
    ({}, "must be a list"),
    (["x"], "must be an object"),
    ([{"fault": "melt"}], "fault must be one of"),
    ([{"fault": "throttling", "probability": 2}], "probability"),
    ([{"fault": "throttling", "probability": True}], "probability"),
    ([{"fault": "latency", "latency": [1]}], "latency"),
    ([{"fault": "propagation", "delay": -1}], "delay"),
    ([{"fault": "throttling", "action": "("}], "regular expression"),
    ([{"fault": "throttling", "when": "after"}], "unknown rule key"),
])
def test_bad_rules_are_refused(rules, message):
    with pytest.raises(aws_fault_proxy.RuleError, match=message):
        aws_fault_proxy.validate_rules(rules)


def test_command_line_ready_file_and_sigterm(moto_url, tmp_path):
    ready = tmp_path / "ready.json"
    script = aws_fault_proxy.__file__
    process = subprocess.Popen([sys.executable, script, "--upstream", moto_url, "--ready-file", str(ready), "--seed", "1",
                                "--rules", json.dumps([{"fault": "throttling", "action": "ListRoles"}])],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert json.loads(ready.read_text()) == line and line["pid"] == process.pid
        assert error_of(iam_client(line["url"]).list_roles)[1] == "Throttling"
        iam_client(line["view_url"]).list_roles()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    assert not os.path.exists(ready)
    bad = subprocess.run([sys.executable, script, "--upstream", "ftp://x"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "http://" in bad.stderr
