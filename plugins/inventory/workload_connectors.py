# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: workload_connectors
short_description: Inventory of AWS accounts from the connectors of Server & Workload Protection
version_added: 0.1.0
description:
  - Builds an inventory from the AWS connectors of Trend Vision One Server & Workload Protection, Cloud One Workload
    Security or Deep Security Manager, one host per connector, that is one host per AWS account the manager watches.
  - The connectors are read in one paged listing per refresh (C(POST /api/awsconnectors/search), sorted by ID),
    N connectors costing N // O(page_size) + 1 calls; there is no call per host.
  - Each host gets the connector's properties as host variables prefixed with C(swp_), and, unless
    O(extid_migration_vars=false), the variables the C(swp.aws.extid_migration) role reads, so that the rollout
    runs on this inventory without a hand-written list of accounts.
  - "Hosts are put in the group C(swp_connectors) and, unless O(group_by_auth_type=false), in one group per way the
    manager reaches the account: C(swp_cross_account_role), C(swp_access_key), C(swp_instance_role)."
  - The inventory file is a YAML file whose name ends in C(workload_connectors.yml) or C(workload_connectors.yaml),
    for example C(swp.workload_connectors.yml), and whose O(plugin) key names this plugin.
  - O(url), O(api_key) and O(ca_path) may be templates in the inventory file, for example a lookup of a secrets
    store; O(api_key) may also be a vault-encrypted string.
  - The API key is never shown, and never written to the inventory cache, which holds only the connectors (without
    any external ID or secret key).
author:
  - swp.aws contributors (@swp-aws)
extends_documentation_fragment:
  - swp.aws.workload
  - swp.aws.workload.plugins
  - constructed
  - inventory_cache
options:
  plugin:
    description:
      - The name of this plugin, which marks the file as its inventory source.
    type: str
    required: true
    choices: [swp.aws.workload_connectors]
  page_size:
    description:
      - How many connectors one search call asks for (its C(maxItems)).
      - At most V(5000), the API's limit.
    type: int
    default: 1000
  hostnames:
    description:
      - What names a host, in order of preference; the first one a connector has is used.
      - V(display_name) is the name shown in the console, V(account_id) the 12-digit AWS account ID,
        V(account_alias) the account alias the manager read, V(connector_id) the connector's ID (as C(connector-<id>)).
      - A connector none of them names is called C(connector-<id>).
      - Names are made safe for host patterns, every run of characters other than letters, digits, C(.), C(_) and
        C(-) becoming one C(-) (so C(Payments Prod) becomes C(Payments-Prod)).
      - When several connectors get the same name, each of them gets its connector ID appended (C(payments-12),
        C(payments-31)) and a warning says so.
    type: list
    elements: str
    choices: [display_name, account_id, account_alias, connector_id]
    default: [display_name, account_id]
  auth_types:
    description:
      - Only connectors that reach their account this way. Empty for every connector.
    type: list
    elements: str
    choices: [cross_account_role, access_key, instance_role]
    default: []
  account_ids:
    description:
      - Only the connectors of these 12-digit AWS accounts. Empty for every account.
      - Quote them in YAML so that leading zeros stay.
    type: list
    elements: str
    default: []
  include_names:
    description:
      - Only connectors whose display name matches one of these shell-style patterns (C(*), C(?), C([seq]);
        case-sensitive). Empty for every connector.
    type: list
    elements: str
    default: []
  exclude_names:
    description:
      - Leave out connectors whose display name matches one of these shell-style patterns (case-sensitive).
      - Applied after O(include_names).
    type: list
    elements: str
    default: []
  group_by_auth_type:
    description:
      - Put each host in C(swp_cross_account_role), C(swp_access_key) or C(swp_instance_role).
    type: bool
    default: true
  extid_migration_vars:
    description:
      - Set the host variables the C(swp.aws.extid_migration) role reads.
      - C(extid_migration_role_arn) for a cross-account role connector; C(extid_migration_account_id) for the other
        connectors that name their account.
    type: bool
    default: true
  local_connection:
    description:
      - "The hosts are AWS accounts, not machines: set C(ansible_connection: local) and make
        C(ansible_python_interpreter) the Python that runs Ansible on the controller (it has C(requests) and
        C(boto3) when the collection's requirements are installed)."
      - O(compose), host_vars and group_vars files can override them.
    type: bool
    default: true
  cam:
    description:
      - Also read the AWS accounts of Trend Vision One Cloud Accounts (CAM), in one paged listing per refresh (cached with
        the connectors when O(cache=true)), and give each host C(swp_cam_state) - C(absent), C(legacy), C(managed),
        C(outdated), C(failed) or C(unknown) - and C(swp_cam_role_arn).
      - When CAM cannot be read, a warning says why and every host's C(swp_cam_state) is C(unknown) (never C(absent));
        nothing of that read is cached.
    type: bool
    default: false
  cam_url:
    description:
      - The Vision One API host of the region, for example V(https://api.xdr.trendmicro.com). Used with O(cam=true).
    type: str
    env:
      - name: VISION_ONE_API_URL
  cam_api_key:
    description:
      - The Vision One API key (sent as a Bearer token). Used with O(cam=true). May be a template or a vault-encrypted string.
    type: str
    env:
      - name: VISION_ONE_API_KEY
  cam_api_prefix:
    description:
      - The path prefix of the Cloud Accounts API; V(auto) tries V(v3.0), V(beta), V(beta/xdr) in turn, on HTTP 404 only.
    type: str
    choices: [v3.0, beta, beta/xdr, auto]
    default: v3.0
  group_by_cam_state:
    description:
      - With O(cam=true), put each host in C(swp_cam_<state>), for example C(swp_cam_legacy).
    type: bool
    default: true
notes:
  - Filters are applied by the plugin to the one listing; the API cannot search for several values of a field at once.
  - "With O(cache=true) a refresh that finds a valid cache makes no call at all; C(ansible-inventory --flush-cache) or
    C(meta: refresh_inventory) reads the manager again."
  - Values from the manager (display names, aliases) are not trusted as templates.
seealso:
  - module: swp.aws.workload_connector_info
"""

EXAMPLES = r"""
# swp.workload_connectors.yml: every connector of the manager, grouped by how it reaches its account.
# The URL and key come from SWP_API_URL and SWP_API_KEY.
plugin: swp.aws.workload_connectors

---
# Only the role connectors of production accounts, named by account ID, cached for an hour,
# reached hub-and-spoke for the extid_migration role.
plugin: swp.aws.workload_connectors
url: https://workload.us-1.cloudone.trendmicro.com/api
api_key: "{{ lookup('ansible.builtin.env', 'SWP_API_KEY') }}"
auth_types: [cross_account_role]
include_names: ["prod-*", "*-production"]
exclude_names: ["*-sandbox"]
hostnames: [account_id]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/swp-inventory
cache_timeout: 3600
compose:
  extid_migration_aws_assume_role_arn: "'arn:aws:iam::' ~ swp_account_id ~ ':role/OrganizationAccountAccessRole'"
keyed_groups:
  - key: swp_seed_region
    prefix: region
groups:
  never_synced: swp_last_sync is none

---
# Every connector with where its account stands in Vision One Cloud Accounts (groups swp_cam_legacy, swp_cam_managed...);
# the Vision One host and key come from VISION_ONE_API_URL and VISION_ONE_API_KEY.
plugin: swp.aws.workload_connectors
cam: true
cam_api_prefix: auto

---
# A Deep Security Manager with a private CA, its key sent as api-secret-key.
plugin: swp.aws.workload_connectors
url: https://dsm.example.com:4119/api
auth_header: api-secret-key
ca_path: /etc/pki/dsm-ca.pem
account_ids: ["123456789012", "210987654321"]
"""

import fnmatch
import re
import sys

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.swp.aws.plugins.module_utils._arn import is_account_id
from ansible_collections.swp.aws.plugins.module_utils._cam_api import CamApi, to_snake as cam_to_snake
from ansible_collections.swp.aws.plugins.module_utils._cam_join import STATES as CAM_STATES, cam_state
from ansible_collections.swp.aws.plugins.module_utils._client import HAS_REQUESTS, WorkloadClient
from ansible_collections.swp.aws.plugins.module_utils._connector_api import ConnectorApi
from ansible_collections.swp.aws.plugins.module_utils._connector_model import INSTANCE_ROLE, KEY, ROLE, to_snake
from ansible_collections.swp.aws.plugins.module_utils._connector_search import check_page_size
from ansible_collections.swp.aws.plugins.module_utils._errors import SwpError
from ansible_collections.swp.aws.plugins.module_utils._vision_one_client import VisionOneClient

FILE_ENDINGS = ("workload_connectors.yml", "workload_connectors.yaml")
ALL_GROUP = "swp_connectors"
AUTH_TYPES = (ROLE, KEY, INSTANCE_ROLE)
# Cached per connector: what to_snake returns, less the (masked) external ID, so the cache holds no ID in any form.
CACHE_FORMAT = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# The options that may be templates (they come from the inventory file, which is trusted as a template).
_TEMPLATED = ("url", "api_key", "ca_path", "cam_url", "cam_api_key")


# ------------------------------------------------------------------ pure: names, filters, variables

def safe_name(value):
    """``value`` as a host name usable in patterns: runs of other characters become ``-``; '' when nothing is left."""
    if value is None or isinstance(value, bool):
        return ""
    return _UNSAFE.sub("-", str(value)).strip("-._")


def base_name(connector, preferences):
    """The host name a connector gets from the first of ``preferences`` it has, before de-duplication."""
    for preference in preferences:
        if preference == "connector_id":
            value = "connector-%s" % connector.get("id") if connector.get("id") is not None else ""
        else:
            value = connector.get(preference)
        name = safe_name(value)
        if name:
            return name
    return "connector-%s" % connector.get("id")


def host_names(connectors, preferences):
    """``[(name, connector)]`` with unique names, and the names several connectors wanted.

    A name several connectors want goes to none of them: each gets its ID appended, so which one
    is which never depends on the order the manager listed them in.
    """
    wanted = [(base_name(c, preferences), c) for c in connectors]
    counts = {}
    for name, _connector in wanted:
        counts[name] = counts.get(name, 0) + 1
    shared = sorted(name for name, count in counts.items() if count > 1)
    taken = set(name for name, count in counts.items() if count == 1)
    named = []
    for name, connector in wanted:
        if counts[name] > 1:
            cid = connector.get("id")
            candidates = ["%s-%s" % (name, cid), "%s-connector-%s" % (name, cid), "connector-%s" % cid]
            name = next((c for c in candidates if c not in taken), None)
            number = 2
            while name is None or name in taken:
                name = "connector-%s-%d" % (cid, number)
                number += 1
            taken.add(name)
        named.append((name, connector))
    return named, shared


def check_filters(auth_types, account_ids):
    """Raise ValueError naming a filter value that can never match."""
    for auth in auth_types:
        if auth not in AUTH_TYPES:
            raise ValueError("auth_types: %r is not one of %s." % (auth, ", ".join(AUTH_TYPES)))
    for account in account_ids:
        if not is_account_id(account):
            raise ValueError("account_ids: %r is not an AWS account ID (12 digits; quote it in YAML so leading zeros "
                             "stay)." % (account,))


def selected(connector, auth_types=(), account_ids=(), include_names=(), exclude_names=()):
    """Whether the filters keep this connector (each filter, when given, must match; excludes win)."""
    if auth_types and connector.get("auth_type") not in auth_types:
        return False
    if account_ids and connector.get("account_id") not in account_ids:
        return False
    name = connector.get("display_name") or ""
    if include_names and not any(fnmatch.fnmatchcase(name, pattern) for pattern in include_names):
        return False
    return not any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude_names)


def host_vars(connector, extid_migration_vars=True):
    """The variables of a connector's host: its properties as ``swp_*``, and what the extid_migration role reads."""
    variables = {}
    for key, value in connector.items():
        if key == "external_id":
            continue
        variables["swp_connector_id" if key == "id" else "swp_" + key] = value
    if extid_migration_vars:
        if connector.get("auth_type") == ROLE and connector.get("cross_account_role_arn"):
            # The role derives the account from the ARN; giving the account as well could only contradict it.
            variables["extid_migration_role_arn"] = connector["cross_account_role_arn"]
        elif connector.get("account_id"):
            variables["extid_migration_account_id"] = connector["account_id"]
    return variables


def cam_host_vars(connector, cam_by_account):
    """``swp_cam_state`` and ``swp_cam_role_arn`` of a connector's host; ``cam_by_account`` None: CAM was not read."""
    if cam_by_account is None:
        return {"swp_cam_state": cam_state(None, listed=False), "swp_cam_role_arn": None}
    record = cam_by_account.get(connector.get("account_id")) if connector.get("account_id") else None
    if not connector.get("account_id"):
        return {"swp_cam_state": cam_state(None, listed=False), "swp_cam_role_arn": None}
    return {"swp_cam_state": cam_state(record), "swp_cam_role_arn": record.get("role_arn") if record else None}


def cacheable(connectors):
    """The connectors as the cache keeps them: snake_case, never an external ID or a secret."""
    return [dict((k, v) for k, v in to_snake(c).items() if k != "external_id") for c in connectors if isinstance(c, dict)]


# ------------------------------------------------------------------ the plugin

class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """One host per AWS connector of the manager."""

    NAME = "swp.aws.workload_connectors"

    def verify_file(self, path):
        if super().verify_file(path):
            if path.endswith(FILE_ENDINGS):
                return True
            self.display.vvv("Skipping %s: the file name of a swp.aws.workload_connectors source ends in %s."
                             % (path, " or ".join(FILE_ENDINGS)))
        return False

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        options = self._options_checked()
        connectors, cam_accounts = self._connectors(path, cache, options)
        self._populate(connectors, options, cam_accounts)

    # -------------------------------------------------------------- options

    def _option(self, name):
        value = self.get_option(name)
        if name in _TEMPLATED and value is not None and self.templar.is_template(value):
            value = self.templar.template(value)
        if value is not None and not isinstance(value, (str, bool, int, float, list, dict)):
            # A vault-encrypted value: its text.
            value = to_native(value)
        return value

    def _options_checked(self):
        options = dict((name, self._option(name)) for name in (
            "url", "api_key", "auth_header", "api_version", "validate_certs", "ca_path", "timeout", "retries",
            "page_size", "hostnames", "auth_types", "account_ids", "include_names", "exclude_names",
            "group_by_auth_type", "extid_migration_vars", "local_connection", "strict", "compose", "groups",
            "keyed_groups", "cam", "cam_url", "cam_api_key", "cam_api_prefix", "group_by_cam_state"))
        try:
            check_page_size(options["page_size"])
            check_filters(options["auth_types"], options["account_ids"])
        except (SwpError, ValueError) as exc:
            raise AnsibleParserError("swp.aws.workload_connectors: %s" % exc) from None
        return options

    # -------------------------------------------------------------- reading

    def _connectors(self, path, cache, options):
        """The connectors, from the cache when it is on and valid, else from one paged listing."""
        use_cache = bool(self.get_option("cache"))
        key = self.get_cache_key(path)
        if use_cache and cache:
            try:
                cached = self._cache[key]
            except KeyError:
                cached = None
            if isinstance(cached, dict) and cached.get("format") == CACHE_FORMAT and cached.get("url") == options["url"] \
                    and isinstance(cached.get("connectors"), list) \
                    and (not options["cam"] or isinstance(cached.get("cam_accounts"), list) and cached.get("cam_url") == options["cam_url"]):
                self.display.vvv("swp.aws.workload_connectors: %d connectors from the cache" % len(cached["connectors"]))
                return cached["connectors"], (cached.get("cam_accounts") if options["cam"] else None)
        connectors = self._read(options)
        cam_accounts = self._read_cam(options) if options["cam"] else None
        if use_cache:
            entry = {"format": CACHE_FORMAT, "url": options["url"], "connectors": connectors}
            if cam_accounts is not None:
                entry.update(cam_url=options["cam_url"], cam_accounts=cam_accounts)
            self._cache[key] = entry
        return connectors, cam_accounts

    def _read_cam(self, options):
        """The CAM accounts (snake_case), or None with a warning when CAM cannot be read: then no state is proven."""
        client = None
        try:
            client = VisionOneClient(url=options["cam_url"], api_key=options["cam_api_key"],
                                     validate_certs=options["validate_certs"], ca_path=options["ca_path"],
                                     timeout=options["timeout"], retries=options["retries"])
            found = CamApi(client, options["cam_api_prefix"]).list()
        except SwpError as exc:
            if exc.kind == "config":
                raise AnsibleParserError("swp.aws.workload_connectors: cam: %s" % exc.message) from None
            self.display.warning("swp.aws.workload_connectors: Vision One Cloud Accounts could not be read, so every host's "
                                 "swp_cam_state is unknown: %s" % exc.message)
            return None
        finally:
            if client is not None:
                client.close()
        self.display.vvv("swp.aws.workload_connectors: %d CAM accounts in %d calls" % (len(found), client.calls))
        return [cam_to_snake(record) for record in found]

    def _read(self, options):
        if not HAS_REQUESTS:
            raise AnsibleParserError("swp.aws.workload_connectors needs the Python library requests on the controller.")
        client = None
        try:
            client = WorkloadClient(
                url=options["url"], api_key=options["api_key"], auth_header=options["auth_header"],
                api_version=options["api_version"], validate_certs=options["validate_certs"], ca_path=options["ca_path"],
                timeout=options["timeout"], retries=options["retries"])
            found = ConnectorApi(client, options["page_size"]).list()
        except SwpError as exc:
            # The client's messages never quote the key; the chained cause is dropped so no traceback can.
            raise AnsibleParserError("swp.aws.workload_connectors: %s" % exc.message) from None
        finally:
            if client is not None:
                client.close()
        self.display.vvv("swp.aws.workload_connectors: %d connectors in %d calls to %s"
                         % (len(found), client.calls, client.base_url))
        return cacheable(found)

    # -------------------------------------------------------------- hosts

    def _populate(self, connectors, options, cam_accounts=None):
        kept = [c for c in connectors if selected(c, options["auth_types"], options["account_ids"],
                                                  options["include_names"], options["exclude_names"])]
        named, shared = host_names(kept, options["hostnames"])
        if shared:
            self.display.warning("swp.aws.workload_connectors: several connectors are named %s; each of them got its "
                                 "connector ID appended." % ", ".join(shared))
        strict = options["strict"]
        cam_by_account = None
        if cam_accounts is not None:
            cam_by_account = dict((a.get("account_id"), a) for a in cam_accounts if isinstance(a, dict))
        self.inventory.add_group(ALL_GROUP)
        for name, connector in named:
            self.inventory.add_host(name, group=ALL_GROUP)
            variables = host_vars(connector, options["extid_migration_vars"])
            if options["cam"]:
                variables.update(cam_host_vars(connector, cam_by_account))
            if options["local_connection"]:
                variables["ansible_connection"] = "local"
                variables["ansible_python_interpreter"] = sys.executable
            for var, value in variables.items():
                self.inventory.set_variable(name, var, value)
            if options["group_by_auth_type"] and connector.get("auth_type") in AUTH_TYPES:
                group = self.inventory.add_group("swp_" + connector["auth_type"])
                self.inventory.add_child(group, name)
            if options["cam"] and options["group_by_cam_state"] and variables["swp_cam_state"] in CAM_STATES:
                self.inventory.add_child(self.inventory.add_group("swp_cam_" + variables["swp_cam_state"]), name)
            host = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(options["compose"], host, name, strict=strict)
            self._add_host_to_composed_groups(options["groups"], host, name, strict=strict)
            self._add_host_to_keyed_groups(options["keyed_groups"], host, name, strict=strict)
