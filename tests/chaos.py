# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chaos runs of the rollout: faults on both APIs, kill -9 mid-apply, every account watched throughout.

    python tests/chaos.py [--moto-url URL --sim-base URL --sim-url URL] [--rollouts 3] [--accounts 30]
        [--kills widen_switch,switch,switch_narrow,report] [--fault-rate 0.1] [--seed 1] [--forks 8]
        [--workdir DIR] [--json-out FILE] [--smoke]

The services come from the environment (``MOTO_URL``, ``SWP_SIM_BASE``, ``SWP_SIM_URL``, as
``scripts/services.py`` exports them) unless given. The collection must be on Ansible's collection
path. For each of K rollouts:

1. a fleet of N accounts in mixed states (``tests/fleet.py`` kinds) is built in moto and the SWP
   simulator; the role reaches IAM/STS through ``tests/aws_fault_proxy.py`` and the simulator
   checks trust policies through the proxy's view (so a widen may take a while to be seen);
2. faults at ``--fault-rate`` on both APIs: SWP 500/503/429, answers dropped before and after the
   write, 1-2 s latency; IAM ``InternalFailure``/``ServiceUnavailable``/``Throttling``, answers lost
   after the write, 1-2 s latency, delayed trust-policy visibility; and storms of 429/Throttling;
3. a dry run, then the apply, ``kill -9`` (its whole process group, as a CI runner is killed) at the
   rollout's kill points, picked by watching the play's task headers, the simulator's request log
   and the proxy's counters: ``widen_switch`` (trust policies widened, no switch sent yet), ``switch``
   (a switch sent, others in flight), ``switch_narrow`` (switched, not yet narrowed), ``report``
   (while the JSON report is written; the report must then still parse: the previous one, whole);
4. reruns with the faults until a run fails no account, then without faults ("clean") until a run
   changes nothing.

An observer samples every account the whole time: the trust policy from moto directly (not
through the proxy) and the ID the connector uses from the simulator's state, read before and
after the policies so a sample is never a torn read. A *lockout* is a sample at which the policy
(judged by the independent evaluator, tests/support/iam_eval.py) does not accept that ID, for an account
whose policy accepted it before the run. It also counts duplicate connectors (two for one role or
account). At the end of each rollout, the policies are judged against those before it
(``fleet.judge``: nobody gets in who could not before, but the manager with its ID).

Printed: lockout instants (goal 0), duplicate connectors (0), accounts converged after at most two
clean reruns (100%), SWP and IAM calls made and failed, wall time. Exit status 1 when a goal is
missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

try:  # imported as part of the tests package (the unit tests)
    from . import aws_fault_proxy
    from . import fleet as fleet_lib
    from .support import constants, iam_eval, moto_accounts, sim_control
except ImportError:  # run as a script: its folder, tests/, is the first entry of sys.path
    import aws_fault_proxy  # pylint: disable=import-error
    import fleet as fleet_lib  # pylint: disable=import-error
    from support import constants, iam_eval, moto_accounts, sim_control  # pylint: disable=import-error

KILL_POINTS = ("widen_switch", "switch", "switch_narrow", "report")
# Account kinds (tests/fleet.py), varied from the first account on so a small fleet is mixed too.
MIX = ["user_defined", "half_done", "migrated", "string_like", "several_statements", "no_connector", "second_principal",
       "user_defined", "list_condition", "cross_conditions", "access_key", "shared_statement", "v2008", "half_done", "user_defined"]
SKIPPED_KINDS = ("no_connector", "access_key")
# The manager's AssumeRole comes over TLS (aws:SecureTransport), from wherever the fleet's conditions may allow.
OBSERVED_CONTEXTS = [dict(context, **{"aws:SecureTransport": "true"}) for context in fleet_lib.JUDGED_CONTEXTS]
# The rollout's tasks run in its own role or in the shared layer it imports (swp.aws.shared).
TASK_MARKS = ("TASK [swp.aws.extid_migration : ", "TASK [swp.aws.shared : ")
MODIFY_PATH = "/api/awsconnectors/"
# The control calls of a chaos run are quick ones, made while the play runs: fail fast rather than stall the watch.
CONTROL_TIMEOUT = 30


def swp_faults(rate):
    """Random SWP faults adding up to about ``rate`` of the calls, and latency on as many again."""
    share = rate / 5.0
    return [
        {"probability": share * 1.5, "status": 500},
        {"probability": share, "status": 503},
        {"probability": share, "status": 429},
        {"probability": share * 0.75, "drop": True, "when": "after"},
        {"probability": share * 0.75, "drop": True},
        {"probability": rate / 2, "latency": 1.0},
        {"probability": rate / 2, "latency": 2.0},
    ]


def iam_faults(rate):
    share = rate / 4.0
    return [
        {"fault": "internal_failure", "probability": share * 1.5},
        {"fault": "service_unavailable", "probability": share * 0.5},
        {"fault": "throttling", "probability": share},
        {"fault": "drop_after", "probability": share},
        {"fault": "latency", "probability": rate, "latency": [1, 2]},
        {"fault": "propagation", "action": "UpdateAssumeRolePolicy", "probability": 0.5, "delay": 3},
    ]


class Observer(threading.Thread):
    """Samples every account's trust policy (moto, directly) against the ID its connector uses (simulator)."""

    def __init__(self, fleet, moto_url, sim_base, interval=0.5):
        super().__init__(daemon=True)
        self.fleet = fleet
        self.sim = sim_control.SimControl(sim_base, timeout=CONTROL_TIMEOUT)
        self.interval = interval
        self.accounts = [account for account in fleet["accounts"] if account["kind"] not in ("role_missing", "access_key_no_role")]
        moto = moto_accounts.MotoAccounts(moto_url)
        self.clients = {account["account_id"]: moto.client(account["account_id"]) for account in self.accounts}
        self.stopped = threading.Event()
        self.samples = 0
        self.rounds = 0
        self.lockouts = []
        self.duplicates = []
        self.errors = 0
        self.baseline = None

    def accepts(self, account, policy, external_id):
        if policy is None or not external_id:
            return False
        return any(iam_eval.is_allowed(policy, {"principal": constants.SWP_PRINCIPAL, "action": "sts:AssumeRole",
                                                "context": dict(context, **{"sts:ExternalId": external_id})},
                                       account["role_arn"])
                   for context in OBSERVED_CONTEXTS)

    def _uses(self, state):
        uses, by_role, by_account = {}, {}, {}
        for connector in state["connectors"]:
            arn = connector.get("crossAccountRoleArn")
            if arn:
                uses[arn] = connector.get("external_id")
                by_role.setdefault(arn, []).append(connector["ID"])
            by_account.setdefault(connector.get("accountId"), []).append(connector["ID"])
        duplicated = {key: ids for key, ids in list(by_role.items()) + list(by_account.items()) if len(ids) > 1}
        return uses, duplicated

    def _policy(self, account):
        client = self.clients[account["account_id"]]
        try:
            return client.get_role(RoleName=constants.ROLE_NAME)["Role"]["AssumeRolePolicyDocument"]
        except client.exceptions.NoSuchEntityException:
            return None

    def sample(self):
        """One round over every account; returns how many accounts were refused their connector's ID."""
        before, duplicated = self._uses(self.sim.state())
        policies = {account["host"]: self._policy(account) for account in self.accounts}
        after, duplicated_after = self._uses(self.sim.state())
        now = time.time()
        refused = {}
        for account in self.accounts:
            ids = {before.get(account["role_arn"]), after.get(account["role_arn"])} - {None}
            if not ids:
                continue
            refused[account["host"]] = not any(self.accepts(account, policies[account["host"]], uses) for uses in ids)
        if self.baseline is None:
            self.baseline = refused
            return 0
        count = 0
        for account in self.accounts:
            if account["host"] not in refused:
                continue
            self.samples += 1
            if refused[account["host"]] and not self.baseline.get(account["host"], True):
                count += 1
                self.lockouts.append({"time": now, "host": account["host"]})
        for key, ids in list(duplicated.items()) + list(duplicated_after.items()):
            self.duplicates.append({"time": now, "key": key, "connectors": ids})
        self.rounds += 1
        return count

    def run(self):
        while not self.stopped.is_set():
            try:
                self.sample()
            except Exception:  # pylint: disable=broad-except  # an unreadable sample is counted, never fatal
                self.errors += 1
            self.stopped.wait(self.interval)

    def stop(self):
        self.stopped.set()
        self.join(60)


class Storms(threading.Thread):
    """Every 20-40 s, a 2-4 s storm of 429s on the SWP API or of Throttling on IAM/STS."""

    def __init__(self, chaos, rng):
        super().__init__(daemon=True)
        self.chaos, self.rng = chaos, rng
        self.stopped = threading.Event()
        self.count = {"swp": 0, "iam": 0}

    def run(self):
        while not self.stopped.wait(self.rng.uniform(20, 40)):
            seconds = self.rng.uniform(2, 4)
            if self.rng.random() < 0.5:
                self.chaos.sim.random_faults([{"probability": 1.0, "status": 429}])
                self.stopped.wait(seconds)
                self.chaos.sim.clear_faults()
                if not self.stopped.is_set():
                    self.chaos.faults_on(self.rng.randint(0, 10 ** 6), iam=False)
                self.count["swp"] += 1
            else:
                self.chaos.proxy.storm(seconds)
                self.count["iam"] += 1

    def stop(self):
        self.stopped.set()
        self.join(10)


def process_tree(pid):
    """``pid`` and every process below it (Ansible's workers start their own sessions, so no process group covers them)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def kill_tree(pid):
    """kill -9 the play: ansible-playbook, its workers and the modules they run, as a killed CI runner."""
    for member in process_tree(pid):
        try:
            os.kill(member, signal.SIGKILL)
        except OSError:
            pass


class Run:
    """One ansible-playbook run, watched line by line, optionally killed at a kill point."""

    def __init__(self, chaos, name, extra_args=(), kill=None):
        self.chaos, self.name, self.kill = chaos, name, kill
        self.extra_args = list(extra_args)
        self.tasks = []
        self.killed_at = None
        self.kill_detail = {}
        self.rc = None

    def _swp_since(self, seq):
        return self.chaos.sim.requests(since=seq)

    def _watch(self, process, start_seq, start_iam):
        """Kill the play at its kill point; returns when it is killed or over."""
        point = self.kill
        deadline = None
        while process.poll() is None:
            time.sleep(0.05)
            task = self.tasks[-1] if self.tasks else ""
            modifies = [r for r in self._swp_since(start_seq) if r["method"] == "POST" and r["path"].startswith(MODIFY_PATH)
                        and r["path"][len(MODIFY_PATH):].isdigit()]
            updates = self.chaos.proxy.stats(since=start_iam)["events"]
            updates = [e for e in updates if e["operation"] == "UpdateAssumeRolePolicy"]
            fire = False
            if point == "widen_switch":
                fire = task.startswith("Record the widen") and updates and not modifies
            elif point == "switch":
                fire = task.startswith("Switch the connector") and bool(modifies)
            elif point == "switch_narrow":
                fire = task.startswith(("Verify the connector", "Show the narrowed")) and bool(modifies)
            elif point == "report":
                if task.startswith("Write the JSON report") and deadline is None:
                    deadline = time.monotonic() + self.chaos.rng.uniform(0.0, 0.4)
                fire = deadline is not None and time.monotonic() >= deadline
            if fire:
                kill_tree(process.pid)
                self.killed_at = point
                self.kill_detail = {"task": task, "switches_sent": len(modifies), "trust_policy_writes": len(updates)}
                return

    def execute(self):
        chaos = self.chaos
        report = chaos.report_path
        previous = None
        if os.path.exists(report):
            with open(report, encoding="utf-8") as handle:
                previous = handle.read()
        start_seq = chaos.sim.requests_page(since=999999999)["last_seq"]
        start_iam = chaos.proxy.stats(since=10 ** 12)["last_seq"]
        command = [chaos.args.ansible_playbook, "-i", chaos.inventory, chaos.playbook, "-e",
                   "extid_migration_report_path=" + report] + self.extra_args
        env = dict(os.environ, ANSIBLE_CONFIG=chaos.ansible_cfg, SWP_API_URL=chaos.sim_url, SWP_API_KEY=constants.FULL_KEY)
        log_path = os.path.join(chaos.workdir, "%s.log" % self.name)
        with open(log_path, "w", encoding="utf-8") as log:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                       start_new_session=True)

            def read():
                for line in process.stdout:
                    log.write(line)
                    log.flush()
                    for mark in TASK_MARKS:
                        if line.startswith(mark):
                            self.tasks.append(line[len(mark):].split("]", 1)[0])

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            try:
                if self.kill:
                    self._watch(process, start_seq, start_iam)
                self.rc = process.wait()
            finally:
                if process.poll() is None:  # the driver itself is stopped: leave nothing running
                    kill_tree(process.pid)
                    process.wait()
            reader.join(30)
        self.report = None
        self.report_state = "missing"
        if os.path.exists(report):
            with open(report, encoding="utf-8") as handle:
                text = handle.read()
            try:
                self.report = json.loads(text)
                self.report_state = "previous" if text == previous else "new"
            except ValueError:
                self.report_state = "torn"
        if self.killed_at:
            self.report = None  # a killed run's report, if any, is an earlier run's
        return self


class Chaos:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.sim_base = args.sim_base.rstrip("/")
        self.sim = sim_control.SimControl(self.sim_base, timeout=CONTROL_TIMEOUT)
        self.sim_url = args.sim_url
        self.workdir = args.workdir
        self.proxy = aws_fault_proxy.FaultProxy(args.moto_url, seed=args.seed).start()
        self.playbook = os.path.join(self.workdir, "rollout.yml")
        self.ansible_cfg = os.path.join(self.workdir, "ansible.cfg")
        self.inventory = os.path.join(self.workdir, "inventory.json")
        self.report_path = os.path.join(self.workdir, "report.json")
        with open(self.playbook, "w", encoding="utf-8") as handle:
            handle.write("---\n- name: Chaos rollout\n  hosts: aws_accounts\n  connection: local\n  gather_facts: false\n"
                         "  vars:\n    extid_migration_switch_retry_timeout: %d\n    extid_migration_sync_timeout: 30\n"
                         "  roles:\n    - role: swp.aws.extid_migration\n" % args.switch_retry_timeout)
        with open(self.ansible_cfg, "w", encoding="utf-8") as handle:
            handle.write("[defaults]\nforks = %d\ndeprecation_warnings = False\ninterpreter_python = auto_silent\n"
                         "retry_files_enabled = False\n" % args.forks)

    def faults_on(self, seed, iam=True):
        document = {"random": swp_faults(self.args.fault_rate), "seed": seed}
        if self.args.smoke:
            # The smoke test makes some 20 SWP calls: at a 10 % rate none may draw a fault (15 % of seeds), so the
            # first call of each faulted run is refused (503, which the client retries) whatever the draws.
            document["sequence"] = [{"status": 503}]
        self.sim.call("POST", "/faults", document)
        if iam:
            self.proxy.configure(iam_faults(self.args.fault_rate), seed=seed)

    def faults_off(self):
        self.sim.clear_faults()
        self.proxy.clear_faults()

    def rollout(self, index, kills):
        args = self.args
        spec = {"simulator": {"config": {"iam_endpoint_url": self.proxy.view_url, "fault_seed": args.seed + index}},
                "accounts": [{"kind": MIX[i % len(MIX)]} for i in range(args.accounts)]}
        fleet = fleet_lib.build(spec, self.sim_base, args.moto_url)
        with open(self.inventory, "w", encoding="utf-8") as handle:
            json.dump({"all": {"children": fleet_lib.inventory(fleet, self.proxy.url)}}, handle)
        if os.path.exists(self.report_path):
            os.unlink(self.report_path)
        policies_before = fleet_lib.policies(fleet, args.moto_url)
        self.proxy.reset()
        observer = Observer(fleet, args.moto_url, self.sim_base)
        observer.sample()  # the baseline: which accounts accept their connector's ID before any run
        observer.start()
        storms = Storms(self, self.rng)
        self.faults_on(args.seed + index)
        storms.start()
        started = time.monotonic()
        runs = [Run(self, "r%d-dry-run" % index, ["--check"]).execute()]
        for kill in kills or [None]:
            for _attempt in range(3 if kill else 1):
                run = Run(self, "r%d-apply-%d%s" % (index, len(runs), "-kill-" + kill if kill else ""), kill=kill).execute()
                runs.append(run)
                if not kill or run.killed_at:
                    break
                # A fault ended the play before that point (a run-once read failed): try the point again.
                sys.stdout.write("  %s: the run ended before the kill point %s\n" % (run.name, kill))
        reruns = 0
        while reruns < args.max_fault_reruns and (runs[-1].killed_at or runs[-1].rc != 0):
            runs.append(Run(self, "r%d-rerun-%d" % (index, reruns + 1)).execute())
            reruns += 1
        storms.stop()
        self.faults_off()
        faulty_runs = len(runs)
        for clean in range(1, 4):
            run = Run(self, "r%d-clean-%d" % (index, clean)).execute()
            runs.append(run)
            if run.rc == 0 and run.report and not run.report["changed_hosts"]:
                break
        wall = time.monotonic() - started
        observer.stop()
        observer.sample()  # once more, after everything
        requests = self.sim.requests()
        iam = self.proxy.stats()
        state = self.sim.state()
        uses = {item.get("crossAccountRoleArn"): item.get("external_id") for item in state["connectors"]}
        # Who gets in only after the run (the refusals are the observer's, judged with the manager's TLS context).
        problems = [problem for problem in fleet_lib.judge(fleet, policies_before, fleet_lib.policies(fleet, args.moto_url), uses)
                    if "refuses the ID its connector uses" not in problem]
        clean_runs = runs[faulty_runs:]
        converged = self.converged(fleet, clean_runs[:2], uses)
        return {
            "rollout": index, "accounts": len(fleet["accounts"]), "wall_seconds": round(wall, 1),
            "runs": [{"name": r.name, "rc": r.rc, "killed_at": r.killed_at, "kill": r.kill_detail, "report": r.report_state,
                      "failed": (r.report or {}).get("failed_hosts"), "changed": len((r.report or {}).get("changed_hosts", []))}
                     for r in runs],
            "kills": [r.killed_at for r in runs if r.killed_at],
            "torn_reports": sum(1 for r in runs if r.report_state == "torn"),
            "report_kill_left": [r.report_state for r in runs if r.killed_at == "report"],
            "lockout_instants": len(observer.lockouts), "lockouts": observer.lockouts[:20],
            "samples": observer.samples, "observer_rounds": observer.rounds, "observer_errors": observer.errors,
            "unwatched": sorted(host for host, refused in (observer.baseline or {}).items() if refused),
            "duplicate_connectors": len(observer.duplicates), "converged": converged[0], "convergeable": converged[1],
            "not_converged": converged[2], "clean_reruns": len(clean_runs),
            "last_run_changes": len((clean_runs[-1].report or {}).get("changed_hosts", ["?"])),
            "judge_problems": problems,
            "swp_calls": len(requests), "swp_failed": sum(1 for r in requests if r["status"] is None or r["status"] >= 400),
            "iam_calls": iam["total_calls"],
            "iam_failed": sum(1 for e in iam["events"] if e["status"] != 200),
            "iam_faults": iam["faults"], "storms": storms.count,
        }

    def converged(self, fleet, clean_runs, uses):
        """(converged, total, hosts not converged) after at most the clean runs given."""
        manager_id = fleet["manager_external_id"]
        done, missing = 0, []
        outcomes = {}
        for run in clean_runs:
            for account in (run.report or {}).get("accounts", []):
                outcomes[account["host"]] = account["outcome"]
        for account in fleet["accounts"]:
            expected = ("skipped",) if account["kind"] in SKIPPED_KINDS else ("unchanged", "migrated")
            ok = outcomes.get(account["host"]) in expected
            if account["kind"] not in SKIPPED_KINDS:
                ok = ok and uses.get(account["role_arn"]) == manager_id
            if ok:
                done += 1
            else:
                missing.append(account["host"])
        return done, len(fleet["accounts"]), missing

    def main(self):
        started = time.monotonic()
        kills = list(self.args.kills)
        per_rollout = [[kills[i] for i in range(len(kills)) if i % self.args.rollouts == r] for r in range(self.args.rollouts)]
        results = []
        try:
            for index in range(self.args.rollouts):
                kills_here = ", ".join(per_rollout[index]) or "none"
                sys.stdout.write("rollout %d/%d: %d accounts, kills %s\n" % (index + 1, self.args.rollouts, self.args.accounts, kills_here))
                sys.stdout.flush()
                result = self.rollout(index, per_rollout[index])
                results.append(result)
                runs = ["%s rc=%s%s" % (r["name"], r["rc"], " KILLED" if r["killed_at"] else "") for r in result["runs"]]
                sys.stdout.write("  %s\n" % ", ".join(runs))
                sys.stdout.flush()
        finally:
            self.proxy.stop()
        return self.summarize(results, time.monotonic() - started)

    def summarize(self, results, wall):
        total = {key: sum(r[key] for r in results) for key in (
            "lockout_instants", "samples", "duplicate_connectors", "converged", "convergeable", "swp_calls", "swp_failed",
            "iam_calls", "iam_failed", "torn_reports", "observer_errors")}
        total["kills"] = [kill for r in results for kill in r["kills"]]
        total["judge_problems"] = sum(len(r["judge_problems"]) for r in results)
        total["unwatched"] = sum(len(r["unwatched"]) for r in results)
        total["last_run_changes"] = sum(r["last_run_changes"] for r in results)
        total["wall_seconds"] = round(wall, 1)
        summary = {"rollouts": results, "total": total}
        lines = [
            "chaos: %d rollouts of %d accounts, %d%% faults on both APIs, storms, 1-2 s latency, seed %d" % (
                len(results), self.args.accounts, round(self.args.fault_rate * 100), self.args.seed),
            "  kill -9 during the apply:     %d (%s)" % (len(total["kills"]), ", ".join(total["kills"])),
            "  lockout instants:             %d in %d samples (goal 0)" % (total["lockout_instants"], total["samples"]),
            "  accounts refused before the run (not watched): %d (goal 0)" % total["unwatched"],
            "  duplicate connectors:         %d (goal 0)" % total["duplicate_connectors"],
            "  converged after <= 2 clean reruns: %d/%d accounts (%.0f%%)" % (
                total["converged"], total["convergeable"], 100.0 * total["converged"] / max(total["convergeable"], 1)),
            "  changes on the last rerun:    %d (goal 0)" % total["last_run_changes"],
            "  reports torn by a kill:       %d (goal 0)" % total["torn_reports"],
            "  trust widened for others:     %d (goal 0, fleet.judge)" % total["judge_problems"],
            "  SWP calls:                    %d, failed %d" % (total["swp_calls"], total["swp_failed"]),
            "  IAM/STS calls:                %d, failed %d" % (total["iam_calls"], total["iam_failed"]),
            "  wall time:                    %.1f s" % total["wall_seconds"],
        ]
        sys.stdout.write("\n".join(lines) + "\n")
        ok = (total["lockout_instants"] == 0 and total["duplicate_connectors"] == 0 and total["converged"] == total["convergeable"]
              and total["torn_reports"] == 0 and total["judge_problems"] == 0 and total["last_run_changes"] == 0
              and total["unwatched"] == 0 and total["samples"] > 0
              and len(total["kills"]) >= len(self.args.kills))
        summary["ok"] = ok
        if self.args.json_out:
            with open(self.args.json_out, "w", encoding="utf-8") as handle:
                json.dump(summary, handle, indent=2)
        return 0 if ok else 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto-url", default=os.environ.get("MOTO_URL"))
    parser.add_argument("--sim-base", default=os.environ.get("SWP_SIM_BASE"))
    parser.add_argument("--sim-url", default=os.environ.get("SWP_SIM_URL"))
    parser.add_argument("--rollouts", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--kills", default=",".join(KILL_POINTS), help="comma-separated kill points, shared out over the rollouts")
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--forks", type=int, default=8)
    parser.add_argument("--switch-retry-timeout", type=int, default=30)
    parser.add_argument("--max-fault-reruns", type=int, default=4)
    parser.add_argument("--ansible-playbook", default=shutil.which("ansible-playbook") or "ansible-playbook")
    parser.add_argument("--workdir")
    parser.add_argument("--json-out")
    parser.add_argument("--smoke", action="store_true", help="one rollout of 6 accounts, kills between widen and switch and in the report write")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rollouts, args.accounts, args.forks = 1, 6, 5
        if args.kills == ",".join(KILL_POINTS):
            args.kills = "widen_switch,report"
    args.kills = [kill for kill in args.kills.split(",") if kill]
    for kill in args.kills:
        if kill not in KILL_POINTS:
            parser.error("unknown kill point %r (one of %s)" % (kill, ", ".join(KILL_POINTS)))
    for name in ("moto_url", "sim_base", "sim_url"):
        if not getattr(args, name):
            parser.error("--%s (or its environment variable) is required" % name.replace("_", "-"))
    return args


def _terminate(_signum, _frame):
    raise SystemExit(143)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    own_workdir = args.workdir is None
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="swp-chaos-")
    os.makedirs(args.workdir, exist_ok=True)
    try:
        return Chaos(args).main()
    finally:
        if own_workdir and not os.environ.get("CHAOS_KEEP"):
            shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
