# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 8: the rollout against its floor, in the same run, over the same fleet.

The floor is a playbook that runs only the module calls a safe migration needs: once for the play the manager's ID
and the connector listing, then per account reach it (hub and spoke, as the fleet is reached), read the role, widen,
switch (and synchronize), narrow. The fleet is built afresh before each of: the floor, the rollout's dry run
(``demo/rollout.yml --check --diff``), its apply (``--diff``) and, without a rebuild, its rerun. Printed: wall and
CPU seconds, the tasks each account ran (PLAY RECAP: ok + skipped + failed per host), and the ratios to the floor.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

from _common import FULL_KEY, ROOT, BenchError, Sim, base_env, build_fleet, heading, run_measured, table

ACCOUNTS = 50
FORKS = 10
# Figures the issue asks of the rollout against the floor (wall time), and of the dry run (CPU s per account).
APPLY_MAX, RERUN_MAX = 1.3, 0.5

FLOOR_PLAY = """\
- name: The floor - only the module calls a safe migration needs
  hosts: aws_accounts
  connection: local
  gather_facts: false
  module_defaults:
    group/amazon.aws.aws:
      access_key: "{{ floor_sts.sts_creds.access_key | default(extid_migration_aws_access_key) }}"
      secret_key: "{{ floor_sts.sts_creds.secret_key | default(extid_migration_aws_secret_key) }}"
      session_token: "{{ floor_sts.sts_creds.session_token | default(omit) }}"
      endpoint_url: "{{ extid_migration_aws_endpoint_url }}"
      region: us-east-1
  vars:
    floor_account: "{{ '' | swp.aws.extid_migration_target(extid_migration_account_id, extid_migration_role_name) }}"
    floor_connector: "{{ floor_listing.connectors | selectattr('account_id', 'eq', floor_account.account_id) | first }}"
    floor_plan: >-
      {{ floor_role.iam_roles | swp.aws.extid_migration_plan(inventory_hostname, floor_account, floor_connector,
                                                             floor_extid.external_id) }}
  tasks:
    - name: Read the manager-defined ID once
      swp.aws.workload_extid_info:
      register: floor_extid
      run_once: true
      no_log: true

    - name: List the connectors once
      swp.aws.workload_connector_info:
      register: floor_listing
      run_once: true
      no_log: true

    - name: Reach the account
      amazon.aws.sts_assume_role:
        role_arn: "{{ extid_migration_aws_assume_role_arn }}"
        role_session_name: floor
      register: floor_sts
      no_log: true

    - name: Read the role
      amazon.aws.iam_role_info:
        name: "{{ extid_migration_role_name }}"
      register: floor_role
      no_log: true

    - name: Widen
      amazon.aws.iam_role:
        name: "{{ extid_migration_role_name }}"
        assume_role_policy_document: "{{ floor_plan.widened | to_json }}"
        create_instance_profile: false
      no_log: true

    - name: Switch and synchronize
      swp.aws.workload_connector:
        id: "{{ floor_connector.id }}"
        connector: "{{ floor_connector }}"
        cross_account_role_arn: "{{ floor_account.role_arn }}"
        use_manager_external_id: true
        manager_external_id: "{{ floor_extid.external_id }}"
        sync: true
        sync_timeout: 30
      no_log: true

    - name: Narrow
      amazon.aws.iam_role:
        name: "{{ extid_migration_role_name }}"
        assume_role_policy_document: "{{ floor_plan.narrowed | to_json }}"
        create_instance_profile: false
      no_log: true
"""

_RECAP = re.compile(r"^\S+\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)")


def tasks_per_account(stdout):
    """The mean over hosts of the tasks each ran (PLAY RECAP: ok + failed + skipped); run_once tasks are counted
    for the one host that ran them only."""
    counts = []
    for line in stdout.splitlines():
        match = _RECAP.match(line.strip())
        if match and not line.startswith("localhost"):
            counts.append(int(match.group(1)) + int(match.group(4)) + int(match.group(5)))
    return sum(counts) / float(len(counts)) if counts else float("nan")


def _build(tmp, sim_base, moto_url, accounts):
    spec = {"simulator": {"config": {"iam_propagation_delay": 0}},
            "accounts": [{"name": "acct-%03d" % i, "kind": "user_defined"} for i in range(accounts)]}
    return build_fleet(tmp, spec, sim_base, moto_url, timeout=600)


def run(api_url, sim_base, moto_url, summary, accounts=ACCOUNTS):
    heading("8. The rollout against its floor (read, widen, switch, narrow): %d accounts, -f %d" % (accounts, FORKS))
    Sim(sim_base)
    tmp = tempfile.mkdtemp(prefix="swp-bench-floor-")
    keep = False
    try:
        floor_path = os.path.join(tmp, "floor.yml")
        with open(floor_path, "w", encoding="utf-8") as handle:
            handle.write(FLOOR_PLAY)
        report_path = os.path.join(tmp, "report.json")
        env = base_env(SWP_API_URL=api_url, SWP_API_KEY=FULL_KEY, ANSIBLE_CONFIG=os.path.join(ROOT, "demo", "ansible.cfg"),
                       DEMO_REPORT=report_path)
        rollout = os.path.join("demo", "rollout.yml")
        runs = (("floor", floor_path, [], True), ("dry run", rollout, ["--check", "--diff"], True),
                ("apply", rollout, ["--diff"], True), ("rerun", rollout, [], False))
        results = {}
        inventory = None
        for label, playbook, flags, rebuild in runs:
            if rebuild:
                inventory = _build(tmp, sim_base, moto_url, accounts)
            m = run_measured(["ansible-playbook", "-i", inventory, playbook, "-f", str(FORKS)] + flags, env=env,
                             timeout=3600, keep_output_in=tmp)
            per_account = tasks_per_account(m.stdout)
            results[label] = (m, per_account)
            print("  %-8s rc=%d  wall %6.1f s  CPU %6.1f s (%.2f s per account)  %.1f tasks per account"
                  % (label, m.returncode, m.wall, m.cpu, m.cpu / accounts, per_account), flush=True)
            if m.returncode != 0 or m.timed_out:
                keep = True
                print("    FAILED:\n      " + m.tail(20).replace("\n", "\n      "))
        floor = results["floor"][0]
        rows = []
        for label in ("floor", "dry run", "apply", "rerun"):
            m, per_account = results[label]
            rows.append([label, "%.1f" % m.wall, "%.2f" % (m.wall / floor.wall), "%.1f" % m.cpu, "%.2f" % (m.cpu / floor.cpu),
                         "%.2f" % (m.cpu / accounts), "%.1f" % per_account, m.returncode])
        print()
        table(["run", "wall s", "x floor wall", "CPU s", "x floor CPU", "CPU s/acct", "tasks/acct", "rc"], rows)
        apply_ratio = results["apply"][0].wall / floor.wall
        rerun_ratio = results["rerun"][0].wall / floor.wall
        summary.add("8. apply / floor wall (%d accts)" % accounts, "%.2fx" % apply_ratio, "<= %.1fx" % APPLY_MAX,
                    apply_ratio <= APPLY_MAX)
        summary.add("8. rerun / floor wall (%d accts)" % accounts, "%.2fx" % rerun_ratio, "<= %.1fx" % RERUN_MAX,
                    rerun_ratio <= RERUN_MAX)
        summary.add("8. dry run CPU s per account (%d accts)" % accounts, "%.2f" % (results["dry run"][0].cpu / accounts))
        for label in ("floor", "dry run", "apply", "rerun"):
            summary.add("8. %s tasks per account" % label, "%.1f" % results[label][1])
        if keep:
            raise BenchError("ansible-playbook failed; logs kept in %s" % tmp)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
