# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A sandbox to try the collection in: the SWP simulator and moto with a small fleet, and a ready inventory.

    python tests/sandbox.py [--dir DIR] [--spec FLEET.json] [--ready-file FILE] [--run COMMAND]

Starts the SWP API simulator and a moto server on free 127.0.0.1 ports, builds a fleet in them
(tests/fleet.py; by default demo/fleet.json: roles in moto, connectors in the simulator), and writes into
DIR (default .build/sandbox) what a real set-up has:

    ansible.cfg                                 examples/ansible.cfg, plus where the collection is
    inventory/swp.workload_connectors.yml       the inventory plugin, reading the accounts from the manager
    inventory/group_vars/all.yml                the manager's URL and key, and the fake AWS credentials of moto
    rollout.yml                                 the rollout on every role connector

then prints the URLs, the API keys the simulator accepts, the moto credentials and two ready commands
(a dry run and an apply), and waits until Ctrl-C or SIGTERM, which stop both servers. With --ready-file
the same is written as JSON once everything is up (and the file is removed at the end); with --run
the shell command runs in DIR once everything is up, and the sandbox stops after it with its exit status.

It lives next to tests/fleet.py, so that it works from a checkout and from the collection tree alike (it puts the
tree's root on sys.path and imports tests.fleet, tests.simulator and tests.support from it).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from tests.support.constants import AWS_ACCESS_KEY, AWS_SECRET_KEY  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.constants import REGION as AWS_REGION  # noqa: E402  pylint: disable=wrong-import-position

for _name, _value in (("AWS_ACCESS_KEY_ID", AWS_ACCESS_KEY), ("AWS_SECRET_ACCESS_KEY", AWS_SECRET_KEY),
                      ("AWS_DEFAULT_REGION", AWS_REGION)):
    os.environ.setdefault(_name, _value)

INVENTORY_PLUGIN_FILE = """\
# The accounts come from the manager: one host per connector (ansible-doc -t inventory swp.aws.workload_connectors).
plugin: swp.aws.workload_connectors
url: {url}
api_key: {api_key}
compose:
  # Hub and spoke: each account is reached through its admin role.
  extid_migration_aws_assume_role_arn: "'arn:aws:iam::' ~ swp_account_id ~ ':role/OrganizationAccountAccessRole'"
keyed_groups:
  - key: swp_seed_region
    prefix: region
"""

GROUP_VARS_FILE = """\
# The manager for the rollout role (a real set-up keeps the key in a vault or SWP_API_KEY).
extid_migration_url: {url}
extid_migration_api_key: {api_key}
# Every account is reached through moto with its fake credentials (a real set-up: a profile or CI credentials).
extid_migration_aws_endpoint_url: {moto_url}
extid_migration_aws_access_key: {aws_access_key}
extid_migration_aws_secret_key: {aws_secret_key}
"""

ROLLOUT_FILE = """\
---
- name: Move every role connector to the manager-defined external ID
  hosts: swp_cross_account_role
  connection: local
  gather_facts: false
  vars:
    extid_migration_report_path: "{{{{ playbook_dir }}}}/report.json"
  roles:
    - role: swp.aws.extid_migration
"""


def collections_root():
    """The folder holding ansible_collections/swp/aws: the tree this file is in, or the checkout's .build."""
    parts = ROOT.split(os.sep)
    if parts[-3:-1] == ["ansible_collections", "swp"]:
        return os.sep.join(parts[:-3])
    return os.path.join(ROOT, ".build")


def start_moto():
    import logging  # pylint: disable=import-outside-toplevel

    from moto.server import ThreadedMotoServer  # pylint: disable=import-outside-toplevel

    # One access-log line per AWS call would drown the output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, "http://%s:%d" % (host, port)


def sandbox_config(collections_path):
    """examples/ansible.cfg, plus the collection's folder, so the commands need no environment."""
    with open(os.path.join(ROOT, "examples", "ansible.cfg"), encoding="utf-8") as handle:
        text = handle.read()
    return text.replace("[defaults]\n", "[defaults]\n# Where swp.aws is (the sandbox's own line).\ncollections_path = %s\n\n"
                        % collections_path, 1)


def write_folder(folder, info, collections_path):
    os.makedirs(os.path.join(folder, "inventory", "group_vars"), exist_ok=True)
    files = {
        "ansible.cfg": sandbox_config(collections_path),
        os.path.join("inventory", "swp.workload_connectors.yml"): INVENTORY_PLUGIN_FILE.format(**info),
        os.path.join("inventory", "group_vars", "all.yml"): GROUP_VARS_FILE.format(**info),
        "rollout.yml": ROLLOUT_FILE.format(),
    }
    for name, text in files.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(text)


def commands(folder):
    # ANSIBLE_CONFIG is named: an ansible.cfg in the current folder is ignored when the variable is set elsewhere.
    playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    prefix = "cd %s && ANSIBLE_CONFIG=ansible.cfg %s -i inventory rollout.yml" % (shlex.quote(folder), shlex.quote(playbook))
    return {"dry_run": prefix + " --check --diff", "apply": prefix + " --diff"}


def show(info):
    keys = "\n".join("  %-18s %s" % (key["key"], "(%s)" % key["role"]) for key in info["api_keys"])
    print("""
SWP sandbox is up: the SWP API simulator and moto, with %(accounts)d AWS accounts and their connectors.

SWP API (url):        %(url)s
API keys it accepts (api_key; auth_header: authorization or api-secret-key):
%(keys)s
Simulator control:    %(sim_base)s/_sim/state (the connectors and the manager-defined ID; no key)
moto (AWS endpoint):  %(moto_url)s  access key %(aws_access_key)s, secret key %(aws_secret_key)s, region %(region)s

Folder:               %(folder)s
Inventory:            %(folder)s/inventory (swp.workload_connectors.yml reads the accounts from the simulator)

Dry run (nothing written, every change shown):
  %(dry_run)s
Apply:
  %(apply)s

Ctrl-C stops the sandbox (the simulator keeps its state in memory only).
""" % dict(info, keys=keys, region=AWS_REGION, dry_run=info["commands"]["dry_run"], apply=info["commands"]["apply"]), flush=True)


def write_ready(path, info):
    partial = path + ".tmp"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(info, handle, indent=2)
    os.replace(partial, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=os.path.join(ROOT, ".build", "sandbox"), help="the folder to write (default .build/sandbox)")
    parser.add_argument("--spec", default=os.path.join(ROOT, "demo", "fleet.json"), help="the fleet (default demo/fleet.json)")
    parser.add_argument("--collections-path", default=collections_root(),
                        help="the folder holding ansible_collections/swp/aws (default: the one this file is in, else .build)")
    parser.add_argument("--ready-file", help="write the URLs, keys, paths and commands as JSON here once ready")
    parser.add_argument("--run", metavar="COMMAND", help="run this shell command in the folder once ready, then stop")
    args = parser.parse_args(argv)

    # Imported here: --help works without the test dependencies.
    from tests import fleet as fleet_lib  # pylint: disable=import-outside-toplevel
    from tests.simulator.server import Simulator  # pylint: disable=import-outside-toplevel
    from tests.simulator.state import DEFAULT_API_KEYS  # pylint: disable=import-outside-toplevel

    with open(args.spec, encoding="utf-8") as handle:
        spec = json.load(handle)
    folder = os.path.abspath(args.dir)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    moto, moto_url = start_moto()
    sim = Simulator(iam_endpoint_url=moto_url)
    try:
        sim.start()
        fleet = fleet_lib.build(spec, sim.base, moto_url)
        info = {
            "url": sim.url, "sim_base": sim.base, "moto_url": moto_url, "api_key": DEFAULT_API_KEYS[0]["key"],
            "api_keys": [{"key": key["key"], "role": key["role"]} for key in DEFAULT_API_KEYS],
            "aws_access_key": AWS_ACCESS_KEY, "aws_secret_key": AWS_SECRET_KEY, "aws_region": AWS_REGION,
            "folder": folder, "inventory": os.path.join(folder, "inventory"), "accounts": len(fleet["accounts"]),
            "pid": os.getpid(),
        }
        write_folder(folder, info, os.path.abspath(args.collections_path))
        info["commands"] = commands(folder)
        show(info)
        if args.ready_file:
            write_ready(args.ready_file, info)
        if args.run:
            return subprocess.call(args.run, shell=True, cwd=folder)
        while not stop.wait(1):
            pass
        print("sandbox: stopping", flush=True)
        return 0
    finally:
        sim.stop()
        moto.stop()
        if args.ready_file and os.path.exists(args.ready_file):
            os.remove(args.ready_file)


if __name__ == "__main__":
    sys.exit(main())
