# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 6: the rollout's dry run at scale - 100, 300 and 1,000 accounts against a manager with 10,000 connectors.

The simulator holds 10,000 role connectors, of which the first 1,000 are the inventory's accounts (one moto account
and one role each); ``demo/rollout.yml --check`` runs over the first 100, 300 and 1,000 of them. Per run: wall time,
time per account, the controller's peak memory (and its workers'), SWP calls, the report's counts. The once-per-play
connector index must not be copied per host: were it, the controller's memory would grow by accounts x connectors.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import time

from _common import (FULL_KEY, PY, ROOT, BenchError, Sim, base_env, breakdown, heading, moto_accounts, run_measured, table)

CONNECTORS = 10000
SIZES = (100, 300, 1000)
BASELINE = 1000  # connectors of the index play's baseline run: the fleet's own only
FORKS = 10
PAGE = 1000  # extid_migration_page_size's default
ROLE_NAME = "TrendMicroWorkloadSecurityRole"
SWP_PRINCIPAL = "arn:aws:iam::147995105371:root"
MIGRATE_EVERY = 10  # one account in ten still uses its own external ID (would_migrate); the others are migrated
SAMPLE_S = 0.5
DRY_RUN_CPU_MAX = 1.5  # CPU seconds per account of the dry run at 1,000 accounts
TICKS = os.sysconf("SC_CLK_TCK")


def _account_id(i):
    return "%012d" % (300000000000 + i)


def _is_listing(entry):
    criteria = (entry.get("body") or {}).get("searchCriteria") or []
    return all(c.get("idTest") == "greater-than" and "fieldName" not in c for c in criteria)


def _policy(external_id):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": SWP_PRINCIPAL}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}


def _build_accounts(moto_url, manager_id, indexes):
    sts = moto_accounts.base_client(moto_url, "sts")
    built = []
    for i in indexes:
        account_id = _account_id(i)
        creds = moto_accounts.credentials(moto_url, account_id, session_name="bench-scale", duration=43200, sts=sts)
        iam = moto_accounts.client_with(moto_url, creds)
        migrate = i % MIGRATE_EVERY == MIGRATE_EVERY - 1
        uses = "legacy-%s-x7Qp" % account_id if migrate else manager_id
        # Account IDs of their own (3000...), which no other figure uses: the role is new.
        iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(_policy(uses)))
        built.append({"host": "acct-%04d" % i, "account_id": account_id, "creds": creds, "uses": uses, "migrate": migrate})
    return built


def build_fleet(moto_url, manager_id, accounts):
    """``accounts`` moto accounts with one role each, and their credentials: the role in account N is reached with
    credentials moto issued for account N (moto keeps accounts apart by access key), so the play needs no
    sts_assume_role per host - the role's per-host work is that of a fleet whose credentials are given."""
    return _build_accounts(moto_url, manager_id, range(accounts))


def _connector(i, fleet):
    if i < len(fleet):
        account = fleet[i]
        return {"displayName": account["host"], "accountId": account["account_id"],
                "crossAccountRoleArn": "arn:aws:iam::%s:role/%s" % (account["account_id"], ROLE_NAME),
                "seedRegion": "us-east-1", "externalId": account["uses"]}
    account_id = "%012d" % (400000000000 + i)
    return {"displayName": "other-%05d" % i, "accountId": account_id,
            "crossAccountRoleArn": "arn:aws:iam::%s:role/%s" % (account_id, ROLE_NAME),
            "seedRegion": "us-east-1", "externalId": "legacy-%s" % account_id, "lastSyncTime": 1700000000000 + i}


def write_inventory(path, fleet, moto_url):
    hosts = {}
    for account in fleet:
        hosts[account["host"]] = {
            "extid_migration_account_id": account["account_id"],
            "extid_migration_aws_access_key": account["creds"]["AccessKeyId"],
            "extid_migration_aws_secret_key": account["creds"]["SecretAccessKey"],
            "extid_migration_aws_session_token": account["creds"]["SessionToken"],
        }
    inventory = {"aws_accounts": {"hosts": hosts, "vars": {
        "ansible_connection": "local",
        "ansible_python_interpreter": PY,
        "extid_migration_role_name": ROLE_NAME,
        "extid_migration_aws_endpoint_url": moto_url,
    }}}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)


# ------------------------------------------------------------------ memory of a process tree, from /proc

def _kib(path, fields):
    found = {}
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in fields:
                    found[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


def _children(pid):
    found = []
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid), encoding="ascii") as handle:
            direct = [int(p) for p in handle.read().split()]
    except (OSError, ValueError):
        return found
    for child in direct:
        found.append(child)
        found.extend(_children(child))
    return found


class TreeSampler:
    """Samples a process (the controller) and its descendants (forked workers, module processes) every SAMPLE_S.

    controller_hwm: the controller's VmHWM (the kernel's peak RSS of that one process), last read before it exits.
    worker_peak: the largest RSS any one descendant had at a sample. tree_pss_peak: the largest sum, at a sample, of
    the Pss of the controller and all its descendants (Pss shares each page among the processes mapping it, so
    forked workers' copy-on-write pages they still share with the controller are not counted twice).
    """

    def __init__(self):
        self.controller_hwm = 0
        self.controller_rss_peak = 0
        self.worker_peak = 0
        self.tree_pss_peak = 0
        self.workers_max = 0
        self.controller_cpu = 0.0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = None

    def start(self, pid):
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _run(self, pid):
        while not self._stop.is_set():
            status = _kib("/proc/%d/status" % pid, ("VmHWM", "VmRSS"))
            if not status:
                break
            self.controller_hwm = max(self.controller_hwm, status.get("VmHWM", 0))
            self.controller_rss_peak = max(self.controller_rss_peak, status.get("VmRSS", 0))
            try:
                with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                self.controller_cpu = (int(fields[11]) + int(fields[12])) / float(TICKS)
            except (OSError, ValueError, IndexError):
                pass
            descendants = _children(pid)
            pss = _kib("/proc/%d/smaps_rollup" % pid, ("Pss",)).get("Pss", 0)
            for child in descendants:
                self.worker_peak = max(self.worker_peak, _kib("/proc/%d/status" % child, ("VmRSS",)).get("VmRSS", 0))
                pss += _kib("/proc/%d/smaps_rollup" % child, ("Pss",)).get("Pss", 0)
            self.tree_pss_peak = max(self.tree_pss_peak, pss)
            self.workers_max = max(self.workers_max, len(descendants))
            self.samples += 1
            self._stop.wait(SAMPLE_S)

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(5)


def _mib(kib):
    return "%.0f" % (kib / 1024.0)


INDEX_PLAY = """\
- name: The rollout's connector index alone
  hosts: aws_accounts
  connection: local
  gather_facts: false
  tasks:
    - name: Read the manager's state once for the play, as the rollout does (the shared layer's prepare)
      ansible.builtin.import_role:
        name: swp.aws.shared
        tasks_from: prepare
      vars:
        shared_role: extid_migration
    - name: Each account's connector, as the rollout's first per-account task reads it
      ansible.builtin.set_fact:
        bench_connector_id: >-
          {{ (shared__index | swp.aws.shared_connector('' | swp.aws.extid_migration_target(extid_migration_account_id,
                extid_migration_role_name))).id | default(None) }}
    - name: Count the accounts that found their connector
      ansible.builtin.debug:
        msg: "found {{ ansible_play_hosts_all | map('extract', hostvars, 'bench_connector_id') | select | list | length }}"
      run_once: true
"""


def _play(sim, tmp, env, fleet, size, moto_url, playbook, flags):
    """One ansible-playbook run over the first ``size`` accounts, measured: (Measured, TreeSampler, request log, load)."""
    inventory = os.path.join(tmp, "inventory-%d.json" % size)
    write_inventory(inventory, fleet[:size], moto_url)
    sim.clear_requests()
    sampler = TreeSampler()
    load = os.getloadavg()[0]
    try:
        m = run_measured(["ansible-playbook", "-i", inventory, playbook, "-f", str(FORKS)] + flags, env=env, timeout=7200,
                         keep_output_in=tmp, on_start=sampler.start)
    finally:
        sampler.stop()
    return m, sampler, sim.requests(), (load, os.getloadavg()[0])


def _memory_cells(m, sampler, size):
    return ["%.0f" % m.wall, "%.0f" % (1000.0 * m.wall / size), "%.0f" % m.cpu, "%.0f" % (1000.0 * m.cpu / size),
            "%.0f" % sampler.controller_cpu, _mib(sampler.controller_hwm), _mib(sampler.worker_peak),
            _mib(sampler.tree_pss_peak)]


MEMORY_HEADERS = ["wall s", "ms/acct", "CPU s", "CPU ms/acct", "ctrl CPU s", "ctrl peak RSS MiB", "worker peak MiB",
                  "tree PSS MiB"]


def _growth(summary, label, runs):
    """Controller peak RSS per added account between the smallest and the largest run."""
    (small, s_small), (large, s_large) = runs[0], runs[-1]
    if large == small:
        return
    grow = s_large.controller_hwm - s_small.controller_hwm
    print("  %s: controller peak RSS from %d to %d accounts %+.1f MiB, %.1f KiB per added account"
          % (label, small, large, grow / 1024.0, float(grow) / (large - small)))
    summary.add("6. %s: ctrl RSS per added acct" % label, "%.1f KiB" % (float(grow) / (large - small)))


def run_index(sim, tmp, env, fleet, moto_url, summary, sizes, connectors):
    """The shared layer's prepare.yml (listing and index) and one per-host read of the account's connector: the controller's
    share of the rollout, without the per-account AWS modules."""
    playbook = os.path.join(tmp, "index.yml")
    with open(playbook, "w", encoding="utf-8") as handle:
        handle.write(INDEX_PLAY)
    rows, runs = [], []
    for size in sizes:
        m, sampler, log, load = _play(sim, tmp, env, fleet, size, moto_url, playbook, ["--check"])
        found = re.search(r'"msg": "found (\d+)"', m.stdout)
        found = int(found.group(1)) if found else None
        rows.append([size, connectors] + _memory_cells(m, sampler, size) + [len(log), found, "%.1f-%.1f" % load,
                                                                            m.returncode])
        print("  index play, %4d accounts, %d connectors: rc=%d %.0f s, controller peak %s MiB (load %.1f -> %.1f)"
              % (size, connectors, m.returncode, m.wall, _mib(sampler.controller_hwm), load[0], load[1]), flush=True)
        if m.returncode != 0 or m.timed_out:
            print("    FAILED%s:\n      %s" % (" (timed out)" if m.timed_out else "", m.tail(15).replace("\n", "\n      ")))
            raise BenchError("the index play failed at %d accounts; logs kept in %s" % (size, tmp))
        summary.add("6. index play %d accts, %d conns: found" % (size, connectors), found, size, found == size)
        summary.add("6. index play %d accts, %d conns: ctrl peak" % (size, connectors),
                    "%s MiB, %.0f s" % (_mib(sampler.controller_hwm), m.wall))
        runs.append((size, sampler))
    return rows, runs


def run(api_url, sim_base, moto_url, summary, sizes=SIZES, dry_run=True):
    sizes = tuple(sorted(sizes))
    heading("6. Scale: the rollout's index and its dry run over %s accounts, %d connectors on the manager, -f %d"
            % ("/".join(str(s) for s in sizes), CONNECTORS, FORKS))
    sim = Sim(sim_base)
    tmp = tempfile.mkdtemp(prefix="swp-bench-scale-")
    keep = False
    try:
        sim.reset({"config": {"rate_limit": 0, "iam_propagation_delay": 0}})
        manager_id = sim.state()["manager_external_id"]
        t0 = time.perf_counter()
        fleet = build_fleet(moto_url, manager_id, max(sizes))
        sim.add_connectors([_connector(i, fleet) for i in range(CONNECTORS)])
        held = sim.health()["connectors"]
        if held != CONNECTORS:
            raise BenchError("seeded %d connectors, the simulator holds %d" % (CONNECTORS, held))
        print("  %d moto accounts with a role each and %d connectors built in %.1f s; %d of %d accounts still use their own ID"
              % (len(fleet), held, time.perf_counter() - t0, sum(1 for a in fleet if a["migrate"]), len(fleet)), flush=True)

        env = base_env(SWP_API_URL=api_url, SWP_API_KEY=FULL_KEY, ANSIBLE_CONFIG=os.path.join(ROOT, "demo", "ansible.cfg"),
                       DEMO_REPORT=os.path.join(tmp, "report.json"))
        index_rows, index_runs = run_index(sim, tmp, env, fleet, moto_url, summary, sizes, CONNECTORS)

        rows = []
        results = []
        playbook = os.path.join("demo", "rollout.yml")
        for size in (sizes if dry_run else ()):
            report_path = os.path.join(tmp, "report.json")
            if os.path.exists(report_path):
                os.unlink(report_path)
            m, sampler, log, load = _play(sim, tmp, env, fleet, size, moto_url, playbook, ["--check"])
            report = None
            if os.path.exists(report_path):
                with open(report_path, encoding="utf-8") as handle:
                    report = json.load(handle)
            calls = breakdown(log)
            listing = sum(1 for e in log if e["path"].endswith("/search") and _is_listing(e))
            counts = {k: v for k, v in ((report or {}).get("counts") or {}).items() if v}
            want_migrate = sum(1 for a in fleet[:size] if a["migrate"])
            results.append({"size": size, "m": m, "calls": calls, "report": report, "sampler": sampler, "log": log})
            print("  dry run, %4d accounts: rc=%d  %.0f s  %d SWP calls %s  report %s  (load %.1f -> %.1f)"
                  % (size, m.returncode, m.wall, len(log), dict(calls), json.dumps(counts) if report else "none",
                     load[0], load[1]), flush=True)
            rows.append([size] + _memory_cells(m, sampler, size) + [
                len(log), listing, " ".join("%s=%s" % kv for kv in sorted(counts.items())) if report else "no report",
                "%.1f-%.1f" % load, m.returncode])
            if m.returncode != 0 or m.timed_out:
                keep = True
                print("    FAILED%s:\n      %s" % (" (timed out)" if m.timed_out else "", m.tail(15).replace("\n", "\n      ")))
            want_search = -(-CONNECTORS // PAGE) + (1 if CONNECTORS % PAGE == 0 else 0)
            summary.add("6. %d accts: wall, per account" % size, "%.0fs, %.0f ms, rc=%d" % (m.wall, 1000.0 * m.wall / size,
                                                                                          m.returncode), "rc=0", m.returncode == 0)
            summary.add("6. %d accts: controller peak RSS" % size, "%s MiB" % _mib(sampler.controller_hwm))
            # The mark of issue 17, set for 1,000 accounts: every process of the run, the controller's and its workers'.
            summary.add("6. %d accts: dry-run CPU s per account" % size, "%.2f" % (m.cpu / size), "<= %.1f" % DRY_RUN_CPU_MAX,
                        m.cpu / size <= DRY_RUN_CPU_MAX if size >= 1000 else None)
            # Once per play: the external ID and the paged listing. Per account, nothing, or (until the switch is given
            # the listed connector) one read of the connector of an account it would migrate. Never a write.
            settings = calls.get("GET /awsconnectorsettings", 0)
            writes = sum(1 for e in log if e["method"] not in ("GET", "HEAD") and not e["path"].endswith("/search"))
            per_account = len(log) - settings - listing
            summary.add("6. %d accts: SWP calls" % size, "%d = %d settings + %d listing + %d per-account, %d writes"
                        % (len(log), settings, listing, per_account, writes),
                        "1 + %d + at most %d, 0 writes" % (want_search, want_migrate),
                        settings == 1 and listing == want_search and per_account <= want_migrate and writes == 0)
            want_counts = {k: v for k, v in (("would_migrate", want_migrate), ("unchanged", size - want_migrate)) if v}
            summary.add("6. %d accts: report counts" % size,
                        " ".join("%s=%s" % kv for kv in sorted(counts.items())) if report else "no report",
                        " ".join("%s=%s" % kv for kv in sorted(want_counts.items())), counts == want_counts)

        # Baseline: the same index play over the largest fleet, the manager holding only the fleet's own connectors.
        sim.reset({"config": {"rate_limit": 0, "iam_propagation_delay": 0}})
        sim.add_connectors([_connector(i, fleet) for i in range(BASELINE)])
        base_rows, base_runs = run_index(sim, tmp, env, fleet, moto_url, summary, (max(sizes),), BASELINE)

        print("\n  The index play (the shared prepare.yml, then one per-host look-up of each account's connector):")
        table(["accounts", "connectors"] + MEMORY_HEADERS + ["SWP calls", "found", "load", "rc"], index_rows + base_rows)
        _growth(summary, "index play", index_runs)
        index_kib = index_runs[-1][1].controller_hwm - base_runs[-1][1].controller_hwm
        print("  the index of %d more connectors costs the controller %+.1f MiB at %d accounts (%.2f KiB per connector);"
              " a copy per host would cost that once per account" % (CONNECTORS - BASELINE, index_kib / 1024.0,
                                                                      max(sizes), float(index_kib) / (CONNECTORS - BASELINE)))
        summary.add("6. index of %d connectors (ctrl RSS)" % (CONNECTORS - BASELINE), "%+.1f MiB" % (index_kib / 1024.0))
        if rows:
            print("\n  The rollout's dry run (demo/rollout.yml --check):")
            table(["accounts"] + MEMORY_HEADERS + ["SWP calls", "listing", "report", "load", "rc"], rows)
            _growth(summary, "dry run", [(r["size"], r["sampler"]) for r in results])
        if keep:
            raise BenchError("ansible-playbook failed; logs and inventories kept in %s" % tmp)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
