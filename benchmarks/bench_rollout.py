# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 4: the rollout (role swp.aws.extid_migration, demo/rollout.yml) over a fleet of 50 accounts.

Dry run (--check --diff), apply (--diff), rerun; for each: wall time, SWP API calls by method and path,
writes, the report's counts. Afterwards the fleet's state is read back from the simulator and from moto.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import tempfile

from _common import (FULL_KEY, PY, ROOT, BenchError, Sim, base_env, breakdown, heading, moto_accounts, run_measured, table)

ACCOUNTS = 50
FORKS = 10
PAGE = 1000  # extid_migration_page_size's default
SWP_PRINCIPAL = "arn:aws:iam::147995105371:root"
ROLE_NAME = "TrendMicroWorkloadSecurityRole"
RUNS = (("check", ["--check", "--diff"]), ("apply", ["--diff"]), ("rerun", []))
SEARCH = "POST /awsconnectors/search"
SETTINGS = "GET /awsconnectorsettings"


def fleet_spec():
    """Mostly user_defined accounts, with some already migrated and some half done, interleaved."""
    accounts = []
    for i in range(ACCOUNTS):
        kind = "migrated" if i % 8 == 3 else "half_done" if i % 8 == 6 else "user_defined"
        accounts.append({"name": "acct-%02d-%s" % (i, kind.replace("_", "-")), "kind": kind})
    # iam_propagation_delay 0: the counts show the role's call pattern, not IAM's eventual consistency.
    return {"simulator": {"config": {"iam_propagation_delay": 0}}, "accounts": accounts}


def _is_listing(entry):
    """A search of the play's paged listing (no criteria but the paging one), not a per-connector lookup."""
    criteria = (entry.get("body") or {}).get("searchCriteria") or []
    return all(c.get("idTest") == "greater-than" and "fieldName" not in c for c in criteria)


def _is_write(entry):
    return entry["method"] not in ("GET", "HEAD") and not (entry["method"] == "POST"
                                                          and entry["path"] == "/api/awsconnectors/search")


def _is_sync_request(entry):
    """An update that sends nothing, ?sync=true: the request that proves a synchronization after the switch."""
    return entry["method"] == "POST" and entry.get("body") == {} and (entry.get("query") or {}).get("sync") == "true"


def _errors_of(measured, report):
    """The distinct failure messages of a run: from the report's accounts, else from ansible's output."""
    messages = collections.Counter()
    for account in (report or {}).get("accounts", []):
        if account.get("outcome") == "failed":
            text = re.sub(r"\b\d{12}\b", "<account>", str(account.get("error")))
            text = re.sub(r"/\d+\b", "/<id>", text)
            messages["%s: %s" % (account.get("failed_task"), text[:400])] += 1
    if not messages:
        for line in (measured.stdout + "\n" + measured.stderr).splitlines():
            if "FAILED!" in line or line.startswith("fatal:") or "[ERROR]" in line:
                messages[re.sub(r"\[[^\]]*\]", "[...]", line.strip())[:400]] += 1
    return messages


_PROFILE_LINE = re.compile(r"^(?:[\w.]+ : )?(?P<name>.*\S) -+ (?P<seconds>\d+\.\d+)s$")


def _slowest_tasks(stdout):
    """The profile_tasks summary at the end of a run: [(task, seconds)], slowest first."""
    found = []
    for line in stdout.splitlines()[-40:]:
        match = _PROFILE_LINE.match(line.strip())
        if match:
            found.append((match.group("name"), float(match.group("seconds"))))
    return found


_RECAP = re.compile(r"^\S+\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)"
                    r"\s+rescued=(\d+)")


def _recap(stdout):
    """PLAY RECAP summed over hosts: {"changed": hosts with changes, "changed_tasks": ..., "rescued": ...}."""
    totals = collections.Counter()
    for line in stdout.splitlines():
        match = _RECAP.match(line.strip())
        if match:
            changed = int(match.group(2))
            totals["changed_tasks"] += changed
            totals["changed_hosts"] += 1 if changed else 0
            totals["failed"] += int(match.group(4))
            totals["rescued"] += int(match.group(6))
            totals["hosts"] += 1
    return totals


def _changed_tasks(stdout):
    """{task name: hosts reported changed}, from the default callback's output."""
    found = collections.Counter()
    task = None
    for line in stdout.splitlines():
        if line.startswith("TASK ["):
            task = line[len("TASK ["):].split("]")[0].split(" : ", 1)[-1]
        elif line.startswith("changed: ["):
            found[task] += 1
    return found


def _trust_ids(document):
    ids = set()
    for statement in document.get("Statement", []):
        principal = statement.get("Principal", {})
        aws = principal.get("AWS") if isinstance(principal, dict) else principal
        aws = aws if isinstance(aws, list) else [aws]
        if SWP_PRINCIPAL not in aws or statement.get("Effect") != "Allow":
            continue
        for block in (statement.get("Condition") or {}).values():
            for key, value in block.items():
                if key.lower() == "sts:externalid":
                    ids.update(value if isinstance(value, list) else [value])
    return ids


def _moto_policies(moto_url, fleet):
    """Per account, the external IDs its role's trust policy accepts for the SWP principal (None: no role)."""
    accounts = moto_accounts.MotoAccounts(moto_url, session_name="bench")
    found = {}
    for account in fleet["accounts"]:
        iam = accounts.client(account["account_id"])
        try:
            document = iam.get_role(RoleName=ROLE_NAME)["Role"]["AssumeRolePolicyDocument"]
        except iam.exceptions.NoSuchEntityException:
            found[account["host"]] = None
            continue
        if isinstance(document, str):
            document = json.loads(document)
        found[account["host"]] = _trust_ids(document)
    return found


def run(api_url, sim_base, moto_url, summary):
    heading("4. Rollout: demo/rollout.yml over %d accounts, -f %d: dry run, apply, rerun" % (ACCOUNTS, FORKS))
    sim = Sim(sim_base)
    tmp = tempfile.mkdtemp(prefix="swp-bench-rollout-")
    keep = False
    try:
        spec_path = os.path.join(tmp, "fleet-spec.json")
        inventory = os.path.join(tmp, "inventory.json")
        fleet_path = os.path.join(tmp, "fleet.json")
        report_path = os.path.join(tmp, "report.json")
        with open(spec_path, "w", encoding="utf-8") as handle:
            json.dump(fleet_spec(), handle)
        m = run_measured([PY, os.path.join("tests", "fleet.py"), "--moto-url", moto_url, "build", "--spec", spec_path,
                          "--sim-base", sim_base, "--inventory-out", inventory, "--fleet-out", fleet_path],
                         env=base_env(), timeout=240)
        if m.returncode != 0:
            raise BenchError("tests/fleet.py failed: %s" % m.tail(8))
        with open(fleet_path, encoding="utf-8") as handle:
            fleet = json.load(handle)
        kinds = collections.Counter(a["kind"] for a in fleet["accounts"])
        migrating = kinds["user_defined"] + kinds["half_done"]
        connectors = sim.health()["connectors"]
        manager_id = fleet["manager_external_id"]
        want_search = -(-connectors // PAGE) + (1 if connectors % PAGE == 0 else 0)
        print("  fleet: %s; %d connectors; built in %.1f s; simulator rate limit %s calls/%ss"
              % (", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items())), connectors, m.wall,
                 sim.call("GET", "/config").get("rate_limit"), sim.call("GET", "/config").get("rate_limit_window")))

        # profile_tasks (ansible.posix, shipped with the ansible package) says where a run's time goes.
        env = base_env(SWP_API_URL=api_url, SWP_API_KEY=FULL_KEY, ANSIBLE_CONFIG=os.path.join(ROOT, "demo", "ansible.cfg"),
                       DEMO_REPORT=report_path, ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
                       PROFILE_TASKS_TASK_OUTPUT_LIMIT=4)
        results = []
        failures = []
        all_endpoints = set()
        for label, flags in RUNS:
            if os.path.exists(report_path):
                os.unlink(report_path)
            sim.clear_requests()
            m = run_measured(["ansible-playbook", "-i", inventory, os.path.join("demo", "rollout.yml"), "-f", str(FORKS)]
                             + flags, env=env, timeout=600, keep_output_in=tmp)
            log = sim.requests()
            report = None
            if os.path.exists(report_path):
                with open(report_path, encoding="utf-8") as handle:
                    report = json.load(handle)
            calls = breakdown(log)
            all_endpoints.update(calls)
            results.append({"label": label, "m": m, "log": log, "calls": calls, "report": report})
            if m.returncode != 0 or m.timed_out:
                failures.append(label)
                keep = True
            print("  %-6s rc=%d  %.1f s  %d SWP calls  report: %s"
                  % (label, m.returncode, m.wall, len(log),
                     json.dumps(report["counts"]) if report else "none written"), flush=True)
            if label == "rerun":
                for task, hosts in _changed_tasks(m.stdout).most_common(5):
                    print("         reported changed: %r on %d host(s)" % (task, hosts))
            slowest = _slowest_tasks(m.stdout)
            if slowest:
                print("         slowest tasks: " + "; ".join("%s %.1fs" % t for t in slowest))
            if m.returncode != 0 or m.timed_out:
                errors = _errors_of(m, report)
                print("    FAILED%s; distinct errors (count x message):" % (" (timed out)" if m.timed_out else ""))
                for message, count in errors.most_common(6):
                    print("      %3d x %s" % (count, message))
                if not errors:
                    print("      " + m.tail(15).replace("\n", "\n      "))

        print()
        headers = ["SWP calls"] + [r["label"] for r in results]
        rows = [[e] + [r["calls"].get(e, 0) for r in results] for e in sorted(all_endpoints)]
        rows.append(["total"] + [len(r["log"]) for r in results])
        rows.append(["  of which listing searches"] + [sum(1 for e in r["log"] if e["path"].endswith("/search")
                                                            and _is_listing(e)) for r in results])
        rows.append(["  of which per-connector searches"] + [sum(1 for e in r["log"] if e["path"].endswith("/search")
                                                                  and not _is_listing(e)) for r in results])
        rows.append(["  of which writes"] + [sum(1 for e in r["log"] if _is_write(e)) for r in results])
        rows.append(["  of which 429 / 5xx"] + ["%d / %d" % (sum(1 for e in r["log"] if e["status"] == 429),
                                                          sum(1 for e in r["log"] if (e["status"] or 0) >= 500))
                                                for r in results])
        recaps = [_recap(r["m"].stdout) for r in results]
        rows.append(["PLAY RECAP hosts changed / changed tasks"] + ["%d / %d" % (c["changed_hosts"], c["changed_tasks"])
                                                                for c in recaps])
        rows.append(["PLAY RECAP failed / rescued"] + ["%d / %d" % (c["failed"], c["rescued"]) for c in recaps])
        rows.append(["wall s"] + ["%.1f" % r["m"].wall for r in results])
        rows.append(["exit status"] + [r["m"].returncode for r in results])
        table(headers, rows)

        for r in results:
            label, report = r["label"], r["report"]
            searches = r["calls"].get(SEARCH, 0)
            listing = sum(1 for e in r["log"] if e["path"].endswith("/search") and _is_listing(e))
            summary.add("4. %s wall (-f %d, %d accts)" % (label, FORKS, ACCOUNTS), "%.1fs, rc=%d" % (r["m"].wall, r["m"].returncode),
                        "rc=0", r["m"].returncode == 0)
            summary.add("4. %s POST /awsconnectors/search" % label, "%d (%d listing)" % (searches, listing), want_search,
                        searches == want_search)
            summary.add("4. %s GET /awsconnectorsettings" % label, r["calls"].get(SETTINGS, 0), 1,
                        r["calls"].get(SETTINGS, 0) == 1)
            # README: once per play for the external ID and the listing; per account it migrates, one write in the
            # apply (the switch, given the listed connector: no read of it before); nothing in the dry run, nothing
            # for the others. The simulator synchronizes before it answers, so there is no poll, but one sync
            # request per switch proves that a synchronization came after it.
            want_total = 2 + (2 * migrating if label == "apply" else 0)
            summary.add("4. %s SWP calls total" % label, len(r["log"]), want_total, len(r["log"]) == want_total)
            reads = r["calls"].get("GET /awsconnectors/{id}", 0)
            summary.add("4. %s GET /awsconnectors/{id}" % label, reads, 0, reads == 0)
            if label == "apply":
                writes = sum(1 for e in r["log"] if _is_write(e) and not _is_sync_request(e))
                summary.add("4. apply SWP writes (1 per migrated account)", writes, migrating, writes == migrating)
                proofs = sum(1 for e in r["log"] if _is_sync_request(e))
                summary.add("4. apply SWP sync requests (1 per migrated account)", proofs, migrating, proofs == migrating)
            if label in ("check", "rerun"):
                writes = sum(1 for e in r["log"] if _is_write(e))
                summary.add("4. %s SWP writes" % label, writes, 0, writes == 0)
            if label == "rerun":
                changed = len(report["changed_hosts"]) if report else "no report"
                clean = r["m"].returncode == 0
                summary.add("4. rerun changed (report)", "%s%s" % (changed, "" if clean else " (run failed)"), 0,
                            changed == 0 and clean)
                recap = _recap(r["m"].stdout)
                summary.add("4. rerun changed tasks (PLAY RECAP)", recap["changed_tasks"], 0,
                            recap["changed_tasks"] == 0 and recap["hosts"] > 0)
            want_counts = {"check": {"would_migrate": migrating, "unchanged": kinds["migrated"]},
                           "apply": {"migrated": migrating, "unchanged": kinds["migrated"]},
                           "rerun": {"unchanged": ACCOUNTS}}[label]
            counts = {k: v for k, v in ((report or {}).get("counts") or {}).items() if v}
            summary.add("4. %s report counts" % label,
                        " ".join("%s=%s" % kv for kv in sorted(counts.items())) if report else "no report",
                        " ".join("%s=%s" % kv for kv in sorted(want_counts.items()) if kv[1]),
                        counts == {k: v for k, v in want_counts.items() if v})

        # The fleet after the three runs, as the simulator and moto see it.
        state = sim.state()
        role_connectors = [c for c in state["connectors"] if c.get("crossAccountRoleArn")]
        on_manager = sum(1 for c in role_connectors if c.get("external_id_source") == "manager")
        policies = _moto_policies(moto_url, fleet)
        narrowed = sum(1 for ids in policies.values() if ids == {manager_id})
        print("  after the runs: %d/%d role connectors use the manager-defined ID; %d/%d trust policies accept only it"
              % (on_manager, len(role_connectors), narrowed, len(policies)))
        summary.add("4. connectors on manager ID after", "%d/%d" % (on_manager, len(role_connectors)),
                    len(role_connectors), on_manager == len(role_connectors))
        summary.add("4. trust policies narrowed after", "%d/%d" % (narrowed, len(policies)), len(policies),
                    narrowed == len(policies))
        if failures:
            raise BenchError("ansible-playbook failed in the %s run(s); logs kept in %s" % (", ".join(failures), tmp))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
