# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""swp.aws.cam_aws_account_info, run in-process against the CAM simulator under each of its switches."""

from __future__ import annotations

import json

import pytest

from ansible_collections.swp.aws.plugins.modules import cam_aws_account_info
from ansible_collections.swp.aws.tests.simulator.cam import CAM_PROFILES, FULL_KEY, NO_PERMISSION_KEY
from ansible_collections.swp.aws.tests.unit.plugins.modules.runner import run_module

FLEET = [{"id": "100000000001", "kind": "legacy", "name": "payments"}, {"id": "100000000002", "kind": "managed"},
         {"id": "100000000003", "kind": "outdated"}, {"id": "100000000004", "kind": "failed"},
         {"id": "100000000005", "kind": "legacy"}]
STANDING = ["legacy", "managed", "outdated", "failed", "legacy"]
SECRET = "kL9-cam-canary-Bearer-7Qm2Zx4Rt8Vw"


@pytest.fixture
def cam(cam_server):
    cam_server.reset({"accounts": FLEET})
    yield cam_server
    cam_server.reset({})


def run(cam, capsys, check_mode=False, **args):
    args.setdefault("url", cam.url)
    args.setdefault("api_key", FULL_KEY)
    args.setdefault("retries", 2)
    return run_module(cam_aws_account_info, args, capsys, check_mode=check_mode)


def api_calls(cam):
    return [e for e in cam.requests() if "/cam/" in e["path"]]


@pytest.mark.parametrize("profile", sorted(CAM_PROFILES))
def test_auto_finds_the_prefix_and_lists_every_account_under_every_profile(cam, capsys, profile):
    cam.configure(profile=profile)
    rc, result = run(cam, capsys, api_prefix="auto", page_size=2)
    assert rc == 0 and result["changed"] is False
    assert result["api_prefix"] == cam.config["path_prefix"]
    assert [a["account_id"] for a in result["accounts"]] == [a["id"] for a in FLEET]
    assert [a["standing"] for a in result["accounts"]] == STANDING
    legacy = result["accounts"][0]
    assert legacy["role_arn"] is None and legacy["sources"] and legacy["name"] == "payments"
    assert result["accounts"][1]["role_arn"] == "arn:aws:iam::100000000002:role/VisionOneRole"


@pytest.mark.parametrize("switch, values", [
    ("legacy_sources", ["workload", "swp", "cloud_one", "several"]),
    ("legacy_role_arn", ["empty", "null", "absent"]),
    ("legacy_state", ["none", "managed", "outdated"]),
    ("next_link", ["absolute", "relative"]),
    ("error_body", ["v1", "html", "empty"]),
])
def test_every_value_of_a_switch_gives_the_same_standing(cam, capsys, switch, values):
    for value in values:
        cam.configure(**{switch: value})
        rc, result = run(cam, capsys, page_size=2)
        assert rc == 0, (switch, value, result.get("msg"))
        assert [a["standing"] for a in result["accounts"]] == STANDING, (switch, value)


@pytest.mark.parametrize("count, page_size, calls", [(0, 100, 1), (5, 100, 1), (5, 2, 3), (5, 5, 1), (6, 5, 2)])
def test_paging_costs_one_call_per_page(cam, capsys, count, page_size, calls):
    cam.reset({"accounts": [{"id": "%012d" % (200000000000 + n), "kind": "managed"} for n in range(count)]})
    rc, result = run(cam, capsys, page_size=page_size)
    assert rc == 0 and len(result["accounts"]) == count
    assert len(api_calls(cam)) == calls
    assert api_calls(cam)[0]["query"]["top"] == str(page_size)


def test_a_fixed_prefix_the_region_does_not_serve_fails_and_names_auto(cam, capsys):
    cam.configure(path_prefix="beta")
    rc, result = run(cam, capsys)
    assert rc == 1 and "api_prefix: auto" in result["msg"] and result["api_error"]["kind"] == "not_found"


def test_no_prefix_answering_fails_closed(cam, capsys):
    rc, result = run(cam, capsys, url=cam.url + "/elsewhere", api_prefix="auto")
    assert rc == 1 and "None of the Cloud Accounts paths answered" in result["msg"]


@pytest.mark.parametrize("profile", sorted(CAM_PROFILES))
def test_one_account_and_a_proven_absence(cam, capsys, profile):
    cam.configure(profile=profile)
    rc, result = run(cam, capsys, api_prefix="auto", account_id="100000000003")
    assert rc == 0 and [a["standing"] for a in result["accounts"]] == ["outdated"]
    cam.log.clear()
    rc, result = run(cam, capsys, api_prefix=cam.config["path_prefix"], account_id="999999999999")
    assert rc == 0 and result["accounts"] == []
    # The 404 was checked against a listing call on the same path.
    assert [(e["path"], e["status"]) for e in api_calls(cam)] == [
        ("/%s/cam/awsAccounts/999999999999" % cam.config["path_prefix"], 404), ("/%s/cam/awsAccounts" % cam.config["path_prefix"], 200)]


def test_an_absence_on_a_wrong_prefix_is_no_absence(cam, capsys):
    cam.configure(path_prefix="beta/xdr")
    rc, result = run(cam, capsys, api_prefix="v3.0", account_id="100000000001")
    assert rc == 1 and "does not answer here" in result["msg"]


def test_state_filters_by_standing(cam, capsys):
    rc, result = run(cam, capsys, state=["legacy", "failed"])
    assert [a["account_id"] for a in result["accounts"]] == ["100000000001", "100000000004", "100000000005"]


def test_a_record_the_notes_do_not_cover_is_unknown(cam, capsys):
    cam.add_accounts([{"id": "300000000001", "kind": "raw", "roleArn": "", "sources": []},
                      {"id": "300000000002", "kind": "raw", "roleArn": "arn:aws:iam::300000000002:role/R", "state": "deleting"}])
    rc, result = run(cam, capsys, state=["unknown"])
    assert [a["account_id"] for a in result["accounts"]] == ["300000000001", "300000000002"]


def test_check_mode_reads_too(cam, capsys):
    rc, result = run(cam, capsys, check_mode=True)
    assert rc == 0 and len(result["accounts"]) == 5


@pytest.mark.parametrize("fault", [{"status": 429, "retry_after": "0"}, {"status": 503}, {"status": 500}, {"status": 502}])
def test_throttling_and_server_errors_are_retried_with_a_warning(cam, capsys, fault):
    cam.add_faults([dict(fault), dict(fault)])
    rc, result = run(cam, capsys, retries=3)
    assert rc == 0 and len(result["accounts"]) == 5
    # Both retries warned (in-process, the warnings may come as one entry or as one each, by what ran before).
    warned = json.dumps(result["warnings"])
    assert "retry 1 of 3" in warned and "retry 2 of 3" in warned


def test_an_error_body_message_is_surfaced_after_the_retries(cam, capsys):
    cam.add_faults([{"status": 503, "body": {"error": {"code": "ServiceUnavailable", "message": "CAM is resting"}}}] * 2)
    rc, result = run(cam, capsys, retries=1)
    assert rc == 1 and "Vision One failed (HTTP 503" in result["msg"] and "CAM is resting" in result["msg"]
    assert result["api_error"]["server_message"] == "CAM is resting"


@pytest.mark.parametrize("key, kind, words", [
    ("wrong-key-0123456789", "auth", "Vision One API key is missing, wrong or expired"),
    (NO_PERMISSION_KEY, "forbidden", "Cloud Accounts view permission"),
])
def test_refusals_say_what_to_do(cam, capsys, key, kind, words):
    rc, result = run(cam, capsys, api_key=key)
    assert rc == 1 and result["api_error"]["kind"] == kind and words in result["msg"]


def test_the_key_is_sent_as_a_bearer_token_and_never_shows(cam, capsys):
    echo = "token %s rejected (%s)" % (SECRET, json.dumps(SECRET))
    cam.add_faults([{"status": 500, "body": {"error": {"code": "X", "message": echo}}}] * 3)
    rc, result = run(cam, capsys, api_key=SECRET + "\n", retries=2)
    text = json.dumps(result)
    assert rc == 1 and SECRET not in text and SECRET[:20] not in text
    assert "********" in result["msg"]


def test_a_next_link_to_another_host_is_not_followed(cam, capsys):
    cam.configure(next_link="absolute")
    rc, result = run(cam, capsys, url=cam.url.replace("127.0.0.1", "localhost"), page_size=2)
    assert rc == 1 and "another host" in result["msg"] and result["api_error"]["kind"] == "bad_response"
    assert len(api_calls(cam)) == 1


@pytest.mark.parametrize("args, words", [
    ({"url": "https://api.xdr.trendmicro.com/v3.0"}, "give the API host only"),
    ({"url": "ftp://x"}, "not an http(s) URL"),
    ({"api_key": " "}, "VISION_ONE_API_KEY"),
    ({"account_id": "12345"}, "not an AWS account ID"),
    ({"page_size": 0}, "page_size must be between 1 and 1000"),
])
def test_bad_options_fail_before_any_call(cam, capsys, args, words):
    rc, result = run(cam, capsys, **args)
    assert rc == 1 and words in result["msg"]
    assert api_calls(cam) == []


def test_tls_is_on_by_default(cam, capsys):
    rc, result = run(cam, capsys, url=cam.url.replace("http://", "https://"), retries=0)
    assert rc == 1 and result["api_error"]["kind"] == "tls"
    # The messages name Vision One, not the SWP manager whose client it builds on.
    assert "Vision One" in result["msg"] and "manager" not in result["msg"]


def test_an_unreachable_host_is_named_as_vision_one(cam, capsys):
    rc, result = run(cam, capsys, url="http://127.0.0.1:9", retries=0)
    assert rc == 1 and result["api_error"]["kind"] == "connection"
    assert "Cannot reach the Vision One API at http://127.0.0.1:9" in result["msg"] and "manager" not in result["msg"]
