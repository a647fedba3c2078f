# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 5: the rollout of 100 accounts under a 60-calls-per-minute rate limit, without Retry-After.

The public record gives rate limits per key, tenant and manager node and never mentions Retry-After: the
client must back off across the window on its own. The figure is the apply's wall time, the SWP calls
made and refused (429), any other failed call, and the report's counts; the goal is 0 failed accounts.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import tempfile

from _common import FULL_KEY, ROOT, Sim, base_env, build_fleet, heading, run_measured, table

ACCOUNTS = 100
FORKS = 10
LIMIT = 60
WINDOW = 60


def run(api_url, sim_base, moto_url, summary):
    heading("5. Rollout of %d accounts under a %d-calls-per-%ds rate limit (no Retry-After), -f %d"
            % (ACCOUNTS, LIMIT, WINDOW, FORKS))
    sim = Sim(sim_base)
    tmp = tempfile.mkdtemp(prefix="swp-bench-ratelimit-")
    try:
        spec = {"simulator": {"config": {"iam_propagation_delay": 0, "rate_limit": LIMIT, "rate_limit_window": WINDOW,
                                         "rate_limit_retry_after": False}},
                "accounts": [{"name": "limited-%03d" % i, "kind": "user_defined"} for i in range(ACCOUNTS)]}
        report_path = os.path.join(tmp, "report.json")
        inventory = build_fleet(tmp, spec, sim_base, moto_url, timeout=300)
        env = base_env(SWP_API_URL=api_url, SWP_API_KEY=FULL_KEY, ANSIBLE_CONFIG=os.path.join(ROOT, "demo", "ansible.cfg"),
                       DEMO_REPORT=report_path)
        sim.clear_requests()
        m = run_measured(["ansible-playbook", "-i", inventory, os.path.join("demo", "rollout.yml"), "-f", str(FORKS)],
                         env=env, timeout=1800, keep_output_in=tmp)
        log = sim.requests()
        report = None
        if os.path.exists(report_path):
            with open(report_path, encoding="utf-8") as handle:
                report = json.load(handle)
        statuses = collections.Counter(entry["status"] for entry in log)
        refused = statuses.get(429, 0)
        other_failed = sum(count for status, count in statuses.items() if status is None or status >= 400 and status != 429)
        counts = (report or {}).get("counts", {})
        table(["apply", "value"], [
            ["wall s", "%.1f" % m.wall],
            ["exit status", m.returncode],
            ["SWP calls (all)", len(log)],
            ["  answered 429 (then retried)", refused],
            ["  other failed calls", other_failed],
            ["accounts migrated / failed", "%s / %s" % (counts.get("migrated"), counts.get("failed"))],
            ["floor: accepted calls / limit x window", "%.0f s" % ((len(log) - refused) / LIMIT * WINDOW)],
        ])
        summary.add("5. rate-limited apply (%d accts, %d/%ds)" % (ACCOUNTS, LIMIT, WINDOW), "%.0fs, rc=%d" % (m.wall, m.returncode),
                    "rc=0", m.returncode == 0)
        summary.add("5. rate-limited failed accounts", counts.get("failed", "no report"), 0, counts.get("failed") == 0)
        summary.add("5. rate-limited calls failed (not 429)", other_failed, 0, other_failed == 0)
        summary.add("5. rate-limited 429 answers", refused, ">0 (the limit bit)", refused > 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
