# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by every swp.aws module (see plugins/module_utils/_module.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Server & Workload Protection, Cloud One Workload Security or Deep Security Manager API.
      - For example V(https://workload.us-1.cloudone.trendmicro.com/api) or V(https://dsm.example.com:4119/api).
      - A URL given without the C(/api) suffix works too.
      - If not set, the value of the E(SWP_API_URL) environment variable is used.
    type: str
    required: true
  api_key:
    description:
      - The API key.
      - If not set, the value of the E(SWP_API_KEY) environment variable is used.
    type: str
    required: true
    aliases: [api_secret_key]
  auth_header:
    description:
      - How the API key is sent.
      - "V(authorization) sends C(Authorization: ApiKey <key>), for Cloud One API keys."
      - "V(api-secret-key) sends C(api-secret-key: <key>), for Deep Security Manager keys, Server & Workload Protection keys
        (the vendor's Server & Workload Protection API pages show this header) and legacy Workload Security keys."
      - If not set, the value of the E(SWP_AUTH_HEADER) environment variable is used, else V(authorization).
      - An HTTP 401 names the other header style as the likely fix; M(swp.aws.workload_preflight) tries both.
    type: str
    choices: [authorization, api-secret-key]
    default: authorization
  api_version:
    description:
      - Value of the C(api-version) header sent with every call.
    type: str
    default: v1
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
      - Turn it off only for a test manager; prefer O(ca_path) for a private CA or a self-signed certificate.
      - If not set, the value of the E(SWP_VALIDATE_CERTS) environment variable is used, else V(true).
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file of CA certificates used to verify the server, for example a Deep Security Manager with a private CA.
      - If not set, the value of the E(SWP_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the server to connect and to answer one request.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after HTTP 429, 502, 503 or 504, or a connection error.
      - A read (a C(GET), or a connector search) is retried after HTTP 500 as well. A write is not, since older managers
        answer a connector they cannot reach with HTTP 500, which no retry mends.
      - Retries back off exponentially with jitter and honour the server's C(Retry-After) header when it sends one.
      - An HTTP 429 without C(Retry-After) waits 5 seconds, then 10, 20 and so on (at most 60), since the API's rate
        limits count the calls of the last 60 seconds.
      - A request that creates an object is never re-sent after a read timeout without first checking whether it was carried out.
    type: int
    default: 5
notes:
  - "The modules use the Python C(requests) library on the host that runs them (usually the controller, with C(connection: local))."
  - "All swp.aws modules belong to the action group C(swp.aws.workload), so the connection options can be set once with
    C(module_defaults: group/swp.aws.workload:)."
requirements:
  - requests
"""

    # For plugins (the inventory plugin): where the connection options come from besides the inventory file.
    # Modules read the same variables through their argument spec's fallbacks.
    PLUGINS = r"""
options:
  url:
    env:
      - name: SWP_API_URL
  api_key:
    env:
      - name: SWP_API_KEY
  auth_header:
    env:
      - name: SWP_AUTH_HEADER
  validate_certs:
    env:
      - name: SWP_VALIDATE_CERTS
  ca_path:
    env:
      - name: SWP_CA_PATH
"""

    # Attributes every SWP module shares.
    ATTRIBUTES = r"""
attributes:
  action_group:
    support: full
    membership:
      - swp.aws.workload
    description: Use C(group/swp.aws.workload) in C(module_defaults) to set the connection options.
"""

    # Attributes of a module that only reads.
    INFO_ATTRIBUTES = r"""
attributes:
  check_mode:
    support: full
    description: The module only reads, so it runs in check mode too.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
"""
