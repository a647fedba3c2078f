# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the swp.aws modules that read Trend Vision One (see plugins/module_utils/_vision_one_module.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - The Trend Vision One API host of the region the account is in, without a path.
      - For example V(https://api.xdr.trendmicro.com) (United States), V(https://api.eu.xdr.trendmicro.com) (Europe),
        V(https://api.sg.xdr.trendmicro.com) (Singapore), V(https://api.au.xdr.trendmicro.com) (Australia) or
        V(https://api.xdr.trendmicro.co.jp) (Japan).
      - If not set, the value of the E(VISION_ONE_API_URL) environment variable is used.
    type: str
    required: true
  api_key:
    description:
      - "The Vision One API key, sent as C(Authorization: Bearer <key>). Its role needs the Cloud Accounts view permission."
      - If not set, the value of the E(VISION_ONE_API_KEY) environment variable is used.
      - It never shows in the task's result, warnings or error messages.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Turn it off only for a test server.
      - If not set, the value of the E(VISION_ONE_VALIDATE_CERTS) environment variable is used, else V(true).
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file of CA certificates used to verify the server (a TLS-inspecting proxy, for example).
      - If not set, the value of the E(VISION_ONE_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the server to connect and to answer one request.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after HTTP 429, 500, 502, 503 or 504, or a connection error.
      - Retries back off exponentially with jitter and honour the server's C(Retry-After) header when it sends one.
    type: int
    default: 5
notes:
  - "The modules use the Python C(requests) library on the host that runs them (usually the controller, with C(connection: local))."
  - "The Vision One modules belong to the action group C(swp.aws.vision_one), so the connection options can be set once with
    C(module_defaults: group/swp.aws.vision_one:)."
requirements:
  - requests
"""

    ATTRIBUTES = r"""
attributes:
  action_group:
    support: full
    membership:
      - swp.aws.vision_one
    description: Use C(group/swp.aws.vision_one) in C(module_defaults) to set the connection options.
  check_mode:
    support: full
    description: The module only reads, so it runs in check mode too.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
"""
