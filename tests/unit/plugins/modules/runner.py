# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's main() in-process and return its result dict, the way Ansible would see it."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.testing import patch_module_args


def run_module(module, args, capsys, check_mode=False, diff=False):
    """Return (rc, result): rc 0 for exit_json, 1 for fail_json."""
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    capsys.readouterr()
    # Warnings are process-wide; a module run in-process must start with none left by an earlier test.
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    module_warnings._global_deprecations.clear()  # pylint: disable=protected-access
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            module.main()
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    # Once controller code is imported (another test file), Ansible shows module warnings on stderr instead.
    result.setdefault("warnings", [])
    if captured.err.strip():
        result["warnings"] = list(result["warnings"]) + [captured.err]
    return exited.value.code, result
