# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VisionOneModule, the base of the swp.aws modules that read the Trend Vision One API; for internal use.

The same shape as WorkloadModule: the shared connection options (doc fragment ``swp.aws.vision_one``) merged with
a module's own, one lazily built client, and every SwpError turned into ``fail_json`` in one place.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.swp.aws.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.swp.aws.plugins.module_utils._module import WorkloadModule
from ansible_collections.swp.aws.plugins.module_utils._vision_one_client import KEY_ENV, URL_ENV, VisionOneClient


def vision_one_argument_spec():
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, [URL_ENV])),
        api_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, [KEY_ENV])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["VISION_ONE_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["VISION_ONE_CA_PATH"])),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=5),
    )


class VisionOneModule(WorkloadModule):
    """AnsibleModule with the Vision One connection options; ``run`` and ``fail_api`` are WorkloadModule's."""

    def __init__(self, argument_spec=None, **kwargs):  # pylint: disable=super-init-not-called
        spec = vision_one_argument_spec()
        spec.update(argument_spec or {})
        AnsibleModule.__init__(self, argument_spec=spec, **kwargs)  # pylint: disable=non-parent-init-called
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"))
        self._client = None

    def client_for(self, auth_header=None):
        p = self.params
        return VisionOneClient(url=p["url"], api_key=p["api_key"], validate_certs=p["validate_certs"], ca_path=p["ca_path"],
                               timeout=p["timeout"], retries=p["retries"], warn=self.warn)
