# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The manager-defined external ID given to a role, checked as STS checks it, and compared with the manager's."""

from __future__ import annotations

import pytest

from ansible_collections.swp.aws.plugins.module_utils._external_id import ExternalIdError, check, confirm, problem
from ansible_collections.swp.aws.plugins.module_utils._extid_store import StoreError, manager_external_id, resolve, source_name

M = "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b"
OTHER = "not-the-managers-id-0000"
VARIABLE = "extid_migration_manager_external_id"
DISABLED = {"failed": True, "msg": "Retrieval of the AWS external ID is disabled", "api_error": {"kind": "retrieval_disabled"}}


@pytest.mark.parametrize("value", [M, "ab", "A" * 1224, "Az09_+=,.@:/-", "arn:aws:iam::1:role/x"])
def test_what_sts_accepts_passes_unchanged(value):
    assert problem(value) is None
    assert check(value, "variable x") == value


@pytest.mark.parametrize("value, fault", [
    (M + "\n", "ends with a newline"),
    (M + "\r\n", "ends with a newline"),
    (" " + M, "has whitespace around it"),
    (M + " ", "has whitespace around it"),
    ("ab cd", "has a character STS refuses (a space, character 3 of 5)"),
    ("ab\tcd", "(a tab, character 3 of 5)"),
    ("ab\ncd", "(a newline, character 3 of 5)"),
    ("abc#", "(the character '#', character 4 of 4)"),
    ("abc\x07", "(a control character, character 4 of 4)"),
    # STS's \w is ASCII: letters and digits of other scripts are refused.
    ("caf\u00e9-id", "(a non-ASCII character, character 4 of 7)"),
    ("id-\u0661\u0662", "(a non-ASCII character, character 4 of 5)"),
    ("a", "is 1 character long, shorter than the 2 STS requires"),
    ("A" * 1225, "is 1225 characters long, longer than the 1224 STS allows"),
    ("", "is empty"),
    (12345, "is a int, not text"),
    (None, "is a NoneType, not text"),
])
def test_what_sts_refuses_is_named_without_the_value(value, fault):
    assert fault in problem(value)
    with pytest.raises(ExternalIdError) as caught:
        check(value, "variable " + VARIABLE)
    message = str(caught.value)
    assert message.startswith("The manager-defined external ID in the variable %s " % VARIABLE)
    assert "nothing was written" in message and fault in message
    if isinstance(value, str) and len(value) > 3:
        assert value.strip() not in message


def test_a_trailing_newline_does_not_pass_as_dollar_would_let_it():
    # re's $ matches before a final newline; the pattern ends with \Z.
    assert problem(M + "\n") == "ends with a newline"
    assert problem("ab\n") == "ends with a newline"


def test_a_given_id_must_be_the_managers_while_the_manager_can_say():
    assert confirm(M, "variable " + VARIABLE, {"external_id": M}) == M
    with pytest.raises(ExternalIdError) as caught:
        confirm(OTHER, "variable " + VARIABLE, {"external_id": M})
    message = str(caught.value)
    assert "The variable %s holds not-****, but the manager's external ID is 3f1c****" % VARIABLE in message
    assert OTHER not in message and M not in message
    assert M in str(pytest.raises(ExternalIdError, confirm, OTHER, "x", {"external_id": M}, reveal=True).value)


def test_once_retrieval_is_disabled_the_given_id_is_used_and_other_failures_are_errors():
    assert confirm(M, "variable x", DISABLED) == M
    assert confirm(M, "variable x", None) == M
    with pytest.raises(ExternalIdError, match="from the manager failed: HTTP 401 bad key"):
        confirm(M, "variable x", {"failed": True, "msg": "HTTP 401 bad key", "api_error": {"kind": "auth"}})


# ------------------------------------------------------------------ one ID for the play: given, stored, or the manager's

def test_the_variable_comes_first_and_is_checked_and_compared():
    assert manager_external_id({"external_id": M}, given=M, variable=VARIABLE, stored=OTHER, secret="swp/id") == M
    with pytest.raises(ExternalIdError, match="variable %s ends with a newline" % VARIABLE):
        manager_external_id(DISABLED, given=M + "\n", variable=VARIABLE)
    with pytest.raises(ExternalIdError, match="The variable %s holds not-\\*\\*\\*\\*" % VARIABLE):
        manager_external_id({"external_id": M}, given=OTHER, variable=VARIABLE)
    assert manager_external_id(DISABLED, given=M, variable=VARIABLE) == M


def test_a_stored_id_keeps_its_surrounding_whitespace_ignored_but_is_checked_as_sts_would():
    assert manager_external_id(DISABLED, stored=M + "\n", secret="swp/id") == M
    with pytest.raises(StoreError) as caught:
        manager_external_id(DISABLED, stored="3f1c 2b4a", parameter="/swp/id", region="eu-west-1")
    assert "The manager-defined external ID in the SSM parameter /swp/id (eu-west-1) has a character STS refuses (a space" \
        in str(caught.value)
    assert "3f1c 2b4a" not in str(caught.value)
    with pytest.raises(StoreError, match="holds not-"):
        resolve(OTHER, source_name(secret="swp/id"), {"external_id": M})


def test_without_a_given_or_stored_id_the_managers_answer_is_used_and_checked():
    assert manager_external_id({"external_id": M}) == M
    with pytest.raises(ExternalIdError, match="from the manager failed: Retrieval of the AWS external ID is disabled"):
        manager_external_id(DISABLED)
    with pytest.raises(ExternalIdError, match="manager's answer ends with a newline"):
        manager_external_id({"external_id": M + "\n"})


def test_a_module_the_hosts_python_could_not_run_names_the_interpreter_fix():
    from ansible_collections.swp.aws.plugins.module_utils._external_id import module_failure_text

    result = {"failed": True, "msg": "Module result deserialization failed: No start of json char found",
              "module_stderr": "/bin/sh: 1: python3.13: not found\n"}
    text = module_failure_text(result)
    assert text.startswith("Module result deserialization failed: No start of json char found (module_stderr: "
                           "/bin/sh: 1: python3.13: not found). ")
    assert 'set ansible_python_interpreter to "{{ ansible_playbook_python }}"' in text
    # Any other failure keeps its own message, unchanged.
    assert module_failure_text({"failed": True, "msg": "HTTP 401: the API key was refused"}) == "HTTP 401: the API key was refused"
    assert module_failure_text({"failed": True}) == "unknown error"
