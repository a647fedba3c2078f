# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WorkloadModule, the base of every swp.aws module, for internal use.

It merges the shared connection options (doc fragment ``swp.aws.workload``) with a module's
own, builds the one API client, and turns every :class:`SwpError` (API errors, bad input) into
``fail_json`` in one place.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.swp.aws.plugins.module_utils._client import HAS_REQUESTS, WorkloadClient
from ansible_collections.swp.aws.plugins.module_utils._errors import SwpError


def connection_argument_spec():
    # Defaults sit beside their environment fallbacks: an option given wins, then the variable, then the default.
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["SWP_API_URL"])),
        api_key=dict(type="str", required=True, no_log=True, aliases=["api_secret_key"], fallback=(env_fallback, ["SWP_API_KEY"])),
        auth_header=dict(type="str", choices=["authorization", "api-secret-key"], default="authorization",
                         fallback=(env_fallback, ["SWP_AUTH_HEADER"])),
        api_version=dict(type="str", default="v1"),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["SWP_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["SWP_CA_PATH"])),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=5),
    )


class WorkloadModule(AnsibleModule):
    """AnsibleModule with the SWP connection options, a lazily built client and one error path."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"))
        self._client = None

    def client_for(self, auth_header=None):
        """A new client with these connection options (``auth_header`` overrides the option)."""
        p = self.params
        return WorkloadClient(
            url=p["url"],
            api_key=p["api_key"],
            auth_header=auth_header or p["auth_header"],
            api_version=p["api_version"],
            validate_certs=p["validate_certs"],
            ca_path=p["ca_path"],
            timeout=p["timeout"],
            retries=p["retries"],
            # Each retry of a throttled or failing call shows as a warning of the task.
            warn=self.warn,
        )

    @property
    def client(self):
        """The module's client, built on first use (a configuration error raises, and ``run`` reports it)."""
        if self._client is None:
            self._client = self.client_for()
        return self._client

    def fail_api(self, error, **result):
        """Fail the task with the error's sentence, its structured details and what was already done."""
        result = dict(getattr(error, "result", None) or {}, **result)
        result.setdefault("changed", False)
        details = error.to_dict() if isinstance(error, SwpError) else None
        if details:
            result["api_error"] = details
        self.fail_json(msg=getattr(error, "message", None) or str(error), **result)

    def run(self, core):
        """Call ``core(module)`` and exit with the result dict it returns; every SwpError fails the task, here only."""
        try:
            result = core(self)
        except SwpError as exc:
            # A core that already changed something attaches what it did (exc.result), so the task result stays honest.
            self.fail_api(exc)
        self.exit_json(**result)
