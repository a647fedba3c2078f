# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WorkloadModule, the base of every swp.aws module, for internal use.

It merges the shared connection options (doc fragment ``swp.aws.workload``) with a module's
own, builds the one API client, and turns every :class:`WorkloadApiError` into ``fail_json``
in one place.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.swp.aws.plugins.module_utils._client import HAS_REQUESTS, WorkloadApiError, WorkloadClient


def connection_argument_spec():
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["SWP_API_URL"])),
        api_key=dict(type="str", required=True, no_log=True, aliases=["api_secret_key"], fallback=(env_fallback, ["SWP_API_KEY"])),
        auth_header=dict(type="str", choices=["authorization", "api-secret-key"], fallback=(env_fallback, ["SWP_AUTH_HEADER"])),
        api_version=dict(type="str", default="v1"),
        validate_certs=dict(type="bool", fallback=(env_fallback, ["SWP_VALIDATE_CERTS"])),
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

    @property
    def client(self):
        if self._client is None:
            p = self.params
            validate = p["validate_certs"]
            try:
                self._client = WorkloadClient(
                    url=p["url"],
                    api_key=p["api_key"],
                    auth_header=p["auth_header"] or "authorization",
                    api_version=p["api_version"],
                    validate_certs=True if validate is None else validate,
                    ca_path=p["ca_path"],
                    timeout=p["timeout"],
                    retries=p["retries"],
                )
            except WorkloadApiError as exc:
                self.fail_api(exc)
        return self._client

    def fail_api(self, error, **result):
        """Fail the task with the error's sentence and its structured details."""
        result.setdefault("changed", False)
        self.fail_json(msg=error.message, api_error=error.to_dict(), **result)

    def run(self, core):
        """Call ``core(module)`` and exit with the result dict it returns; API errors fail the task."""
        try:
            result = core(self)
        except WorkloadApiError as exc:
            # A core that already changed something attaches what it did, so the task result stays honest.
            self.fail_api(exc, **getattr(exc, "result", {}))
        self.exit_json(**result)
